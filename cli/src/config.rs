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
    /// SQL files declared beside the derives (views, functions, triggers...): a file, or a directory whose
    /// `*.sql` files run in file-name order, or a list of them; they run after the schema's tables.
    pub sql: Option<SqlPaths>,
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

/// `sql = "schema"` or `sql = ["schema/types.sql", "schema/views"]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(untagged, expecting = "a path or a list of paths (`sql = \"schema\"`, `sql = [\"a.sql\", \"views\"]`)")]
pub enum SqlPaths {
    One(String),
    Many(Vec<String>),
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
    /// `lock_timeout` of every migration `migrate` runs and every `push`, also written into generated
    /// migrations, in milliseconds; 0: none.
    pub lock_timeout_ms: Option<u64>,
}

impl MigrateConfig {
    /// Durations in range: seconds up to a year, `lock_timeout_ms` up to PostgreSQL's largest.
    fn check(&self) -> anyhow::Result<()> {
        let max_secs = keel_diff::migrate::MAX_DURATION.as_secs();
        let settings = [
            ("lock_wait_secs", self.lock_wait_secs, max_secs),
            ("timeout_secs", self.timeout_secs, max_secs),
            ("lock_timeout_ms", self.lock_timeout_ms, i32::MAX as u64),
        ];
        for (name, value, max) in settings {
            if let Some(value) = value
                && value > max
            {
                bail!("[migrate] {name} = {value} is out of range: 0 to {max}");
            }
        }
        Ok(())
    }
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
        config.migrate.check().with_context(|| format!("reading {}", path.display()))?;
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

    /// The `sql` paths, `${VAR}`s expanded (an entry that expands to nothing is dropped) and relative to
    /// the file's directory; `None` when the key is absent (`sql = []` configures no files).
    pub fn sql_paths(&self) -> Option<anyhow::Result<Vec<PathBuf>>> {
        let entries = match self.sql.as_ref()? {
            SqlPaths::One(path) => std::slice::from_ref(path),
            SqlPaths::Many(paths) => paths.as_slice(),
        };
        let expanded = entries.iter().map(|entry| expand_env(entry)).collect::<anyhow::Result<Vec<String>>>();
        Some(expanded.map(|entries| {
            entries.iter().map(|e| e.trim()).filter(|e| !e.is_empty()).map(|e| self.path(Path::new(e))).collect()
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

/// The `keel.toml` that `keel init` writes; `sql` (from `keel init --sql`) is written as set, else as a
/// commented-out example.
pub fn template(schema: &str, migrations: &str, sql: &[String]) -> String {
    let quote = |s: &str| toml::Value::String(s.to_string()).to_string();
    let sql = match sql {
        [] => "# sql = \"schema\"".to_string(),
        [one] => format!("sql = {}", quote(one)),
        many => format!("sql = [{}]", many.iter().map(|s| quote(s)).collect::<Vec<_>>().join(", ")),
    };
    format!(
        "# keel configuration. Flags and the environment win over these; paths are relative to this file.\n\
         # Schema sources: an app crate directory, schema.sql, schema.json, a migrations directory, a URL, `empty`.\n\
         schema = {}\n\
         migrations = {}\n\
         # What is naturally SQL (views, functions, triggers, policies, domains, extensions) is declared in .sql\n\
         # files beside the structs: a directory whose *.sql files run in file-name order after the structs'\n\
         # tables, a file, or a list of both (`[\"schema/types.sql\", \"schema/views\"]`). The desired schema is\n\
         # the union. Read only when set here or given as --sql; it needs `schema` to be a crate or a .json.\n\
         {sql}\n\
         # Read from the environment (and ./.env) so no password is committed. `keel check` does not read it:\n\
         # it checks a database only when --database-url names one.\n\
         database_url = \"${{DATABASE_URL}}\"\n\
         # A server where keel may create and drop scratch databases (never production); default: a throwaway\n\
         # cluster from the local PostgreSQL binaries (`push`: its database's server, if the role may create\n\
         # databases). Also KEEL_DEV_URL, --dev-url.\n\
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
         # lock_timeout of every migration `keel migrate` runs (a file's own SET overrides it), of every\n\
         # `keel push`, and written into generated migrations; 0: none.\n\
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
        let config: Config = toml::from_str(&template(".", "migrations", &[])).expect("template parses");
        assert_eq!(config.schema.as_deref(), Some("."));
        assert_eq!(config.sql, None, "the template only shows `sql`");
        let config: Config = toml::from_str(&template(".", "migrations", &["schema".into()])).expect("parses");
        assert_eq!(config.sql, Some(SqlPaths::One("schema".into())));
        let two = ["a b.sql".to_string(), "views".to_string()];
        let config: Config = toml::from_str(&template(".", "migrations", &two)).expect("parses");
        assert_eq!(config.sql, Some(SqlPaths::Many(two.to_vec())));
        assert_eq!(config.migrate.table.as_deref(), Some("_sqlx_migrations"));
        assert_eq!(config.migrate.lock_timeout_ms, Some(5000));
    }

    #[test]
    fn sql_paths_are_one_or_many_relative_to_the_file_and_expanded() {
        let read = |text: &str| {
            let mut config: Config = toml::from_str(text).expect("parses");
            config.dir = PathBuf::from("app");
            config
        };
        let paths = |config: &Config| config.sql_paths().map(|p| p.expect("expands"));
        assert_eq!(paths(&read("schema = \".\"")), None);
        assert_eq!(paths(&read("sql = \"schema\"")), Some(vec![PathBuf::from("app/schema")]));
        assert_eq!(paths(&read("sql = []")), Some(vec![]));
        assert_eq!(
            paths(&read("sql = [\"/abs/x.sql\", \"${KEEL_TEST_SURELY_UNSET}\", \"v${KEEL_TEST_SURELY_UNSET}\"]")),
            Some(vec![PathBuf::from("/abs/x.sql"), PathBuf::from("app/v")])
        );
        let error = toml::from_str::<Config>("sql = 3").expect_err("a number is no path").to_string();
        assert!(error.contains("a path or a list of paths"), "{error}");
    }

    #[test]
    fn env_references_expand_and_unset_ones_are_empty() {
        assert_eq!(expand_env("a${KEEL_TEST_SURELY_UNSET}b").expect("expands"), "ab");
        assert!(expand_env("${OPEN").is_err());
    }
}
