//! Scratch databases (for keel's normalization, `keel push` to a throwaway database, the demos and the
//! tests): a PostgreSQL server to create throwaway databases on, either the one named by
//! `TEST_DATABASE_URL`/`DATABASE_URL` or a private cluster started from the local PostgreSQL binaries.
//!
//! The private cluster lives in a temporary directory and listens on 127.0.0.1 on a free port. A small
//! watchdog process stops it and removes its directory when the process that started it exits, however
//! it exits, so a panicking test leaves nothing behind.

mod cleanup;

pub use cleanup::{GRACE, database_name_for, drop_live};

use sqlx::{AssertSqlSafe, Connection, PgConnection};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

/// Environment variables consulted, in order, for an existing server.
pub const URL_VARIABLES: [&str; 2] = ["TEST_DATABASE_URL", "DATABASE_URL"];

/// Prefix of every database this module creates.
const DATABASE_PREFIX: &str = "keel_scratch";

#[derive(Debug, thiserror::Error)]
pub enum ScratchError {
    #[error(
        "no PostgreSQL found: set TEST_DATABASE_URL (or DATABASE_URL) to a server keel may create databases on, \
         or install the PostgreSQL server binaries (initdb, pg_ctl; e.g. `apt-get install postgresql`) so keel can \
         start a throwaway cluster. Looked on PATH, in `pg_config --bindir` and in /usr/lib/postgresql/*/bin"
    )]
    NoPostgres,
    #[error(
        "running as root, keel starts PostgreSQL as the `postgres` user, and there is none: create it (`useradd postgres`) or set TEST_DATABASE_URL"
    )]
    NoPostgresUser,
    #[error("`{command}` failed: {detail}")]
    Command { command: String, detail: String },
    #[error("file system: {0}")]
    Io(#[from] std::io::Error),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
}

/// A server to create scratch databases on.
#[derive(Debug)]
pub struct Server {
    /// URL of a maintenance database (`postgres`) on the server.
    admin_url: String,
    cluster: Option<Cluster>,
    /// `STRATEGY FILE_COPY` for new databases (see [`Server::create_database`]), decided on first use.
    file_copy: std::sync::OnceLock<bool>,
}

impl Server {
    /// `TEST_DATABASE_URL`, else `DATABASE_URL`, else a throwaway local cluster.
    pub fn from_env_or_start() -> Result<Server, ScratchError> {
        for var in URL_VARIABLES {
            if let Ok(url) = std::env::var(var)
                && !url.trim().is_empty()
            {
                return Ok(Server { admin_url: url, cluster: None, file_copy: Default::default() });
            }
        }
        Server::start_local()
    }

    /// A server given by URL (`--dev-url`): scratch databases are created next to the URL's database.
    pub fn from_url(url: &str) -> Server {
        Server { admin_url: url.to_string(), cluster: None, file_copy: Default::default() }
    }

    /// Whether the role of a URL may create databases on its server.
    pub async fn may_create_databases(url: &str) -> Result<bool, ScratchError> {
        let mut conn = PgConnection::connect(url).await?;
        let may_create: bool =
            sqlx::query_scalar("SELECT rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user")
                .fetch_optional(&mut conn)
                .await?
                .unwrap_or(false);
        conn.close().await?;
        Ok(may_create)
    }

    /// Starts a throwaway cluster from the local PostgreSQL binaries.
    pub fn start_local() -> Result<Server, ScratchError> {
        Server::start_from(find_bindir().ok_or(ScratchError::NoPostgres)?)
    }

    /// Starts a throwaway cluster from the binaries in `bindir` (a directory holding `initdb` and
    /// `pg_ctl`), e.g. another major than the local one's.
    pub fn start_from(bindir: PathBuf) -> Result<Server, ScratchError> {
        let cluster = Cluster::start(bindir)?;
        Ok(Server { admin_url: cluster.url("postgres"), cluster: Some(cluster), file_copy: Default::default() })
    }

    /// Where this server came from, for messages.
    pub fn describe(&self) -> String {
        match &self.cluster {
            Some(c) => {
                format!("throwaway cluster in {} (PostgreSQL binaries from {})", c.dir.display(), c.bindir.display())
            }
            None => "server from the environment".to_string(),
        }
    }

    /// Creates an empty database with a unique name.
    pub async fn create_database(&self) -> Result<ScratchDatabase, ScratchError> {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        // Named (and remembered for a signal) before it exists: a signal during CREATE DATABASE drops it too.
        let name = cleanup::new_name(&self.admin_url, NEXT.fetch_add(1, Ordering::Relaxed));
        let created = self.create_named(&name).await;
        if created.is_err() {
            cleanup::forget(&name);
        }
        created?;
        Ok(ScratchDatabase { url: with_database(&self.admin_url, &name), name, admin_url: self.admin_url.clone() })
    }

