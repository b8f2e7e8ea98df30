//! One command's run: the configuration, where the database and the scratch server are, and loading
//! schema sources into comparable models.

use crate::args::{CheckDatabaseArgs, DatabaseArgs, Global, Output, ProjectArgs, SqlArgs};
use crate::config::Config;
use crate::db_url;
use crate::redact::redact;
use crate::scratch_version;
use crate::source::{self, Desired, Source, SqlFiles};
use anyhow::{Context, anyhow, bail};
use keel_core::Schema;
use keel_diff::counts::{count, plural};
use keel_diff::migrate::{self, Migration};
use keel_diff::normalize::NormalizeError;
use keel_scratch::{ScratchError, Server};
use sqlx::{Connection, PgConnection};
use std::path::{Path, PathBuf};

pub struct Session {
    pub global: Global,
    pub config: Config,
    pub database_url: Option<String>,
    dev_url: Option<String>,
    /// `push`'s database, whose server may hold scratch databases when no dev server is given: a
    /// development database by definition. No other command's target does (DESIGN, Normalization).
    push_target: Option<String>,
    scratch: Option<Server>,
    /// Where the scratch databases are, for output; set with `scratch`.
    scratch_place: Option<String>,
}

impl Session {
    pub fn new(global: Global, database: &DatabaseArgs) -> anyhow::Result<Session> {
        Session::open(global, database.database_url.as_deref(), database.dev_url.as_deref(), true)
    }

    /// `keel check`'s session: the database comes from `--database-url` only, never from the environment
    /// or keel.toml, so check checks the same things wherever it runs.
    pub fn for_check(global: Global, database: &CheckDatabaseArgs) -> anyhow::Result<Session> {
        Session::open(global, database.database_url.as_deref(), database.dev_url.as_deref(), false)
    }

    /// A session of a command that works on no database of the user's (`diff`, `generate`, `export`,
    /// `lint`): keel.toml `database_url` and DATABASE_URL are not read, so a value there (unset, or a URL
    /// keel refuses) cannot fail a command that never uses it.
    pub fn without_database(global: Global, dev_url: Option<&str>) -> anyhow::Result<Session> {
        Session::open(global, None, dev_url, false)
    }

    fn open(
        global: Global,
        database_url: Option<&str>,
        dev_url: Option<&str>,
        configured_database: bool,
    ) -> anyhow::Result<Session> {
        let explicit = global.config != std::path::Path::new("keel.toml");
        let config = Config::load(&global.config, explicit)?;
        let nonempty = |url: Option<&str>| url.filter(|u| !u.trim().is_empty()).map(str::to_string);
        let database_url = match nonempty(database_url) {
            Some(url) if configured_database => Some(db_url::parse(&url, "--database-url (or DATABASE_URL)")?),
            Some(url) => Some(db_url::parse(&url, "--database-url")?),
            None if configured_database => {
                config.database_url()?.map(|url| db_url::parse(&url, "keel.toml `database_url`")).transpose()?
            }
            None => None,
        };
        let dev_url = match nonempty(dev_url) {
            Some(url) => Some(db_url::parse(&url, "--dev-url (or KEEL_DEV_URL)")?),
            None => config.dev_url()?.map(|url| db_url::parse(&url, "keel.toml `dev_url`")).transpose()?,
        };
        Ok(Session { global, config, database_url, dev_url, push_target: None, scratch: None, scratch_place: None })
    }

    pub fn json(&self) -> bool {
        self.global.output == Some(Output::Json)
    }

    /// Progress for people, on stderr (stdout carries the result).
    pub fn say(&self, message: impl AsRef<str>) {
        eprintln!("{}", redact(message.as_ref()));
    }

    /// The SQL about to run, with `-v`.
    pub fn trace(&self, sql: &str) {
        if self.global.verbose {
            eprintln!("{}", console::style(redact(sql)).dim());
        }
    }

