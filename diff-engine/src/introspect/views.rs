//! Views and materialized views: the query as the server prints it, the output columns, and what the query
//! reads (from the view's rewrite rule in `pg_depend`).

use super::{Attribute, ColumnNames, IntrospectError, Tables};
use keel_core::model::{QualifiedName, Schema, Table, View, ViewColumn, ViewDependency};
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

/// Columns of materialized views, by number: what their indexes refer to.
const MATVIEW_COLUMNS: &str = "
SELECT a.attrelid, a.attnum, a.attname::text, a.attcollation
FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
WHERE a.attrelid = ANY($1) AND c.relkind = 'm' AND a.attnum > 0 AND NOT a.attisdropped";

pub(super) async fn read(
    conn: &mut PgConnection,
    only: &Option<Vec<String>>,
    nulls_not_distinct: &str,
    schema: &mut Schema,
) -> Result<(), IntrospectError> {
    let rows: Vec<Row> = super::fetch_qualified(conn, VIEWS, only).await?;
    if rows.is_empty() {
        return Ok(());
    }
    let oids: Vec<Oid> = rows.iter().map(|r| r.0).collect();
    let mut indexes = matview_indexes(conn, &rows, nulls_not_distinct).await?;
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
        let indexes = indexes.remove(&oid.0).map(|(_, t)| t.indexes).unwrap_or_default();
        let view = View { query, materialized, options, columns, reads, indexes, comment };
        schema.schemas.entry(ns).or_default().views.insert(name, view);
    }
    Ok(())
}

/// The indexes of the materialized views among `rows`, read by the tables' index reader: by view oid, each
/// in a placeholder table.
async fn matview_indexes(
    conn: &mut PgConnection,
    rows: &[Row],
    nulls_not_distinct: &str,
) -> Result<Tables, IntrospectError> {
    let oids: Vec<Oid> = rows.iter().filter(|r| r.3).map(|r| r.0).collect();
    let mut holders: Tables = BTreeMap::new();
    if oids.is_empty() {
        return Ok(holders);
    }
    let attributes: Vec<(Oid, i16, String, Oid)> =
        sqlx::query_as(MATVIEW_COLUMNS).bind(&oids).fetch_all(&mut *conn).await?;
    let names: ColumnNames = attributes
        .into_iter()
        .map(|(rel, num, name, collation)| ((rel.0, num), Attribute { name, collation: collation.0 }))
        .collect();
    for row in rows.iter().filter(|r| r.3) {
        holders.insert(row.0.0, (QualifiedName::new(&row.1, &row.2), Table::default()));
    }
    super::indexes::read(conn, &oids, nulls_not_distinct, &names, &mut holders).await?;
    Ok(holders)
}
