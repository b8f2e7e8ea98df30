//! Measuring, on a live database, what a plan's destructive statements would delete: rows of dropped
//! tables, non-null values of dropped columns, rows holding removed enum values. The same count is taken
//! when the plan is shown (the consent) and again when it is applied ([`crate::apply`]).

use crate::plan::{Measure, Plan};
use crate::render::qualified;
use keel_core::model::QualifiedName;
use keel_core::sql::quote_ident;
use sqlx::{AssertSqlSafe, PgConnection};

/// Fills in `data_loss` of every statement that can delete data. A count that cannot be taken (the table
/// has another name until an earlier statement of the plan renames it) is left empty.
pub async fn measure_data_loss(conn: &mut PgConnection, plan: &mut Plan) -> Result<(), sqlx::Error> {
    for statement in &mut plan.statements {
        let Some(measure) = &statement.measure else { continue };
        match measure_statement(conn, measure).await {
            Ok(n) => statement.data_loss = Some(n),
            Err(sqlx::Error::Database(e))
                if e.code().as_deref() == Some("42P01") || e.code().as_deref() == Some("42703") => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// What one measure counts, now.
pub async fn measure_statement(conn: &mut PgConnection, measure: &Measure) -> Result<i64, sqlx::Error> {
    let count = count_query(measure);
    let query = sqlx::query_scalar::<_, i64>(AssertSqlSafe(count.sql));
    let query = match count.values {
        Some(values) => query.bind(values),
        None => query,
    };
    query.fetch_one(conn).await
}

/// The relation a measure reads, which must not change between counting again and the destructive
/// statement: [`crate::apply`] locks it (ACCESS EXCLUSIVE) first. `None`: nothing to lock.
pub fn measured_relation(measure: &Measure) -> Option<&QualifiedName> {
    count_query(measure).locks
}

/// A measure's query: one `match` over the kinds, so a new kind says at once what it counts, with which
/// parameters, and what it locks.
struct Count<'a> {
    /// Identifiers quoted; values bound as `$1`.
    sql: String,
    values: Option<&'a [String]>,
    locks: Option<&'a QualifiedName>,
}

fn count_query(measure: &Measure) -> Count<'_> {
    match measure {
        Measure::Rows { table } => {
            Count { sql: format!("SELECT count(*) FROM {}", qualified(table)), values: None, locks: Some(table) }
        }
        Measure::NonNull { table, column } => Count {
            sql: format!("SELECT count({}) FROM {}", quote_ident(column), qualified(table)),
            values: None,
            locks: Some(table),
        },
        Measure::Values { table, column, values } => Count {
            // `ARRAY[col]::text[]` flattens a scalar and an array column alike.
            sql: format!(
                "SELECT count(*) FROM {} WHERE ARRAY[{}]::text[] && $1::text[]",
                qualified(table),
                quote_ident(column)
            ),
            values: Some(values),
            locks: Some(table),
        },
    }
}
