//! Domains and composite types (not tables' row types): one query for the domains with their checks, one
//! for the composite types and one for their attributes, whatever the number of types.

use super::IntrospectError;
use super::columns::decode_type;
use keel_core::model::{ColumnType, CompositeAttribute, CompositeType, Domain, DomainCheck, Schema};
use sqlx::PgConnection;
use sqlx::Row;
use sqlx::postgres::PgRow;
use sqlx::postgres::types::Oid;
use std::collections::BTreeMap;

decode_by_name!(DomainRow {
    schema,
    name,
    formatted,
    typmod,
    type_name,
    type_schema,
    element_name,
    element_schema,
    collation,
    default_expression,
    not_null,
    comment,
    check_names,
    check_expressions,
    check_not_valid,
});

/// The base type is read like a column's (`columns::decode_type`), from the same catalog fields. Checks
/// are `contype = 'c'` (PostgreSQL 17 also lists a domain's NOT NULL there, as `n`).
const DOMAINS: &str = concat!(
    "SELECT n.nspname::text AS schema, t.typname::text AS name, \
            format_type(t.typbasetype, t.typtypmod) AS formatted, t.typtypmod AS typmod, \
            bt.typname::text AS type_name, btn.nspname::text AS type_schema, \
            et.typname::text AS element_name, etn.nspname::text AS element_schema, \
            CASE WHEN t.typcollation <> bt.typcollation THEN co.collname::text END AS collation, \
            pg_get_expr(t.typdefaultbin, 0) AS default_expression, t.typnotnull AS not_null, \
            obj_description(t.oid, 'pg_type') AS comment, \
            ARRAY(SELECT c.conname::text FROM pg_constraint c WHERE c.contypid = t.oid AND c.contype = 'c' \
                  ORDER BY c.conname) AS check_names, \
            ARRAY(SELECT pg_get_expr(c.conbin, 0) FROM pg_constraint c WHERE c.contypid = t.oid AND c.contype = 'c' \
                  ORDER BY c.conname) AS check_expressions, \
            ARRAY(SELECT NOT c.convalidated FROM pg_constraint c WHERE c.contypid = t.oid AND c.contype = 'c' \
                  ORDER BY c.conname) AS check_not_valid \
     FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace \
     JOIN pg_type bt ON bt.oid = t.typbasetype JOIN pg_namespace btn ON btn.oid = bt.typnamespace \
     LEFT JOIN pg_type et ON bt.typcategory = 'A' AND et.oid = bt.typelem \
     LEFT JOIN pg_namespace etn ON etn.oid = et.typnamespace \
     LEFT JOIN pg_collation co ON co.oid = t.typcollation \
     WHERE t.typtype = 'd' AND",
    namespace_filter!(),
    "AND NOT",
    extension_member!("pg_type", "t.oid")
);

/// Composite types declared with `CREATE TYPE ... AS`: their relation is of kind `c` (a table's row type
/// belongs to the table).
const COMPOSITES: &str = concat!(
    "SELECT t.typrelid, n.nspname::text, t.typname::text, obj_description(t.oid, 'pg_type') \
     FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace JOIN pg_class c ON c.oid = t.typrelid \
     WHERE t.typtype = 'c' AND c.relkind = 'c' AND",
    namespace_filter!(),
    "AND NOT",
    extension_member!("pg_type", "t.oid")
);

decode_by_name!(AttributeRow {
    relation,
    position,
    name,
    formatted,
    typmod,
    type_name,
    type_schema,
    element_name,
    element_schema,
    collation,
});

const ATTRIBUTES: &str = "
SELECT a.attrelid AS relation, a.attnum AS position, a.attname::text AS name,
       format_type(a.atttypid, a.atttypmod) AS formatted, a.atttypmod AS typmod,
       t.typname::text AS type_name, tn.nspname::text AS type_schema,
       et.typname::text AS element_name, etn.nspname::text AS element_schema,
       CASE WHEN a.attcollation <> t.typcollation THEN co.collname::text END AS collation
