//! Scenario 2, compatibility with sqlx: migrations keel generated and applied are applied as far as sqlx's
//! own `Migrator` is concerned, and a database sqlx migrated is up to date for `keel status` and
//! `keel migrate`. The migrations include a `-- no-transaction` file (an online index).

use crate::harness::{Db, TempDir, block_on, keel, sql_files};
use sqlx::{Connection, PgConnection};
use std::path::Path;

const V1: &str = "
CREATE TYPE mood AS ENUM ('happy', 'sad');
CREATE TABLE people (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL UNIQUE,
    mood mood NOT NULL DEFAULT 'happy'
);
";

const V2: &str = "
CREATE TYPE mood AS ENUM ('happy', 'sad');
CREATE TABLE people (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL UNIQUE,
    mood mood NOT NULL DEFAULT 'happy',
    nickname text
);
CREATE INDEX idx_people_nickname ON people (nickname);
";

/// sqlx's `Migrator` over `dir`, run on `url`.
fn sqlx_migrate(dir: &Path, url: &str) -> Result<(), sqlx::migrate::MigrateError> {
    block_on(async {
        let migrator = sqlx::migrate::Migrator::new(dir).await?;
        let mut conn = PgConnection::connect(url).await?;
        let result = migrator.run(&mut conn).await;
        conn.close().await?;
        result
    })
}

#[test]
fn keel_and_sqlx_read_the_same_migrations() {
    let project = TempDir::new("sqlx");
    let migrations = project.join("migrations");
    let dir = migrations.to_str().expect("UTF-8 path");

    // Two generated migrations from a SQL schema; the second, online, puts its index in its own
    // `-- no-transaction` file.
    project.write("schema.sql", V1);
    keel(project.path(), &["generate", "people", "--schema", "schema.sql", "--migrations", dir]).dev().run().expect(0);
    project.write("schema.sql", V2);
    keel(project.path(), &["generate", "nicknames", "--online", "--schema", "schema.sql", "--migrations", dir])
        .dev()
        .run()
        .expect(0);
    let files = sql_files(&migrations);
    assert!(files.len() >= 3, "an online index gets a file of its own: {files:?}");
    let no_transaction = files
        .iter()
        .filter(|f| std::fs::read_to_string(migrations.join(f)).expect("read").starts_with("-- no-transaction"))
        .count();
    assert_eq!(no_transaction, 1, "{files:?}");

    // keel migrates; sqlx then finds nothing to do and changes nothing.
    let by_keel = Db::new();
    keel(project.path(), &["migrate", "--migrations", dir]).db(&by_keel.url).run().expect(0);
    let applied = by_keel.applied();
    assert_eq!(applied.len(), files.len());
    let installed = by_keel.texts("SELECT installed_on::text FROM _sqlx_migrations ORDER BY version");
    sqlx_migrate(&migrations, &by_keel.url).expect("sqlx runs keel's migrations database");
    assert_eq!(by_keel.applied(), applied);
    assert_eq!(by_keel.texts("SELECT installed_on::text FROM _sqlx_migrations ORDER BY version"), installed);

    // sqlx migrates; keel sees everything applied and has nothing to do.
    let by_sqlx = Db::new();
    sqlx_migrate(&migrations, &by_sqlx.url).expect("sqlx applies keel's migrations");
    assert_eq!(by_sqlx.applied(), applied, "sqlx records the same versions and descriptions");
    let status = keel(project.path(), &["status", "--migrations", dir, "--output", "json"])
        .db(&by_sqlx.url)
        .run()
        .expect(0)
        .json();
    let entries = status["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), files.len(), "{status:#}");
    assert!(entries.iter().all(|e| e["state"] == "applied"), "{status:#}");
    let report = keel(project.path(), &["migrate", "--migrations", dir, "--output", "json"])
        .db(&by_sqlx.url)
        .run()
        .expect(0)
        .json();
    assert_eq!(report["applied"].as_array().map(Vec::len), Some(0), "{report:#}");
    assert_eq!(report["already_applied"], files.len(), "{report:#}");

    // Both databases are the schema.
    for db in [&by_keel, &by_sqlx] {
        keel(project.path(), &["diff", "--from", &db.url, "--to", "schema.sql"]).dev().run().expect(0);
    }
}
