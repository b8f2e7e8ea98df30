//! A chapter run top to bottom, as a reader would: its own directory, files written where the chapter
//! says, shell blocks run in one terminal's environment (the built `keel` on PATH, and only what the
//! chapter's blocks exported: the chapter creates its database), SQL run in the chapter's database, printed
//! output compared with the chapter's `text` blocks.

use crate::harness::{KEEL, TempDir, app_target_dir, block_on, server, workspace};
use crate::markdown::{Chapter, Kind};
use crate::output::expect_output;
use sqlx::postgres::PgConnectOptions;
use sqlx::{AssertSqlSafe, Connection, PgConnection};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};

/// A chapter's directory and the environment of its terminal; kept until the run ends, for chapters that
/// start from it.
pub struct Sandbox {
    pub dir: TempDir,
    /// The harness's own files (each block's environment as it ended), outside the reader's project.
    state: TempDir,
    /// What a reader's terminal holds: a few basics (see [`reader_env`]), then what the chapter's blocks
    /// exported. The harness adds no database: the chapter makes its own and exports `DATABASE_URL`.
    pub env: BTreeMap<String, String>,
    blocks_run: usize,
    /// The name the chapter's database was given when the chapter ended (see [`Sandbox::park_database`]).
    parked: Option<String>,
}

impl Sandbox {
    /// A fresh sandbox: an empty directory, and a terminal as a reader opens one.
    pub fn new(chapter: &str) -> Sandbox {
        Sandbox {
            dir: TempDir::new(&format!("guide-{}", stem(chapter))),
            state: TempDir::new(&format!("guide-state-{}", stem(chapter))),
            env: reader_env(),
            blocks_run: 0,
            parked: None,
        }
    }

    /// A copy of `from` for `chapter`: its directory without build outputs, its environment, and its
    /// database, copied under the name the chapter's `DATABASE_URL` gives it (the original was parked by
    /// [`Sandbox::park_database`]). The crate is renamed: cargo takes two path packages of one name and
    /// version for one another when they share a target directory (its library keeps its name, so the
    /// chapter's code still compiles).
    pub fn copy_of(from: &Sandbox, chapter: &str) -> Result<Sandbox, String> {
        let mut sandbox = Sandbox::new(chapter);
        sandbox.env = from.env.clone();
        if let Some(parked) = &from.parked {
            let database = database_of(from.env.get("DATABASE_URL").expect("a parked database has a URL"))?;
            admin(&format!("CREATE DATABASE {} TEMPLATE {}", quote(&database), quote(parked)))?;
        }
        copy_dir(from.dir.path(), sandbox.dir.path());
        let manifest = sandbox.dir.join("Cargo.toml");
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
        Ok(sandbox)
    }

    /// The chapter's database (the one its `DATABASE_URL` names), on the harness's server.
    fn database_url(&self) -> Result<String, String> {
        let url = self.env.get("DATABASE_URL").ok_or(
            "a `sql` block before the chapter exports DATABASE_URL: a reader would not know which database it is",
        )?;
        Ok(server().url(&database_of(url)?))
    }

    /// Renames the database the chapter ended with (`DATABASE_URL`'s) to one of the harness's, so the
    /// chapters that start from this one each copy it under the name their inherited `DATABASE_URL` gives.
    pub fn park_database(&mut self, chapter: &str) -> Result<(), String> {
        let Some(url) = self.env.get("DATABASE_URL") else { return Ok(()) };
        let database = database_of(url)?;
        let parked = format!("keel_guide_{}_{}", stem(chapter).replace('-', "_"), std::process::id());
        admin(&format!("ALTER DATABASE {} RENAME TO {}", quote(&database), quote(&parked)))
            .map_err(|e| format!("after the chapter, its database: {e}"))?;
        self.parked = Some(parked);
        Ok(())
    }

