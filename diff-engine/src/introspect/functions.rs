//! Functions and procedures: the statement as the server prints it (`pg_get_functiondef`), the parts that
//! decide whether `CREATE OR REPLACE` can change it, and the schema's types its signature uses.

use super::IntrospectError;
use keel_core::model::{Function, FunctionId, QualifiedName, RoutineKind, Schema, Volatility};
use sqlx::PgConnection;
use sqlx::Row;
use sqlx::postgres::PgRow;
use sqlx::postgres::types::Oid;
use std::collections::BTreeMap;

/// Plain, window and procedure routines; aggregates stay unmanaged (see `unmanaged.rs`).
const FUNCTIONS: &str = concat!(
    "SELECT p.oid, n.nspname::text AS schema, p.proname::text AS name, p.prokind::text AS kind, \
            pg_get_function_identity_arguments(p.oid) AS identity, \
            pg_get_function_arguments(p.oid) AS arguments, \
            CASE WHEN p.prokind = 'p' THEN NULL ELSE pg_get_function_result(p.oid) END AS returns, \
            l.lanname::text AS language, p.provolatile::text AS volatility, p.prosecdef AS security_definer, \
            ARRAY(SELECT c FROM unnest(COALESCE(p.proconfig, '{}'::text[])) AS c ORDER BY c) AS config, \
            pg_get_functiondef(p.oid) AS definition, obj_description(p.oid, 'pg_proc') AS comment \
     FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace JOIN pg_language l ON l.oid = p.prolang \
     WHERE p.prokind IN ('f', 'p', 'w') AND",
    namespace_filter!(),
    "AND NOT",
    extension_member!("pg_proc", "p.oid"),
    // Constructors a type made for itself (a range type's, and from 14 its multirange's) come and go
    // with the type.
    "AND NOT EXISTS (SELECT 1 FROM pg_depend i WHERE i.classid = 'pg_proc'::regclass AND i.objid = p.oid \
                     AND i.deptype = 'i')"
);

struct FunctionRow {
    oid: Oid,
    schema: String,
    name: String,
    kind: String,
    identity: String,
    arguments: String,
    returns: Option<String>,
    language: String,
    volatility: String,
    security_definer: bool,
    config: Vec<String>,
    definition: String,
    comment: Option<String>,
}

decode_by_name!(FunctionRow {
    oid,
    schema,
    name,
    kind,
    identity,
    arguments,
    returns,
    language,
    volatility,
    security_definer,
    config,
    definition,
    comment,
});

/// Types of user schemas the routines' signatures use (arguments, results), from `pg_depend`.
const TYPES_USED: &str = "
SELECT DISTINCT d.objid, n.nspname::text, t.typname::text
FROM pg_depend d
JOIN pg_type t ON d.refclassid = 'pg_type'::regclass AND t.oid = d.refobjid
JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE d.classid = 'pg_proc'::regclass AND d.objid = ANY($1) AND d.deptype = 'n'
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')";

pub(super) async fn read(
    conn: &mut PgConnection,
    only: &Option<Vec<String>>,
    schema: &mut Schema,
) -> Result<(), IntrospectError> {
    // Types in the signature come out schema-qualified; bodies are kept as written.
    let rows: Vec<FunctionRow> = super::fetch_qualified(conn, FUNCTIONS, only).await?;
    if rows.is_empty() {
        return Ok(());
    }
    let oids: Vec<Oid> = rows.iter().map(|r| r.oid).collect();
    let mut types: BTreeMap<u32, Vec<QualifiedName>> = BTreeMap::new();
    let used: Vec<(Oid, String, String)> = sqlx::query_as(TYPES_USED).bind(&oids).fetch_all(&mut *conn).await?;
    for (function, ns, name) in used {
        types.entry(function.0).or_default().push(QualifiedName::new(ns, name));
    }
    for row in rows {
        let mut uses_types = types.remove(&row.oid.0).unwrap_or_default();
        uses_types.sort();
        let function = Function {
            kind: if row.kind == "p" { RoutineKind::Procedure } else { RoutineKind::Function },
            arguments: row.arguments,
            returns: row.returns,
            language: row.language,
            volatility: match row.volatility.as_str() {
                "i" => Volatility::Immutable,
                "s" => Volatility::Stable,
                _ => Volatility::Volatile,
            },
            security_definer: row.security_definer,
            config: row.config,
            definition: row.definition,
            uses_types,
            comment: row.comment,
        };
        schema.insert_function(FunctionId::new(row.schema, row.name, row.identity), function);
    }
    Ok(())
}
