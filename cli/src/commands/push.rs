//! `keel push`: the development loop. The database is made to match the schema now; statements that
//! would delete data (measured on the live rows) need a yes on a terminal or `--force`.

use super::{Outcome, decide_renames};
use crate::args::{ProjectArgs, RenameArgs};
use crate::output::{PlanJson, data_losing, plan_text, print_json};
use crate::prompt;
use crate::session::Session;
use anyhow::Context;
use keel_diff::{Plan, PlanOptions};
use serde::Serialize;

pub struct Options {
    pub force: bool,
    pub strict: bool,
    pub online: bool,
    pub dry_run: bool,
}

#[derive(Serialize)]
struct PushJson<'a> {
    applied: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    refused: Option<String>,
    plan: PlanJson<'a>,
}

pub async fn run(
    mut session: Session,
    project: &ProjectArgs,
    renames: &RenameArgs,
    options: Options,
) -> anyhow::Result<Outcome> {
    let source = session.schema_source(project)?;
    // With no database given, push to a throwaway one: the demo works on a machine with nothing set up.
    let throwaway = match session.database_url.clone() {
        Some(url) => {
            session.scratch_near(&url);
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
    let mut conn = session.connect().await?;
    let current = session.introspect(&mut conn).await?;
    let desired = session.load(&source).await?;
    let hints = match decide_renames(&session, &current, &desired, renames)? {
        Ok(hints) => hints,
        Err(undecided) => return refuse(&session, &Plan::default(), undecided),
    };
    let unmanaged = keel_diff::unmanaged(&mut conn, None).await.context("reading views, triggers and functions")?;
    let lock_timeout = options.online.then(|| session.lock_timeout());
    let plan_options = PlanOptions { hints, online: options.online, lock_timeout, unmanaged };
    let mut plan = keel_diff::plan(&current, &desired, &plan_options)?;
    keel_diff::measure_data_loss(&mut conn, &mut plan).await.context("measuring what the plan would delete")?;

    if plan.is_empty() {
        if session.json() {
            print_json(&PushJson { applied: false, refused: None, plan: PlanJson::new(&plan) })?;
        } else {
            println!("The database already matches {source}.");
        }
        return Ok(Outcome::Done);
    }
    if !session.json() {
        session.say(format!("plan: database → {source}\n{}", plan_text(&plan, session.global.verbose)));
    }
    if options.dry_run {
        if session.json() {
            print_json(&PushJson { applied: false, refused: None, plan: PlanJson::new(&plan) })?;
        }
        return Ok(Outcome::Done);
    }

    let losing = data_losing(&plan);
    if !losing.is_empty() && !options.force {
        let reports: Vec<String> = losing
            .iter()
            .map(|s| format!("  {}", s.data_loss_report().unwrap_or_else(|| format!("{} (not measured)", s.summary))))
            .collect();
        let message = format!("the plan deletes data:\n{}", reports.join("\n"));
        if !(prompt::interactive() && !session.json() && prompt::confirm(&format!("{message}\nApply it?"))?) {
            return refuse(&session, &plan, format!("{message}\nNothing changed. Rerun with --force to apply it."));
        }
    }
    if options.strict {
        if !prompt::interactive() {
            return refuse(&session, &plan, "--strict asks before every statement, and there is no terminal".into());
        }
        for (i, statement) in plan.statements.iter().enumerate() {
            if !prompt::confirm(&format!("{}. {}\n{}\nRun it?", i + 1, statement.summary, statement.sql))? {
                return refuse(&session, &plan, format!("statement {} declined; nothing changed", i + 1));
            }
        }
    }

    session.trace(&plan.to_sql());
    keel_diff::apply_plan(&mut conn, &plan).await.context("applying the plan")?;
    if session.json() {
        print_json(&PushJson { applied: true, refused: None, plan: PlanJson::new(&plan) })?;
    } else {
        let units = plan.units().len();
        let note = if units > 1 { format!(" in {units} units") } else { " in one transaction".to_string() };
        println!("applied {} statements{note}", plan.statements.len());
    }
    drop(conn);
    if let Some(database) = throwaway {
        database.drop_database().await?;
    }
    session.finish();
    Ok(Outcome::Done)
}

fn refuse(session: &Session, plan: &Plan, reason: String) -> anyhow::Result<Outcome> {
    if session.json() {
        print_json(&PushJson { applied: false, refused: Some(reason), plan: PlanJson::new(plan) })?;
    } else {
        session.say(format!("refused: {reason}"));
    }
    Ok(Outcome::Attention)
}
