//! The command line: every command, flag and its help. Parsing only; `commands/` does the work.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

const AFTER_HELP: &str = "\
Schema sources (SRC), accepted wherever a schema is read:
  postgres://...      a live database
  empty               no tables at all
  schema.sql          SQL applied to a scratch database, then read back
  schema.json         keel's schema JSON (as `keel export --output json` writes it)
  migrations/         a migrations directory, replayed into a scratch database
  path/to/app         an app crate: keel runs its `keel-schema` dump target (`keel init` writes it)

SQL files beside the structs (keel.toml `sql`; --sql on generate, push, check, export, lint):
  views, functions, triggers and the rest of what is naturally SQL, in .sql files that run after
  the tables of a crate or .json source, in file-name order: the desired schema is the union.
  `keel diff` adds keel.toml's files to the side that is the project's schema (`--to .`).

Scratch databases (replayed migrations, declared schemas as PostgreSQL stores them) go on the dev
server (--dev-url, KEEL_DEV_URL, keel.toml `dev_url`) when one is given, else on a throwaway cluster
keel starts from the local PostgreSQL binaries; never on the server of a database named only as a
target, except that `push` uses its (development) database's server when the role may create databases.

Configuration: flags, then the environment (DATABASE_URL, also read from ./.env), then keel.toml;
`check` reads a database only from --database-url.
Exit codes: 0 success (or nothing to do), 2 differences found or a change refused, 1 error.";

/// `keel lint --help`'s epilogue, from the rule lists themselves so it cannot fall behind.
fn lint_help() -> String {
    use keel_diff::lint::{conventions, sql};
    let ids = |rules: &[keel_diff::lint::Rule]| rules.iter().map(|r| r.id).collect::<Vec<_>>().join(", ");
    format!(
        "Examples:\n  keel lint\n  keel lint migrations/20260101120000_add_index.sql --output json\n  keel lint --schema \
         schema.json\n  keel lint --accept   # accept today's findings (lint-baseline.toml); later runs show new ones\n\nSchema rules: {}.\nSQL rules: {}, and squawk's default rules as squawk/<name> (PostgreSQL 15, in a \
         transaction unless the file starts with `-- no-transaction`); off unless configured: {}.\nSeverities and \
         per-table/column/file overrides: [lint] in keel.toml (see `keel init`).",
        ids(conventions::RULES),
        ids(sql::RULES),
        sql::SQUAWK_OFF_BY_DEFAULT.join(", ")
    )
}

/// A number of seconds up to a year (`keel_diff::migrate::MAX_DURATION`): the error names the flag and range.
fn seconds() -> clap::builder::RangedU64ValueParser<u64> {
    clap::value_parser!(u64).range(0..=keel_diff::migrate::MAX_DURATION.as_secs())
}

#[derive(Parser, Debug)]
#[command(
    name = "keel",
    version,
    about = "Schema-as-code for PostgreSQL: Rust structs are the schema; keel diffs, generates and runs migrations",
    after_help = AFTER_HELP
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    #[command(flatten)]
    pub global: Global,
}

#[derive(Args, Debug, Clone)]
pub struct Global {
    /// Configuration file; optional.
    #[arg(long, global = true, value_name = "FILE", default_value = "keel.toml")]
    pub config: PathBuf,
    /// Print SQL as it runs.
    #[arg(short, long, global = true)]
    pub verbose: bool,
    /// Output: `text` for people, `json` for programs (one JSON document on stdout, stable shape), `sql`
    /// (diff, export; their default).
    #[arg(long, global = true, value_enum)]
    pub output: Option<Output>,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    Text,
    Json,
    /// Plain SQL (diff, export).
    Sql,
}

/// `--database-url`: the database a command reads or changes.
#[derive(Args, Debug, Clone, Default)]
pub struct DatabaseUrlArg {
    /// The database (env DATABASE_URL; keel.toml `database_url`).
    #[arg(long, env = "DATABASE_URL", value_name = "URL", hide_env_values = true)]
    pub database_url: Option<String>,
}

/// `--dev-url`: where scratch databases go, for commands that make them.
#[derive(Args, Debug, Clone, Default)]
pub struct DevUrlArg {
    /// A server for scratch databases (normalizing declared schemas, replaying migrations) (env
    /// KEEL_DEV_URL; keel.toml `dev_url`). Without one, keel starts a throwaway cluster from the local
    /// PostgreSQL binaries; a database named only as a target is never used for them, except by `push`
    /// (a development database), on its server when its role may create databases.
    #[arg(long, env = "KEEL_DEV_URL", value_name = "URL", hide_env_values = true)]
    pub dev_url: Option<String>,
}

