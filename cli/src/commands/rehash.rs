//! `keel rehash`: rewrite the integrity file after a deliberate edit.

use super::Outcome;
use crate::args::ProjectArgs;
use crate::integrity;
use crate::session::Session;
use keel_diff::migrate::read_migrations;

pub fn run(session: Session, project: &ProjectArgs) -> anyhow::Result<Outcome> {
    let dir = session.migrations_dir(project);
    let migrations = read_migrations(&dir)?;
    integrity::write(&dir, &migrations)?;
    println!("wrote {} ({} migrations)", dir.join(integrity::SUM_FILE).display(), migrations.len());
    Ok(Outcome::Done)
}
