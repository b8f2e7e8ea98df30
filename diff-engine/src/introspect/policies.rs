//! Row level security: each table's switches (`relrowsecurity`, `relforcerowsecurity`), its policies
//! (expressions as the server prints them, roles by name, comments) and what each policy reads (from
//! `pg_depend`), so that the diff knows which column and table changes touch it.

use super::IntrospectError;
use keel_core::model::{Policy, PolicyCommand, QualifiedName, RowLevelSecurity, Schema, ViewDependency};
use sqlx::PgConnection;
use sqlx::postgres::types::Oid;
use std::collections::BTreeMap;

const SWITCHES: &str = concat!(
    "SELECT n.nspname::text, c.relname::text, c.relrowsecurity, c.relforcerowsecurity \
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
     WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND (c.relrowsecurity OR c.relforcerowsecurity) AND",
    namespace_filter!(),
    "AND NOT",
    extension_member!("pg_class", "c.oid")
);

/// Role 0 in `polroles` is `PUBLIC`.
const POLICIES: &str = concat!(
    "SELECT p.oid, n.nspname::text, c.relname::text, p.polname::text, p.polcmd::text, p.polpermissive, \
            ARRAY(SELECT CASE WHEN r = 0 THEN 'public' ELSE pg_get_userbyid(r)::text END \
                  FROM unnest(p.polroles) AS r), \
            pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid), \
            obj_description(p.oid, 'pg_policy') \
     FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
     WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND",
    namespace_filter!(),
    "AND NOT",
    extension_member!("pg_class", "c.oid")
);

/// Relations and columns each policy's expressions read. The policy's own link to its table (an automatic
/// dependency: the policy goes with the table) is left out.
const READS: &str = "
SELECT DISTINCT d.objid, n.nspname::text, t.relname::text, a.attname::text
FROM pg_depend d
JOIN pg_class t ON d.refclassid = 'pg_class'::regclass AND t.oid = d.refobjid
JOIN pg_namespace n ON n.oid = t.relnamespace
LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid AND d.refobjsubid > 0
WHERE d.classid = 'pg_policy'::regclass AND d.objid = ANY($1) AND d.deptype = 'n'";

type Row = (Oid, String, String, String, String, bool, Vec<String>, Option<String>, Option<String>, Option<String>);

/// Fills in the switches and policies of the tables already in `schema`.
pub(super) async fn read(
    conn: &mut PgConnection,
    only: &Option<Vec<String>>,
    schema: &mut Schema,
) -> Result<(), IntrospectError> {
    let switches: Vec<(String, String, bool, bool)> = sqlx::query_as(SWITCHES).bind(only).fetch_all(&mut *conn).await?;
    for (ns, name, enabled, forced) in switches {
        if let Some(table) = schema.schemas.get_mut(&ns).and_then(|n| n.tables.get_mut(&name)) {
            table.row_level_security = RowLevelSecurity { enabled, forced };
        }
    }

    let rows: Vec<Row> = super::fetch_qualified(conn, POLICIES, only).await?;
    if rows.is_empty() {
        return Ok(());
    }
    let oids: Vec<Oid> = rows.iter().map(|r| r.0).collect();
    let mut reads: BTreeMap<u32, Vec<ViewDependency>> = BTreeMap::new();
    let dependencies: Vec<(Oid, String, String, Option<String>)> =
        sqlx::query_as(READS).bind(&oids).fetch_all(&mut *conn).await?;
    for (policy, ns, relation, column) in dependencies {
        reads.entry(policy.0).or_default().push(ViewDependency { relation: QualifiedName::new(ns, relation), column });
    }
    for (oid, ns, table, name, command, permissive, mut roles, using, with_check, comment) in rows {
        let command = PolicyCommand::from_catalog(&command)
            .ok_or_else(|| IntrospectError::Unexpected(format!("policy {name} has the command `{command}`")))?;
        roles.sort();
        let mut reads = reads.remove(&oid.0).unwrap_or_default();
        reads.sort();
        reads.dedup();
        let policy = Policy { command, permissive, roles, using, with_check, reads, comment };
        if let Some(t) = schema.schemas.get_mut(&ns).and_then(|n| n.tables.get_mut(&table)) {
            t.policies.insert(name, policy);
        }
    }
    Ok(())
}
