//! Reads a live database into the schema model with a fixed number of catalog queries, whatever the number
//! of tables: namespaces, enums, tables, columns, constraints, indexes. Objects that belong to an extension
//! are left out; they are the extension's, not the schema's.

use keel_core::model::{
    ColumnType, Enum, Extension, QualifiedName, Schema, Sequence, SequenceOptions, SequenceOwner, Table,
};
use sqlx::postgres::PgRow;
use sqlx::postgres::types::Oid;
use sqlx::{Connection, PgConnection, Row};
use std::collections::BTreeMap;

/// `decode(row)` (and `FromRow`) reading each field from the column of the same name.
macro_rules! decode_by_name {
    ($row:ident { $($field:ident),* $(,)? }) => {
        impl $row {
            fn decode(row: &PgRow) -> Result<Self, sqlx::Error> {
                Ok($row { $($field: row.try_get(stringify!($field))?),* })
            }
        }

        impl<'r> sqlx::FromRow<'r, PgRow> for $row {
            fn from_row(row: &'r PgRow) -> Result<Self, sqlx::Error> {
                Self::decode(row)
            }
        }
    };
}

mod columns;
mod constraints;
mod indexes;
mod partitions;
mod triggers;

#[derive(Debug, thiserror::Error)]
pub enum IntrospectError {
    #[error("reading the catalog failed: {0}")]
    Query(#[from] sqlx::Error),
    #[error("unexpected catalog content: {0}")]
    Unexpected(String),
    /// The server is older than keel supports (`server_version_num` below 130000).
    #[error("PostgreSQL {} is not supported: keel supports 13 and later", crate::version::major(*.server_version_num))]
    UnsupportedServer { server_version_num: i32 },
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

// After the macros, which they use.
mod functions;
mod policies;
mod statistics;
mod types;
mod views;

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
const EXTENSIONS: &str = "SELECT e.extname::text, n.nspname::text, e.extversion::text \
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

/// Tables being read, by oid.
pub(super) type Tables = BTreeMap<u32, (QualifiedName, Table)>;

/// Columns by (table oid, attnum): what constraints and indexes refer to by number.
pub(super) type ColumnNames = BTreeMap<(u32, i16), Attribute>;

pub(super) struct Attribute {
    pub name: String,
    /// The column's collation oid (0 for a type without collation).
    pub collation: u32,
}

/// Introspects the schemas named in `only` (every non-system schema when `None`). The catalog is read in
/// one read-only repeatable-read transaction, so every query sees the same snapshot.
pub async fn introspect(conn: &mut PgConnection, only: Option<&[String]>) -> Result<Schema, IntrospectError> {
    let server_version_num = crate::version::server_version_num(conn).await?;
    if server_version_num < crate::version::MIN_SERVER_VERSION_NUM {
        return Err(IntrospectError::UnsupportedServer { server_version_num });
    }
    let mut tx = conn.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").await?;
    // The catalog queries look expensive to the planner (per-row array subqueries) and would be
    // JIT-compiled, which costs more than it saves on catalogs.
    sqlx::raw_sql("SET LOCAL jit = off").execute(&mut *tx).await?;
    // PostgreSQL renders stored expressions (defaults, checks, index predicates) with names qualified only
    // when they are not on the search_path: a role with its own search_path would read `nextval('seq')`
    // where a scratch database reads `nextval('app.seq')`. One fixed path makes both sides render alike.
    sqlx::raw_sql(SEARCH_PATH).execute(&mut *tx).await?;
    let schema = read(&mut tx, only, server_version_num).await?;
    tx.rollback().await?;
    Ok(schema)
}

async fn read(conn: &mut PgConnection, only: Option<&[String]>, version: i32) -> Result<Schema, IntrospectError> {
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

    let extensions: Vec<(String, String, String)> =
        sqlx::query_as(EXTENSIONS).bind(&only).fetch_all(&mut *conn).await?;
    for (name, ns, version) in extensions {
        schema.extensions.insert(name, Extension { schema: ns, version: Some(version) });
    }

    for row in sqlx::query(SEQUENCES).bind(&only).fetch_all(&mut *conn).await? {
        let (ns, name, sequence) = sequence_from_row(&row)?;
        schema.schemas.entry(ns).or_default().sequences.insert(name, sequence);
    }

    let tables: Vec<(Oid, String, String, Option<String>)> =
        sqlx::query_as(TABLES).bind(&only).fetch_all(&mut *conn).await?;
    let oids: Vec<Oid> = tables.iter().map(|t| t.0).collect();
    let mut by_oid: Tables = tables
        .into_iter()
        .map(|(oid, ns, name, comment)| (oid.0, (QualifiedName::new(ns, name), Table { comment, ..Table::default() })))
        .collect();

    let mut names = columns::read(conn, &oids, &mut by_oid).await?;
    // `NULLS NOT DISTINCT` exists from PostgreSQL 15 on; older servers have no such column.
    let nulls = if version >= 150_000 { "ix.indnullsnotdistinct" } else { "false" };
    constraints::read(conn, &oids, nulls, &mut names, &mut by_oid).await?;
    indexes::read(conn, &oids, nulls, &names, &mut by_oid).await?;
    triggers::read(conn, &oids, &names, &mut by_oid).await?;
    partitions::read(conn, &oids, &mut by_oid).await?;

    for (_, (name, table)) in by_oid {
        schema.schemas.entry(name.schema).or_default().tables.insert(name.name, table);
    }
    views::read(conn, &only, nulls, &mut schema).await?;
    types::read(conn, &only, &mut schema).await?;
    functions::read(conn, &only, &mut schema).await?;
    policies::read(conn, &only, &mut schema).await?;
    statistics::read(conn, &only, version, &mut schema).await?;
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

/// The search path every catalog query runs with (see `introspect`).
const SEARCH_PATH: &str = "SET LOCAL search_path = pg_catalog, public";

/// Runs `query`, bound to the schemas looked at, with only `pg_catalog` on the search path: every name it
/// prints (relations in view queries and policies, types in function signatures) is then schema-qualified,
/// so the statement keel writes from it means the same under any search_path a migration runs with.
async fn fetch_qualified<T>(
    conn: &mut PgConnection,
    query: &'static str,
    only: &Option<Vec<String>>,
) -> Result<Vec<T>, IntrospectError>
where
    T: for<'r> sqlx::FromRow<'r, PgRow>,
{
    sqlx::raw_sql("SET LOCAL search_path = pg_catalog").execute(&mut *conn).await?;
    let rows = sqlx::query(query).bind(only).fetch_all(&mut *conn).await;
    sqlx::raw_sql(SEARCH_PATH).execute(&mut *conn).await?;
    Ok(rows?.iter().map(T::from_row).collect::<Result<Vec<T>, _>>()?)
}

pub(super) fn unexpected(what: &str) -> IntrospectError {
    IntrospectError::Unexpected(what.to_string())
}
