//! Measuring, on a live database, what a plan's destructive statements would delete or change: rows of
//! dropped tables, non-null values of dropped columns, rows holding removed enum values, values a lossy
//! type change alters or that do not fit a checked one, values a dropped sequence handed out. The same
//! count is taken when the plan is shown (the consent) and again when it is applied ([`crate::apply`]).

use crate::casts::explicit_cast;
use crate::plan::{Measure, Plan};
use crate::render::qualified;
use crate::sql;
use crate::sql::{Ident, Printed, Sql};
use keel_core::model::{ColumnType, QualifiedName};
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
        let counted = measure_statement(&mut tx, measure).await;
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

/// What one measure counts, now; `None` when there is nothing to count from (the sequence is gone).
pub async fn measure_statement(conn: &mut PgConnection, measure: &Measure) -> Result<Option<i64>, sqlx::Error> {
    let count = count_query(measure);
    let mut query = sqlx::query_scalar::<_, i64>(AssertSqlSafe(count.sql.into_string()));
    for param in count.params {
        query = match param {
            Param::Text(text) => query.bind(text),
            Param::Texts(texts) => query.bind(texts),
        };
    }
    query.fetch_optional(conn).await
}

/// For a [`Measure::Values`]: how many rows hold each removed enum value, now, in the measure's order of
/// values, leaving out values no row holds (a row of an array column counts once per value it holds).
/// Empty for any other measure.
pub async fn removed_values_held(
    conn: &mut PgConnection,
    measure: &Measure,
) -> Result<Vec<(String, i64)>, sqlx::Error> {
    let Measure::Values { table, column, values } = measure else { return Ok(Vec::new()) };
    let sql = sql!(
        "SELECT r.value, count(*) FROM {} AS t, unnest($1::text[]) WITH ORDINALITY AS r(value, i) \
         WHERE r.value = ANY (ARRAY[t.{}]::text[]) GROUP BY r.value, r.i ORDER BY r.i",
        table,
        Ident::new(column)
    );
    sqlx::query_as::<_, (String, i64)>(AssertSqlSafe(sql.into_string())).bind(values).fetch_all(conn).await
}

/// The relation a measure reads, which must not change between counting again and the destructive
/// statement: [`crate::apply`] locks it (ACCESS EXCLUSIVE) first. `None`: nothing to lock (a sequence).
pub fn measured_relation(measure: &Measure) -> Option<&QualifiedName> {
    count_query(measure).locks
}

/// A measure's query: one `match` over the kinds, so a new kind says at once what it counts, with which
/// parameters, and what it locks.
struct Count<'a> {
    /// Identifiers quoted; values and relation names bound as `$1`, `$2`, ...
    sql: Sql,
    params: Vec<Param<'a>>,
    locks: Option<&'a QualifiedName>,
}

enum Param<'a> {
    Text(String),
    Texts(&'a [String]),
}

fn count_query(measure: &Measure) -> Count<'_> {
    let on = |table, sql| Count { sql, params: Vec::new(), locks: Some(table) };
    match measure {
        Measure::Rows { table } => on(table, sql!("SELECT count(*) FROM {}", table)),
        Measure::NonNull { table, column } => on(table, sql!("SELECT count({}) FROM {}", Ident::new(column), table)),
        Measure::Values { table, column, values } => Count {
            // `ARRAY[col]::text[]` flattens a scalar and an array column alike.
            sql: sql!("SELECT count(*) FROM {} WHERE ARRAY[{}]::text[] && $1::text[]", table, Ident::new(column)),
            params: vec![Param::Texts(values)],
            locks: Some(table),
        },
        Measure::Changed { table, column, from, to } => {
            let col = Ident::new(column);
            let there = explicit_cast(&col.to_string(), from, to);
            let back = explicit_cast(&format!("({there})"), to, from);
            on(table, sql!("SELECT count(*) FROM {} WHERE {} IS DISTINCT FROM {}", table, col, Printed::new(&back)))
        }
        Measure::Unfit { table, column, from, to } => {
            let col = Ident::new(column);
            let text = explicit_cast(&col.to_string(), from, to);
            let cast = Printed::new(&text);
            let sql = if has_length(to) {
                // The explicit cast cuts what the assignment cast would refuse: the text forms differ.
                sql!("SELECT count(*) FROM {} WHERE {}::text IS DISTINCT FROM ({})::text", table, col, cast)
            } else {
                // The cast raises on the first value that does not fit; otherwise every value fits.
                sql!("SELECT count({}) - count({}) FROM {}", col, cast, table)
            };
            on(table, sql)
        }
        Measure::Sequence { sequence } => Count {
            sql: sequence_used(sql!("$1::regclass")),
            params: vec![Param::Text(qualified(sequence))],
            locks: None,
        },
        Measure::Identity { table, column } => Count {
            sql: sequence_used(sql!("pg_get_serial_sequence($1, $2)::regclass")),
            params: vec![Param::Text(qualified(table)), Param::Text(column.clone())],
            locks: Some(table),
        },
    }
}

fn has_length(ty: &ColumnType) -> bool {
    matches!(ty.scalar(), ColumnType::Varchar { length: Some(_) } | ColumnType::Char { .. })
}

/// How many values the sequence that `regclass` (SQL over bound names) names has handed out: 0 when never
/// called.
fn sequence_used(regclass: Sql) -> Sql {
    sql!(
        "SELECT CASE WHEN last_value IS NULL THEN 0 \
         ELSE GREATEST(1, (last_value - start_value) / increment_by + 1) END \
         FROM pg_sequences WHERE format('%I.%I', schemaname, sequencename)::regclass = {}",
        regclass
    )
}
