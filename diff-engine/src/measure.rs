//! Measuring, on a live database, what a plan's destructive statements would delete or change: rows of
//! dropped tables, non-null values of dropped columns, rows holding removed enum values, values a lossy
//! type change alters or that do not fit a checked one, values a dropped sequence handed out.

use crate::casts::explicit_cast;
use crate::plan::{Measure, Plan};
use crate::render::qualified;
use keel_core::model::ColumnType;
use keel_core::sql::quote_ident;
use sqlx::{AssertSqlSafe, Connection, PgConnection};

/// Fills in `data_loss` of every statement that has a measure. A count that cannot be taken (the table
/// has another name until an earlier statement of the plan renames it, the types cannot be compared) is
/// left empty; where a stored value makes the cast fail, `measure_failed` says so.
pub async fn measure_data_loss(conn: &mut PgConnection, plan: &mut Plan) -> Result<(), sqlx::Error> {
    for statement in &mut plan.statements {
        let Some(measure) = &statement.measure else { continue };
        // A cast may raise on a value: inside a savepoint (a transaction when there is none), so that an
        // enclosing transaction survives it.
        let mut tx = conn.begin().await?;
        let counted = count(&mut tx, measure).await;
        tx.rollback().await?;
        match counted {
            Ok(n) => statement.data_loss = n,
            // 22: data exception (a value out of range, too long, not parseable).
            Err(sqlx::Error::Database(e)) if e.code().is_some_and(|c| c.starts_with("22")) => {
                statement.measure_failed = Some(e.message().to_string());
            }
            // Undefined table, column, type (created later by the plan), function or operator; no cast.
            Err(sqlx::Error::Database(e))
                if e.code().as_deref().is_some_and(|c| ["42P01", "42703", "42704", "42883", "42846"].contains(&c)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Takes one measure; `None` when there is nothing to count from (the sequence is gone).
async fn count(conn: &mut PgConnection, measure: &Measure) -> Result<Option<i64>, sqlx::Error> {
    // Identifiers are quoted; enum values and names of relations are bound as parameters.
    let scalar = |sql: String| sqlx::query_scalar::<_, i64>(AssertSqlSafe(sql));
    match measure {
        Measure::Rows { table } => {
            scalar(format!("SELECT count(*) FROM {}", qualified(table))).fetch_optional(conn).await
        }
        Measure::NonNull { table, column } => {
            scalar(format!("SELECT count({}) FROM {}", quote_ident(column), qualified(table)))
                .fetch_optional(conn)
                .await
        }
        Measure::Values { table, column, values } => {
            // `ARRAY[col]::text[]` flattens a scalar and an array column alike.
            let sql = format!(
                "SELECT count(*) FROM {} WHERE ARRAY[{}]::text[] && $1::text[]",
                qualified(table),
                quote_ident(column)
            );
            scalar(sql).bind(values).fetch_optional(conn).await
        }
        Measure::Changed { table, column, from, to } => {
            let col = quote_ident(column);
            let there = explicit_cast(&col, from, to);
            let back = explicit_cast(&format!("({there})"), to, from);
            let sql = format!("SELECT count(*) FROM {} WHERE {col} IS DISTINCT FROM {back}", qualified(table));
            scalar(sql).fetch_optional(conn).await
        }
        Measure::Unfit { table, column, from, to } => {
            let col = quote_ident(column);
            let cast = explicit_cast(&col, from, to);
            let sql = if has_length(to) {
                // The explicit cast cuts what the assignment cast would refuse: the text forms differ.
                format!("SELECT count(*) FROM {} WHERE {col}::text IS DISTINCT FROM ({cast})::text", qualified(table))
            } else {
                // The cast raises on the first value that does not fit; otherwise every value fits.
                format!("SELECT count({col}) - count({cast}) FROM {}", qualified(table))
            };
            scalar(sql).fetch_optional(conn).await
        }
        Measure::Sequence { sequence } => sequence_used(conn, "$1::regclass", &[qualified(sequence)]).await,
        Measure::Identity { table, column } => {
            sequence_used(conn, "pg_get_serial_sequence($1, $2)::regclass", &[qualified(table), column.clone()]).await
        }
    }
}

fn has_length(ty: &ColumnType) -> bool {
    matches!(ty.scalar(), ColumnType::Varchar { length: Some(_) } | ColumnType::Char { .. })
}

/// How many values the sequence that `regclass` (SQL over the bound `names`) yields has handed out: 0 when
/// never called.
async fn sequence_used(conn: &mut PgConnection, regclass: &str, names: &[String]) -> Result<Option<i64>, sqlx::Error> {
    let sql = format!(
        "SELECT CASE WHEN last_value IS NULL THEN 0 \
         ELSE GREATEST(1, (last_value - start_value) / increment_by + 1) END \
         FROM pg_sequences WHERE format('%I.%I', schemaname, sequencename)::regclass = {regclass}"
    );
    let mut query = sqlx::query_scalar::<_, i64>(AssertSqlSafe(sql));
    for name in names {
        query = query.bind(name);
    }
    query.fetch_optional(conn).await
}
