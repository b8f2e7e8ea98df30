//! `keel rehash`: rewrite the integrity file after a deliberate edit.

use super::Outcome;
use crate::args::ProjectArgs;
use crate::integrity;
use crate::output::print_json;
use crate::session::Session;
use keel_diff::migrate::read_migrations;

pub fn run(session: Session, project: &ProjectArgs) -> anyhow::Result<Outcome> {
    let dir = session.migrations_dir(project);
    let migrations = read_migrations(&dir)?;
    integrity::write(&dir, &migrations)?;
    let path = dir.join(integrity::SUM_FILE).display().to_string();
    if session.json() {
        print_json(&serde_json::json!({ "written": path, "migrations": migrations.len() }))?;
    } else {
        println!("wrote {path} ({})", crate::output::count(migrations.len(), "migration"));
    }
    Ok(Outcome::Done)
}
