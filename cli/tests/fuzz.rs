//! Fuzz-style properties of the command line's inputs: damaged `keel.toml` files load or are refused
//! (never a panic), and a password in a database URL never survives `redact`, whatever shape the URL has.

use keel_cli::config::{Config, expand_env, template};
use keel_cli::integrity;
use keel_cli::migration_files::{next_version, slug};
use keel_cli::redact::{redact, register};
use keel_diff::migrate::read_migrations;
use proptest::prelude::*;
use proptest::test_runner::TestRunner;
use sqlx::postgres::PgConnectOptions;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicU32, Ordering};

#[path = "../../schema-core/tests/support/mutate.rs"]
mod mutate;

#[allow(dead_code)]
#[path = "e2e/harness.rs"]
mod harness;

fn run<T: std::fmt::Debug>(strategy: impl Strategy<Value = T>, test: impl Fn(T) -> Result<(), TestCaseError>) {
    let mut runner = TestRunner::new(mutate::config());
    if let Err(e) = runner.run(&strategy, test) {
        panic!("{e}");
    }
}

// ---------------------------------------------------------------------------------------------------------
// keel.toml
// ---------------------------------------------------------------------------------------------------------

const CONFIGS: &[&str] = &[
    "schema = \"postgres://u:${KEEL_FUZZ_UNSET}@h/db\"\nsql = [\"a.sql\", \"${HOME}/v\"]\nmigrations = \"m\"\n\
     database_url = \"${DATABASE_URL\"\n[migrate]\nlock_id = -9223372036854775808\ntimeout_secs = 18446744073709551615\n",
    "[lint]\nrules = { \"table-plural\" = \"off\" }\n[[lint.overrides]]\nrule = \"*\"\ntable = \"t\"\nseverity = \"off\"\n",
    "sql = \"schema\"\ndev_url = \"${}\"\n[migrate]\ntable = \"billing._sqlx_migrations\"\nlock_timeout_ms = 0\n",
];

/// A `keel.toml` in its own temporary directory, removed when dropped.
struct File(PathBuf);

impl File {
    fn new(text: &str) -> File {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("keel-fuzz-config-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create a temporary directory");
        std::fs::write(dir.join("keel.toml"), text).expect("write keel.toml");
        File(dir)
    }
}

