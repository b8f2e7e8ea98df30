//! Schema sources: one syntax for every command that reads a schema (`postgres://...`, `empty`, a `.sql`
//! file, a `.json` file, a migrations directory, an app crate directory).

mod app_crate;
mod sql_files;

pub use app_crate::{DUMP_TARGET, dump_target_source, lib_name};
pub use sql_files::{SqlFiles, failure_text as sql_failure_text};

use anyhow::{Context, bail};
use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Database(String),
    Empty,
    SqlFile(PathBuf),
    JsonFile(PathBuf),
    Migrations(PathBuf),
    Crate(PathBuf),
}

impl Source {
    pub fn parse(text: &str) -> anyhow::Result<Source> {
        let text = text.trim();
        if text == "empty" {
            return Ok(Source::Empty);
        }
        let path = PathBuf::from(text);
        // A URL, or what was meant as one (`user:password@host/db`, no scheme): never echoed, never a path.
        let credentials = text.split_once('@').is_some_and(|(user, _)| user.contains(':'));
        if text.contains("://") || (credentials && !path.exists()) {
            return Ok(Source::Database(crate::db_url::parse(text, "the schema source")?));
        }
        match path.extension().and_then(|e| e.to_str()) {
            Some("sql") => return Ok(Source::SqlFile(existing(path)?)),
            Some("json") => return Ok(Source::JsonFile(existing(path)?)),
            _ => {}
        }
        if path.is_dir() {
            if path.join("Cargo.toml").is_file() {
                return Ok(Source::Crate(path));
            }
            if !has_sql_files(&path) {
                bail!(
                    "`{text}` is neither an app crate (no Cargo.toml) nor a migrations directory (no .sql files); \
                     use `empty` for the empty schema"
                );
            }
            return Ok(Source::Migrations(path));
        }
        if path.exists() {
            bail!("`{text}` is neither a .sql nor a .json file nor a directory; see `keel --help` for schema sources");
        }
        bail!("schema source `{text}` does not exist; see `keel --help` for schema sources")
    }

    /// Whether the schema is declared (and must be normalized through PostgreSQL before comparing).
    pub fn is_declared(&self) -> bool {
        matches!(self, Source::JsonFile(_) | Source::Crate(_))
    }

    /// Whether two sources are the same one: the same kind at the same place (paths compared resolved).
    pub fn same_as(&self, other: &Source) -> bool {
        let same_path = |a: &Path, b: &Path| match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
            (Ok(a), Ok(b)) => a == b,
            _ => a == b,
        };
        match (self, other) {
            (Source::Empty, Source::Empty) => true,
            (Source::Database(a), Source::Database(b)) => a == b,
            (Source::SqlFile(a), Source::SqlFile(b))
            | (Source::JsonFile(a), Source::JsonFile(b))
            | (Source::Migrations(a), Source::Migrations(b))
            | (Source::Crate(a), Source::Crate(b)) => same_path(a, b),
            _ => false,
        }
    }
}

/// A desired schema: a source, and the SQL files declared beside it that run after its tables (keel.toml
/// `sql`, `--sql`; only beside a crate or a `.json` schema).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Desired {
    pub source: Source,
    pub sql: SqlFiles,
}

impl Desired {
    /// A source with no SQL files beside it.
    pub fn plain(source: Source) -> Desired {
        Desired { source, sql: SqlFiles::default() }
    }
}

impl fmt::Display for Desired {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.sql.is_empty() { write!(f, "{}", self.source) } else { write!(f, "{} with {}", self.source, self.sql) }
    }
}

/// Whether a directory holds `.sql` files.
pub fn has_sql_files(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .is_ok_and(|entries| entries.filter_map(Result::ok).any(|e| e.path().extension().is_some_and(|x| x == "sql")))
}

fn existing(path: PathBuf) -> anyhow::Result<PathBuf> {
    if !path.is_file() {
        bail!("schema source {} does not exist", path.display());
    }
    Ok(path)
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Database(url) => write!(f, "database {}", crate::redact::redact(url)),
            Source::Empty => write!(f, "the empty schema"),
            Source::SqlFile(p) => write!(f, "SQL file {}", p.display()),
            Source::JsonFile(p) => write!(f, "schema JSON {}", p.display()),
            Source::Migrations(p) => write!(f, "the migrations in `{}`", p.display()),
            Source::Crate(p) => write!(f, "the crate in `{}`", display_dir(p)),
        }
    }
}

fn display_dir(path: &Path) -> String {
    match path.to_str() {
        Some("") => ".".to_string(),
        _ => path.display().to_string(),
    }
}

/// Reads a schema JSON file.
pub fn read_json(path: &Path) -> anyhow::Result<keel_core::Schema> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    keel_core::Schema::from_json(&text).with_context(|| format!("reading {}", path.display()))
}

pub use app_crate::dump as dump_crate;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_parse_by_shape() {
        assert_eq!(Source::parse("empty").expect("empty"), Source::Empty);
        assert!(matches!(Source::parse("postgres://u@h/db").expect("url"), Source::Database(_)));
        assert!(Source::parse("mysql://u@h/db").is_err());
        assert!(Source::parse("/surely/not/here.sql").is_err());
        let dir = std::env::temp_dir().join(format!("keel-source-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        assert!(Source::parse(dir.to_str().expect("utf-8")).is_err(), "an empty directory is no schema");
        std::fs::write(dir.join("1_a.sql"), "").expect("write");
        assert_eq!(Source::parse(dir.to_str().expect("utf-8")).expect("dir"), Source::Migrations(dir.clone()));
        std::fs::write(dir.join("Cargo.toml"), "").expect("write");
        assert_eq!(Source::parse(dir.to_str().expect("utf-8")).expect("crate"), Source::Crate(dir.clone()));
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }
}
