//! Indexes no constraint owns, and exclusion constraints (read through the index they own).

use super::{ColumnNames, IntrospectError, Tables, unexpected};
use keel_core::model::{
    Exclusion, ExclusionElement, Index, IndexKey, IndexMethod, KeyExpression, NullsOrder, Operator, SortOrder,
};
use sqlx::Row;
use sqlx::postgres::PgRow;
use sqlx::postgres::types::Oid;
use sqlx::{AssertSqlSafe, PgConnection};
use std::collections::BTreeMap;

decode_by_name!(IndexRow {
    table_oid,
    name,
    is_unique,
    method,
    key_count,
    column_numbers,
    definitions,
    options,
    opclass_oids,
    predicate,
    exclusion_operators,
    nulls_not_distinct,
    collation_oids,
    storage,
    invalid,
    comment,
    constraint_comment,
});

/// Indexes no constraint owns (primary keys, unique and exclusion constraints carry their own).
const INDEXES: &str = "
SELECT i.indrelid AS table_oid, ic.relname::text AS name, i.indisunique AS is_unique, am.amname::text AS method,
       i.indnkeyatts::int4 AS key_count, $NULLS_NOT_DISTINCT AS nulls_not_distinct,
       string_to_array(i.indkey::text, ' ')::int2[] AS column_numbers,
       ARRAY(SELECT CASE WHEN k.num = 0 THEN pg_get_indexdef(i.indexrelid, k.ord::int4, false) END
             FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(num, ord) ORDER BY k.ord) AS definitions,
       ARRAY(SELECT o.opt FROM unnest(i.indoption::int2[]) WITH ORDINALITY o(opt, ord) ORDER BY o.ord) AS options,
       string_to_array(i.indclass::text, ' ')::oid[] AS opclass_oids,
       string_to_array(i.indcollation::text, ' ')::oid[] AS collation_oids,
       COALESCE(ic.reloptions, '{}') AS storage, NOT i.indisvalid AS invalid,
       obj_description(i.indexrelid, 'pg_class') AS comment,
       pg_get_expr(i.indpred, i.indrelid) AS predicate,
       (SELECT ARRAY(SELECT o.oprname::text FROM unnest(con.conexclop) WITH ORDINALITY x(op, ord)
                     JOIN pg_operator o ON o.oid = x.op ORDER BY x.ord)
        FROM pg_constraint con WHERE con.conindid = i.indexrelid AND con.conrelid = i.indrelid
             AND con.contype = 'x') AS exclusion_operators,
       (SELECT obj_description(con.oid, 'pg_constraint') FROM pg_constraint con
        WHERE con.conindid = i.indexrelid AND con.conrelid = i.indrelid AND con.contype = 'x') AS constraint_comment
FROM pg_index i
JOIN pg_index ix ON ix.indexrelid = i.indexrelid
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_am am ON am.oid = ic.relam
WHERE i.indrelid = ANY($1)
  AND NOT EXISTS (SELECT 1 FROM pg_constraint con
                  WHERE con.conindid = i.indexrelid AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u'))
ORDER BY i.indrelid, ic.relname";

/// Reads the indexes of `tables` that no constraint owns, and exclusion constraints. `nulls_not_distinct`
/// as for constraints.
pub(super) async fn read(
    conn: &mut PgConnection,
    oids: &[Oid],
    nulls_not_distinct: &str,
    columns: &ColumnNames,
    tables: &mut Tables,
) -> Result<(), IntrospectError> {
    // This file's constant with a column name or `false` filled in.
    let sql = INDEXES.replace("$NULLS_NOT_DISTINCT", nulls_not_distinct);
    let rows = sqlx::query(AssertSqlSafe(sql)).bind(oids).fetch_all(&mut *conn).await?;
    // Names of operator classes and collations, looked up here rather than per index key in the query.
    let opclasses: Vec<(Oid, String, bool)> =
        sqlx::query_as("SELECT oid, opcname::text, opcdefault FROM pg_opclass").fetch_all(&mut *conn).await?;
    let collations: Vec<(Oid, String)> =
        sqlx::query_as("SELECT oid, collname::text FROM pg_collation").fetch_all(&mut *conn).await?;
    let names = Names {
        columns,
        opclasses: opclasses.into_iter().map(|(oid, name, default)| (oid.0, (name, default))).collect(),
        collations: collations.into_iter().map(|(oid, name)| (oid.0, name)).collect(),
    };
    for row in rows {
        let row = IndexRow::decode(&row)?;
        let (_, table) = tables.get_mut(&row.table_oid.0).ok_or_else(|| unexpected("index of an unknown table"))?;
        let name = row.name.clone();
        match row.exclusion_operators.clone() {
            Some(operators) => {
                table.exclusions.insert(name, row.into_exclusion(operators, &names)?);
            }
            None => {
                table.indexes.insert(name, row.into_index(&names)?);
            }
        }
    }
    Ok(())
}

/// What index keys refer to by oid or number.
struct Names<'a> {
    columns: &'a ColumnNames,
    /// Operator class oid → (name, whether it is its type's default).
    opclasses: BTreeMap<u32, (String, bool)>,
    collations: BTreeMap<u32, String>,
}

