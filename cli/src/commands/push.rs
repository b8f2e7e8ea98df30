//! `keel push`: the development loop. The database is made to match the schema now; statements that
//! would delete data (measured on the live rows) need a yes on a terminal or `--force`, and the apply
//! stops when a count grew since. Pushes and migration runs take the same advisory lock.

use super::{Outcome, decide_renames};
use crate::args::{ProjectArgs, RenameArgs, SqlArgs};
use crate::output::{PlanJson, data_losing, plan_text, print_json};
use crate::prompt;
use crate::session::Session;
use anyhow::Context;
use keel_core::Schema;
use keel_diff::locks::Holder;
use keel_diff::{ApplyError, Plan, PlanOptions};
use serde::Serialize;
use sqlx::PgConnection;
use std::time::Duration;

pub struct Options {
    pub force: bool,
    pub strict: bool,
    pub online: bool,
    pub dry_run: bool,
}

#[derive(Serialize)]
struct PushJson<'a> {
    applied: bool,
    /// Why nothing changed, when keel refused (on a dry run: what a push would refuse whatever its flags).
    refused: Option<String>,
    /// Null when keel refused before planning (undecided renames).
    plan: Option<PlanJson<'a>>,
}

pub async fn run(
    mut session: Session,
    project: &ProjectArgs,
    sql: &SqlArgs,
    renames: &RenameArgs,
    options: Options,
) -> anyhow::Result<Outcome> {
    let source = session.desired(project, sql)?;
    // With no database given, push to a throwaway one: the demo works on a machine with nothing set up.
    let throwaway = match session.database_url.clone() {
        Some(url) => {
            session.scratch_beside_push_target(&url);
            None
        }
        None => {
            let server = session.scratch().await?;
            let (database, on) = (server.create_database().await?, server.describe());
            session.say(format!(
                "no database given (--database-url, DATABASE_URL): pushing to a throwaway database, removed when keel \
                 exits, on {on}"
            ));
            session.database_url = Some(database.url.clone());
            Some(database)
        }
    };
    let result = push(&mut session, &source, renames, &options).await;
    if let Some(database) = throwaway {
        database.drop_database().await?;
    }
    session.finish();
    result
}

async fn push(
    session: &mut Session,
    source: &crate::source::Desired,
    renames: &RenameArgs,
    options: &Options,
) -> anyhow::Result<Outcome> {
    let mut conn = session.connect().await?;
    let desired = session.load(source).await?;
    // The migration lock: one push (or migration run) at a time reads, plans and applies, so a second
    // push plans against what the first applied instead of failing halfway through the same change.
    let lock_id = keel_diff::locks::migration_lock_id(&mut conn, session.config.migrate.lock_id)
        .await
        .context("reading the database name")?;
    let wait = Duration::from_secs(session.config.migrate.lock_wait_secs.unwrap_or(60));
    let mut on_wait = |holder: Option<&Holder>| {
        session.say(format!(
            "waiting for the migration lock {lock_id} (taken by keel push and keel migrate), {}",
            keel_diff::locks::held_by(holder)
        ))
    };
    keel_diff::locks::take_advisory(&mut conn, lock_id, tokio::time::Instant::now() + wait, &mut on_wait)
        .await
        .map_err(|e| {
            anyhow::Error::new(e).context(
                "another keel push or migration run is working on this database; nothing changed (keel.toml \
             `[migrate] lock_wait_secs` sets how long push waits)",
            )
        })?;
    let result = locked(session, &mut conn, source, &desired, renames, options).await;
    keel_diff::locks::release_advisory(&mut conn, lock_id).await;
    result
}

