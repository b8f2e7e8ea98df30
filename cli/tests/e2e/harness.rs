//! The harness: the built `keel` binary with a clean environment, scratch databases on a real server, app
//! crates and migration directories in temporary directories.

use keel_test_support::{ScratchDatabase, Server, shared_server};
use serde_json::Value;
use sqlx::{AssertSqlSafe, Connection, PgConnection};
use std::future::Future;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, MutexGuard};

/// The binary under test.
pub const KEEL: &str = env!("CARGO_BIN_EXE_keel");

/// The workspace root (`/work/main`).
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("cli/ is in the workspace").to_path_buf()
}

/// Where app crates build: shared by every test and every run, so their dependencies compile once.
/// `e2e-apps` in the workspace's target directory (`CARGO_TARGET_DIR` when set).
pub fn app_target_dir() -> PathBuf {
    let target = match std::env::var_os("CARGO_TARGET_DIR").filter(|d| !d.is_empty()) {
        Some(dir) => workspace().join(dir),
        None => workspace().join("target"),
    };
    target.join("e2e-apps")
}

/// `TEST_DATABASE_URL`, else `DATABASE_URL`, else a throwaway cluster shared by this test binary.
pub fn server() -> &'static Server {
    shared_server().unwrap_or_else(|e| panic!("no PostgreSQL for the end-to-end tests: {e}"))
}

/// The server's maintenance database, passed as `--dev-url` so keel makes its scratch databases there
/// instead of starting a cluster per call.
pub fn dev_url() -> String {
    server().url("postgres")
}

/// Runs a future to completion on a runtime of its own (the tests are synchronous: they mostly wait for
/// processes).
pub fn block_on<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a tokio runtime").block_on(future)
}

// ---------------------------------------------------------------------------------------------------------
// Databases
// ---------------------------------------------------------------------------------------------------------

/// A fresh database, dropped when the value is dropped.
pub struct Db {
    pub url: String,
    database: Option<ScratchDatabase>,
}

impl Db {
    /// A fresh database on the shared server.
    pub fn new() -> Db {
        Db::on(server())
    }

    pub fn on(server: &Server) -> Db {
        let database = block_on(server.create_database()).expect("create a scratch database");
        Db { url: database.url.clone(), database: Some(database) }
    }

    /// Runs SQL (any number of statements).
    pub fn exec(&self, sql: &str) {
        let url = self.url.clone();
        block_on(async move {
            let mut conn = PgConnection::connect(&url).await?;
            sqlx::raw_sql(AssertSqlSafe(sql.to_string())).execute(&mut conn).await?;
            conn.close().await
        })
        .unwrap_or_else(|e| panic!("running {sql}: {e}"));
    }

    /// The single `bigint` a query returns (cast in SQL: `count(*)` is one already).
    pub fn int(&self, sql: &str) -> i64 {
        let url = self.url.clone();
        block_on(async move {
            let mut conn = PgConnection::connect(&url).await?;
            let value: i64 = sqlx::query_scalar(AssertSqlSafe(sql.to_string())).fetch_one(&mut conn).await?;
            conn.close().await?;
            Ok::<_, sqlx::Error>(value)
        })
        .unwrap_or_else(|e| panic!("running {sql}: {e}"))
    }

    /// The first column of every row, as text (cast in SQL), NULL as `None`.
    pub fn texts(&self, sql: &str) -> Vec<Option<String>> {
        let url = self.url.clone();
        block_on(async move {
            let mut conn = PgConnection::connect(&url).await?;
            let values: Vec<Option<String>> =
                sqlx::query_scalar(AssertSqlSafe(sql.to_string())).fetch_all(&mut conn).await?;
            conn.close().await?;
            Ok::<_, sqlx::Error>(values)
        })
        .unwrap_or_else(|e| panic!("running {sql}: {e}"))
    }

    /// The columns of `public.<table>`, in order.
    pub fn columns(&self, table: &str) -> Vec<String> {
        self.texts(&format!(
            "SELECT column_name::text FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name = '{table}' ORDER BY ordinal_position"
        ))
        .into_iter()
        .flatten()
        .collect()
    }

    /// Whether `public.<table>` exists.
    pub fn has_table(&self, table: &str) -> bool {
        self.int(&format!("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename = '{table}'")) == 1
    }

