//! Reading a migrations directory the way `sqlx migrate` (and `sqlx::migrate!()`) reads it.

use super::{MigrateError, Migration};
use std::path::{Path, PathBuf};

/// Reads a migrations directory exactly as `sqlx migrate` does: files `<i64 version>_<description>.sql`
/// (description = the rest, `.sql` removed, `_` turned into spaces); other files are ignored (e.g.
/// `keel.sum`); `no_transaction` when the file starts with `-- no-transaction`; the checksum is sqlx's
/// (SHA-384 of the file text). Sorted by version.
///
/// Errors: a missing directory; a `.sql` file whose version prefix is not an integer; two files with one
/// version; reversible `.up.sql`/`.down.sql` files, which keel does not support.
pub fn read_migrations(dir: &Path) -> Result<Vec<Migration>, MigrateError> {
    if !dir.is_dir() {
        return Err(MigrateError::NoDirectory { path: dir.to_path_buf() });
    }
    let read_error = |path: &Path| {
        let path = path.to_path_buf();
        move |source| MigrateError::Read { path, source }
    };
    let mut migrations = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(read_error(dir))? {
        let entry = entry.map_err(read_error(dir))?;
        let path = entry.path();
        // Follows symbolic links, as sqlx does.
        if !std::fs::metadata(&path).map_err(read_error(&path))?.is_file() {
            continue;
        }
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let Some(name) = parse_file_name(&file_name)? else { continue };
        let sql = std::fs::read_to_string(&path).map_err(read_error(&path))?;
        migrations.push(Migration::from_file(name.version, name.description, file_name, path, sql));
    }
    migrations.sort_by(|a, b| a.version.cmp(&b.version).then_with(|| a.file_name.cmp(&b.file_name)));
    check_unique(&migrations)?;
    Ok(migrations)
}

impl Migration {
    /// A migration from its text, for apps that embed their migrations (`include_str!`) rather than read
    /// a directory at run time. `file_name` is what messages call it; `no_transaction` and the checksum
    /// are derived from `sql` as for a file.
    pub fn new(version: i64, description: &str, file_name: &str, sql: &str) -> Migration {
        Migration::from_file(version, description.to_string(), file_name.to_string(), file_name.into(), sql.into())
    }

    fn from_file(version: i64, description: String, file_name: String, path: PathBuf, sql: String) -> Migration {
        // The checksum is the file's, as sqlx computes it; a byte order mark some editors write is no SQL
        // (PostgreSQL reports a syntax error at an invisible character), so what runs starts after it.
        let checksum = sqlx_checksum(version, &sql);
        let sql = match sql.strip_prefix(BOM) {
            Some(stripped) => stripped.to_string(),
            None => sql,
        };
        let no_transaction = sql.starts_with("-- no-transaction");
        Migration { version, description, file_name, path, sql, checksum, no_transaction }
    }
}

/// sqlx's own checksum computation, so the bytes are identical to what `sqlx migrate` records.
fn sqlx_checksum(version: i64, sql: &str) -> Vec<u8> {
    use sqlx::migrate::{Migration as SqlxMigration, MigrationType};
    use sqlx::{AssertSqlSafe, SqlSafeStr};
    let migration = SqlxMigration::new(
        version,
        std::borrow::Cow::Borrowed(""),
        MigrationType::Simple,
        AssertSqlSafe(sql).into_sql_str(),
        false,
    );
    migration.checksum.into_owned()
}

/// The UTF-8 byte order mark.
pub const BOM: char = '\u{feff}';

/// `.sql` files of a migrations directory that are no migration (`abc.sql`, `20240101-init.sql`,
/// `X.SQL`): sqlx and keel skip them, so their names are worth a word. Hidden files are left out.
pub fn ignored_files(dir: &Path) -> Result<Vec<String>, MigrateError> {
    let entries = std::fs::read_dir(dir).map_err(|source| MigrateError::Read { path: dir.to_path_buf(), source })?;
    let mut ignored = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let sql = name.to_ascii_lowercase().ends_with(".sql");
        if sql && !name.starts_with('.') && matches!(parse_file_name(&name), Ok(None)) && entry.path().is_file() {
            ignored.push(name);
        }
    }
    ignored.sort();
    Ok(ignored)
}

