//! Views and materialized views: the query as the server prints it, the output columns, and what the query
//! reads (from the view's rewrite rule in `pg_depend`).

use super::IntrospectError;
use keel_core::model::{QualifiedName, Schema, View, ViewColumn, ViewDependency};
use sqlx::PgConnection;
use sqlx::postgres::types::Oid;
use std::collections::BTreeMap;

const VIEWS: &str = concat!(
    "SELECT c.oid, n.nspname::text, c.relname::text, c.relkind = 'm', pg_get_viewdef(c.oid, true), \
            ARRAY(SELECT a.attname::text FROM pg_attribute a \
                  WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum), \
            ARRAY(SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a \
                  WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum), \
            obj_description(c.oid, 'pg_class'), \
            ARRAY(SELECT o FROM unnest(COALESCE(c.reloptions, '{}'::text[])) AS o ORDER BY o) \
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
     WHERE c.relkind IN ('v', 'm') AND",
    namespace_filter!(),
    "AND NOT",
    extension_member!("pg_class", "c.oid")
);

/// Relations (and their columns) each view's rewrite rule reads. A view's rule also depends on the view
/// itself; that row is left out.
const READS: &str = "
SELECT DISTINCT r.ev_class, n.nspname::text, t.relname::text, a.attname::text
FROM pg_depend d
JOIN pg_rewrite r ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid
JOIN pg_class t ON d.refclassid = 'pg_class'::regclass AND t.oid = d.refobjid
JOIN pg_namespace n ON n.oid = t.relnamespace
LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid AND d.refobjsubid > 0
WHERE r.ev_class = ANY($1) AND t.oid <> r.ev_class";

type Row = (Oid, String, String, bool, String, Vec<String>, Vec<String>, Option<String>, Vec<String>);

pub(super) async fn read(
    conn: &mut PgConnection,
    only: &Option<Vec<String>>,
    schema: &mut Schema,
) -> Result<(), IntrospectError> {
    let rows: Vec<Row> = sqlx::query_as(VIEWS).bind(only).fetch_all(&mut *conn).await?;
    let oids: Vec<Oid> = rows.iter().map(|r| r.0).collect();
    let mut reads: BTreeMap<u32, Vec<ViewDependency>> = BTreeMap::new();
    let dependencies: Vec<(Oid, String, String, Option<String>)> =
        sqlx::query_as(READS).bind(&oids).fetch_all(&mut *conn).await?;
    for (view, ns, relation, column) in dependencies {
        reads.entry(view.0).or_default().push(ViewDependency { relation: QualifiedName::new(ns, relation), column });
    }
    for (oid, ns, name, materialized, query, names, types, comment, options) in rows {
        let columns = names.into_iter().zip(types).map(|(name, ty)| ViewColumn { name, ty }).collect();
        let mut reads = reads.remove(&oid.0).unwrap_or_default();
        reads.sort();
        reads.dedup();
        // `pg_get_viewdef` ends the query with a semicolon; statements add their own.
        let query = query.trim().trim_end_matches(';').trim_end().to_string();
        let view = View { query, materialized, options, columns, reads, comment };
        schema.schemas.entry(ns).or_default().views.insert(name, view);
    }
    Ok(())
}
