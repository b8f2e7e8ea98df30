//! Reads a live database into the schema model with a fixed number of catalog queries, whatever the number
//! of tables: namespaces, enums, tables, columns, constraints, indexes. Objects that belong to an extension
//! are left out; they are the extension's, not the schema's.

use keel_core::model::{
    Check, Column, ColumnType, Deferrable, Enum, Exclusion, ExclusionElement, Extension, ForeignKey, ForeignKeyAction,
    Identity, IdentityGeneration, Index, IndexKey, IndexMethod, KeyExpression, NullsOrder, Operator, PrimaryKey,
    QualifiedName, Schema, Sequence, SequenceOptions, SequenceOwner, SortOrder, Table, UniqueConstraint,
};
use sqlx::postgres::PgRow;
use sqlx::postgres::types::Oid;
use sqlx::{AssertSqlSafe, PgConnection, Row};
use std::collections::BTreeMap;

#[derive(Debug, thiserror::Error)]
pub enum IntrospectError {
    #[error("reading the catalog failed: {0}")]
    Query(#[from] sqlx::Error),
    #[error("unexpected catalog content: {0}")]
    Unexpected(String),
}

/// The comment PostgreSQL itself puts on `public`; not the schema author's.
const BUILTIN_PUBLIC_COMMENT: &str = "standard public schema";

/// The schemas introspection looks at: not the system's, and only those asked for (`$1`, NULL for all).
macro_rules! namespace_filter {
    () => {
        " n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') \
          AND n.nspname NOT LIKE 'pg\\_temp\\_%' AND n.nspname NOT LIKE 'pg\\_toast\\_temp\\_%' \
          AND ($1::text[] IS NULL OR n.nspname = ANY($1::text[])) "
    };
}

/// Whether an object belongs to an extension.
macro_rules! extension_member {
    ($catalog:literal, $oid:literal) => {
        concat!(
            " EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '",
            $catalog,
            "'::regclass AND d.objid = ",
            $oid,
            " AND d.deptype = 'e') "
        )
    };
}

const NAMESPACES: &str = concat!(
    "SELECT n.nspname::text, obj_description(n.oid, 'pg_namespace') FROM pg_namespace n WHERE",
    namespace_filter!()
);

const ENUMS: &str = concat!(
    "SELECT n.nspname::text, t.typname::text, \
            COALESCE(array_agg(e.enumlabel::text ORDER BY e.enumsortorder) FILTER (WHERE e.enumlabel IS NOT NULL), \
                     '{}'::text[]), \
            obj_description(t.oid, 'pg_type') \
     FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace LEFT JOIN pg_enum e ON e.enumtypid = t.oid \
     WHERE t.typtype = 'e' AND",
    namespace_filter!(),
    "AND NOT",
    extension_member!("pg_type", "t.oid"),
    "GROUP BY n.nspname, t.typname, t.oid"
);

/// Standalone sequences: not an identity column's (those are the column's, see `COLUMNS`).
const SEQUENCES: &str = concat!(
    "SELECT n.nspname::text, c.relname::text, format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, \
            s.seqmin, s.seqmax, s.seqcache, s.seqcycle, oc.relname::text, oa.attname::text, \
            obj_description(c.oid, 'pg_class') \
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_sequence s ON s.seqrelid = c.oid \
     LEFT JOIN pg_depend od ON od.classid = 'pg_class'::regclass AND od.objid = c.oid AND od.deptype = 'a' \
          AND od.refclassid = 'pg_class'::regclass AND od.refobjsubid > 0 \
     LEFT JOIN pg_class oc ON oc.oid = od.refobjid AND oc.relnamespace = c.relnamespace \
     LEFT JOIN pg_attribute oa ON oa.attrelid = oc.oid AND oa.attnum = od.refobjsubid \
     WHERE c.relkind = 'S' AND",
    namespace_filter!(),
    "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid \
                     AND d.deptype = 'i') \
     AND NOT",
    extension_member!("pg_class", "c.oid")
);

/// Extensions whose objects live in the schemas looked at. `plpgsql` is in every database.
const EXTENSIONS: &str = "SELECT e.extname::text, n.nspname::text \
     FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace \
     WHERE e.extname <> 'plpgsql' AND ($1::text[] IS NULL OR n.nspname = ANY($1::text[]))";

const TABLES: &str = concat!(
    "SELECT c.oid, n.nspname::text, c.relname::text, obj_description(c.oid, 'pg_class') \
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
     WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND",
    namespace_filter!(),
    "AND NOT",
    extension_member!("pg_class", "c.oid")
);

/// Introspects the schemas named in `only` (every non-system schema when `None`).
pub async fn introspect(conn: &mut PgConnection, only: Option<&[String]>) -> Result<Schema, IntrospectError> {
    let only: Option<Vec<String>> = only.map(<[String]>::to_vec);
    let mut schema = Schema::default();

    let namespaces: Vec<(String, Option<String>)> =
        sqlx::query_as(NAMESPACES).bind(&only).fetch_all(&mut *conn).await?;
    let comments: BTreeMap<String, Option<String>> = namespaces.into_iter().collect();

    let enums: Vec<(String, String, Vec<String>, Option<String>)> =
        sqlx::query_as(ENUMS).bind(&only).fetch_all(&mut *conn).await?;
    for (ns, name, values, comment) in enums {
        let e = Enum { values, comment, renamed_from: None };
        schema.schemas.entry(ns).or_default().enums.insert(name, e);
    }

    let extensions: Vec<(String, String)> = sqlx::query_as(EXTENSIONS).bind(&only).fetch_all(&mut *conn).await?;
    for (name, ns) in extensions {
        schema.extensions.insert(name, Extension { schema: ns });
    }

    for row in sqlx::query(SEQUENCES).bind(&only).fetch_all(&mut *conn).await? {
        let (ns, name, sequence) = sequence_from_row(&row)?;
        schema.schemas.entry(ns).or_default().sequences.insert(name, sequence);
    }

    let tables: Vec<(Oid, String, String, Option<String>)> =
        sqlx::query_as(TABLES).bind(&only).fetch_all(&mut *conn).await?;
    let oids: Vec<Oid> = tables.iter().map(|t| t.0).collect();
    let mut by_oid: BTreeMap<u32, (QualifiedName, Table)> = tables
        .into_iter()
        .map(|(oid, ns, name, comment)| (oid.0, (QualifiedName::new(ns, name), Table { comment, ..Table::default() })))
        .collect();

    for row in sqlx::query(COLUMNS).bind(&oids).fetch_all(&mut *conn).await? {
        let row = ColumnRow::decode(&row)?;
        let (_, table) = by_oid.get_mut(&row.table_oid.0).ok_or_else(|| unexpected("column of an unknown table"))?;
        table.columns.push(row.into_column());
    }
    // `NULLS NOT DISTINCT` exists from PostgreSQL 15 on; older servers have no such column.
    let version: i32 =
        sqlx::query_scalar("SELECT current_setting('server_version_num')::int4").fetch_one(&mut *conn).await?;
    let nulls = if version >= 150_000 { "ix.indnullsnotdistinct" } else { "false" };
    let constraints = CONSTRAINTS.replace("$NULLS_NOT_DISTINCT", nulls);
    let indexes = INDEXES.replace("$NULLS_NOT_DISTINCT", nulls);
    // The queries are this file's constants with a column name or `false` filled in.
    for row in sqlx::query(AssertSqlSafe(constraints)).bind(&oids).fetch_all(&mut *conn).await? {
        let row = ConstraintRow::decode(&row)?;
        let (_, table) =
            by_oid.get_mut(&row.table_oid.0).ok_or_else(|| unexpected("constraint of an unknown table"))?;
        row.add_to(table)?;
    }
    for row in sqlx::query(AssertSqlSafe(indexes)).bind(&oids).fetch_all(&mut *conn).await? {
        let row = IndexRow::decode(&row)?;
        let (_, table) = by_oid.get_mut(&row.table_oid.0).ok_or_else(|| unexpected("index of an unknown table"))?;
        let name = row.name.clone();
        match row.exclusion_operators.clone() {
            Some(operators) => {
                table.exclusions.insert(name, row.into_exclusion(operators)?);
            }
            None => {
                table.indexes.insert(name, row.into_index()?);
            }
        }
    }

    for (_, (name, table)) in by_oid {
        schema.schemas.entry(name.schema).or_default().tables.insert(name.name, table);
    }
    // Every schema the database has is part of the model, but an empty, uncommented `public`: every
    // database has one, and a declaration that puts nothing there must not differ from it.
    for (ns, comment) in comments {
        let comment = comment.filter(|c| !(ns == keel_core::DEFAULT_SCHEMA && c == BUILTIN_PUBLIC_COMMENT));
        let holds_nothing = !schema.schemas.contains_key(&ns);
        if ns == keel_core::DEFAULT_SCHEMA && holds_nothing && comment.is_none() {
            continue;
        }
        schema.schemas.entry(ns).or_default().comment = comment;
    }
    Ok(schema)
}

fn sequence_from_row(row: &PgRow) -> Result<(String, String, Sequence), sqlx::Error> {
    let data_type = ColumnType::parse(&row.try_get::<String, _>(2)?).unwrap_or(ColumnType::BigInt);
    let options = SequenceOptions::from_catalog(
        &data_type,
        row.try_get(3)?,
        row.try_get(4)?,
        row.try_get(5)?,
        row.try_get(6)?,
        row.try_get(7)?,
        row.try_get(8)?,
    );
    let owned_by = match (row.try_get::<Option<String>, _>(9)?, row.try_get::<Option<String>, _>(10)?) {
        (Some(table), Some(column)) => Some(SequenceOwner { table, column }),
        _ => None,
    };
    let sequence = Sequence { data_type, options, owned_by, comment: row.try_get(11)? };
    Ok((row.try_get(0)?, row.try_get(1)?, sequence))
}

/// `decode(row)` reading each field from the column of the same name.
macro_rules! decode_by_name {
    ($row:ident { $($field:ident),* $(,)? }) => {
        impl $row {
            fn decode(row: &PgRow) -> Result<Self, sqlx::Error> {
                Ok($row { $($field: row.try_get(stringify!($field))?),* })
            }
        }
    };
}

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
    seq_start,
    seq_increment,
    seq_min,
    seq_max,
    seq_cache,
    seq_cycle,
});
decode_by_name!(ConstraintRow {
    table_oid,
    name,
    kind,
    columns,
    ref_schema,
    ref_table,
    ref_columns,
    on_delete,
    on_update,
    is_deferrable,
    is_deferred,
    nulls_not_distinct,
    match_type,
    expression,
});
decode_by_name!(IndexRow {
    table_oid,
    name,
    is_unique,
    method,
    key_count,
    columns,
    definitions,
    options,
    opclasses,
    predicate,
    exclusion_operators,
    nulls_not_distinct,
    collations,
    storage,
});