    /// `CREATE DATABASE name`, copying the template by files on a throwaway cluster.
    async fn create_named(&self, name: &str) -> Result<(), ScratchError> {
        let mut admin = PgConnection::connect(&self.admin_url).await?;
        // PostgreSQL 15 copies the template through the WAL by default, which costs a throwaway cluster (no
        // fsync, nothing else running) twice what copying its files does; on anyone else's server the
        // checkpoints FILE_COPY forces are not ours to cause.
        let file_copy = match self.file_copy.get() {
            Some(&decided) => decided,
            None => {
                let version: i32 = match &self.cluster {
                    Some(_) => {
                        sqlx::query_scalar("SELECT current_setting('server_version_num')::int")
                            .fetch_one(&mut admin)
                            .await?
                    }
                    None => 0,
                };
                *self.file_copy.get_or_init(|| version >= 150000)
            }
        };
        let strategy = if file_copy { " STRATEGY FILE_COPY" } else { "" };
        let sql = format!("CREATE DATABASE {}{strategy}", keel_core::sql::quote_ident(name));
        sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut admin).await?;
        admin.close().await?;
        Ok(())
    }

    /// Where a PostgreSQL client program (`pg_dump`, `psql`) is: the throwaway cluster's binaries, else the
    /// same search that finds `initdb`.
    pub fn program(&self, name: &str) -> Option<PathBuf> {
        let bindir = self.cluster.as_ref().map(|c| c.bindir.clone()).or_else(find_bindir)?;
        let program = bindir.join(name);
        program.is_file().then_some(program)
    }

    /// The URL of a database on this server.
    pub fn url(&self, database: &str) -> String {
        with_database(&self.admin_url, database)
    }

    /// Stops the throwaway cluster's server and keeps its files, so [`Server::resume`] can start it again on
    /// the same port (tests of clients that wait for a database). Does nothing for a server from a URL.
    pub fn pause(&self) -> Result<(), ScratchError> {
        match &self.cluster {
            Some(c) => c.run("pg_ctl", &["-D", path(&c.dir.join("data")), "-m", "fast", "-w", "stop"]),
            None => Ok(()),
        }
    }

    /// Starts a paused throwaway cluster again.
    pub fn resume(&self) -> Result<(), ScratchError> {
        match &self.cluster {
            Some(c) => {
                let (data, log) = (c.dir.join("data"), c.dir.join("server.log"));
                c.run("pg_ctl", &["-D", path(&data), "-l", path(&log), "-w", "-t", "60", "start"])
            }
            None => Ok(()),
        }
    }

    /// Stops the throwaway cluster now rather than when the process exits.
    pub fn stop(self) -> Result<(), ScratchError> {
        match self.cluster {
            Some(cluster) => cluster.stop(),
            None => Ok(()),
        }
    }
}

/// A database that exists until [`ScratchDatabase::drop_database`] (or until its cluster goes).
#[derive(Debug)]
pub struct ScratchDatabase {
    pub name: String,
    pub url: String,
    admin_url: String,
}

impl ScratchDatabase {
    pub async fn connect(&self) -> Result<PgConnection, ScratchError> {
        Ok(PgConnection::connect(&self.url).await?)
    }

    pub async fn drop_database(self) -> Result<(), ScratchError> {
        drop_named(&self.admin_url, &self.name).await
    }
}

/// Drops a database (whoever is connected to it), and forgets it.
async fn drop_named(admin_url: &str, name: &str) -> Result<(), ScratchError> {
    let mut admin = PgConnection::connect(admin_url).await?;
    let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", keel_core::sql::quote_ident(name));
    sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut admin).await?;
    admin.close().await?;
    cleanup::forget(name);
    Ok(())
}

/// `postgres://u@h:p/old?x` with the database replaced.
fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{database}?{q}"),
        None => format!("{base}/{database}"),
    }
}

/// A private PostgreSQL cluster.
#[derive(Debug)]
struct Cluster {
    dir: PathBuf,
    bindir: PathBuf,
    port: u16,
    run_as_postgres: bool,
}