    pub fn schema_source(&self, project: &ProjectArgs) -> anyhow::Result<Source> {
        let text = match (&project.schema, self.config.schema_source()) {
            (Some(text), _) => text.clone(),
            (None, Some(configured)) => configured?,
            // The default is the crate here, never "whatever this directory holds": an unrelated
            // directory read as an empty schema would plan dropping every table.
            (None, None) if std::path::Path::new("Cargo.toml").is_file() => ".".to_string(),
            (None, None) => bail!(
                "no schema source: pass --schema SRC, or run keel in the app crate (where `keel init` writes keel.toml)"
            ),
        };
        Source::parse(&text).with_context(|| "reading the schema source (--schema, or `schema` in keel.toml)")
    }

    /// The desired schema of a command that takes `--schema`: the source, and the SQL files beside it:
    /// `--sql`, else keel.toml `sql` when the source is the project's schema (keel.toml `schema`, or the
    /// crate here). Another source given with `--schema` stands alone: keel.toml's files belong to the
    /// project's tables, and a schema exported with them (`keel export --output json`) already holds them.
    pub fn desired(&self, project: &ProjectArgs, sql: &SqlArgs) -> anyhow::Result<Desired> {
        let source = self.schema_source(project)?;
        self.with_sql(source, project, sql)
    }

    /// [`Session::desired`] for the source [`Session::schema_source`] returned.
    pub fn with_sql(&self, source: Source, project: &ProjectArgs, sql: &SqlArgs) -> anyhow::Result<Desired> {
        if !sql.paths.is_empty() {
            if !source.is_declared() {
                bail!(
                    "--sql adds SQL files to the tables of a crate or a .json schema, and the schema is {source}: \
                     a .sql file, migrations and databases hold their views and functions themselves"
                );
            }
            let files = SqlFiles::list(sql.paths.clone()).context("reading --sql")?;
            return Ok(Desired { source, sql: files });
        }
        if project.schema.is_none() || self.is_project_schema(&source) {
            return self.with_configured_sql(source);
        }
        let configured = self.config.sql_paths().and_then(Result::ok).is_some_and(|paths| !paths.is_empty());
        if configured && source.is_declared() {
            self.say(format!(
                "note: keel.toml `sql` goes with the project's schema, not with {source}; pass --sql to add SQL files \
                 to it"
            ));
        }
        Ok(Desired::plain(source))
    }

    /// A side of `keel diff`: the project's schema (`--to .`) comes with keel.toml's SQL files.
    pub fn diff_side(&self, source: Source) -> anyhow::Result<Desired> {
        if self.is_project_schema(&source) { self.with_configured_sql(source) } else { Ok(Desired::plain(source)) }
    }

    /// The project's schema with keel.toml's `sql` files.
    fn with_configured_sql(&self, source: Source) -> anyhow::Result<Desired> {
        let paths = match self.config.sql_paths() {
            Some(paths) => paths.context("reading `sql` in keel.toml")?,
            None => {
                if source.is_declared() {
                    self.note_unconfigured_sql();
                }
                Vec::new()
            }
        };
        if paths.is_empty() {
            return Ok(Desired::plain(source));
        }
        if !source.is_declared() {
            bail!(
                "keel.toml `sql` adds SQL files to the tables of a crate or a .json schema, and the schema is {source}: \
                 put the SQL into the schema source itself, or remove `sql`"
            );
        }
        let sql = SqlFiles::list(paths).context("reading `sql` in keel.toml")?;
        Ok(Desired { source, sql })
    }

    /// SQL files are never picked up by their place alone (they would change what `generate` writes), but a
    /// `schema/` of them beside keel.toml is most likely meant as the schema folder.
    fn note_unconfigured_sql(&self) {
        let dir = self.config.path(Path::new("schema"));
        if source::has_sql_files(&dir) {
            self.say(format!(
                "note: {} holds .sql files, and they are not part of the desired schema: keel reads SQL files beside \
                 the structs only when keel.toml names them (`sql = \"schema\"`) or --sql does (`sql = []` silences \
                 this note)",
                dir.display()
            ));
        }
    }

    /// Whether a source is the project's schema: keel.toml `schema`, else the crate in this directory.
    fn is_project_schema(&self, source: &Source) -> bool {
        let text = match self.config.schema_source() {
            Some(Ok(text)) => text,
            Some(Err(_)) => return false,
            None if Path::new("Cargo.toml").is_file() => ".".to_string(),
            None => return false,
        };
        Source::parse(&text).is_ok_and(|project| project.same_as(source))
    }