fn unexpected(what: &str) -> IntrospectError {
    IntrospectError::Unexpected(what.to_string())
}

const COLUMNS: &str = "
SELECT a.attrelid AS table_oid, a.attname::text AS name, a.attnotnull AS not_null,
       a.attidentity::text AS identity, a.attgenerated::text AS generated,
       pg_get_expr(d.adbin, d.adrelid) AS expression,
       format_type(a.atttypid, a.atttypmod) AS formatted, a.atttypmod AS typmod,
       t.typname::text AS type_name, tn.nspname::text AS type_schema,
       et.typname::text AS element_name, etn.nspname::text AS element_schema,
       CASE WHEN a.attcollation <> t.typcollation THEN co.collname::text END AS collation_name,
       col_description(a.attrelid, a.attnum) AS comment,
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
WHERE a.attrelid = ANY($1) AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attrelid, a.attnum";

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
        let generated = (self.generated == "s").then(|| self.expression.clone()).flatten();
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
            collation: self.collation_name,
            comment: self.comment,
            renamed_from: None,
        }
    }
}

/// A catalog type as the model's [`ColumnType`]. `typmod` is `atttypmod`: length, precision or -1.
fn decode_type(schema: &str, name: &str, typmod: i32, formatted: &str) -> ColumnType {
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

const CONSTRAINTS: &str = "
SELECT con.conrelid AS table_oid, con.conname::text AS name, con.contype::text AS kind,
       ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(num, ord)
             JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num ORDER BY k.ord) AS columns,
       fn.nspname::text AS ref_schema, fc.relname::text AS ref_table,
       ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(num, ord)
             JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num ORDER BY k.ord) AS ref_columns,
       con.confdeltype::text AS on_delete, con.confupdtype::text AS on_update, con.confmatchtype::text AS match_type,
       con.condeferrable AS is_deferrable, con.condeferred AS is_deferred,
       pg_get_expr(con.conbin, con.conrelid) AS expression,
       COALESCE((SELECT $NULLS_NOT_DISTINCT FROM pg_index ix WHERE ix.indexrelid = con.conindid AND con.contype = 'u'),
                false) AS nulls_not_distinct