/// `keel check`'s database: from the flag only, so `check` checks the same things wherever it runs.
#[derive(Args, Debug, Clone, Default)]
pub struct CheckDatabaseArgs {
    /// A database to check too: the migrations it applied are intact and it has not drifted from them.
    /// Only this flag names it: check reads no DATABASE_URL (environment, ./.env) nor keel.toml
    /// `database_url`. Its server never holds check's scratch databases.
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
    /// A server for scratch databases (replaying migrations, normalizing declared schemas) (env
    /// KEEL_DEV_URL; keel.toml `dev_url`). Without one, keel starts a throwaway cluster from the local
    /// PostgreSQL binaries.
    #[arg(long, env = "KEEL_DEV_URL", value_name = "URL", hide_env_values = true)]
    pub dev_url: Option<String>,
}

/// `--schema`: the desired schema.
#[derive(Args, Debug, Clone, Default)]
pub struct SchemaArg {
    /// The desired schema (keel.toml `schema`; default: the current directory's crate).
    #[arg(long, value_name = "SRC")]
    pub schema: Option<String>,
}

/// `--migrations`: the migrations directory.
#[derive(Args, Debug, Clone, Default)]
pub struct MigrationsArg {
    /// The migrations directory (keel.toml `migrations`; default ./migrations).
    #[arg(long, value_name = "DIR")]
    pub migrations: Option<PathBuf>,
}

/// Where the database and the scratch server are, as far as a command takes them (a command without
/// `--database-url` or `--dev-url` leaves it `None`: keel.toml and the environment still apply).
#[derive(Debug, Clone, Default)]
pub struct DatabaseArgs {
    pub database_url: Option<String>,
    pub dev_url: Option<String>,
}

/// Where the schema and the migrations are, as far as a command takes them.
#[derive(Debug, Clone, Default)]
pub struct ProjectArgs {
    pub schema: Option<String>,
    pub migrations: Option<PathBuf>,
}

