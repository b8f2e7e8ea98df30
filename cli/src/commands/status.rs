//! `keel status`: what a database has applied of the migrations directory.

use super::Outcome;
use crate::args::ProjectArgs;
use crate::output::print_json;
use crate::session::Session;
use keel_diff::migrate::{State, read_migrations, status};

pub async fn run(session: Session, project: &ProjectArgs) -> anyhow::Result<Outcome> {
    let dir = session.migrations_dir(project);
    let migrations = read_migrations(&dir)?;
    session.warn_ignored_migration_files(&dir);
    let mut conn = session.connect().await?;
    let status = status(&mut conn, &migrations, &session.migrations_table()).await?;
    let up_to_date = status.entries.iter().all(|e| e.state == State::Applied);
    if session.json() {
        print_json(&status)?;
    } else {
        for entry in &status.entries {
            let state = match entry.state {
                State::Applied => console::style("applied").green(),
                State::Pending if entry.out_of_order => console::style("OUT OF ORDER").red().bold(),
                State::Pending => console::style("pending").yellow(),
                State::Edited => console::style("EDITED").red().bold(),
                State::Missing => console::style("MISSING").red().bold(),
                State::Failed => console::style("FAILED").red().bold(),
            };
            let when = entry.installed_on.as_deref().unwrap_or("");
            println!("{:>16}  {:<8}  {:<40}  {when}", entry.version, state, entry.description);
        }
        let late = status.out_of_order();
        if let Some(first) = late.first() {
            let latest = status.entries.iter().filter(|e| e.installed_on.is_some()).map(|e| e.version).max();
            eprintln!(
                "{} pending out of order (older than the newest applied migration{}, e.g. {}): `keel migrate` \
                 refuses them unless --allow-out-of-order",
                keel_diff::counts::count(late.len(), "migration", "migrations"),
                latest.map(|v| format!(", {v}")).unwrap_or_default(),
                first.file.as_deref().unwrap_or(&first.description)
            );
        }
        if status.entries.is_empty() {
            println!("no migrations in {}", dir.display());
        }
    }
    Ok(if up_to_date { Outcome::Done } else { Outcome::Attention })
}