impl Drop for File {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn damaged_config_files_never_panic() {
    let template = template(".", "migrations", &["schema".to_string(), "views".to_string()]);
    let mut valid = CONFIGS.to_vec();
    valid.push(&template);
    for text in &valid {
        toml::from_str::<Config>(text).unwrap_or_else(|e| panic!("a valid configuration: {e}\n{text}"));
    }
    run(mutate::input(&valid), |text| {
        let file = File::new(&text);
        if let Ok(config) = Config::load(&file.0.join("keel.toml"), true) {
            let _ = config.schema_source();
            let _ = config.sql_paths();
            let _ = config.database_url();
            let _ = config.dev_url();
            let _ = config.migrations.as_deref().map(|m| config.path(m));
            let _ = config.path(Path::new(&text));
        }
        let _ = expand_env(&text);
        Ok(())
    });
}

// ---------------------------------------------------------------------------------------------------------
// Migration files keel writes and sums
// ---------------------------------------------------------------------------------------------------------

/// A damaged `keel.sum` beside migrations is reported, never a panic; names and versions for new files
/// come from any text and any latest version.
#[test]
fn damaged_sum_files_names_and_versions_never_panic() {
    let project = harness::TempDir::new("fuzz-sum");
    project.write("migrations/1_a.sql", "CREATE TABLE a (id integer);\n");
    project.write("migrations/9223372036854775807_last.sql", "-- no-transaction\r\nSELECT 1;");
    let dir = project.join("migrations");
    let migrations = read_migrations(&dir).expect("valid migrations");
    let valid = integrity::render(&migrations);
    let cases = (mutate::input(&[&valid]), mutate::random_text(), any::<Option<i64>>());
    run(cases, |(sum, name, latest)| {
        std::fs::write(dir.join(integrity::SUM_FILE), &sum).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let problems = integrity::problems(&dir, &migrations);
        prop_assert_eq!(problems.is_empty(), sum == valid, "{:?}", problems);
        let slug = slug(&name);
        prop_assert!(!slug.is_empty() && slug.len() <= 60, "{slug:?}");
        prop_assert!(slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'), "{slug:?}");
        if let (Ok(next), Some(latest)) = (next_version(latest), latest) {
            prop_assert!(next > latest);
        }
        Ok(())
    });
}

/// `generate` after a migration numbered `i64::MAX` says why it cannot number the next one.
#[test]
fn generate_refuses_to_number_a_migration_after_the_largest_version() {
    let project = harness::TempDir::new("largest-version");
    project.write("migrations/9223372036854775807_last.sql", "SELECT 1;\n");
    harness::keel(project.path(), &["rehash"]).run().expect(0);
    let run = harness::keel(project.path(), &["generate", "next", "--custom"]).run().expect(1);
    run.says("no migration version follows 9223372036854775807");
}

// ---------------------------------------------------------------------------------------------------------
// Passwords in URLs
// ---------------------------------------------------------------------------------------------------------

/// Where the password goes in a generated URL.
const MARK: &str = "{MARK}";

/// URL templates holding [`MARK`] (between random punctuation) in many shapes, most of them malformed.
/// No `&`: in a query it ends the value, so what follows is no longer the password. `free_text` leaves
/// out what ends a URL in a message (white space, quotes) and values that are not passwords (a URL keel
/// was not given can only be read by its shape).
fn urls(free_text: bool) -> impl Strategy<Value = String> {
    let mut punctuation = vec!["", "@", ":", "/", "?", "#", "%", "%2", "%zz", "%40", "[", "]", "\\", "=", "é"];
    let mut shapes = vec![
        "postgres://user:{pw}@db.internal/app",
        "postgresql://user:{pw}@db:99999/app?sslmode=require",
        "postgres://:{pw}@db",
        "postgres://user:{pw}@",
        "postgres://user:{pw}@[::1/app",
        "postgres://user:{pw}@db:port/app",
        "postgres://user@db/app?password={pw}&sslmode=bogus",
        "postgres://user@db/app?sslmode=bogus&password={pw}",
        "POSTGRES://user:{pw}@db:0/app?port=x",
        "mysql://user:{pw}@db/app",
        "postgres://us:er:{pw}@db/app",
        "postgres://user:{pw}@db1,db2/app",
    ];
    if !free_text {
        punctuation.extend([" ", "'", "\"", "\n"]);
        shapes.push("postgres://user:{pw}@db/app?options=-c%20x%3D{pw}");
    }
    let secret = (prop::sample::select(punctuation.clone()), prop::sample::select(punctuation))
        .prop_map(|(a, b)| format!("{a}{MARK}{b}"));
    (prop::sample::select(shapes), secret).prop_map(|(shape, secret)| shape.replace("{pw}", &secret))
}

/// What keel could print about a URL: the URL in a message, and the driver's own complaint about it.
fn messages(url: &str) -> String {
    let driver = PgConnectOptions::from_str(url).err().map(|e| e.to_string()).unwrap_or_default();
    format!("connecting to {url}: {driver}\nsource: database {url}")
}

/// The URLs keel is given are registered (session, schema sources): their passwords are hidden however
/// the URL is written.
#[test]
fn a_registered_password_never_survives_redact() {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    run(urls(false), |template| {
        // A password of its own per case: one registered before must not hide this one.
        let password = format!("s3cret{}PW", NEXT.fetch_add(1, Ordering::Relaxed));
        let url = template.replace(MARK, &password);
        register(&url);
        let text = redact(&messages(&url));
        prop_assert!(!text.contains(&password), "{url:?} → {text}");
        Ok(())
    });
}

/// A URL keel was not given (a driver's message, a file's text) still loses its password.
#[test]
fn an_unregistered_url_password_never_survives_redact() {
    const PASSWORD: &str = "hunter9XY";
    run(urls(true), |template| {
        let url = template.replace(MARK, PASSWORD);
        let text = redact(&messages(&url));
        prop_assert!(!text.contains(PASSWORD), "{url:?} → {text}");
        Ok(())
    });
}
