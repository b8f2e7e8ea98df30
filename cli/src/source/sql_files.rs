//! SQL files declared beside the derives (keel.toml `sql`, `--sql`): what is naturally SQL (views,
//! functions, triggers, policies, domains, extensions) is written as plain `.sql` files, run after the
//! declared tables in a scratch database; the desired schema is the union (DESIGN, "Where a desired schema
//! comes from").

use anyhow::{Context, bail};
// PostgreSQL's error position, as the migration runner reports it.
use keel_diff::migrate::line_and_column as locate;
use keel_diff::migrate::transaction_control;
use keel_diff::normalize::SqlFile;
use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};

/// The paths as given (a file, or a directory whose `*.sql` files run in file-name order) and the files
/// they name, in the order they run. A file named twice runs once, at its first place.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SqlFiles {
    pub given: Vec<PathBuf>,
    pub files: Vec<PathBuf>,
}

impl SqlFiles {
    /// Lists the files now, so a path that does not exist is an error before anything runs. A directory
    /// contributes its own `*.sql` files (not its subdirectories'; hidden files are skipped), sorted by name;
    /// an empty one contributes nothing.
    pub fn list(given: Vec<PathBuf>) -> anyhow::Result<SqlFiles> {
        let mut files = Vec::new();
        let mut seen = HashSet::new();
        for path in &given {
            let found = if path.is_dir() {
                sql_files_in(path)?
            } else if path.is_file() {
                vec![path.clone()]
            } else {
                bail!("{} does not exist (a .sql file or a directory of them)", path.display());
            };
            for file in found {
                if seen.insert(std::fs::canonicalize(&file).unwrap_or_else(|_| file.clone())) {
                    files.push(file);
                }
            }
        }
        Ok(SqlFiles { given, files })
    }

    /// No paths given (an empty directory is given, and has no files).
    pub fn is_empty(&self) -> bool {
        self.given.is_empty()
    }

    /// Every file's text, named by its path for messages. A file that controls transactions is refused:
    /// each runs as one query, one transaction, so a `ROLLBACK` would silently discard what came before it.
    pub fn read(&self) -> anyhow::Result<Vec<SqlFile>> {
        self.files
            .iter()
            .map(|path| {
                let sql = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
                // A byte order mark (some editors write one) is no SQL.
                let sql = sql.strip_prefix(keel_diff::migrate::BOM).map(str::to_string).unwrap_or(sql);
                let name = path.display().to_string();
                if let Some(found) = transaction_control(&sql).into_iter().next() {
                    bail!(
                        "{name}:{}:{}: `{}` is refused: {}; a declared SQL file runs as one query in one \
                         transaction: remove it",
                        found.line,
                        found.column,
                        found.statement,
                        found.reason
                    );
                }
                Ok(SqlFile { name, sql })
            })
            .collect()
    }
}

impl fmt::Display for SqlFiles {
    /// "the SQL in `schema`", "the SQL in `a.sql`, `views`".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let given: Vec<String> = self.given.iter().map(|p| format!("`{}`", p.display())).collect();
        write!(f, "the SQL in {}", given.join(", "))
    }
}

/// A directory's `*.sql` files, sorted by file name.
fn sql_files_in(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading the directory {}", dir.display()))? {
        let entry = entry.with_context(|| format!("reading the directory {}", dir.display()))?;
        let name = entry.file_name();
        let path = entry.path();
        let hidden = name.to_string_lossy().starts_with('.');
        if !hidden && path.extension().is_some_and(|x| x == "sql") && path.is_file() {
            names.push(name);
        }
    }
    names.sort();
    Ok(names.into_iter().map(|name| dir.join(name)).collect())
}

/// A declared SQL file that PostgreSQL rejected: `schema/views.sql:3:8: message (SQLSTATE 42P01); detail:
/// ...; hint: ...; line 3: `text``. The position is the file's: each file is sent as one query.
pub fn failure_text(file: &SqlFile, error: &sqlx::Error) -> String {
    let Some(db) = error.as_database_error() else { return format!("{}: {error}", file.name) };
    let pg = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>();
    let located = pg.and_then(|pg| match pg.position() {
        Some(sqlx::postgres::PgErrorPosition::Original(position)) => locate(&file.sql, position),
        _ => None,
    });
    let mut text = file.name.clone();
    if let Some((line, column, _)) = &located {
        text.push_str(&format!(":{line}:{column}"));
    }
    text.push_str(&format!(": {}", db.message()));
    if let Some(code) = db.code() {
        text.push_str(&format!(" (SQLSTATE {code})"));
    }
    if let Some(detail) = pg.and_then(|pg| pg.detail()) {
        text.push_str(&format!("; detail: {detail}"));
    }
    if let Some(hint) = pg.and_then(|pg| pg.hint()) {
        text.push_str(&format!("; hint: {hint}"));
    } else if db.code().is_some_and(|code| ["42P07", "42710", "42723"].contains(&code.as_ref())) {
        // duplicate_table (relations and indexes), duplicate_object, duplicate_function
        text.push_str(
            "; hint: the files run after the structs' tables and after the files before them, so an object is \
             declared in one place only",
        );
    } else if db.code().is_some_and(|code| code == "25001") {
        // active_sql_transaction: CREATE INDEX CONCURRENTLY and the like, in a file of several statements.
        text.push_str(
            "; hint: a file is sent as one query, which PostgreSQL runs as one transaction; declare the plain form \
             (CREATE INDEX): `keel generate --online` writes the CONCURRENTLY migration",
        );
    }
    if let Some((line, _, source)) = &located {
        text.push_str(&format!("; line {line}: `{}`", source.trim()));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_become_lines_and_columns() {
        let sql = "SELECT 1;\nSELEC 2;\n";
        assert_eq!(locate(sql, 11), Some((2, 1, "SELEC 2;".to_string())));
        assert_eq!(locate(sql, 3), Some((1, 3, "SELECT 1;".to_string())));
        // One past the end: "syntax error at end of input".
        assert_eq!(locate("SELECT (", 9), Some((1, 9, "SELECT (".to_string())));
        assert_eq!(locate("é\nx", 3), Some((2, 1, "x".to_string())), "positions count characters");
        assert_eq!(locate(sql, 0), None);
    }

    #[test]
    fn directories_list_their_sql_files_by_name_once() {
        let dir = std::env::temp_dir().join(format!("keel-sql-files-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("schema/sub")).expect("dirs");
        for name in ["schema/010_b.sql", "schema/002_a.sql", "schema/.#001.sql", "schema/notes.txt", "schema/sub/0.sql"]
        {
            std::fs::write(dir.join(name), "").expect("write");
        }
        let listed = SqlFiles::list(vec![dir.join("schema/010_b.sql"), dir.join("schema")]).expect("lists");
        assert_eq!(listed.files, [dir.join("schema/010_b.sql"), dir.join("schema/002_a.sql")]);
        let error = SqlFiles::list(vec![dir.join("nope")]).expect_err("missing").to_string();
        assert!(error.contains("does not exist"), "{error}");
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }
}