    /// Rows of the migration tracking table: `(version, description)` in version order.
    pub fn applied(&self) -> Vec<(i64, String)> {
        let url = self.url.clone();
        block_on(async move {
            let mut conn = PgConnection::connect(&url).await?;
            let rows: Vec<(i64, String)> =
                sqlx::query_as("SELECT version, description FROM _sqlx_migrations WHERE success ORDER BY version")
                    .fetch_all(&mut conn)
                    .await?;
            conn.close().await?;
            Ok::<_, sqlx::Error>(rows)
        })
        .unwrap_or_else(|e| panic!("reading _sqlx_migrations: {e}"))
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        if let Some(database) = self.database.take() {
            // Not while unwinding from a failed assertion: the database is kept for a look.
            if std::thread::panicking() {
                eprintln!("kept database {} for inspection", database.url);
                return;
            }
            if let Err(e) = block_on(database.drop_database()) {
                eprintln!("dropping a scratch database: {e}");
            }
        }
    }
}

/// `postgres://user:password@host...` from `postgres://user@host...`.
pub fn with_password(url: &str, password: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("a URL");
    match rest.split_once('@') {
        Some((user, host)) => format!("{scheme}://{}:{password}@{host}", user.split(':').next().unwrap_or(user)),
        None => format!("{scheme}://postgres:{password}@{rest}"),
    }
}

// ---------------------------------------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------------------------------------

