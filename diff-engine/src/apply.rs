//! Executing statements, with errors that say which statement failed and what PostgreSQL said.

use crate::locks::{Holder, held_by, relation_holder};
use crate::measure;
use crate::plan::{Plan, thousands};
use keel_core::model::QualifiedName;
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
    #[error(transparent)]
    LockTimeout(Box<LockTimeout>),
    #[error(transparent)]
    Grown(Box<Grown>),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
}

impl ApplyError {
    /// The 1-based statement at which the apply stopped: statements of the units before its unit stay
    /// applied; of its unit, none did when it runs in a transaction. `None`: the connection failed.
    pub fn stopped_at(&self) -> Option<usize> {
        match self {
            ApplyError::Statement(e) => Some(e.number),
            ApplyError::LockTimeout(e) => Some(e.number),
            ApplyError::Grown(e) => Some(e.number),
            ApplyError::Database(_) => None,
        }
    }
}

/// A statement (or the lock keel takes before counting again) that gave up waiting for a lock after the
/// lock timeout.
#[derive(Debug, thiserror::Error)]
#[error(
    "statement {number} gave up after the lock timeout{}, waiting for {} {}\n  statement: {statement}",
    .timeout_ms.map(|ms| format!(" ({ms}ms)")).unwrap_or_default(),
    .relation.as_ref().map_or("a lock".to_string(), |r| format!("its lock on {r}")),
    held_by(.holder.as_ref())
)]
pub struct LockTimeout {
    /// 1-based position of the statement that waited (or of the first of its unit, for the lock taken
    /// before counting again).
    pub number: usize,
    pub statement: String,
    /// The relation waited for, when keel knows it.
    pub relation: Option<QualifiedName>,
    pub holder: Option<Holder>,
    pub timeout_ms: Option<u64>,
}