    pub fn migrations_dir(&self, project: &ProjectArgs) -> PathBuf {
        match (&project.migrations, &self.config.migrations) {
            (Some(dir), _) => dir.clone(),
            (None, Some(dir)) => self.config.path(dir),
            (None, None) => self.config.path(std::path::Path::new("migrations")),
        }
    }

    /// `.sql` files in the migrations directory that are no migration, in a sentence; `None` when there
    /// are none (or the directory cannot be read: reading the migrations reports that).
    pub fn ignored_migration_files(&self, dir: &Path) -> Option<String> {
        let ignored = migrate::ignored_files(dir).ok().filter(|names| !names.is_empty())?;
        Some(format!(
            "{} in {} not read as {}: {}; a migration is named <version>_<description>.sql (e.g. \
             20240101120000_create_users.sql, lower-case .sql), as sqlx reads them",
            plural(ignored.len(), "a .sql file", "these .sql files"),
            dir.display(),
            plural(ignored.len(), "a migration", "migrations"),
            ignored.join(", ")
        ))
    }

    /// Warns about the `.sql` files of the migrations directory that are not read as migrations.
    pub fn warn_ignored_migration_files(&self, dir: &Path) {
        if let Some(text) = self.ignored_migration_files(dir) {
            self.say(format!("warning: {text}"));
        }
    }

    /// The tracking table (keel.toml `migrate.table`; sqlx's by default).
    pub fn migrations_table(&self) -> String {
        self.config.migrate.table.clone().unwrap_or_else(|| migrate::DEFAULT_TABLE.to_string())
    }

    pub fn require_database_url(&self) -> anyhow::Result<&str> {
        self.database_url.as_deref().context(
            "no database given: pass --database-url, set DATABASE_URL (the environment or ./.env), or set \
             `database_url` in keel.toml",
        )
    }

    pub async fn connect(&self) -> anyhow::Result<PgConnection> {
        let url = self.require_database_url()?;
        PgConnection::connect(url).await.with_context(|| format!("connecting to {}", redact(url)))
    }

    /// Lets `push`'s scratch databases go on its database's server (when its role may create databases
    /// and no dev server is given): that database is a development one, and a server nearby is faster
    /// than starting a cluster.
    pub fn scratch_beside_push_target(&mut self, url: &str) {
        self.push_target = Some(url.to_string());
    }

    /// The server scratch databases are made on, started on first use: the dev server (`--dev-url`,
    /// KEEL_DEV_URL, keel.toml `dev_url`), else `push`'s database's server (see
    /// [`Session::scratch_beside_push_target`]), else a throwaway cluster from the local binaries.
    pub async fn scratch(&mut self) -> anyhow::Result<&Server> {
        if self.scratch.is_none() {
            let (server, place) = self.choose_scratch_server().await?;
            // Best effort: a role that may not drop them leaves them to another run.
            if let Ok(swept) = server.sweep_stale().await
                && !swept.is_empty()
            {
                self.say(format!(
                    "note: dropped {} that keel runs on this host left behind when they were killed: {}",
                    count(swept.len(), "scratch database", "scratch databases"),
                    swept.join(", ")
                ));
            }
            self.scratch = Some(server);
            self.scratch_place = Some(place);
        }
        Ok(self.scratch.as_ref().expect("set above"))
    }

    /// Where the scratch databases of this run are (once [`Session::scratch`] chose), for output.
    pub fn scratch_place(&self) -> Option<&str> {
        self.scratch_place.as_deref()
    }

