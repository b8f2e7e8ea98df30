//! Primary keys, unique, check and foreign key constraints (exclusion constraints are read with indexes).

use super::{Attribute, ColumnNames, IntrospectError, Tables, unexpected};
use keel_core::model::{
    Check, Deferrable, ForeignKey, ForeignKeyAction, PrimaryKey, QualifiedName, Table, UniqueConstraint,
};
use sqlx::Row;
use sqlx::postgres::PgRow;
use sqlx::postgres::types::Oid;
use sqlx::{AssertSqlSafe, PgConnection};

decode_by_name!(ConstraintRow {
    table_oid,
    name,
    kind,
    column_numbers,
    ref_oid,
    ref_schema,
    ref_table,
    ref_column_numbers,
    on_delete,
    on_update,
    is_deferrable,
    is_deferred,
    nulls_not_distinct,
    match_type,
    expression,
    comment,
    not_valid,
});
const CONSTRAINTS: &str = "
SELECT con.conrelid AS table_oid, con.conname::text AS name, con.contype::text AS kind,
       COALESCE(con.conkey, '{}') AS column_numbers, con.confrelid AS ref_oid,
       fn.nspname::text AS ref_schema, fc.relname::text AS ref_table,
       COALESCE(con.confkey, '{}') AS ref_column_numbers,
       con.confdeltype::text AS on_delete, con.confupdtype::text AS on_update, con.confmatchtype::text AS match_type,
       con.condeferrable AS is_deferrable, con.condeferred AS is_deferred,
       pg_get_expr(con.conbin, con.conrelid) AS expression, obj_description(con.oid, 'pg_constraint') AS comment,
       NOT con.convalidated AS not_valid,
       COALESCE((SELECT $NULLS_NOT_DISTINCT FROM pg_index ix WHERE ix.indexrelid = con.conindid AND con.contype = 'u'),
                false) AS nulls_not_distinct
FROM pg_constraint con
LEFT JOIN pg_class fc ON fc.oid = con.confrelid
LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
WHERE con.conrelid = ANY($1) AND con.contype IN ('p', 'u', 'c', 'f')
  -- Not the clones a foreign key to a partitioned table gets, one per partition.
  AND con.conparentid = 0
ORDER BY con.conrelid, con.conname";

/// Reads the constraints of `tables`. `nulls_not_distinct` is the column expression for
/// `pg_index.indnullsnotdistinct`, or `false` before PostgreSQL 15.
pub(super) async fn read(
    conn: &mut PgConnection,
    oids: &[Oid],
    nulls_not_distinct: &str,
    names: &mut ColumnNames,
    tables: &mut Tables,
) -> Result<(), IntrospectError> {
    // This file's constant with a column name or `false` filled in.
    let sql = CONSTRAINTS.replace("$NULLS_NOT_DISTINCT", nulls_not_distinct);
    let mut rows = Vec::new();
    for row in sqlx::query(AssertSqlSafe(sql)).bind(oids).fetch_all(&mut *conn).await? {
        rows.push(ConstraintRow::decode(&row)?);
    }
    // Column numbers become names here rather than in per-row subqueries, which dominate the query on large
    // catalogs. Foreign keys into schemas not being read need those tables' names: one more query.
    let missing: Vec<Oid> = rows
        .iter()
        .filter_map(|r| r.ref_oid)
        .filter(|oid| oid.0 != 0 && !tables.contains_key(&oid.0))
        .map(|oid| oid.0)
        .collect::<std::collections::BTreeSet<u32>>()
        .into_iter()
        .map(Oid)
        .collect();
    if !missing.is_empty() {
        let sql = "SELECT attrelid, attnum, attname::text, attcollation FROM pg_attribute \
                   WHERE attrelid = ANY($1) AND attnum > 0 AND NOT attisdropped";
        let extra: Vec<(Oid, i16, String, Oid)> = sqlx::query_as(sql).bind(&missing).fetch_all(&mut *conn).await?;
        names.extend(
            extra
                .into_iter()
                .map(|(rel, num, name, collation)| ((rel.0, num), Attribute { name, collation: collation.0 })),
        );
    }
    for row in rows {
        let (_, table) =
            tables.get_mut(&row.table_oid.0).ok_or_else(|| unexpected("constraint of an unknown table"))?;
        row.add_to(table, names)?;
    }
    Ok(())
}

fn resolve(names: &ColumnNames, table: u32, numbers: &[i16]) -> Result<Vec<String>, IntrospectError> {
    numbers
        .iter()
        .map(|n| {
            names
                .get(&(table, *n))
                .map(|a| a.name.clone())
                .ok_or_else(|| unexpected("a constraint on an unknown column"))
        })
        .collect()
}

struct ConstraintRow {
    table_oid: Oid,
    name: String,
    kind: String,
    column_numbers: Vec<i16>,
    ref_oid: Option<Oid>,
    ref_schema: Option<String>,
    ref_table: Option<String>,
    ref_column_numbers: Vec<i16>,
    on_delete: String,
    on_update: String,
    is_deferrable: bool,
    is_deferred: bool,
    nulls_not_distinct: bool,
    match_type: String,
    expression: Option<String>,
    comment: Option<String>,
    not_valid: bool,
}

impl ConstraintRow {
    fn deferrable(&self) -> Deferrable {
        match (self.is_deferrable, self.is_deferred) {
            (false, _) => Deferrable::NotDeferrable,
            (true, false) => Deferrable::InitiallyImmediate,
            (true, true) => Deferrable::InitiallyDeferred,
        }
    }

    fn add_to(self, table: &mut Table, names: &ColumnNames) -> Result<(), IntrospectError> {
        let columns = resolve(names, self.table_oid.0, &self.column_numbers)?;
        match self.kind.as_str() {
            "p" => {
                let deferrable = self.deferrable();
                table.primary_key = Some(PrimaryKey { name: self.name, columns, deferrable, comment: self.comment });
            }
            "u" => {
                let deferrable = self.deferrable();
                let nulls_not_distinct = self.nulls_not_distinct;
                let unique = UniqueConstraint { columns, nulls_not_distinct, deferrable, comment: self.comment };
                table.unique_constraints.insert(self.name, unique);
            }
            "c" => {
                let expression = self.expression.ok_or_else(|| unexpected("check constraint without expression"))?;
                table.checks.insert(self.name, Check { expression, comment: self.comment, not_valid: self.not_valid });
            }
            "f" => {
                let deferrable = self.deferrable();
                let (Some(schema), Some(name)) = (self.ref_schema, self.ref_table) else {
                    return Err(unexpected("foreign key without a referenced table"));
                };
                let fk = ForeignKey {
                    columns,
                    references: QualifiedName::new(schema, name),
                    referenced_columns: resolve(names, self.ref_oid.map_or(0, |o| o.0), &self.ref_column_numbers)?,
                    on_delete: action(&self.on_delete)?,
                    on_update: action(&self.on_update)?,
                    deferrable,
                    match_full: self.match_type == "f",
                    comment: self.comment,
                    not_valid: self.not_valid,
                };
                table.foreign_keys.insert(self.name, fk);
            }
            other => return Err(unexpected(&format!("constraint kind {other}"))),
        }
        Ok(())
    }
}

fn action(code: &str) -> Result<ForeignKeyAction, IntrospectError> {
    Ok(match code {
        "a" => ForeignKeyAction::NoAction,
        "r" => ForeignKeyAction::Restrict,
        "c" => ForeignKeyAction::Cascade,
        "n" => ForeignKeyAction::SetNull,
        "d" => ForeignKeyAction::SetDefault,
        other => return Err(unexpected(&format!("foreign key action {other}"))),
    })
}
