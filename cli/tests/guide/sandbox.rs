//! A chapter run top to bottom, as a reader would: its own directory and database, files written where
//! the chapter says, shell blocks run with the built `keel` on PATH, SQL run in the database, printed
//! output compared with the chapter's `text` blocks.

use crate::harness::{KEEL, TempDir, app_target_dir, block_on, dev_url, server, workspace};
use crate::markdown::{Chapter, Kind};
use sqlx::{AssertSqlSafe, Connection, PgConnection};
use std::path::Path;
use std::process::{Command, Stdio};

/// A chapter's directory and database; kept until the run ends, for chapters that start from it.
pub struct Sandbox {
    pub dir: TempDir,
    pub database: String,
}

impl Sandbox {
    fn url(&self) -> String {
        server().url(&self.database)
    }

    /// A fresh sandbox: an empty directory and database.
    pub fn new(chapter: &str) -> Sandbox {
        let database = format!("keel_guide_{}_{}", stem(chapter), std::process::id());
        admin(&format!("CREATE DATABASE {}", quote(&database)));
        Sandbox { dir: TempDir::new(&format!("guide-{}", stem(chapter))), database }
    }

    /// A copy of `from` (directory without build outputs, database as a template), for `chapter`. The
    /// crate is renamed: cargo takes two path packages of one name and version for one another when they
    /// share a target directory (its library keeps its name, so the chapter's code still compiles).
    pub fn copy_of(from: &Sandbox, chapter: &str) -> Sandbox {
        let database = format!("keel_guide_{}_{}", stem(chapter), std::process::id());
        admin(&format!("CREATE DATABASE {} TEMPLATE {}", quote(&database), quote(&from.database)));
        let dir = TempDir::new(&format!("guide-{}", stem(chapter)));
        copy_dir(from.dir.path(), dir.path());
        let manifest = dir.join("Cargo.toml");
        if manifest.exists() {
            let mut cargo: toml::Table = toml::from_str(&std::fs::read_to_string(&manifest).expect("read Cargo.toml"))
                .expect("the sandbox's Cargo.toml parses");
            let package = cargo.get_mut("package").and_then(|p| p.as_table_mut()).expect("a [package]");
            let name = package["name"].as_str().expect("a package name").to_string();
            package.insert("name".into(), format!("guide_{}", stem(chapter).replace('-', "_")).into());
            let lib = cargo.entry("lib").or_insert_with(|| toml::Table::new().into());
            lib.as_table_mut().expect("[lib]").entry("name").or_insert(name.replace('-', "_").into());
            std::fs::write(&manifest, toml::to_string(&cargo).expect("serialize")).expect("write Cargo.toml");
        }
        Sandbox { dir, database }
    }

