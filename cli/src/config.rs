//! `keel.toml`: the project's defaults. Flags and the environment win over it; paths in it are relative
//! to the file. Values may name environment variables as `${NAME}` (the database URL should: passwords
//! do not belong in a committed file).

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The desired schema source.
    pub schema: Option<String>,
    /// The migrations directory.
    pub migrations: Option<PathBuf>,
    pub database_url: Option<String>,
    pub dev_url: Option<String>,
    #[serde(default)]
    pub migrate: MigrateConfig,
    /// Rule severities and per-table/column/file overrides for `keel lint`.
    #[serde(default)]
    pub lint: keel_diff::lint::LintConfig,
    /// Where the file was read from: relative paths in it are relative to its directory.
    #[serde(skip)]
    pub dir: PathBuf,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MigrateConfig {
    /// The tracking table; `_sqlx_migrations` is what `sqlx migrate` uses.
    pub table: Option<String>,
    /// Advisory lock id; default: the one sqlx derives from the database name.
    pub lock_id: Option<i64>,
    pub lock_wait_secs: Option<u64>,
    pub timeout_secs: Option<u64>,
    /// `lock_timeout` written into generated migrations and used by `--online`, in milliseconds; 0: none.
    pub lock_timeout_ms: Option<u64>,
}

impl Config {
    /// Reads `path`; a missing file is an empty configuration unless it was asked for explicitly.
    pub fn load(path: &Path, explicit: bool) -> anyhow::Result<Config> {
        let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")).to_path_buf();
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => {
                return Ok(Config { dir, ..Config::default() });
            }
            Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
        };
        let mut config: Config = toml::from_str(&text).with_context(|| format!("reading {}", path.display()))?;
        config.dir = dir;
        Ok(config)
    }

    /// A path from the file, relative to the file's directory.
    pub fn path(&self, path: &Path) -> PathBuf {
        if path.is_absolute() || self.dir == Path::new(".") {
            path.to_path_buf()
        } else if path == Path::new(".") {
            self.dir.clone()
        } else {
            self.dir.join(path)
        }
    }

    /// A schema source from the file: paths relative to the file's directory.
    pub fn schema_source(&self) -> Option<anyhow::Result<String>> {
        let source = expand_env(self.schema.as_deref()?);
        Some(source.map(|s| {
            if s == "empty" || s.contains("://") { s } else { self.path(Path::new(&s)).display().to_string() }
        }))
    }

    pub fn database_url(&self) -> anyhow::Result<Option<String>> {
        self.database_url.as_deref().map(expand_env).transpose().map(|url| url.filter(|u| !u.is_empty()))
    }

    pub fn dev_url(&self) -> anyhow::Result<Option<String>> {
        self.dev_url.as_deref().map(expand_env).transpose().map(|url| url.filter(|u| !u.is_empty()))
    }
}

/// `${NAME}` replaced by the variable's value; an unset variable is empty (so an unset DATABASE_URL
/// reads as "no database").
pub fn expand_env(value: &str) -> anyhow::Result<String> {
    let mut out = String::new();
    let mut rest = value;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('}') else { bail!("unclosed `${{` in {value:?}") };
        let name = &rest[start + 2..start + end];
        out.push_str(&std::env::var(name).unwrap_or_default());
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The `keel.toml` that `keel init` writes.
pub fn template(schema: &str, migrations: &str) -> String {
    let quote = |s: &str| toml::Value::String(s.to_string()).to_string();
    format!(
        "# keel configuration. Flags and the environment win over these; paths are relative to this file.\n\
         # Schema sources: an app crate directory, schema.sql, schema.json, a migrations directory, a URL, `empty`.\n\
         schema = {}\n\
         migrations = {}\n\
         # Read from the environment (and ./.env) so no password is committed.\n\
         database_url = \"${{DATABASE_URL}}\"\n\
         # A server for scratch databases; default: the database's server if its role may create databases,\n\
         # else a throwaway local cluster.\n\
         # dev_url = \"postgres://localhost/postgres\"\n\
         \n\
         [migrate]\n\
         # The tracking table `sqlx migrate` uses, so either tool can run these migrations. Services that\n\
         # share one database need one table each (e.g. \"billing._sqlx_migrations\"): a runner refuses\n\
         # rows it has no file for.\n\
         table = \"_sqlx_migrations\"\n\
         # Advisory lock id; default: the id sqlx derives from the database name (runners of one database\n\
         # then take turns, which is always safe).\n\
         # lock_id = 7231\n\
         lock_wait_secs = 60\n\
         timeout_secs = 300\n\
         # lock_timeout set by every generated migration that runs in a transaction (a `-- no-transaction`\n\
         # file, e.g. CREATE INDEX CONCURRENTLY, is one statement and cannot set it); 0: none.\n\
         lock_timeout_ms = 5000\n\
         \n\
         [lint]\n\
         # Severity per rule (error, warning, info, off); `keel lint --help` lists the rules.\n\
         # rules = {{ \"table-plural\" = \"off\" }}\n\
         # One rule (or \"*\") for one table, column or migration file:\n\
         # [[lint.overrides]]\n\
         # rule = \"timestamps\"\n\
         # table = \"audit_log\"\n\
         # severity = \"off\"\n",
        quote(schema),
        quote(migrations)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_reads_back() {
        let config: Config = toml::from_str(&template(".", "migrations")).expect("template parses");
        assert_eq!(config.schema.as_deref(), Some("."));
        assert_eq!(config.migrate.table.as_deref(), Some("_sqlx_migrations"));
        assert_eq!(config.migrate.lock_timeout_ms, Some(5000));
    }

    #[test]
    fn env_references_expand_and_unset_ones_are_empty() {
        assert_eq!(expand_env("a${KEEL_TEST_SURELY_UNSET}b").expect("expands"), "ab");
        assert!(expand_env("${OPEN").is_err());
    }
}