/// Reads, plans and applies, under the migration lock.
async fn locked(
    session: &mut Session,
    conn: &mut PgConnection,
    source: &crate::source::Desired,
    desired: &Schema,
    renames: &RenameArgs,
    options: &Options,
) -> anyhow::Result<Outcome> {
    let current = session.introspect(conn).await?;
    let version = keel_diff::version::server_version_num(conn).await.context("reading the server's version")?;
    super::refuse_unsupported(desired, version, "the database pushed to")?;
    let hints = match decide_renames(session, &current, desired, renames)? {
        Ok(hints) => hints,
        Err(undecided) => return refuse(session, None, undecided),
    };
    let unmanaged = keel_diff::unmanaged(conn, None).await.context("reading views, triggers and functions")?;
    // Every push gives up waiting for a table lock after the lock timeout, not only online ones: a statement
    // queued behind a long transaction queues every other query of the table behind itself.
    let lock_timeout = session.lock_timeout();
    // The plan runs on this server: it may use what its version added (`SET EXPRESSION` on 17).
    let server_version_num = Some(version);
    let plan_options = PlanOptions { hints, online: options.online, lock_timeout, unmanaged, server_version_num };
    let mut plan = keel_diff::plan(&current, desired, &plan_options)?;
    keel_diff::measure_data_loss(conn, &mut plan).await.context("measuring what the plan would delete")?;

    if plan.is_empty() {
        if session.json() {
            print_json(&PushJson { applied: false, refused: None, plan: Some(PlanJson::new(&plan)) })?;
        } else {
            println!("The database already matches {source}.");
        }
        return Ok(Outcome::Done);
    }
    if !session.json() {
        session.say(format!("plan: database → {source}\n{}", plan_text(&plan, session.global.verbose)));
    }
    // Rows holding an enum value the plan removes make its cast fail, whatever was agreed: refuse first.
    let held = super::removed_values::held(conn, &plan).await.context("counting the rows that hold removed values")?;
    if !held.is_empty() && !options.dry_run {
        return refuse(
            session,
            Some(&plan),
            super::removed_values::refusal(&held, &current, desired) + "\nNothing changed.",
        );
    }
    if options.dry_run {
        // What a real push would refuse, whatever its flags.
        let refused = (!held.is_empty()).then(|| super::removed_values::refusal(&held, &current, desired));
        if session.json() {
            print_json(&PushJson { applied: false, refused, plan: Some(PlanJson::new(&plan)) })?;
        } else if let Some(refused) = refused {
            session.say(format!("note: {refused}"));
        }
        // Like `diff`: differences found.
        return Ok(Outcome::Attention);
    }

    let losing = data_losing(&plan);
    if !losing.is_empty() && !options.force {
        let reports: Vec<String> = losing
            .iter()
            .map(|s| format!("  {}", s.data_loss_report().unwrap_or_else(|| format!("{} (not measured)", s.summary))))
            .collect();
        let message = format!("the plan deletes or changes stored data:\n{}", reports.join("\n"));
        if !(prompt::interactive() && !session.json() && prompt::confirm(&format!("{message}\nApply it?"))?) {
            let reason = format!("{message}\nNothing changed. Rerun with --force to apply it.");
            return refuse(session, Some(&plan), reason);
        }
    }
    if options.strict {
        if !prompt::interactive() || session.json() {
            let reason = "--strict asks before every statement, and there is no terminal".to_string();
            return refuse(session, Some(&plan), reason);
        }
        for (i, statement) in plan.statements.iter().enumerate() {
            if !prompt::confirm(&format!("{}. {}\n{}\nRun it?", i + 1, statement.summary, statement.sql))? {
                return refuse(session, Some(&plan), format!("statement {} declined; nothing changed", i + 1));
            }
        }
    }

    session.trace(&plan.to_sql());
    // The apply counts again, under the tables' locks, what the destructive statements delete: the
    // counts shown are what was agreed to.
    match keel_diff::apply_plan(conn, &plan).await {
        Ok(()) => {}
        Err(ApplyError::Grown(grown)) if committed(&plan, grown.number) == 0 => {
            let reason = format!(
                "{grown}; nothing changed. Values were written after the plan was measured: run keel push again \
                 to see the new plan"
            );
            return refuse(session, Some(&plan), reason);
        }
        Err(e) => return Err(partial_failure(&plan, e)),
    }
    if session.json() {
        print_json(&PushJson { applied: true, refused: None, plan: Some(PlanJson::new(&plan)) })?;
    } else {
        let units = plan.units().len();
        let note = if units > 1 { format!(" in {units} units") } else { " in one transaction".to_string() };
        println!("applied {}{note}", keel_diff::counts::count(plan.statements.len(), "statement", "statements"));
    }
    Ok(Outcome::Done)
}

/// A failed apply, saying what stayed applied: units before the failing one were committed (an enum value
/// must be committed before use; CONCURRENTLY runs outside a transaction).
fn partial_failure(plan: &Plan, error: ApplyError) -> anyhow::Error {
    let failed = error.stopped_at();
    let committed = failed.map_or(0, |number| committed(plan, number));
    let state = match (committed, failed) {
        (0, Some(_)) => "nothing was changed".to_string(),
        (n, Some(_)) => format!(
            "statements 1 to {n} were applied and committed before it (separate units); the database is between \
             the two schemas: run `keel push` again once the cause is fixed"
        ),
        (_, None) => "the connection failed; run `keel push` again to see what was applied".to_string(),
    };
    let hint = match &error {
        ApplyError::LockTimeout(_) => {
            "; wait for that session to finish (or stop it), or raise keel.toml `[migrate] lock_timeout_ms`"
        }
        _ => "",
    };
    anyhow::Error::new(error).context(format!("applying the plan failed; {state}{hint}"))
}

/// How many statements stay applied when the apply stopped at statement `number` (1-based): whole units
/// before its unit, and the ones before it in its unit when that unit runs without a transaction.
fn committed(plan: &Plan, number: usize) -> usize {
    let index = number - 1;
    let units = plan.units();
    let before: usize = units.iter().take_while(|u| !u.statements.contains(&index)).map(|u| u.statements.len()).sum();
    let within = units
        .iter()
        .find(|u| u.statements.contains(&index))
        .filter(|u| !u.transactional)
        .map_or(0, |u| u.statements.iter().take_while(|&&s| s != index).count());
    before + within
}

fn refuse(session: &Session, plan: Option<&Plan>, reason: String) -> anyhow::Result<Outcome> {
    if session.json() {
        print_json(&PushJson { applied: false, refused: Some(reason), plan: plan.map(PlanJson::new) })?;
    } else {
        session.say(format!("refused: {reason}"));
    }
    Ok(Outcome::Attention)
}
