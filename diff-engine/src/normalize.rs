//! Normalization: PostgreSQL rewrites what it stores (`x > 0` becomes `(x > 0)`, `int4` becomes `integer`),
//! so a declared schema is compared in the form the server would store it. The declared schema is
//! materialized in a scratch database and read back with the same catalog reader as the live side.

use crate::{ApplyError, IntrospectError};
use keel_core::{ColumnType, Schema};
use keel_scratch::{ScratchError, Server};

#[derive(Debug, thiserror::Error)]
pub enum NormalizeError {
    #[error("could not get a scratch database: {0}")]
    Scratch(#[from] ScratchError),
    #[error("the declared schema does not apply to PostgreSQL: {0}")]
    Apply(#[from] ApplyError),
    #[error(transparent)]
    Introspect(#[from] IntrospectError),
    #[error("{file}: {error}")]
    Sql { file: String, error: sqlx::Error },
    /// A SQL file changes the whole server (roles, tablespaces...): refused before the scratch database.
    #[error("{file}:{source}")]
    Unreplayable {
        file: String,
        #[source]
        source: crate::replayable::Unreplayable,
    },
    /// The SQL files create objects keel does not manage yet: they would be missing from every migration
    /// and every comparison without a word.
    #[error(
        "the SQL files declare what keel does not manage yet: {}; put them in a migration of their own \
         instead",
        .0.join(", ")
    )]
    Unmanaged(Vec<String>),
    /// Columns of types that nothing declares: not a `#[derive(PgEnum)]`, not the SQL files.
    #[error(
        "{}; declare the type with `#[derive(PgEnum)]`, or with CREATE DOMAIN or CREATE TYPE in a SQL file \
         of the schema folder (keel.toml `sql`)",
        .0.join("; ")
    )]
    UnknownTypes(Vec<String>),
    /// The declared model uses what the scratch server's version cannot hold (`crate::version`): refused
    /// before anything runs there, instead of a syntax error.
    #[error(
        "the scratch server (PostgreSQL {}) cannot hold the declared schema: {}",
        crate::version::major(*.server_version_num),
        .found.join("; ")
    )]
    Unsupported { server_version_num: i32, found: Vec<String> },
}

impl NormalizeError {
    /// Whether the way out is a migration written by hand (the message says what it must do).
    pub fn needs_hand_written_migration(&self) -> bool {
        matches!(self, NormalizeError::Unmanaged(_))
    }
}

/// A declared SQL file (`schema/*.sql`): its name, for messages, and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlFile {
    pub name: String,
    pub sql: String,
}

/// The declared schema as PostgreSQL stores it, with the declaration's rename hints carried over (the
/// planner reads them from the desired schema).
pub async fn normalize(server: &Server, declared: &Schema) -> Result<Schema, NormalizeError> {
    normalize_with_sql(server, declared, &[]).await
}

/// [`normalize`] for a schema declared in two parts: the model (the derives) and SQL files that run after
/// it, in order, and may build on its tables (views, functions, triggers, policies...). The result is their
/// union, as PostgreSQL stores it.
pub async fn normalize_with_sql(
    server: &Server,
    declared: &Schema,
    files: &[SqlFile],
) -> Result<Schema, NormalizeError> {
    let mut normalized = stored_form(server, declared, files).await?;
    carry_hints(declared, &mut normalized);
    Ok(normalized)
}

/// `renamed_from` of tables, columns and enums, copied by name.
fn carry_hints(declared: &Schema, normalized: &mut Schema) {
    for (name, ns) in &declared.schemas {
        let Some(target) = normalized.schemas.get_mut(name) else { continue };
        for (table_name, table) in &ns.tables {
            let Some(t) = target.tables.get_mut(table_name) else { continue };
            t.renamed_from.clone_from(&table.renamed_from);
            for column in &table.columns {
                if let Some(c) = t.columns.iter_mut().find(|c| c.name == column.name) {
                    c.renamed_from.clone_from(&column.renamed_from);
                }
            }
        }
        for (enum_name, e) in &ns.enums {
            if let Some(target_enum) = target.enums.get_mut(enum_name) {
                target_enum.renamed_from.clone_from(&e.renamed_from);
            }
        }
    }
}