/// The collation every database has (`pg_catalog.default`).
const DEFAULT_COLLATION: u32 = 100;

struct IndexRow {
    table_oid: Oid,
    name: String,
    is_unique: bool,
    method: String,
    key_count: i32,
    /// `pg_index.indkey`: attnums, 0 for an expression key. (The vector types index from 0, which the
    /// driver does not decode; through text they become ordinary arrays.)
    column_numbers: Vec<i16>,
    /// The SQL of expression keys (`None` for column keys).
    definitions: Vec<Option<String>>,
    options: Vec<i16>,
    opclass_oids: Vec<Oid>,
    predicate: Option<String>,
    /// The operators of the exclusion constraint that owns this index, one per key.
    exclusion_operators: Option<Vec<String>>,
    nulls_not_distinct: bool,
    collation_oids: Vec<Oid>,
    storage: Vec<String>,
    invalid: bool,
    comment: Option<String>,
    /// The comment of the exclusion constraint that owns this index.
    constraint_comment: Option<String>,
}

impl IndexRow {
    fn into_index(self, names: &Names) -> Result<Index, IntrospectError> {
        let method = IndexMethod::parse(&self.method)
            .ok_or_else(|| unexpected(&format!("index {} uses access method {}", self.name, self.method)))?;
        let key_count = self.key_count as usize;
        let mut keys = Vec::new();
        let mut include = Vec::new();
        let table = self.table_oid.0;
        for (i, (number, definition)) in self.column_numbers.iter().zip(self.definitions).enumerate() {
            let column = (*number != 0).then(|| names.columns.get(&(table, *number))).flatten();
            if *number != 0 && column.is_none() {
                return Err(unexpected(&format!("index {} on an unknown column", self.name)));
            }
            let on = match (column.map(|c| c.name.clone()), definition) {
                (Some(c), _) => KeyExpression::Column(c),
                (None, Some(sql)) => KeyExpression::Expression(sql),
                (None, None) => return Err(unexpected(&format!("index {} has a key with no definition", self.name))),
            };
            if i >= key_count {
                match on {
                    KeyExpression::Column(c) => include.push(c),
                    KeyExpression::Expression(_) => return Err(unexpected("an INCLUDE expression")),
                }
                continue;
            }
            let option = self.options.get(i).copied().unwrap_or(0);
            keys.push(IndexKey {
                on,
                collation: self.collation_oids.get(i).and_then(|oid| {
                    // Only a collation other than the column's (or, for an expression, the default) is said.
                    let implied = column.map_or(DEFAULT_COLLATION, |c| c.collation);
                    (oid.0 != 0 && oid.0 != implied).then(|| names.collations.get(&oid.0).cloned()).flatten()
                }),
                opclass: self.opclass_oids.get(i).and_then(|oid| match names.opclasses.get(&oid.0) {
                    Some((name, false)) => Some(name.clone()),
                    _ => None,
                }),
                order: if option & 1 != 0 { SortOrder::Desc } else { SortOrder::Asc },
                nulls: if option & 2 != 0 { NullsOrder::First } else { NullsOrder::Last },
            });
        }
        let storage =
            self.storage.iter().filter_map(|o| o.split_once('=')).map(|(k, v)| (k.into(), v.into())).collect();
        Ok(Index {
            unique: self.is_unique,
            method,
            keys,
            include,
            predicate: self.predicate,
            nulls_not_distinct: self.nulls_not_distinct,
            storage,
            invalid: self.invalid,
            comment: self.comment,
        })
    }

    fn into_exclusion(self, operators: Vec<String>, names: &Names) -> Result<Exclusion, IntrospectError> {
        let name = self.name.clone();
        let comment = self.constraint_comment.clone();
        let index = self.into_index(names)?;
        if operators.len() != index.keys.len() {
            return Err(unexpected(&format!(
                "exclusion constraint {name} has a different number of operators and keys"
            )));
        }
        let elements = index
            .keys
            .into_iter()
            .zip(operators)
            .map(|(key, operator)| {
                let operator = Operator::try_from(operator).map_err(|e| unexpected(&e))?;
                Ok(ExclusionElement { key, operator })
            })
            .collect::<Result<_, IntrospectError>>()?;
        Ok(Exclusion { method: index.method, elements, include: index.include, predicate: index.predicate, comment })
    }
}