FROM pg_attribute a
JOIN pg_type t ON t.oid = a.atttypid
JOIN pg_namespace tn ON tn.oid = t.typnamespace
LEFT JOIN pg_type et ON t.typcategory = 'A' AND et.oid = t.typelem
LEFT JOIN pg_namespace etn ON etn.oid = et.typnamespace
LEFT JOIN pg_collation co ON co.oid = a.attcollation
WHERE a.attrelid = ANY($1) AND a.attnum > 0 AND NOT a.attisdropped";

pub(super) async fn read(
    conn: &mut PgConnection,
    only: &Option<Vec<String>>,
    schema: &mut Schema,
) -> Result<(), IntrospectError> {
    for row in sqlx::query(DOMAINS).bind(only).fetch_all(&mut *conn).await? {
        let row = DomainRow::decode(&row)?;
        let base = type_of(
            &row.type_schema,
            &row.type_name,
            &row.element_schema,
            &row.element_name,
            row.typmod,
            &row.formatted,
        );
        let checks = row
            .check_names
            .into_iter()
            .zip(row.check_expressions)
            .zip(row.check_not_valid)
            .map(|((name, expression), not_valid)| (name, DomainCheck { expression, not_valid }))
            .collect();
        let domain = Domain {
            base,
            collation: row.collation,
            default: row.default_expression,
            not_null: row.not_null,
            checks,
            comment: row.comment,
        };
        schema.schemas.entry(row.schema).or_default().domains.insert(row.name, domain);
    }

    let composites: Vec<(Oid, String, String, Option<String>)> =
        sqlx::query_as(COMPOSITES).bind(only).fetch_all(&mut *conn).await?;
    if composites.is_empty() {
        return Ok(());
    }
    let relations: Vec<Oid> = composites.iter().map(|c| c.0).collect();
    let mut attributes: BTreeMap<u32, Vec<(i16, CompositeAttribute)>> = BTreeMap::new();
    for row in sqlx::query(ATTRIBUTES).bind(&relations).fetch_all(&mut *conn).await? {
        let row = AttributeRow::decode(&row)?;
        let ty = type_of(
            &row.type_schema,
            &row.type_name,
            &row.element_schema,
            &row.element_name,
            row.typmod,
            &row.formatted,
        );
        let attribute = CompositeAttribute { name: row.name, ty, collation: row.collation };
        attributes.entry(row.relation.0).or_default().push((row.position, attribute));
    }
    for (relation, ns, name, comment) in composites {
        let mut list = attributes.remove(&relation.0).unwrap_or_default();
        list.sort_by_key(|(position, _)| *position);
        let composite = CompositeType { attributes: list.into_iter().map(|(_, a)| a).collect(), comment };
        schema.schemas.entry(ns).or_default().composite_types.insert(name, composite);
    }
    Ok(())
}

/// A type as the model has it: an array of its element, or the type itself.
fn type_of(
    schema: &str,
    name: &str,
    element_schema: &Option<String>,
    element_name: &Option<String>,
    typmod: i32,
    formatted: &str,
) -> ColumnType {
    match (element_schema, element_name) {
        (Some(element_schema), Some(element_name)) => {
            let element_sql = formatted.strip_suffix("[]").unwrap_or(formatted);
            ColumnType::array(decode_type(element_schema, element_name, typmod, element_sql))
        }
        _ => decode_type(schema, name, typmod, formatted),
    }
}

struct DomainRow {
    schema: String,
    name: String,
    formatted: String,
    typmod: i32,
    type_name: String,
    type_schema: String,
    element_name: Option<String>,
    element_schema: Option<String>,
    collation: Option<String>,
    default_expression: Option<String>,
    not_null: bool,
    comment: Option<String>,
    check_names: Vec<String>,
    check_expressions: Vec<String>,
    check_not_valid: Vec<bool>,
}

struct AttributeRow {
    relation: Oid,
    position: i16,
    name: String,
    formatted: String,
    typmod: i32,
    type_name: String,
    type_schema: String,
    element_name: Option<String>,
    element_schema: Option<String>,
    collation: Option<String>,
}