    async fn choose_scratch_server(&self) -> anyhow::Result<(Server, String)> {
        if let Some(url) = &self.dev_url {
            return Ok((Server::from_url(url), format!("the dev server {}", redact(url))));
        }
        if let Some(url) = &self.push_target {
            let may_create =
                Server::may_create_databases(url).await.with_context(|| format!("connecting to {}", redact(url)))?;
            if may_create {
                self.say(
                    "scratch databases go on the server of the database pushed to (a development database); \
                     --dev-url or KEEL_DEV_URL names another server",
                );
                return Ok((Server::from_url(url), "the server of the database pushed to".to_string()));
            }
        }
        match Server::start_local() {
            Ok(server) => {
                Ok((server, "a throwaway cluster keel started from the local PostgreSQL binaries".to_string()))
            }
            Err(ScratchError::NoPostgres) => bail!(
                "no server for scratch databases (keel replays migrations and normalizes declared schemas in \
                 them): set KEEL_DEV_URL (or --dev-url, or keel.toml `dev_url`) to a server where keel may create \
                 and drop databases, never a production one, or install the PostgreSQL server binaries (initdb, \
                 pg_ctl; e.g. `apt-get install postgresql`) so keel can start a throwaway cluster. keel makes no \
                 scratch databases on a server named only as a target"
            ),
            Err(e) => Err(anyhow::Error::new(e).context("starting a throwaway cluster for scratch databases")),
        }
    }

    /// A source as a model that compares with an introspected database: declared schemas are normalized
    /// through PostgreSQL (with the SQL files beside them), SQL and migrations are applied to a scratch
    /// database and read back.
    pub async fn load(&mut self, desired: &Desired) -> anyhow::Result<Schema> {
        let Desired { source, sql } = desired;
        if !sql.is_empty() && !source.is_declared() {
            bail!("SQL files go with the tables of a crate or a .json schema, not with {source}");
        }
        let schema = match source {
            Source::Empty => Schema::default(),
            Source::Database(url) => {
                let mut conn =
                    PgConnection::connect(url).await.with_context(|| format!("connecting to {}", redact(url)))?;
                let schema = self.introspect(&mut conn).await?;
                conn.close().await?;
                schema
            }
            Source::JsonFile(path) => self.normalize(source::read_json(path)?, sql).await?,
            Source::Crate(dir) => {
                // Blocks while cargo builds: nothing else runs meanwhile.
                let declared = source::dump_crate(dir)?;
                self.normalize(declared, sql).await?
            }
            Source::SqlFile(path) => {
                let sql = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
                let file = Migration::new(0, "schema", &path.display().to_string(), &sql);
                self.replay(&[file]).await?
            }
            Source::Migrations(dir) => {
                let migrations = migrate::read_migrations(dir)?;
                if let Some(ignored) = self.ignored_migration_files(dir) {
                    // Read as migrations, a folder of plain DDL would be the empty schema.
                    if migrations.is_empty() {
                        bail!(
                            "{ignored}; with no migration in it, the directory would read as the empty schema                              (to use a file of DDL as the schema, pass the file itself)"
                        );
                    }
                    self.say(format!("warning: {ignored}"));
                }
                self.replay(&migrations).await?
            }
        };
        Ok(schema)
    }

    /// The `server_version_num` of the server of `url`.
    pub async fn server_version(&self, url: &str) -> anyhow::Result<i32> {
        let mut conn = PgConnection::connect(url).await.with_context(|| format!("connecting to {}", redact(url)))?;
        let version =
            keel_diff::version::server_version_num(&mut conn).await.context("reading the server's version")?;
        conn.close().await?;
        Ok(version)
    }

    /// What the migrations produce, replayed into a scratch database. A migration the scratch server
    /// refuses gets a note when the server's version may be why ([`scratch_version::note`]).
    pub async fn replay(&mut self, migrations: &[Migration]) -> anyhow::Result<Schema> {
        let database = self.scratch().await?.create_database().await?;
        let result = async {
            let mut conn = database.connect().await?;
            // Read first: after a failed migration the connection may be unusable.
            let scratch = keel_diff::version::server_version_num(&mut conn).await?;
            if let Err(error) = migrate::replay(&mut conn, migrations).await {
                let _ = conn.close().await;
                let code = match &error {
                    migrate::MigrateError::Failed(failure) => failure.code.clone(),
                    _ => return Err(error.into()),
                };
                return Err(match self.version_note(scratch, code.as_deref()).await {
                    Some(note) => anyhow!("{error}\n{note}"),
                    None => error.into(),
                });
            }
            let schema = keel_diff::introspect(&mut conn, None).await?;
            conn.close().await?;
            self.warn_if_older_scratch(scratch).await;
            Ok::<_, anyhow::Error>(schema)
        }
        .await;
        database.drop_database().await?;
        result
    }

