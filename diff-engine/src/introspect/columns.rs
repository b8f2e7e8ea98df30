//! Columns: types (structured as the model's `ColumnType`), nullability, defaults, identity with its
//! sequence options, generated expressions, collations, comments.

use super::{Attribute, ColumnNames, IntrospectError, Tables, unexpected};
use keel_core::model::{Column, ColumnType, GeneratedKind, Identity, IdentityGeneration, SequenceOptions};
use sqlx::PgConnection;
use sqlx::Row;
use sqlx::postgres::PgRow;
use sqlx::postgres::types::Oid;

decode_by_name!(ColumnRow {
    table_oid,
    name,
    not_null,
    identity,
    generated,
    expression,
    formatted,
    typmod,
    type_name,
    type_schema,
    element_name,
    element_schema,
    collation_name,
    comment,
    position,
    collation_oid,
    seq_start,
    seq_increment,
    seq_min,
    seq_max,
    seq_cache,
    seq_cycle,
});
const COLUMNS: &str = "
SELECT a.attrelid AS table_oid, a.attname::text AS name, a.attnotnull AS not_null,
       a.attidentity::text AS identity, a.attgenerated::text AS generated,
       pg_get_expr(d.adbin, d.adrelid) AS expression,
       format_type(a.atttypid, a.atttypmod) AS formatted, a.atttypmod AS typmod,
       t.typname::text AS type_name, tn.nspname::text AS type_schema,
       et.typname::text AS element_name, etn.nspname::text AS element_schema,
       CASE WHEN a.attcollation <> t.typcollation THEN co.collname::text END AS collation_name,
       ds.description AS comment, a.attnum AS position, a.attcollation AS collation_oid,
       s.seqstart AS seq_start, s.seqincrement AS seq_increment, s.seqmin AS seq_min, s.seqmax AS seq_max,
       s.seqcache AS seq_cache, s.seqcycle AS seq_cycle
FROM pg_attribute a
JOIN pg_type t ON t.oid = a.atttypid
JOIN pg_namespace tn ON tn.oid = t.typnamespace
LEFT JOIN pg_type et ON t.typcategory = 'A' AND et.oid = t.typelem
LEFT JOIN pg_namespace etn ON etn.oid = et.typnamespace
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
LEFT JOIN pg_collation co ON co.oid = a.attcollation
LEFT JOIN pg_depend sd ON a.attidentity <> '' AND sd.refclassid = 'pg_class'::regclass
     AND sd.refobjid = a.attrelid AND sd.refobjsubid = a.attnum AND sd.classid = 'pg_class'::regclass
     AND sd.deptype = 'i'
LEFT JOIN pg_sequence s ON s.seqrelid = sd.objid
LEFT JOIN pg_description ds ON ds.objoid = a.attrelid AND ds.classoid = 'pg_class'::regclass
     AND ds.objsubid = a.attnum
WHERE a.attrelid = ANY($1) AND a.attnum > 0 AND NOT a.attisdropped";

/// Reads the columns of `tables`, each table's in physical order (sorted here: sorting thousands of
/// tables' columns in the query spills to disk).
/// Returns every column's name by (table oid, attnum), for constraints and indexes that refer to columns
/// by number.
pub(super) async fn read(
    conn: &mut PgConnection,
    oids: &[Oid],
    tables: &mut Tables,
) -> Result<ColumnNames, IntrospectError> {
    let mut rows = Vec::new();
    for row in sqlx::query(COLUMNS).bind(oids).fetch_all(&mut *conn).await? {
        rows.push(ColumnRow::decode(&row)?);
    }
    rows.sort_by_key(|r| (r.table_oid.0, r.position));
    let mut names = ColumnNames::new();
    for row in rows {
        let attribute = Attribute { name: row.name.clone(), collation: row.collation_oid.0 };
        names.insert((row.table_oid.0, row.position), attribute);
        let (_, table) = tables.get_mut(&row.table_oid.0).ok_or_else(|| unexpected("column of an unknown table"))?;
        table.columns.push(row.into_column());
    }
    Ok(names)
}

struct ColumnRow {
    table_oid: Oid,
    name: String,
    not_null: bool,
    identity: String,
    generated: String,
    expression: Option<String>,
    formatted: String,
    typmod: i32,
    type_name: String,
    type_schema: String,
    element_name: Option<String>,
    element_schema: Option<String>,
    collation_name: Option<String>,
    comment: Option<String>,
    position: i16,
    collation_oid: Oid,
    seq_start: Option<i64>,
    seq_increment: Option<i64>,
    seq_min: Option<i64>,
    seq_max: Option<i64>,
    seq_cache: Option<i64>,
    seq_cycle: Option<bool>,
}