async fn stored_form(server: &Server, declared: &Schema, files: &[SqlFile]) -> Result<Schema, NormalizeError> {
    for file in files {
        crate::replayable::check(&file.sql)
            .map_err(|source| NormalizeError::Unreplayable { file: file.name.clone(), source })?;
    }
    let database = server.create_database().await?;
    let result = async {
        let mut conn = database.connect().await?;
        let declared = declared.without_hints();
        let server_version_num = crate::version::server_version_num(&mut conn)
            .await
            .map_err(|error| NormalizeError::Introspect(IntrospectError::from(error)))?;
        crate::version::check(&declared, server_version_num)
            .map_err(|unsupported| NormalizeError::Unsupported { server_version_num, found: unsupported.0 })?;
        // Types first (the derives' enums, then what the files declare: schemas, extensions, domains,
        // composite types), so that the derives' tables can use them; then the tables; then the rest of
        // the files, which may build on the tables.
        let split: Vec<(String, String)> = files.iter().map(|f| crate::sql_types_first::split(&f.sql)).collect();
        let (types, tables) = crate::render::split_schema(&declared);
        crate::apply_in_transaction(&mut conn, &crate::render::create_schema(&types)).await?;
        for (file, (types, _)) in files.iter().zip(&split) {
            run(&mut conn, file, types).await?;
        }
        unknown_types(&mut conn, &declared).await?;
        crate::apply_in_transaction(&mut conn, &crate::render::create_schema(&tables)).await?;
        for (file, (_, rest)) in files.iter().zip(&split) {
            run(&mut conn, file, rest).await?;
        }
        if !files.is_empty() {
            let unmanaged = crate::unmanaged(&mut conn, None)
                .await
                .map_err(|error| NormalizeError::Introspect(IntrospectError::from(error)))?;
            if !unmanaged.is_empty() {
                return Err(NormalizeError::Unmanaged(unmanaged.iter().map(|o| o.describe()).collect()));
            }
        }
        // SQL files may create schemas of their own: then every schema of the database is declared.
        let only: Vec<String> = declared.schemas.keys().cloned().collect();
        let only = files.is_empty().then_some(only.as_slice());
        Ok::<_, NormalizeError>(crate::introspect(&mut conn, only).await?)
    }
    .await;
    database.drop_database().await?;
    result
}

/// One part of a file (see `sql_types_first`), sent as one query; a part with no statement is skipped.
async fn run(conn: &mut sqlx::PgConnection, file: &SqlFile, part: &str) -> Result<(), NormalizeError> {
    if part.trim_matches(|c: char| c.is_whitespace() || c == ';').is_empty() {
        return Ok(());
    }
    sqlx::raw_sql(sqlx::AssertSqlSafe(part.to_string()))
        .execute(conn)
        .await
        .map_err(|error| NormalizeError::Sql { file: file.name.clone(), error })?;
    Ok(())
}

/// Column types of the derives that the database does not know once the types are declared: a named
/// type (`schema.name`), or a bare name (`email`, resolved through the search path).
async fn unknown_types(conn: &mut sqlx::PgConnection, declared: &Schema) -> Result<(), NormalizeError> {
    let mut columns: Vec<(String, String)> = Vec::new();
    for (table, t) in declared.tables() {
        for column in &t.columns {
            let name = match column.ty.scalar() {
                ty @ ColumnType::Named { .. } => ty.to_string(),
                ColumnType::Other { sql } if is_bare_name(sql) => sql.clone(),
                _ => continue,
            };
            columns.push((format!("column {table}.{} has type {name}", column.name), name));
        }
    }
    if columns.is_empty() {
        return Ok(());
    }
    let names: Vec<&str> = columns.iter().map(|(_, n)| n.as_str()).collect();
    let unknown: Vec<String> = sqlx::query_scalar("SELECT n FROM unnest($1::text[]) AS n WHERE to_regtype(n) IS NULL")
        .bind(&names)
        .fetch_all(&mut *conn)
        .await
        .map_err(|error| NormalizeError::Introspect(IntrospectError::from(error)))?;
    let problems: Vec<String> = columns
        .into_iter()
        .filter(|(_, name)| unknown.contains(name))
        .map(|(what, _)| format!("{what}, which is not declared"))
        .collect();
    if problems.is_empty() { Ok(()) } else { Err(NormalizeError::UnknownTypes(problems)) }
}

/// A type written as one plain identifier: `to_regtype` reads it without raising an error. The serial
/// types are not types (CREATE TABLE turns them into an integer and a sequence).
fn is_bare_name(sql: &str) -> bool {
    const SERIALS: [&str; 6] = ["serial", "bigserial", "smallserial", "serial2", "serial4", "serial8"];
    if SERIALS.contains(&sql) {
        return false;
    }
    let mut chars = sql.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}