/// A temporary directory, removed when dropped (kept when a test failed, for a look).
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let path = std::env::temp_dir().join(format!(
            "keel-e2e-{tag}-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("create a temporary directory");
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    pub fn join(&self, relative: &str) -> PathBuf {
        self.0.join(relative)
    }

    /// Writes a file (creating its directory).
    pub fn write(&self, relative: &str, text: &str) -> PathBuf {
        let path = self.0.join(relative);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("create a directory");
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        path
    }

    pub fn read(&self, relative: &str) -> String {
        let path = self.0.join(relative);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("kept {} for inspection", self.0.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// The `.sql` files of a directory, sorted by name (none when it does not exist).
pub fn sql_files(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut names: Vec<String> =
        entries.filter_map(|e| e.ok()?.file_name().into_string().ok()).filter(|name| name.ends_with(".sql")).collect();
    names.sort();
    names
}

/// Every file of a directory with its content, to compare before and after a command that must not write.
pub fn snapshot(dir: &Path) -> Vec<(String, String)> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut files: Vec<(String, String)> = entries
        .filter_map(|e| {
            let e = e.ok()?;
            Some((e.file_name().into_string().ok()?, std::fs::read_to_string(e.path()).ok()?))
        })
        .collect();
    files.sort();
    files
}

// ---------------------------------------------------------------------------------------------------------
// App crates
// ---------------------------------------------------------------------------------------------------------

/// An app crate (package `e2e_app_<n>`) in a temporary directory, depending on the workspace's `keel`.
///
/// Each app of a run has its own package name: cargo hashes a path package relative to its workspace root,
/// so two crates with one name and version sharing a target directory share their build outputs, and
/// cargo would take one for the other's when its sources are older than the other's build.
pub struct App {
    pub dir: TempDir,
    pub name: String,
}

impl App {
    /// The crate with `lib` as src/lib.rs, and the workspace's Cargo.lock so versions resolve as in the
    /// workspace (cargo downloads what it lacks).
    pub fn new(lib: &str) -> App {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let name = format!("e2e_app_{}", NEXT.fetch_add(1, Ordering::Relaxed));
        let dir = TempDir::new("app");
        let keel = workspace().join("keel");
        dir.write(
            "Cargo.toml",
            &format!(
                "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n\
                 [workspace]\n\n\
                 [dependencies]\n\
                 keel = {{ path = {keel:?} }}\n\
                 uuid = \"1\"\n\
                 chrono = {{ version = \"0.4\", default-features = false, features = [\"std\"] }}\n\
                 serde_json = \"1\"\n",
                keel = keel.display().to_string()
            ),
        );
        std::fs::copy(workspace().join("Cargo.lock"), dir.join("Cargo.lock")).expect("copy Cargo.lock");
        dir.write("src/lib.rs", lib);
        App { dir, name }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn set_lib(&self, lib: &str) {
        self.dir.write("src/lib.rs", lib);
    }

    pub fn migrations(&self) -> PathBuf {
        self.dir.join("migrations")
    }

    /// `keel` run in the crate's directory; it builds the crate (see [`Keel::builds_crate`]).
    pub fn keel(&self, args: &[&str]) -> Keel {
        keel(self.path(), args).builds_crate()
    }
}

// ---------------------------------------------------------------------------------------------------------
// Running keel
// ---------------------------------------------------------------------------------------------------------

/// Every app crate's dump target is `<target>/debug/keel-schema`: cargo releases its build lock before
/// `cargo run` starts the binary, so two crates built at once could run each other's. Commands that build
/// a crate take this lock.
static CARGO_BUILDS: Mutex<()> = Mutex::new(());

fn cargo_builds() -> MutexGuard<'static, ()> {
    CARGO_BUILDS.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A `keel` invocation being assembled.
pub struct Keel {
    command: Command,
    shown: String,
    builds_crate: bool,
}

/// `keel ARGS` in `dir`, with no `DATABASE_URL` inherited, no terminal, no colour, and app crates built
/// in [`app_target_dir`].
pub fn keel(dir: &Path, args: &[&str]) -> Keel {
    let mut command = Command::new(KEEL);
    command
        .current_dir(dir)
        .args(args)
        .env_remove("DATABASE_URL")
        .env_remove("TEST_DATABASE_URL")
        .env("NO_COLOR", "1")
        .env("CARGO_TARGET_DIR", app_target_dir())
        .stdin(Stdio::null());
    Keel { command, shown: format!("keel {}", args.join(" ")), builds_crate: false }
}

impl Keel {
    pub fn arg(mut self, arg: impl AsRef<std::ffi::OsStr>) -> Keel {
        self.shown.push(' ');
        self.shown.push_str(&arg.as_ref().to_string_lossy());
        self.command.arg(arg);
        self
    }

    /// `--database-url URL`.
    pub fn db(self, url: &str) -> Keel {
        self.arg("--database-url").arg(url)
    }

    /// `--dev-url` the shared server.
    pub fn dev(self) -> Keel {
        self.arg("--dev-url").arg(dev_url())
    }

    pub fn env(mut self, key: &str, value: &str) -> Keel {
        self.command.env(key, value);
        self
    }

    /// The command builds an app crate: it holds the build lock while it runs.
    pub fn builds_crate(mut self) -> Keel {
        self.builds_crate = true;
        self
    }

    pub fn run(mut self) -> Run {
        let _guard = self.builds_crate.then(cargo_builds);
        let output = self.command.output().unwrap_or_else(|e| panic!("running {KEEL}: {e}"));
        Run {
            command: self.shown,
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Starts the process with its output captured; [`finish`] waits for it.
    pub fn spawn(mut self) -> (String, Child) {
        assert!(!self.builds_crate, "spawned commands must not build crates");
        let child = self
            .command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("starting {KEEL}: {e}"));
        (self.shown, child)
    }
}

/// Waits for a spawned `keel`.
pub fn finish(command: String, child: Child) -> Run {
    let output = child.wait_with_output().expect("wait for keel");
    Run {
        command,
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// A finished `keel`.
#[derive(Debug)]
pub struct Run {
    pub command: String,
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Asserts the exit code, showing everything the command printed when it differs.
    #[track_caller]
    pub fn expect(self, code: i32) -> Run {
        assert_eq!(self.code, code, "exit code of `{}`\n{}", self.command, self.describe());
        self
    }

    /// stdout and stderr together.
    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    pub fn describe(&self) -> String {
        format!("--- stdout:\n{}\n--- stderr:\n{}", self.stdout, self.stderr)
    }

    /// Asserts that the output contains `needle` (case-insensitive).
    #[track_caller]
    pub fn says(&self, needle: &str) -> &Run {
        assert!(
            self.all().to_lowercase().contains(&needle.to_lowercase()),
            "`{}` does not say {needle:?}\n{}",
            self.command,
            self.describe()
        );
        self
    }

    /// stdout as one JSON document.
    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout of `{}` is not JSON: {e}\n{}", self.command, self.describe()))
    }
}