impl ColumnRow {
    fn into_column(self) -> Column {
        let ty = match (&self.element_name, &self.element_schema) {
            (Some(name), Some(schema)) => {
                let element_sql = self.formatted.strip_suffix("[]").unwrap_or(&self.formatted);
                ColumnType::array(decode_type(schema, name, self.typmod, element_sql))
            }
            _ => decode_type(&self.type_schema, &self.type_name, self.typmod, &self.formatted),
        };
        // attgenerated: 's' stored, 'v' virtual (18), '' not generated.
        let generated_kind = if self.generated == "v" { GeneratedKind::Virtual } else { GeneratedKind::Stored };
        let generated = matches!(self.generated.as_str(), "s" | "v").then(|| self.expression.clone()).flatten();
        let generation = match self.identity.as_str() {
            "a" => Some(IdentityGeneration::Always),
            "d" => Some(IdentityGeneration::ByDefault),
            _ => None,
        };
        let identity = generation.map(|generation| {
            let sequence = match (self.seq_start, self.seq_increment, self.seq_min, self.seq_max, self.seq_cache) {
                (Some(start), Some(increment), Some(min), Some(max), Some(cache)) => SequenceOptions::from_catalog(
                    &ty,
                    start,
                    increment,
                    min,
                    max,
                    cache,
                    self.seq_cycle.unwrap_or(false),
                ),
                _ => SequenceOptions::default(),
            };
            Identity { generation, sequence }
        });
        Column {
            name: self.name,
            ty,
            nullable: !self.not_null,
            default: if generated.is_some() { None } else { self.expression },
            identity,
            generated,
            generated_kind,
            collation: self.collation_name,
            comment: self.comment,
            renamed_from: None,
        }
    }
}

/// A catalog type as the model's [`ColumnType`]. `typmod` is `atttypmod`: length, precision or -1.
pub(super) fn decode_type(schema: &str, name: &str, typmod: i32, formatted: &str) -> ColumnType {
    let modifier = (typmod >= 0).then_some(typmod);
    let length = modifier.map(|m| (m - 4) as u32);
    let precision = modifier.map(|m| m as u8);
    if schema != "pg_catalog" {
        return ColumnType::named(schema, name);
    }
    match name {
        "bool" => ColumnType::Boolean,
        "int2" => ColumnType::SmallInt,
        "int4" => ColumnType::Integer,
        "int8" => ColumnType::BigInt,
        "float4" => ColumnType::Real,
        "float8" => ColumnType::DoublePrecision,
        "numeric" => match modifier {
            None => ColumnType::Numeric { precision: None, scale: None },
            Some(m) => {
                let m = m - 4;
                // The scale is a signed 11-bit field; PostgreSQL 15 allows negative scales, the model does not.
                let scale = ((m & 0x7ff) ^ 0x400) - 0x400;
                match u16::try_from(scale) {
                    Ok(scale) => {
                        ColumnType::Numeric { precision: Some(((m >> 16) & 0xffff) as u16), scale: Some(scale) }
                    }
                    Err(_) => ColumnType::Other { sql: formatted.to_string() },
                }
            }
        },
        "text" => ColumnType::Text,
        "varchar" => ColumnType::Varchar { length },
        "bpchar" => ColumnType::Char { length },
        "bytea" => ColumnType::Bytea,
        "uuid" => ColumnType::Uuid,
        "json" => ColumnType::Json,
        "jsonb" => ColumnType::Jsonb,
        "inet" => ColumnType::Inet,
        "cidr" => ColumnType::Cidr,
        "macaddr" => ColumnType::MacAddr,
        "date" => ColumnType::Date,
        "interval" if modifier.is_none() => ColumnType::Interval,
        "time" => ColumnType::Time { precision, with_time_zone: false },
        "timetz" => ColumnType::Time { precision, with_time_zone: true },
        "timestamp" => ColumnType::Timestamp { precision, with_time_zone: false },
        "timestamptz" => ColumnType::Timestamp { precision, with_time_zone: true },
        _ => ColumnType::Other { sql: formatted.to_string() },
    }
}