    pub fn drop_database(&self) {
        admin(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", quote(&self.database)));
    }
}

/// Runs every block of `chapter` that is not compiled elsewhere; returns the failures, each with its place.
pub fn run(chapter: &Chapter, sandbox: &Sandbox) -> Vec<String> {
    let mut failures = Vec::new();
    let mut last_output: Option<String> = None;
    for block in &chapter.blocks {
        let result = match &block.kind {
            Kind::Rust | Kind::SqlSchema => Ok(()),
            Kind::File { path } => write_file(sandbox, path, &block.code),
            Kind::KeelToml => keel_toml(sandbox, &block.code),
            Kind::Sql { error } => sql(sandbox, &block.code, error.as_deref()),
            Kind::Sh { exit } => sh(sandbox, &block.code, *exit).map(|output| {
                last_output = Some(output);
            }),
            Kind::Output => expect_output(last_output.as_deref().unwrap_or_default(), &block.code),
        };
        if let Err(e) = result {
            failures.push(format!("{}: {e}", block.place));
            // Later blocks build on this one: what they would report is noise.
            if matches!(block.kind, Kind::Sh { .. } | Kind::File { .. } | Kind::Sql { .. }) {
                break;
            }
        }
    }
    failures
}

fn write_file(sandbox: &Sandbox, path: &Path, text: &str) -> Result<(), String> {
    if path.is_absolute() || path.components().any(|c| c == std::path::Component::ParentDir) {
        return Err(format!("file={} must be a path inside the project", path.display()));
    }
    let text = if path == Path::new("Cargo.toml") { workspace_manifest(text)? } else { text.to_string() };
    sandbox.dir.write(&path.to_string_lossy(), &text);
    if path == Path::new("Cargo.toml") && !sandbox.dir.join("Cargo.lock").exists() {
        // The workspace's versions, so the sandbox resolves like the workspace does.
        std::fs::copy(workspace().join("Cargo.lock"), sandbox.dir.join("Cargo.lock")).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// A reader's Cargo.toml with keel's crates taken from this workspace, as its own workspace.
fn workspace_manifest(text: &str) -> Result<String, String> {
    let mut cargo: toml::Table = toml::from_str(text).map_err(|e| format!("Cargo.toml does not parse: {e}"))?;
    for section in ["dependencies", "dev-dependencies"] {
        let Some(deps) = cargo.get_mut(section).and_then(|d| d.as_table_mut()) else { continue };
        for (name, dir) in [("keel", "keel"), ("keel-diff", "diff-engine")] {
            let Some(dep) = deps.get_mut(name) else { continue };
            let path = toml::Value::from(workspace().join(dir).display().to_string());
            match dep {
                toml::Value::String(_) => *dep = toml::Value::Table([("path".to_string(), path)].into_iter().collect()),
                toml::Value::Table(t) => {
                    t.remove("version");
                    t.insert("path".into(), path);
                }
                _ => return Err(format!("[{section}] {name} is neither a version nor a table")),
            }
        }
    }
    cargo.entry("workspace").or_insert_with(|| toml::Table::new().into());
    toml::to_string(&cargo).map_err(|e| e.to_string())
}

fn keel_toml(sandbox: &Sandbox, text: &str) -> Result<(), String> {
    let path = sandbox.dir.write(".guide-keel.toml", text);
    let config = keel_cli::config::Config::load(&path, true).map_err(|e| format!("{e:#}"))?;
    let problems = config.lint.problems();
    if problems.is_empty() { Ok(()) } else { Err(problems.join("; ")) }
}

fn sql(sandbox: &Sandbox, text: &str, expected_error: Option<&str>) -> Result<(), String> {
    let url = sandbox.url();
    let result = block_on(async {
        let mut conn = PgConnection::connect(&url).await?;
        let result = sqlx::raw_sql(AssertSqlSafe(text.to_string())).execute(&mut conn).await.map(|_| ());
        conn.close().await?;
        result
    });
    let code = match &result {
        Err(sqlx::Error::Database(e)) => e.code().map(|c| c.into_owned()),
        _ => None,
    };
    match (result, expected_error) {
        (Ok(()), None) => Ok(()),
        (Err(e), None) => Err(format!("the SQL fails: {e}")),
        (Ok(()), Some(expected)) => Err(format!("the SQL succeeds; the guide says it fails with {expected}")),
        (Err(_), Some(expected)) if code.as_deref() == Some(expected) => Ok(()),
        (Err(e), Some(expected)) => Err(format!("the SQL fails with {code:?} ({e}); the guide says {expected}")),
    }
}

/// Runs a shell block; returns what it printed, stdout and stderr interleaved as on a terminal.
fn sh(sandbox: &Sandbox, script: &str, expected_exit: i32) -> Result<String, String> {
    let keel_dir = Path::new(KEEL).parent().expect("the binary's directory");
    let path = std::env::join_paths(
        std::iter::once(keel_dir.to_path_buf())
            .chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
    )
    .expect("a PATH");
    let output = Command::new("bash")
        .arg("-c")
        .arg(format!("set -euo pipefail\nexec 2>&1\n{script}"))
        .current_dir(sandbox.dir.path())
        .env("PATH", path)
        .env("DATABASE_URL", sandbox.url())
        .env("KEEL_DEV_URL", dev_url())
        .env("CARGO_TARGET_DIR", app_target_dir())
        .env("NO_COLOR", "1")
        .env_remove("TEST_DATABASE_URL")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("running bash: {e}"))?;
    let printed = String::from_utf8_lossy(&output.stdout).into_owned();
    let code = output.status.code().unwrap_or(-1);
    if code == expected_exit {
        Ok(printed)
    } else {
        Err(format!("the block exits with {code}, the guide says {expected_exit}; it printed:\n{printed}"))
    }
}

/// Every non-blank line of `expected` appears, in order, within the lines of `printed`; `[..]` matches
/// anything.
pub fn expect_output(printed: &str, expected: &str) -> Result<(), String> {
    let mut lines = printed.lines();
    for wanted in expected.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if !lines.by_ref().any(|line| matches_line(line, wanted)) {
            return Err(format!("the output has no line like `{wanted}` (in this order); it printed:\n{printed}"));
        }
    }
    Ok(())
}

fn matches_line(line: &str, pattern: &str) -> bool {
    let mut parts = pattern.split("[..]");
    let first = parts.next().unwrap_or_default();
    let Some(start) = line.find(first) else { return false };
    let mut rest = &line[start + first.len()..];
    for part in parts {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    true
}

fn admin(sql: &str) {
    let url = server().url("postgres");
    block_on(async {
        let mut conn = PgConnection::connect(&url).await?;
        sqlx::raw_sql(AssertSqlSafe(sql.to_string())).execute(&mut conn).await?;
        conn.close().await
    })
    .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

fn quote(name: &str) -> String {
    keel_core::sql::quote_ident(name)
}

fn stem(chapter: &str) -> &str {
    chapter.trim_end_matches(".md")
}

/// Copies a directory tree, leaving out build outputs.
fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("read a sandbox") {
        let entry = entry.expect("an entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("a file type").is_dir() {
            if entry.file_name() != "target" {
                std::fs::create_dir_all(&target).expect("create a directory");
                copy_dir(&entry.path(), &target);
            }
        } else {
            std::fs::copy(entry.path(), &target).expect("copy a file");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{expect_output, matches_line};

    #[test]
    fn output_lines_match_in_order_with_wildcards() {
        assert!(matches_line("wrote migrations/20260101000000_init.sql", "wrote migrations/[..]_init.sql"));
        assert!(!matches_line("wrote migrations/2026_init.txt", "wrote migrations/[..]_init.sql"));
        let printed = "a one\nb two\nc three\n";
        assert!(expect_output(printed, "one\n\nthree\n").is_ok());
        assert!(expect_output(printed, "three\none\n").is_err());
    }
}
