//! `keel diff --from SRC --to SRC`: the SQL between two schemas.

use super::{Outcome, decide_renames};
use crate::args::{Output, RenameArgs};
use crate::output::{PlanJson, plan_text, print_json};
use crate::session::Session;
use crate::source::Source;
use keel_diff::PlanOptions;

pub async fn run(
    mut session: Session,
    from: &str,
    to: &str,
    online: bool,
    renames: &RenameArgs,
) -> anyhow::Result<Outcome> {
    let (from, to) = (Source::parse(from)?, Source::parse(to)?);
    // keel.toml's SQL files go with the side that is the project's schema (`--to .`).
    let (from, to) = (session.diff_side(from)?, session.diff_side(to)?);
    let current = session.load(&from).await?;
    let desired = session.load(&to).await?;
    // The SQL is for the live database (either side): refuse what its server cannot hold.
    let mut server_version_num = None;
    for (side, runs_here) in [(&from, true), (&to, false)] {
        if let Source::Database(url) = &side.source {
            let version = session.server_version(url).await?;
            super::refuse_unsupported(&desired, version, &side.source.to_string())?;
            // The SQL turns `--from` into `--to`: it runs on `--from`'s server, and may use what its
            // version added. From anything else, it is planned for every version the schema runs on.
            if runs_here {
                server_version_num = Some(version);
            }
        }
    }
    let server_version_num =
        server_version_num.or_else(|| Some(keel_diff::version::required_server_version_num(&desired)));
    // A diff is a preview: undecided renames are shown as drop and create, with a warning that says so.
    let hints = match decide_renames(&session, &current, &desired, renames)? {
        Ok(hints) => hints,
        Err(undecided) => {
            session.say(format!("warning: shown as drop and create below. {undecided}"));
            super::read_hints(renames)?
        }
    };
    let lock_timeout = if online { session.lock_timeout() } else { None };
    let options = PlanOptions { hints, online, lock_timeout, server_version_num, ..PlanOptions::default() };
    let plan = keel_diff::plan(&current, &desired, &options)?;
    match session.global.output.unwrap_or(Output::Sql) {
        Output::Sql => print!("{}", plan.to_sql()),
        Output::Json => print_json(&PlanJson::new(&plan))?,
        Output::Text if plan.is_empty() => println!("{from} and {to} are equal"),
        Output::Text => print!("{from} → {to}: {}", plan_text(&plan, session.global.verbose)),
    }
    session.finish();
    Ok(if plan.is_empty() { Outcome::Done } else { Outcome::Attention })
}
