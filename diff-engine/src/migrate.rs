//! The migration runner: keel-migrate, the runtime apps link, with the replay into scratch databases that
//! needs the planner's parser.

pub use keel_migrate::*;

/// Runs each migration in order on a scratch database, as [`replay_with`] does, refusing statements that
/// change the whole server (roles, tablespaces, databases; see [`crate::replayable`]) before anything runs.
pub async fn replay(conn: &mut sqlx::PgConnection, migrations: &[Migration]) -> Result<(), MigrateError> {
    replay_with(conn, migrations, &|sql| crate::replayable::check(sql).map_err(Into::into)).await
}