impl Cluster {
    fn start(bindir: PathBuf) -> Result<Cluster, ScratchError> {
        let run_as_postgres = is_root();
        let dir = std::env::temp_dir().join(format!(
            "keel-pg-{}-{}",
            std::process::id(),
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos())
        ));
        std::fs::create_dir_all(&dir)?;
        if run_as_postgres {
            let (uid, gid) = postgres_user().ok_or(ScratchError::NoPostgresUser)?;
            std::os::unix::fs::chown(&dir, Some(uid), Some(gid))?;
        }
        let data = dir.join("data");
        let mut cluster = Cluster { dir, bindir, port: 0, run_as_postgres };
        cluster.watch_parent();
        cluster.run(
            "initdb",
            &["-D", path(&data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync"],
        )?;
        let mut last_error = None;
        // A free port can be taken between our probe and the server's bind; try a few.
        for _ in 0..3 {
            cluster.port = free_port()?;
            let settings = format!(
                "\nport = {}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{}'\nfsync = off\n\
                 synchronous_commit = off\nfull_page_writes = off\nmax_connections = 100\n",
                cluster.port,
                path(&cluster.dir)
            );
            std::fs::write(data.join("postgresql.auto.conf"), settings)?;
            let log = cluster.dir.join("server.log");
            match cluster.run("pg_ctl", &["-D", path(&data), "-l", path(&log), "-w", "-t", "60", "start"]) {
                Ok(()) => return Ok(cluster),
                Err(e) => last_error = Some(e),
            }
        }
        Err(last_error.expect("the loop ran"))
    }

    fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    fn stop(self) -> Result<(), ScratchError> {
        let data = self.dir.join("data");
        self.run("pg_ctl", &["-D", path(&data), "-m", "fast", "-w", "stop"])?;
        std::fs::remove_dir_all(&self.dir)?;
        Ok(())
    }

    fn command(&self, program: &str) -> Command {
        let binary = self.bindir.join(program);
        if self.run_as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(binary);
            c
        } else {
            Command::new(binary)
        }
    }

    fn run(&self, program: &str, args: &[&str]) -> Result<(), ScratchError> {
        let output = self.command(program).args(args).stdin(Stdio::null()).output()?;
        if output.status.success() {
            return Ok(());
        }
        let log = std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default();
        Err(ScratchError::Command {
            command: format!("{program} {}", args.join(" ")),
            detail: format!(
                "{}{}{}",
                String::from_utf8_lossy(&output.stderr),
                String::from_utf8_lossy(&output.stdout),
                log.lines().rev().take(10).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("\n")
            ),
        })
    }

    /// A shell that waits for this process to exit, then stops the cluster and removes its directory.
    fn watch_parent(&self) {
        let pg_ctl = self.bindir.join("pg_ctl");
        let as_postgres = if self.run_as_postgres { "runuser -u postgres -- " } else { "" };
        let script = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 1; done; \
             if [ -f {data}/postmaster.pid ]; then {as_postgres}{pg_ctl} -D {data} -m immediate stop; fi; rm -rf {dir}",
            pid = std::process::id(),
            data = shell_quote(&self.dir.join("data")),
            pg_ctl = shell_quote(&pg_ctl),
            dir = shell_quote(&self.dir),
        );
        use std::os::unix::process::CommandExt;
        // Its own process group: a Ctrl-C aimed at the tests must not kill the cleanup.
        let _ = Command::new("sh")
            .args(["-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn();
    }
}

fn path(p: &Path) -> &str {
    p.to_str().expect("temporary paths are UTF-8")
}

fn shell_quote(p: &Path) -> String {
    format!("'{}'", path(p).replace('\'', r"'\''"))
}

fn free_port() -> std::io::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn is_root() -> bool {
    // `id -u` avoids a libc dependency for one call.
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// uid and gid of the `postgres` user, from /etc/passwd.
fn postgres_user() -> Option<(u32, u32)> {
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let fields: Vec<&str> = line.split(':').collect();
        (fields.first() == Some(&"postgres") && fields.len() > 3)
            .then(|| Some((fields[2].parse().ok()?, fields[3].parse().ok()?)))
            .flatten()
    })
}

/// A directory holding `initdb` and `pg_ctl`: `KEEL_PG_BINDIR`, PATH, `pg_config --bindir`, then the
/// newest `/usr/lib/postgresql/*/bin`.
fn find_bindir() -> Option<PathBuf> {
    let has_tools = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();
    if let Some(dir) = std::env::var_os("KEEL_PG_BINDIR").map(PathBuf::from)
        && has_tools(&dir)
    {
        return Some(dir);
    }
    if let Some(paths) = std::env::var_os("PATH")
        && let Some(dir) = std::env::split_paths(&paths).find(|d| has_tools(d))
    {
        return Some(dir);
    }
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if out.status.success() && has_tools(&dir) {
            return Some(dir);
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| {
            let e = e.ok()?;
            let version = e.file_name().to_str()?.parse().ok()?;
            Some((version, e.path().join("bin")))
        })
        .filter(|(_, dir)| has_tools(dir))
        .collect();
    versions.sort();
    versions.pop().map(|(_, dir)| dir)
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn replaces_the_database_in_a_url() {
        assert_eq!(with_database("postgres://u@h:5/old", "new"), "postgres://u@h:5/new");
        assert_eq!(with_database("postgres://u@h:5/old?sslmode=disable", "n"), "postgres://u@h:5/n?sslmode=disable");
        assert_eq!(with_database("postgres://u@h", "n"), "postgres://u@h/n");
    }
}