/// A measured count that grew past the one agreed to, taken again under the table's lock before the
/// statement. The unit was rolled back.
#[derive(Debug, thiserror::Error)]
#[error("{summary}: {now} now, {consented} when you agreed")]
pub struct Grown {
    /// 1-based position of the first statement of the unit that was rolled back.
    pub number: usize,
    /// 1-based position of the statement whose count grew.
    pub statement: usize,
    pub summary: String,
    /// `100 non-null values`.
    pub now: String,
    /// `0`.
    pub consented: String,
    pub now_count: i64,
    pub consented_count: i64,
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
///
/// The measured counts of the plan (`data_loss`) are what was agreed to: before the statements of a unit,
/// the tables its measured statements read are locked and counted again, and a count that grew stops the
/// apply ([`ApplyError::Grown`]). The first unit counts again for the whole plan, so that a grown count
/// stops it before anything is committed; a later unit counts its own again, under its own locks.
pub async fn apply_plan(conn: &mut PgConnection, plan: &Plan) -> Result<(), ApplyError> {
    let result = apply_units(conn, plan).await;
    let result = match result {
        Err(ApplyError::LockTimeout(mut e)) => {
            // The transaction is rolled back by now: the holder can be looked up on this connection.
            e.holder = relation_holder(conn, e.relation.as_ref(), &e.statement).await.unwrap_or(None);
            Err(ApplyError::LockTimeout(e))
        }
        other => other,
    };
    if plan.lock_timeout_ms.is_some() {
        // The timeout is the plan's, not the session's: leave the connection as it was given.
        let reset = sqlx::raw_sql("RESET lock_timeout").execute(&mut *conn).await;
        result?;
        reset?;
        return Ok(());
    }
    result
}

async fn apply_units(conn: &mut PgConnection, plan: &Plan) -> Result<(), ApplyError> {
    for (k, unit) in plan.units().iter().enumerate() {
        let first = unit.statements[0];
        if k == 0 && !unit.transactional {
            // Nothing is committed yet: a count that already grew stops the plan before its first statement.
            let later = (0..plan.statements.len()).filter(|i| !unit.statements.contains(i));
            recount(conn, plan, first, later, false).await?;
        }
        if unit.transactional {
            let mut tx = conn.begin().await?;
            set_lock_timeout(&mut tx, plan).await?;
            let result = async {
                if k == 0 {
                    let everywhere = (0..plan.statements.len()).filter(|i| !unit.statements.contains(i));
                    recount(&mut tx, plan, first, everywhere, false).await?;
                }
                recount(&mut tx, plan, first, unit.statements.iter().copied(), true).await?;
                let statements = unit.statements.iter().map(|&i| (i, &plan.statements[i].sql));
                run_numbered(&mut tx, statements).await.map_err(|e| lock_timeout(e, None, plan))
            }
            .await;
            match result {
                Ok(()) => tx.commit().await?,
                Err(e) => {
                    // A failed rollback means a lost connection: the server rolls back then, and the
                    // statement's error says more.
                    let _ = tx.rollback().await;
                    return Err(e);
                }
            }
        } else {
            // Without a transaction nothing can be held between counting and the statement: each
            // statement is counted again just before it.
            set_lock_timeout(conn, plan).await?;
            for &i in &unit.statements {
                recount(conn, plan, i, [i].into_iter(), false).await?;
                let statement = [(i, &plan.statements[i].sql)].into_iter();
                run_numbered(conn, statement).await.map_err(|e| lock_timeout(e, None, plan))?;
            }
        }
    }
    Ok(())
}

async fn set_lock_timeout(conn: &mut PgConnection, plan: &Plan) -> Result<(), ApplyError> {
    if let Some(set) = plan.lock_timeout_sql() {
        sqlx::raw_sql(AssertSqlSafe(set)).execute(&mut *conn).await?;
    }
    Ok(())
}

/// Counts again what the measured statements among `statements` delete, taking the lock on what they read
/// first when `lock`; stops when a count grew past the measured one. A statement measured as nothing
/// (the count could not be taken) is not counted again. Failures are reported at statement `first`: the
/// first statement of the unit, of which nothing ran yet.
async fn recount(
    conn: &mut PgConnection,
    plan: &Plan,
    first: usize,
    statements: impl Iterator<Item = usize>,
    lock: bool,
) -> Result<(), ApplyError> {
    for i in statements {
        let statement = &plan.statements[i];
        let (Some(measure), Some(consented)) = (&statement.measure, statement.data_loss) else { continue };
        if lock && let Some(relation) = measure::measured_relation(measure) {
            let sql = crate::sql!("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE", relation).into_string();
            if let Err(e) = sqlx::raw_sql(AssertSqlSafe(sql.clone())).execute(&mut *conn).await {
                return Err(lock_timeout(statement_error(first + 1, &sql, e), Some(relation), plan));
            }
        }
        let now = match measure::measure_statement(conn, measure).await {
            // Nothing left to count from (the sequence is gone): nothing to lose.
            Ok(now) => now.unwrap_or(0),
            Err(e) => return Err(statement_error(first + 1, &format!("counting for: {}", statement.summary), e)),
        };
        if now > consented {
            return Err(ApplyError::Grown(Box::new(Grown {
                number: first + 1,
                statement: i + 1,
                summary: statement.summary.clone(),
                now: measure.describe(now),
                consented: thousands(consented),
                now_count: now,
                consented_count: consented,
            })));
        }
    }
    Ok(())
}

/// A statement that gave up waiting for a lock as [`ApplyError::LockTimeout`]; `relation` when keel knows
/// what it waited for (its own `LOCK TABLE`).
fn lock_timeout(error: ApplyError, relation: Option<&QualifiedName>, plan: &Plan) -> ApplyError {
    match error {
        ApplyError::Statement(e) if e.code.as_deref() == Some(LOCK_NOT_AVAILABLE) => {
            ApplyError::LockTimeout(Box::new(LockTimeout {
                number: e.number,
                statement: e.statement,
                relation: relation.cloned(),
                holder: None,
                timeout_ms: plan.lock_timeout_ms,
            }))
        }
        other => other,
    }
}

/// SQLSTATE of a statement that gave up waiting for a lock (`lock_timeout`, `NOWAIT`).
const LOCK_NOT_AVAILABLE: &str = "55P03";

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