/// SQL files declared beside the derives.
#[derive(Args, Debug, Clone, Default)]
pub struct SqlArgs {
    /// SQL declaring what the structs cannot (views, functions, triggers, policies, domains, extensions): a
    /// file, or a directory whose *.sql files run in file-name order, after the schema's tables; repeatable.
    /// Replaces keel.toml `sql`; needs a crate or .json schema.
    #[arg(long = "sql", value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

#[derive(Args, Debug, Clone, Default)]
pub struct RenameArgs {
    /// Rename decisions as JSON: {"renames": [{"kind": "column", "schema": "public", "table": "files",
    /// "from": "name", "to": "title"}], "new": [{"kind": "column", "schema": "public", "table": "files",
    /// "name": "slug"}]}. Kinds: table, column, enum (renames also index, enum_value).
    #[arg(long, value_name = "FILE")]
    pub hints: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Write keel.toml and the app crate's schema dump target.
    #[command(
        after_help = "Examples:\n  keel init\n  keel init --sql schema\n  keel init --schema schema.sql --migrations db/migrations"
    )]
    Init {
        #[command(flatten)]
        schema: SchemaArg,
        #[command(flatten)]
        migrations: MigrationsArg,
        #[command(flatten)]
        sql: SqlArgs,
        /// Overwrite an existing keel.toml.
        #[arg(long)]
        force: bool,
    },
    /// Print the SQL that turns one schema into another (exit 0 equal, 2 different).
    #[command(after_help = "Examples:\n  keel diff --from migrations --to .\n  keel diff --from \"$DATABASE_URL\" \
                            --to schema.sql --output text\n  keel diff --from empty --to . --output json")]
    Diff {
        /// The schema to start from.
        #[arg(long, value_name = "SRC")]
        from: String,
        /// The schema to reach.
        #[arg(long, value_name = "SRC")]
        to: String,
        /// Online variants: CONCURRENTLY indexes, NOT VALID + VALIDATE constraints, lock_timeout.
        #[arg(long)]
        online: bool,
        #[command(flatten)]
        renames: RenameArgs,
        #[command(flatten)]
        dev_url: DevUrlArg,
    },
    /// Write the next migration: replay migrations/, diff with the schema, write <timestamp>_<name>.sql.
    #[command(after_help = "Examples:\n  keel generate add_file_descriptions\n  keel generate --online \
                            --hints renames.json\n  keel generate backfill_titles --custom")]
    Generate {
        /// The migration's name (default: from its first statement).
        name: Option<String>,
        /// Write an empty migration for hand-written SQL (run `keel rehash` after editing it).
        #[arg(long)]
        custom: bool,
        /// Online variants (see `keel diff --help`).
        #[arg(long)]
        online: bool,
        /// Write statements that delete data without asking.
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        schema: SchemaArg,
        #[command(flatten)]
        migrations: MigrationsArg,
        #[command(flatten)]
        sql: SqlArgs,
        #[command(flatten)]
        renames: RenameArgs,
        #[command(flatten)]
        dev_url: DevUrlArg,
    },
    /// Apply pending migrations (production runner: advisory lock, retries, timeout, checksums).
    #[command(after_help = "Examples:\n  keel migrate\n  keel migrate --wait-for-db 60 --timeout 600\n  \
                            keel migrate --dry-run --output json\n\n\
                            --dry-run --output json prints {\"dry_run\": true, \"applied\": [], \
                            \"already_applied\": N, \"pending\": [{\"version\", \"description\", \"file\", \
                            \"no_transaction\", \"hazards_declared\", \"hazards\": [{\"statement\", \
                            \"hazards\", \"measured\"}], \"lint\": [findings as keel lint]}]}; \
                            hazards_declared is false for a file without keel generate's header.")]
    Migrate {
        /// Show each pending migration with the hazards its header declares and its lint findings; change
        /// nothing. Exit 2 when migrations are pending (like `keel status`), 0 when none are.
        #[arg(long)]
        dry_run: bool,
        /// Keep retrying the connection this many seconds (a database that is still starting).
        #[arg(long, value_name = "SECS", value_parser = seconds())]
        wait_for_db: Option<u64>,
        /// Wait this many seconds for another runner's lock (keel.toml `[migrate] lock_wait_secs`; default 60).
        #[arg(long, value_name = "SECS", value_parser = seconds())]
        lock_wait: Option<u64>,
        /// Give up after this many seconds overall, cancelling a running statement (default 300).
        #[arg(long, value_name = "SECS", value_parser = seconds())]
        timeout: Option<u64>,
        /// Apply pending migrations older than the newest applied one (merged from another branch later)
        /// instead of refusing (exit 2).
        #[arg(long)]
        allow_out_of_order: bool,
        #[command(flatten)]
        migrations: MigrationsArg,
        #[command(flatten)]
        database_url: DatabaseUrlArg,
    },
    /// Make the database match the schema now (development). Asks before deleting data.
    #[command(after_help = "Examples:\n  keel push\n  keel push --dry-run\n  keel push --force   # CI/dev \
                            scripts: accept data loss")]
    Push {
        /// Apply statements that delete data without asking.
        #[arg(long)]
        force: bool,
        /// Ask before every statement.
        #[arg(long)]
        strict: bool,
        /// Online variants (see `keel diff --help`).
        #[arg(long)]
        online: bool,
        /// Show the plan; change nothing (exit 2 when there is something to do, like `diff`).
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        schema: SchemaArg,
        #[command(flatten)]
        sql: SqlArgs,
        #[command(flatten)]
        renames: RenameArgs,
        #[command(flatten)]
        database_url: DatabaseUrlArg,
        #[command(flatten)]
        dev_url: DevUrlArg,
    },
    /// Write the database's tables and enums as Rust structs using keel's derives.
    #[command(after_help = "Examples:\n  keel pull --out src/schema")]
    Pull {
        /// Directory for the modules (one per table, plus enums.rs and mod.rs).
        #[arg(long, value_name = "DIR", default_value = "src/schema")]
        out: PathBuf,
        /// Overwrite files that differ.
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        database_url: DatabaseUrlArg,
    },
    /// For CI: integrity file, checksums, clean replay, lint, schema changes missing from migrations;
    /// with --database-url, also the database's applied migrations and drift.
    #[command(after_help = "Without --database-url, check connects to no database of yours: DATABASE_URL is not \
                            read, so check means the same on a laptop and in CI. The output lists what was checked \
                            and where the scratch databases were.\n\nExamples:\n  keel check\n  keel check \
                            --database-url \"$STAGING_URL\" --output json")]
    Check {
        #[command(flatten)]
        schema: SchemaArg,
        #[command(flatten)]
        migrations: MigrationsArg,
        #[command(flatten)]
        sql: SqlArgs,
        #[command(flatten)]
        renames: RenameArgs,
        #[command(flatten)]
        database: CheckDatabaseArgs,
    },
    /// Applied, pending, edited and missing migrations of a database (exit 2 when not up to date).
    #[command(after_help = "Examples:\n  keel status\n  keel status --output json")]
    Status {
        #[command(flatten)]
        migrations: MigrationsArg,
        #[command(flatten)]
        database_url: DatabaseUrlArg,
    },
    /// Print the full DDL of a schema source (or its JSON with --output json).
    #[command(after_help = "Examples:\n  keel export\n  keel export --schema \"$DATABASE_URL\" --output json > \
                            schema.json")]
    Export {
        #[command(flatten)]
        schema: SchemaArg,
        #[command(flatten)]
        sql: SqlArgs,
        #[command(flatten)]
        dev_url: DevUrlArg,
    },
    /// Check the team's conventions on the schema and migration safety on SQL (exit 2 on errors).
    #[command(after_help = lint_help())]
    Lint {
        /// SQL files to check (default: the schema source's conventions and every file in migrations/).
        files: Vec<PathBuf>,
        /// Accept this run's findings: write them to lint-baseline.toml beside keel.toml, and later runs of
        /// lint and check leave them out (until their statement changes). Without FILES the baseline becomes
        /// exactly this run's findings; with FILES theirs are added.
        #[arg(long)]
        accept: bool,
        #[command(flatten)]
        schema: SchemaArg,
        #[command(flatten)]
        migrations: MigrationsArg,
        #[command(flatten)]
        sql: SqlArgs,
        #[command(flatten)]
        dev_url: DevUrlArg,
    },
    /// Rewrite migrations/keel.sum after editing a migration that has not been applied anywhere.
    #[command(after_help = "Examples:\n  keel rehash\n  keel rehash --migrations db/migrations")]
    Rehash {
        #[command(flatten)]
        migrations: MigrationsArg,
        /// With a database: say whether it applied the migrations whose sums change.
        #[command(flatten)]
        database_url: DatabaseUrlArg,
    },
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::{CommandFactory, Parser};

    /// Each command's own flags (the global ones aside): exactly those its code reads.
    const FLAGS: [(&str, &[&str]); 11] = [
        ("init", &["force", "migrations", "schema", "sql"]),
        ("diff", &["dev-url", "from", "hints", "online", "to"]),
        ("generate", &["custom", "dev-url", "force", "hints", "migrations", "online", "schema", "sql"]),
        (
            "migrate",
            &["allow-out-of-order", "database-url", "dry-run", "lock-wait", "migrations", "timeout", "wait-for-db"],
        ),
        ("push", &["database-url", "dev-url", "dry-run", "force", "hints", "online", "schema", "sql", "strict"]),
        ("pull", &["database-url", "force", "out"]),
        ("check", &["database-url", "dev-url", "hints", "migrations", "schema", "sql"]),
        ("status", &["database-url", "migrations"]),
        ("export", &["dev-url", "schema", "sql"]),
        ("lint", &["accept", "dev-url", "migrations", "schema", "sql"]),
        ("rehash", &["database-url", "migrations"]),
    ];

    #[test]
    fn each_command_lists_only_the_flags_it_reads() {
        let cli = Cli::command();
        let commands: Vec<&str> = cli.get_subcommands().map(|c| c.get_name()).collect();
        assert_eq!(commands, FLAGS.map(|(name, _)| name), "every command has a row");
        for (name, expected) in FLAGS {
            let command = cli.find_subcommand(name).expect("listed");
            let mut flags: Vec<&str> = command
                .get_arguments()
                .filter(|a| !a.is_global_set())
                .filter_map(|a| a.get_long())
                .filter(|long| *long != "help")
                .collect();
            flags.sort_unstable();
            assert_eq!(flags, expected, "keel {name}");
        }
    }

    /// A flag a command does not take is a usage error, not silently ignored.
    #[test]
    fn a_flag_of_another_command_is_refused() {
        for args in [
            ["keel", "migrate", "--schema", "schema.sql"],
            ["keel", "migrate", "--dev-url", "postgres://localhost/postgres"],
            ["keel", "status", "--schema", "schema.sql"],
            ["keel", "generate", "--database-url", "postgres://localhost/app"],
            ["keel", "export", "--migrations", "migrations"],
        ] {
            let error = Cli::try_parse_from(args).expect_err(&args.join(" "));
            assert_eq!(error.kind(), clap::error::ErrorKind::UnknownArgument, "{}", args.join(" "));
        }
        Cli::try_parse_from(["keel", "migrate", "--migrations", "db/migrations"]).expect("migrate reads --migrations");
    }
}
