//! Measuring, on a live database, what a plan's destructive statements would delete: rows of dropped
//! tables, non-null values of dropped columns, rows holding removed enum values.

use crate::plan::{Measure, Plan};
use crate::render::qualified;
use keel_core::sql::quote_ident;
use sqlx::{AssertSqlSafe, PgConnection};

/// Fills in `data_loss` of every statement that can delete data. A count that cannot be taken (the table
/// has another name until an earlier statement of the plan renames it) is left empty.
pub async fn measure_data_loss(conn: &mut PgConnection, plan: &mut Plan) -> Result<(), sqlx::Error> {
    for statement in &mut plan.statements {
        let Some(measure) = &statement.measure else { continue };
        // Identifiers are quoted; enum values are bound as parameters.
        let counted = match measure {
            Measure::Rows { table } => {
                sqlx::query_scalar::<_, i64>(AssertSqlSafe(format!("SELECT count(*) FROM {}", qualified(table))))
                    .fetch_one(&mut *conn)
                    .await
            }
            Measure::NonNull { table, column } => {
                let sql = format!("SELECT count({}) FROM {}", quote_ident(column), qualified(table));
                sqlx::query_scalar::<_, i64>(AssertSqlSafe(sql)).fetch_one(&mut *conn).await
            }
            Measure::Values { table, column, values } => {
                // `ARRAY[col]::text[]` flattens a scalar and an array column alike.
                let sql = format!(
                    "SELECT count(*) FROM {} WHERE ARRAY[{}]::text[] && $1::text[]",
                    qualified(table),
                    quote_ident(column)
                );
                sqlx::query_scalar::<_, i64>(AssertSqlSafe(sql)).bind(values).fetch_one(&mut *conn).await
            }
        };
        match counted {
            Ok(n) => statement.data_loss = Some(n),
            Err(sqlx::Error::Database(e))
                if e.code().as_deref() == Some("42P01") || e.code().as_deref() == Some("42703") => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}
