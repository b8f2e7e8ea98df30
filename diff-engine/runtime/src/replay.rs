//! Replaying migrations without bookkeeping: what a migrations directory (or a single SQL file) builds,
//! run on a scratch database the way the runner would run it.

use super::{MigrateError, Migration};
use sqlx::{AssertSqlSafe, Connection, PgConnection};

/// Why a file cannot be replayed (keel-diff's `replayable::Unreplayable`).
pub type Refusal = Box<dyn std::error::Error + Send + Sync>;

/// Runs each migration in order, in its own transaction unless it is marked `-- no-transaction`. No
/// tracking table, no lock: the database is a scratch one. A failure names the file, line and column.
/// Transaction control in a transactional file is refused before anything runs, as the runner does.
/// A file `replayable` refuses (keel-diff refuses statements that change the whole server: roles,
/// tablespaces, databases) is refused before anything runs.
pub async fn replay_with(
    conn: &mut PgConnection,
    migrations: &[Migration],
    replayable: &dyn Fn(&str) -> Result<(), Refusal>,
) -> Result<(), MigrateError> {
    super::tx_control::refuse(migrations)?;
    for migration in migrations {
        replayable(&migration.sql)
            .map_err(|source| MigrateError::Unreplayable { file: migration.file_name.clone(), source })?;
    }
    for migration in migrations {
        let failure = |e: sqlx::Error| MigrateError::failed(migration, &e);
        let sql = AssertSqlSafe(migration.sql.as_str());
        if migration.no_transaction {
            sqlx::raw_sql(sql).execute(&mut *conn).await.map_err(failure)?;
            continue;
        }
        let mut tx = conn.begin().await.map_err(MigrateError::database("starting a transaction"))?;
        sqlx::raw_sql(sql).execute(&mut *tx).await.map_err(failure)?;
        tx.commit().await.map_err(failure)?;
    }
    Ok(())
}
