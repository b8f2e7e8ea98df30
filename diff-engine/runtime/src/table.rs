//! The tracking table: its name, and every statement keel runs on it. Same shape and rows as sqlx 0.9's.

use super::{MigrateError, Migration};
use keel_core::model::QualifiedName;
use keel_core::sql::quote_ident;
use sqlx::{AssertSqlSafe, PgConnection};
use std::time::Duration;

/// A tracking table name as given (`_sqlx_migrations`, `keel.migrations`, `"Odd Schema".migrations`),
/// read the way PostgreSQL reads it, so keel names the same table sqlx would for the same text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TableName {
    /// As given, for messages.
    pub(crate) text: String,
    schema: Option<String>,
    name: String,
}

impl TableName {
    pub(crate) fn parse(text: &str) -> Result<TableName, MigrateError> {
        let error = |reason: &str| MigrateError::BadTableName { name: text.to_string(), reason: reason.to_string() };
        let mut parts = Vec::new();
        let mut chars = text.chars().peekable();
        loop {
            let mut part = String::new();
            if chars.peek() == Some(&'"') {
                chars.next();
                loop {
                    match chars.next() {
                        Some('"') if chars.peek() == Some(&'"') => {
                            chars.next();
                            part.push('"');
                        }
                        Some('"') => break,
                        Some(c) => part.push(c),
                        None => return Err(error("unterminated quoted identifier")),
                    }
                }
                if part.is_empty() {
                    return Err(error("empty quoted identifier"));
                }
            } else {
                while let Some(&c) = chars.peek() {
                    if c == '.' {
                        break;
                    }
                    let valid = if part.is_empty() {
                        c.is_alphabetic() || c == '_'
                    } else {
                        c.is_alphanumeric() || c == '_' || c == '$'
                    };
                    if !valid {
                        return Err(error(&format!(
                            "unexpected {c:?}: use letters, digits and `_`, or quote the name (\"Name\")"
                        )));
                    }
                    // PostgreSQL folds unquoted identifiers to lower case (ASCII letters only, in UTF8).
                    part.push(c.to_ascii_lowercase());
                    chars.next();
                }
                if part.is_empty() {
                    return Err(error("empty name"));
                }
            }
            parts.push(part);
            match chars.next() {
                None => break,
                Some('.') => continue,
                Some(c) => return Err(error(&format!("unexpected {c:?} after a quoted identifier"))),
            }
        }
        let text = text.to_string();
        match <[String; 2]>::try_from(parts) {
            Ok([schema, name]) => Ok(TableName { text, schema: Some(schema), name }),
            Err(parts) => match <[String; 1]>::try_from(parts) {
                Ok([name]) => Ok(TableName { text, schema: None, name }),
                Err(_) => Err(error("expected `table` or `schema.table`")),
            },
        }
    }

    /// `"schema"."table"`, for SQL.
    pub(crate) fn quoted(&self) -> String {
        match &self.schema {
            Some(schema) => format!("{}.{}", quote_ident(schema), quote_ident(&self.name)),
            None => quote_ident(&self.name),
        }
    }
}

/// The table with its schema fixed as this session resolves it now (where it is, else where `CREATE TABLE`
/// would put it: `current_schema()`), so that a migration's `SET search_path` cannot hide it afterwards.
pub(crate) async fn resolve(conn: &mut PgConnection, table: &TableName) -> Result<TableName, MigrateError> {
    if table.schema.is_some() {
        return Ok(table.clone());
    }
    let schema: Option<String> = sqlx::query_scalar(
        "SELECT COALESCE((SELECT n.nspname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.oid = to_regclass($1)), current_schema()::text)",
    )
    .bind(table.quoted())
    .fetch_one(conn)
    .await
    .map_err(MigrateError::database(format!("looking for {}", table.text)))?;
    match schema {
        Some(schema) => Ok(TableName { text: table.text.clone(), schema: Some(schema), name: table.name.clone() }),
        None => Err(MigrateError::BadTableName {
            name: table.text.clone(),
            reason: "the session's search_path names no schema that exists to create it in; qualify it \
                     (`schema.table`)"
                .to_string(),
        }),
    }
}

/// One row of the tracking table.
#[derive(Debug, Clone)]
pub(crate) struct AppliedRow {
    pub(crate) version: i64,
    pub(crate) description: String,
    pub(crate) success: bool,
    pub(crate) checksum: Vec<u8>,
    /// RFC 3339, UTC.
    pub(crate) installed_on: String,
}

pub(crate) async fn exists(conn: &mut PgConnection, table: &TableName) -> Result<bool, MigrateError> {
    sqlx::query_scalar("SELECT to_regclass($1) IS NOT NULL")
        .bind(table.quoted())
        .fetch_one(conn)
        .await
        .map_err(MigrateError::database(format!("looking for {}", table.text)))
}

