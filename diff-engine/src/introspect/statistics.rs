//! Extended statistics objects (`pg_statistic_ext`) on the tables looked at, in the schemas looked at.

use super::IntrospectError;
use keel_core::model::{KeyExpression, QualifiedName, Schema, Statistics, StatisticsKind};
use sqlx::{AssertSqlSafe, PgConnection};

/// `$EXPRESSIONS` is filled in with the expression keys (PostgreSQL 14) or an empty array. Column keys come in
/// `stxkeys` order, which is the table's column order; `stxstattarget` is -1 (before PostgreSQL 17) or NULL
/// (since) for the default.
const STATISTICS: &str = concat!(
    "SELECT n.nspname::text, s.stxname::text, tn.nspname::text, c.relname::text, \
            ARRAY(SELECT a.attname::text FROM unnest(s.stxkeys::int2[]) WITH ORDINALITY k(num, ord) \
                  JOIN pg_attribute a ON a.attrelid = s.stxrelid AND a.attnum = k.num ORDER BY k.ord), \
            $EXPRESSIONS, s.stxkind::text[], NULLIF(s.stxstattarget::int4, -1), \
            obj_description(s.oid, 'pg_statistic_ext') \
     FROM pg_statistic_ext s JOIN pg_namespace n ON n.oid = s.stxnamespace \
     JOIN pg_class c ON c.oid = s.stxrelid JOIN pg_namespace tn ON tn.oid = c.relnamespace \
     WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND",
    namespace_filter!(),
    "AND ($1::text[] IS NULL OR tn.nspname = ANY($1::text[])) AND NOT",
    extension_member!("pg_statistic_ext", "s.oid"),
    "ORDER BY n.nspname, s.stxname"
);

type Row = (String, String, String, String, Vec<String>, Vec<String>, Vec<String>, Option<i32>, Option<String>);

/// Reads every statistics object whose schema and table's schema are both looked at. `version` is the
/// server's `server_version_num`.
pub(super) async fn read(
    conn: &mut PgConnection,
    only: &Option<Vec<String>>,
    version: i32,
    schema: &mut Schema,
) -> Result<(), IntrospectError> {
    let expressions =
        if version >= 140_000 { "COALESCE(pg_get_statisticsobjdef_expressions(s.oid), '{}')" } else { "'{}'::text[]" };
    // This file's constant with one of two fixed fragments filled in.
    let sql = STATISTICS.replace("$EXPRESSIONS", expressions);
    let rows: Vec<Row> = sqlx::query_as(AssertSqlSafe(sql)).bind(only).fetch_all(&mut *conn).await?;
    for (ns, name, table_schema, table, columns, expressions, kinds, target, comment) in rows {
        let keys = columns
            .into_iter()
            .map(KeyExpression::Column)
            .chain(expressions.into_iter().map(KeyExpression::Expression));
        let statistics = Statistics {
            table: QualifiedName::new(table_schema, table),
            keys: keys.collect(),
            kinds: kinds.iter().filter_map(|k| StatisticsKind::from_catalog(k)).collect(),
            target,
            comment,
        };
        schema.schemas.entry(ns).or_default().statistics.insert(name, statistics);
    }
    Ok(())
}