FROM pg_constraint con
LEFT JOIN pg_class fc ON fc.oid = con.confrelid
LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
WHERE con.conrelid = ANY($1) AND con.contype IN ('p', 'u', 'c', 'f')
ORDER BY con.conrelid, con.conname";

struct ConstraintRow {
    table_oid: Oid,
    name: String,
    kind: String,
    columns: Vec<String>,
    ref_schema: Option<String>,
    ref_table: Option<String>,
    ref_columns: Vec<String>,
    on_delete: String,
    on_update: String,
    is_deferrable: bool,
    is_deferred: bool,
    nulls_not_distinct: bool,
    match_type: String,
    expression: Option<String>,
}

impl ConstraintRow {
    fn deferrable(&self) -> Deferrable {
        match (self.is_deferrable, self.is_deferred) {
            (false, _) => Deferrable::NotDeferrable,
            (true, false) => Deferrable::InitiallyImmediate,
            (true, true) => Deferrable::InitiallyDeferred,
        }
    }

    fn add_to(self, table: &mut Table) -> Result<(), IntrospectError> {
        match self.kind.as_str() {
            "p" => {
                let deferrable = self.deferrable();
                table.primary_key = Some(PrimaryKey { name: self.name, columns: self.columns, deferrable });
            }
            "u" => {
                let deferrable = self.deferrable();
                let nulls_not_distinct = self.nulls_not_distinct;
                let unique = UniqueConstraint { columns: self.columns, nulls_not_distinct, deferrable };
                table.unique_constraints.insert(self.name, unique);
            }
            "c" => {
                let expression = self.expression.ok_or_else(|| unexpected("check constraint without expression"))?;
                table.checks.insert(self.name, Check { expression });
            }
            "f" => {
                let deferrable = self.deferrable();
                let (Some(schema), Some(name)) = (self.ref_schema, self.ref_table) else {
                    return Err(unexpected("foreign key without a referenced table"));
                };
                let fk = ForeignKey {
                    columns: self.columns,
                    references: QualifiedName::new(schema, name),
                    referenced_columns: self.ref_columns,
                    on_delete: action(&self.on_delete)?,
                    on_update: action(&self.on_update)?,
                    deferrable,
                    match_full: self.match_type == "f",
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

/// Indexes no constraint owns (primary keys, unique and exclusion constraints carry their own).
const INDEXES: &str = "
SELECT i.indrelid AS table_oid, ic.relname::text AS name, i.indisunique AS is_unique, am.amname::text AS method,
       i.indnkeyatts::int4 AS key_count, $NULLS_NOT_DISTINCT AS nulls_not_distinct,
       ARRAY(SELECT CASE WHEN k.num = 0 THEN NULL ELSE a.attname::text END
             FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(num, ord)
             LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.num
             ORDER BY k.ord) AS columns,
       ARRAY(SELECT pg_get_indexdef(i.indexrelid, k.ord::int4, false)
             FROM generate_series(1, i.indnatts) k(ord) ORDER BY k.ord) AS definitions,
       ARRAY(SELECT o.opt FROM unnest(i.indoption::int2[]) WITH ORDINALITY o(opt, ord) ORDER BY o.ord) AS options,
       ARRAY(SELECT CASE WHEN opc.opcdefault THEN NULL ELSE opc.opcname::text END
             FROM unnest(i.indclass::oid[]) WITH ORDINALITY c(oid, ord)
             JOIN pg_opclass opc ON opc.oid = c.oid ORDER BY c.ord) AS opclasses,
       ARRAY(SELECT CASE WHEN c.coll = 0 OR c.coll = COALESCE(a.attcollation, 100) THEN NULL ELSE co.collname::text END
             FROM unnest(i.indcollation::oid[]) WITH ORDINALITY c(coll, ord)
             LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = (i.indkey::int2[])[c.ord - 1]
             LEFT JOIN pg_collation co ON co.oid = c.coll
             ORDER BY c.ord) AS collations,
       COALESCE(ic.reloptions, '{}') AS storage,
       pg_get_expr(i.indpred, i.indrelid) AS predicate,
       (SELECT ARRAY(SELECT o.oprname::text FROM unnest(con.conexclop) WITH ORDINALITY x(op, ord)
                     JOIN pg_operator o ON o.oid = x.op ORDER BY x.ord)
        FROM pg_constraint con WHERE con.conindid = i.indexrelid AND con.conrelid = i.indrelid
             AND con.contype = 'x') AS exclusion_operators
FROM pg_index i
JOIN pg_index ix ON ix.indexrelid = i.indexrelid
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_am am ON am.oid = ic.relam
WHERE i.indrelid = ANY($1)
  AND NOT EXISTS (SELECT 1 FROM pg_constraint con
                  WHERE con.conindid = i.indexrelid AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u'))
ORDER BY i.indrelid, ic.relname";

struct IndexRow {
    table_oid: Oid,
    name: String,
    is_unique: bool,
    method: String,
    key_count: i32,
    columns: Vec<Option<String>>,
    definitions: Vec<String>,
    options: Vec<i16>,
    opclasses: Vec<Option<String>>,
    predicate: Option<String>,
    /// The operators of the exclusion constraint that owns this index, one per key.
    exclusion_operators: Option<Vec<String>>,
    nulls_not_distinct: bool,
    collations: Vec<Option<String>>,
    storage: Vec<String>,
}

impl IndexRow {
    fn into_index(self) -> Result<Index, IntrospectError> {
        let method = IndexMethod::parse(&self.method)
            .ok_or_else(|| unexpected(&format!("index {} uses access method {}", self.name, self.method)))?;
        let key_count = self.key_count as usize;
        let mut keys = Vec::new();
        let mut include = Vec::new();
        for (i, (column, definition)) in self.columns.into_iter().zip(self.definitions).enumerate() {
            if i >= key_count {
                include.push(column.unwrap_or(definition));
                continue;
            }
            let option = self.options.get(i).copied().unwrap_or(0);
            keys.push(IndexKey {
                on: match column {
                    Some(c) => KeyExpression::Column(c),
                    None => KeyExpression::Expression(definition),
                },
                collation: self.collations.get(i).cloned().flatten(),
                opclass: self.opclasses.get(i).cloned().flatten(),
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
        })
    }

    fn into_exclusion(self, operators: Vec<String>) -> Result<Exclusion, IntrospectError> {
        let name = self.name.clone();
        let index = self.into_index()?;
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
        Ok(Exclusion { method: index.method, elements, include: index.include, predicate: index.predicate })
    }
}