    /// The live database's schema, without keel's own bookkeeping table.
    pub async fn introspect(&self, conn: &mut PgConnection) -> anyhow::Result<Schema> {
        let mut schema = keel_diff::introspect(conn, None).await.context("reading the database's schema")?;
        let table = self.migrations_table();
        let located = migrate::locate_table(conn, &table).await.context("finding the migrations table")?;
        if let Some(name) = located
            && let Some(ns) = schema.schemas.get_mut(&name.schema)
        {
            ns.tables.remove(&name.name);
            let keel_only = ns.tables.is_empty()
                && ns.enums.is_empty()
                && ns.sequences.is_empty()
                && ns.views.is_empty()
                && ns.domains.is_empty()
                && ns.composite_types.is_empty()
                && ns.statistics.is_empty();
            if keel_only && name.schema != "public" {
                schema.schemas.remove(&name.schema);
            }
        }
        Ok(schema)
    }

    /// The declared tables, then the SQL files beside them, as PostgreSQL stores them.
    async fn normalize(&mut self, declared: Schema, sql: &SqlFiles) -> anyhow::Result<Schema> {
        let files = sql.read()?;
        let server = self.scratch().await?;
        match keel_diff::normalize::normalize_with_sql(server, &declared, &files).await {
            Ok(schema) => {
                if !files.is_empty()
                    && let Some(server) = self.scratch.as_ref()
                    && let Ok(scratch) = self.server_version(&server.url("postgres")).await
                {
                    self.warn_if_older_scratch(scratch).await;
                }
                Ok(schema)
            }
            Err(NormalizeError::Sql { file, error }) => {
                let text = match files.iter().find(|f| f.name == file) {
                    Some(file) => source::sql_failure_text(file, &error),
                    None => format!("{file}: {error}"),
                };
                let text = match self.scratch_note(&error).await {
                    Some(note) => format!("{text}\n{note}"),
                    None => text,
                };
                Err(anyhow!(text).context("running the SQL files declared beside the tables (in a scratch database)"))
            }
            Err(e) => Err(anyhow::Error::new(e).context("normalizing the declared schema")),
        }
    }

    /// The note for `error` of SQL run on the scratch server, when its version may be the cause.
    async fn scratch_note(&self, error: &sqlx::Error) -> Option<String> {
        let code = error.as_database_error().and_then(|e| e.code()).map(|code| code.into_owned());
        let server = self.scratch.as_ref()?;
        let scratch = self.server_version(&server.url("postgres")).await.ok()?;
        self.version_note(scratch, code.as_deref()).await
    }

    /// [`scratch_version::older_scratch_warning`], said, when there is a database to read its version from.
    async fn warn_if_older_scratch(&self, scratch: i32) {
        let target = match &self.database_url {
            Some(url) => self.server_version(url).await.ok(),
            None => None,
        };
        if let Some(warning) = scratch_version::older_scratch_warning(scratch, target) {
            self.say(warning);
        }
    }

    /// [`scratch_version::note`] for a failure with SQLSTATE `code` on a scratch server of `scratch`
    /// (a `server_version_num`), beside the database's version when there is a database to read it from.
    async fn version_note(&self, scratch: i32, code: Option<&str>) -> Option<String> {
        let target = match &self.database_url {
            Some(url) => self.server_version(url).await.ok(),
            None => None,
        };
        scratch_version::note(scratch, target, code)
    }

    /// Stops the throwaway cluster, if one was started.
    pub fn finish(mut self) {
        if let Some(server) = self.scratch.take() {
            let _ = server.stop();
        }
    }
}

impl Session {
    /// `lock_timeout` for generated migrations and every push (keel.toml `migrate.lock_timeout_ms`,
    /// default 5 s; 0: none).
    pub fn lock_timeout(&self) -> Option<std::time::Duration> {
        match self.config.migrate.lock_timeout_ms.unwrap_or(5_000) {
            0 => None,
            ms => Some(std::time::Duration::from_millis(ms)),
        }
    }
}
