//! `keel rehash`: rewrite the integrity file after a deliberate edit, saying which migrations' sums change
//! (an applied migration that changes is refused as edited by every database that applied it).

use super::Outcome;
use crate::args::ProjectArgs;
use crate::integrity;
use crate::output::print_json;
use crate::session::Session;
use keel_diff::migrate::{State, read_migrations, status};

pub async fn run(session: Session, project: &ProjectArgs) -> anyhow::Result<Outcome> {
    let dir = session.migrations_dir(project);
    let migrations = read_migrations(&dir)?;
    let changes = integrity::changes(&dir, &migrations);
    let applied = applied_here(&session, &migrations, &changes.edited).await;
    integrity::write(&dir, &migrations)?;
    let path = dir.join(integrity::SUM_FILE).display().to_string();
    for file in &changes.edited {
        let whether = match &applied {
            Ok(Some(applied)) if applied.contains(file) => {
                " and is applied in this database, which will refuse it as edited: restore the file as it was \
                 applied and make the change in a new migration"
                    .to_string()
            }
            Ok(Some(_)) => " and is not applied in this database".to_string(),
            Ok(None) => String::new(),
            Err(e) => format!(" (could not check the database: {e:#})"),
        };
        session.say(format!(
            "warning: {file} changed since {} was written{whether}; if this migration is applied anywhere, those \
             databases will refuse it as edited",
            integrity::SUM_FILE
        ));
    }
    for file in &changes.gone {
        session.say(format!(
            "warning: {file} is gone; if this migration is applied anywhere, those databases will refuse to migrate \
             until it is restored"
        ));
    }
    if session.json() {
        print_json(&serde_json::json!({
            "written": path,
            "migrations": migrations.len(),
            "edited": changes.edited,
            "gone": changes.gone,
        }))?;
    } else {
        println!("wrote {path} ({})", keel_diff::counts::count(migrations.len(), "migration", "migrations"));
    }
    Ok(Outcome::Done)
}

/// With a database URL and edited files: the files of those that the database applied (with any text).
async fn applied_here(
    session: &Session,
    migrations: &[keel_diff::migrate::Migration],
    edited: &[String],
) -> anyhow::Result<Option<Vec<String>>> {
    if edited.is_empty() || session.database_url.is_none() {
        return Ok(None);
    }
    let mut conn = session.connect().await?;
    let status = status(&mut conn, migrations, &session.migrations_table()).await?;
    let _ = sqlx::Connection::close(conn).await;
    let applied = status.entries.iter().filter(|e| matches!(e.state, State::Applied | State::Edited));
    Ok(Some(applied.filter_map(|e| e.file.clone()).collect()))
}