struct FileName {
    version: i64,
    description: String,
}

/// `Some` for a migration file, `None` for a file sqlx ignores.
fn parse_file_name(file_name: &str) -> Result<Option<FileName>, MigrateError> {
    let Some((version, rest)) = file_name.split_once('_') else { return Ok(None) };
    if !rest.ends_with(".sql") {
        return Ok(None);
    }
    let version = version.parse().map_err(|_| MigrateError::BadFileName { file: file_name.to_string() })?;
    if rest.ends_with(".up.sql") || rest.ends_with(".down.sql") {
        return Err(MigrateError::Reversible { file: file_name.to_string() });
    }
    // `trim_end_matches`, as sqlx: the description it records is the one compared by humans.
    Ok(Some(FileName { version, description: rest.trim_end_matches(".sql").replace('_', " ") }))
}

fn check_unique<'a>(sorted: impl IntoIterator<Item = &'a Migration>) -> Result<(), MigrateError> {
    let mut previous: Option<&Migration> = None;
    for migration in sorted {
        if let Some(first) = previous
            && first.version == migration.version
        {
            return Err(MigrateError::DuplicateVersion {
                version: first.version,
                first: first.file_name.clone(),
                second: migration.file_name.clone(),
            });
        }
        previous = Some(migration);
    }
    Ok(())
}

/// The migrations in version order, refusing two with one version (a caller may build the list itself).
pub(crate) fn ordered(migrations: &[Migration]) -> Result<Vec<&Migration>, MigrateError> {
    let mut sorted: Vec<&Migration> = migrations.iter().collect();
    sorted.sort_by(|a, b| a.version.cmp(&b.version).then_with(|| a.file_name.cmp(&b.file_name)));
    check_unique(sorted.iter().copied())?;
    Ok(sorted)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(name: &str) -> Option<(i64, String)> {
        parse_file_name(name).unwrap().map(|n| (n.version, n.description))
    }

    #[test]
    fn parses_names_like_sqlx() {
        assert_eq!(parse("20240101120000_create_users.sql"), Some((20240101120000, "create users".into())));
        assert_eq!(parse("1_a_b_c.sql"), Some((1, "a b c".into())));
        assert_eq!(parse("keel.sum"), None);
        assert_eq!(parse("README.md"), None);
        assert_eq!(parse("1_notes.txt"), None);
        assert_eq!(parse("nounderscore.sql"), None);
        assert!(matches!(parse_file_name("x_y.sql"), Err(MigrateError::BadFileName { file }) if file == "x_y.sql"));
        assert!(matches!(parse_file_name("1_y.up.sql"), Err(MigrateError::Reversible { .. })));
        assert!(matches!(parse_file_name("1_y.down.sql"), Err(MigrateError::Reversible { .. })));
    }

    #[test]
    fn marks_no_transaction_files() {
        assert!(
            Migration::new(1, "x", "1_x.sql", "-- no-transaction\nCREATE INDEX CONCURRENTLY i ON t (a);")
                .no_transaction
        );
        assert!(!Migration::new(1, "x", "1_x.sql", "\n-- no-transaction\n").no_transaction);
        assert_eq!(Migration::new(1, "x", "1_x.sql", "SELECT 1").checksum.len(), 48);
    }

    #[test]
    fn a_byte_order_mark_is_not_sent_but_is_checksummed() {
        let with = Migration::new(1, "x", "1_x.sql", "\u{feff}-- no-transaction\nSELECT 1");
        let without = Migration::new(1, "x", "1_x.sql", "-- no-transaction\nSELECT 1");
        assert_eq!(with.sql, without.sql);
        assert!(with.no_transaction);
        assert_ne!(with.checksum, without.checksum, "sqlx hashes the file as it is");
    }
}