/// Creates the table (and its schema) when missing. Checks first rather than relying on `IF NOT EXISTS`
/// alone: a role without CREATE on the schema may still use a table that exists.
/// Where the tracking table `table` (as configured: maybe unqualified, resolved through the session's
/// `search_path` as the runner resolves it) is in this database, if it exists; so that commands comparing
/// schemas can leave keel's own bookkeeping out.
pub async fn locate(conn: &mut PgConnection, table: &str) -> Result<Option<QualifiedName>, MigrateError> {
    let table = TableName::parse(table)?;
    let found: Option<(String, String)> = sqlx::query_as(
        "SELECT n.nspname::text, c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.oid = to_regclass($1)",
    )
    .bind(table.quoted())
    .fetch_optional(conn)
    .await
    .map_err(MigrateError::database(format!("looking for {}", table.text)))?;
    Ok(found.map(|(schema, name)| QualifiedName::new(schema, name)))
}

pub(crate) async fn ensure(conn: &mut PgConnection, table: &TableName) -> Result<(), MigrateError> {
    if exists(conn, table).await? {
        return Ok(());
    }
    let context = || format!("creating {}", table.text);
    if let Some(schema) = &table.schema {
        let schema_exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)")
            .bind(schema)
            .fetch_one(&mut *conn)
            .await
            .map_err(MigrateError::database(context()))?;
        if !schema_exists {
            sqlx::raw_sql(AssertSqlSafe(format!("CREATE SCHEMA IF NOT EXISTS {}", quote_ident(schema))))
                .execute(&mut *conn)
                .await
                .map_err(MigrateError::database(context()))?;
        }
    }
    // sqlx 0.9's definition, column for column.
    let sql = format!(
        "CREATE TABLE IF NOT EXISTS {} (\n    version BIGINT PRIMARY KEY,\n    description TEXT NOT NULL,\n    \
         installed_on TIMESTAMPTZ NOT NULL DEFAULT now(),\n    success BOOLEAN NOT NULL,\n    \
         checksum BYTEA NOT NULL,\n    execution_time BIGINT NOT NULL\n)",
        table.quoted()
    );
    sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut *conn).await.map_err(MigrateError::database(context()))?;
    Ok(())
}

/// The rows, by version. The table must exist.
pub(crate) async fn rows(conn: &mut PgConnection, table: &TableName) -> Result<Vec<AppliedRow>, MigrateError> {
    let sql = format!(
        "SELECT version, description, success, checksum, \
         to_char(installed_on AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') \
         FROM {} ORDER BY version",
        table.quoted()
    );
    let rows: Vec<(i64, String, bool, Vec<u8>, String)> = sqlx::query_as(AssertSqlSafe(sql))
        .fetch_all(conn)
        .await
        .map_err(MigrateError::database(format!("reading {}", table.text)))?;
    Ok(rows
        .into_iter()
        .map(|(version, description, success, checksum, installed_on)| AppliedRow {
            version,
            description,
            success,
            checksum,
            installed_on,
        })
        .collect())
}

/// Records a successful migration, with its execution time in nanoseconds (as sqlx does).
pub(crate) async fn record(
    conn: &mut PgConnection,
    table: &TableName,
    migration: &Migration,
    elapsed: Duration,
) -> Result<(), sqlx::Error> {
    let sql = format!(
        "INSERT INTO {} (version, description, success, checksum, execution_time) VALUES ($1, $2, TRUE, $3, $4)",
        table.quoted()
    );
    sqlx::query(AssertSqlSafe(sql))
        .bind(migration.version)
        .bind(&migration.description)
        .bind(&migration.checksum)
        .bind(i64::try_from(elapsed.as_nanos()).unwrap_or(i64::MAX))
        .execute(conn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quoted(text: &str) -> Result<String, String> {
        TableName::parse(text).map(|t| t.quoted()).map_err(|e| e.to_string())
    }

    #[test]
    fn reads_table_names_as_postgres_does() {
        assert_eq!(quoted("_sqlx_migrations").unwrap(), r#""_sqlx_migrations""#);
        assert_eq!(quoted("keel.migrations").unwrap(), r#""keel"."migrations""#);
        assert_eq!(quoted("Keel.Migrations").unwrap(), r#""keel"."migrations""#);
        assert_eq!(quoted(r#""Odd ""Schema"".x".Migs"#).unwrap(), r#""Odd ""Schema"".x"."migs""#);
        assert_eq!(quoted("t$1").unwrap(), r#""t$1""#);
    }

    #[test]
    fn refuses_what_is_not_a_name() {
        for bad in ["", "a.", ".a", "a.b.c", "a;drop table x", "a b", "1abc", r#""unterminated"#, r#""""#, r#""a"b"#] {
            assert!(quoted(bad).is_err(), "{bad:?} was accepted");
        }
    }
}