    /// Drops the chapter's parked database.
    pub fn drop_database(&self) {
        if let Some(parked) = &self.parked {
            let _ = admin(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", quote(parked)));
        }
    }
}

/// The environment of a terminal on a machine with Rust and a local PostgreSQL: `PATH` (with the built
/// `keel` first, then the harness server's binaries: the local PostgreSQL keel starts its throwaway
/// clusters from is the version under test, `KEEL_PG_BINDIR`'s in the matrix), `HOME`, the toolchain's `CARGO_HOME`/`RUSTUP_HOME` when set, `PGHOST`/`PGPORT`/`PGUSER` (the
/// harness's server, where a reader's libpq defaults would find theirs), `NO_COLOR`, and `CARGO_TARGET_DIR`
/// (only so the chapters' crates share one build cache).
fn reader_env() -> BTreeMap<String, String> {
    let keel_dir = Path::new(KEEL).parent().expect("the binary's directory");
    let server_bindir = server().program("initdb").and_then(|initdb| Some(initdb.parent()?.to_path_buf()));
    let path = std::env::join_paths(
        std::iter::once(keel_dir.to_path_buf())
            .chain(server_bindir)
            .chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
    )
    .expect("a PATH");
    let server: PgConnectOptions = server().url("postgres").parse().expect("the server's URL parses");
    let mut env = BTreeMap::from([
        ("PATH".to_string(), path.to_string_lossy().into_owned()),
        ("NO_COLOR".to_string(), "1".to_string()),
        ("CARGO_TARGET_DIR".to_string(), app_target_dir().display().to_string()),
        ("PGHOST".to_string(), server.get_host().to_string()),
        ("PGPORT".to_string(), server.get_port().to_string()),
        ("PGUSER".to_string(), server.get_username().to_string()),
    ]);
    for name in ["HOME", "CARGO_HOME", "RUSTUP_HOME", "TMPDIR"] {
        if let Ok(value) = std::env::var(name) {
            env.insert(name.to_string(), value);
        }
    }
    env
}

/// The database a `postgres://` URL names.
fn database_of(url: &str) -> Result<String, String> {
    let options: PgConnectOptions = url.parse().map_err(|e| format!("DATABASE_URL `{url}`: {e}"))?;
    options.get_database().map(str::to_string).ok_or(format!("DATABASE_URL `{url}` names no database"))
}

/// Runs every block of `chapter` that is not compiled elsewhere; returns the failures, each with its place.
pub fn run(chapter: &Chapter, sandbox: &mut Sandbox) -> Vec<String> {
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
    let url = sandbox.database_url()?;
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

/// Runs a shell block in the chapter's terminal; returns what it printed, stdout and stderr interleaved as
/// on a terminal. What the block exported stays for the next blocks, as in one terminal.
fn sh(sandbox: &mut Sandbox, script: &str, expected_exit: i32) -> Result<String, String> {
    sandbox.blocks_run += 1;
    let env_file = sandbox.state.join(&format!("env-{}", sandbox.blocks_run));
    let env_path = env_file.to_str().filter(|p| !p.contains(['\'', '"', '$', '`', '\\'])).expect("a plain path");
    let output = Command::new("bash")
        .arg("-c")
        .arg(format!("set -euo pipefail\nexec 2>&1\ntrap 'env -0 > \"{env_path}\"' EXIT\n{script}"))
        .current_dir(sandbox.dir.path())
        .env_clear()
        .envs(&sandbox.env)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("running bash: {e}"))?;
    let printed = String::from_utf8_lossy(&output.stdout).into_owned();
    let code = output.status.code().unwrap_or(-1);
    if code != expected_exit {
        return Err(format!("the block exits with {code}, the guide says {expected_exit}; it printed:\n{printed}"));
    }
    let exported = std::fs::read(&env_file).map_err(|e| format!("reading the environment the block left: {e}"))?;
    let exported = String::from_utf8_lossy(&exported);
    let pairs = exported.split('\0').filter_map(|pair| pair.split_once('='));
    // In a terminal the next blocks would run where a `cd` left it; here each starts in the project.
    if let Some((_, pwd)) = pairs.clone().find(|(name, _)| *name == "PWD")
        && std::fs::canonicalize(pwd).ok() != std::fs::canonicalize(sandbox.dir.path()).ok()
    {
        return Err(format!(
            "the block ends in {pwd}, not in the project's directory: the blocks after it would run there in a \
             terminal, and the harness does not follow (change directory in a subshell: `(cd dir && ...)`)"
        ));
    }
    sandbox.env = pairs
        // Variables bash keeps for itself: a terminal's next prompt resets them.
        .filter(|(name, _)| !["_", "SHLVL", "PWD", "OLDPWD"].contains(name))
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect();
    Ok(printed)
}

fn admin(sql: &str) -> Result<(), String> {
    let url = server().url("postgres");
    block_on(async {
        let mut conn = PgConnection::connect(&url).await?;
        sqlx::raw_sql(AssertSqlSafe(sql.to_string())).execute(&mut conn).await?;
        conn.close().await
    })
    .map_err(|e| format!("{sql}: {e}"))
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
    use super::{Sandbox, run};
    use crate::markdown::chapter;

    /// A reader's terminal has only what the chapter's own blocks exported (and what any shell has).
    #[test]
    fn a_block_sees_only_what_earlier_blocks_of_the_chapter_exported() {
        let relies_on_the_harness = chapter("t.md", "```sh\necho \"$DATABASE_URL\"\n```\n").expect("a chapter");
        let mut sandbox = Sandbox::new("t.md");
        assert_eq!(run(&relies_on_the_harness, &mut sandbox).len(), 1, "DATABASE_URL is the chapter's to set");
        let exports = chapter(
            "t.md",
            "```sh\ntest -z \"${KEEL_DEV_URL:-}\"\nexport GREETING=hello\n```\n\n```sh\necho \"$GREETING\"\n```\n\n\
             ```text\nhello\n```\n",
        )
        .expect("a chapter");
        let mut sandbox = Sandbox::new("t.md");
        let failures = run(&exports, &mut sandbox);
        assert!(failures.is_empty(), "{failures:?}");
    }

    /// keel's throwaway clusters in a chapter (started from the `initdb` on PATH) are of the harness server's
    /// version, the one the matrix chose with `KEEL_PG_BINDIR`, not whichever PostgreSQL the machine has.
    #[test]
    fn a_chapters_local_postgresql_is_the_harness_servers() {
        let initdb = crate::harness::server().program("initdb").expect("the harness server's initdb");
        let which = chapter("t.md", "```sh\ncommand -v initdb\n```\n").expect("a chapter");
        let mut sandbox = Sandbox::new("t.md");
        let found = super::sh(&mut sandbox, &which.blocks[0].code, 0).expect("the block runs");
        assert_eq!(found.trim(), initdb.display().to_string());
    }

    /// A `cd` a terminal would keep is not silently undone for the blocks after it.
    #[test]
    fn a_block_that_changes_directory_fails() {
        let moves = chapter("t.md", "```sh\nmkdir app\ncd app\n```\n\n```sh\ntest -d app\n```\n").expect("a chapter");
        let failures = run(&moves, &mut Sandbox::new("t.md"));
        assert_eq!(failures.len(), 1, "{failures:?}");
        assert!(failures[0].contains("not in the project's directory"), "{failures:?}");
        let subshell = chapter("t.md", "```sh\nmkdir app\n(cd app && pwd)\n```\n").expect("a chapter");
        let failures = run(&subshell, &mut Sandbox::new("t.md"));
        assert!(failures.is_empty(), "{failures:?}");
    }
}
