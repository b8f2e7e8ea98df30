//! Executing statements, with errors that say which statement failed and what PostgreSQL said.

use crate::plan::{Plan, Unit};
use sqlx::{AssertSqlSafe, Connection, PgConnection};

/// A statement that PostgreSQL rejected.
#[derive(Debug, thiserror::Error)]
#[error("statement {number} failed: {message}{}\n  statement: {statement}", self.detail.as_ref().map(|d| format!("\n  detail: {d}")).unwrap_or_default())]
pub struct StatementError {
    /// 1-based position in the batch.
    pub number: usize,
    pub statement: String,
    /// SQLSTATE, e.g. `42P07`.
    pub code: Option<String>,
    pub message: String,
    pub detail: Option<String>,
    /// 1-based character position in the statement, when PostgreSQL gives one.
    pub position: Option<usize>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error(transparent)]
    Statement(#[from] StatementError),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
}

/// Runs the statements in one transaction: all of them, or none.
pub async fn apply_in_transaction(conn: &mut PgConnection, statements: &[String]) -> Result<(), ApplyError> {
    let mut tx = conn.begin().await?;
    run_numbered(&mut tx, statements.iter().enumerate()).await?;
    tx.commit().await?;
    Ok(())
}

/// Runs a plan: each transactional unit in its own transaction, the others statement by statement. A
/// failure names the statement by its 1-based position in the whole plan; units before it stay applied
/// (that is what separate units mean), the failing unit is rolled back when it was transactional.
pub async fn apply_plan(conn: &mut PgConnection, plan: &Plan) -> Result<(), ApplyError> {
    let result = apply_units(conn, plan).await;
    if plan.lock_timeout_ms.is_some() {
        // The timeout is the plan's, not the session's: leave the connection as it was given.
        sqlx::raw_sql("RESET lock_timeout").execute(&mut *conn).await?;
    }
    result
}

async fn apply_units(conn: &mut PgConnection, plan: &Plan) -> Result<(), ApplyError> {
    for unit in plan.units() {
        if unit.transactional {
            let mut tx = conn.begin().await?;
            run_unit(&mut tx, plan, &unit).await?;
            tx.commit().await?;
        } else {
            run_unit(conn, plan, &unit).await?;
        }
    }
    Ok(())
}

/// The unit's statements on `conn` (a transaction or the bare connection), after the plan's lock timeout.
async fn run_unit(conn: &mut PgConnection, plan: &Plan, unit: &Unit) -> Result<(), ApplyError> {
    if let Some(set) = plan.lock_timeout_sql() {
        sqlx::raw_sql(AssertSqlSafe(set)).execute(&mut *conn).await?;
    }
    run_numbered(conn, unit.statements.iter().map(|&i| (i, &plan.statements[i].sql))).await
}

/// Executes statements given with their 0-based position; an error names the 1-based one.
async fn run_numbered<'a>(
    conn: &mut PgConnection,
    statements: impl Iterator<Item = (usize, &'a String)>,
) -> Result<(), ApplyError> {
    for (i, statement) in statements {
        // Statements are keel's own rendering, identifiers and literals quoted (see `render`).
        if let Err(e) = sqlx::raw_sql(AssertSqlSafe(statement.clone())).execute(&mut *conn).await {
            return Err(statement_error(i + 1, statement, e));
        }
    }
    Ok(())
}

fn statement_error(number: usize, statement: &str, error: sqlx::Error) -> ApplyError {
    let Some(db) = error.as_database_error() else {
        return ApplyError::Database(error);
    };
    let pg = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>();
    ApplyError::Statement(StatementError {
        number,
        statement: statement.to_string(),
        code: db.code().map(|c| c.to_string()),
        message: db.message().to_string(),
        detail: pg.and_then(|p| p.detail()).map(str::to_string),
        position: pg.and_then(|p| match p.position() {
            Some(sqlx::postgres::PgErrorPosition::Original(n)) => Some(n),
            _ => None,
        }),
    })
}
