//! Where scratch databases go: the dev server (`--dev-url`, `KEEL_DEV_URL`, keel.toml `dev_url`) when one
//! is given, else a throwaway cluster keel starts; never the server of a database named only as the target
//! of a command (`check --database-url`).

use crate::harness::{Db, TempDir, block_on, keel, server};
use sqlx::{AssertSqlSafe, Connection, PgConnection};

/// `postgres://role@host...` from `postgres://user@host...`.
fn with_user(url: &str, role: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("a URL");
    let host = rest.split_once('@').map_or(rest, |(_, host)| host);
    format!("{scheme}://{role}@{host}")
}

fn admin(sql: &str) -> Result<(), sqlx::Error> {
    let url = server().url("postgres");
    block_on(async {
        let mut conn = PgConnection::connect(&url).await?;
        sqlx::raw_sql(AssertSqlSafe(sql.to_string())).execute(&mut conn).await?;
        conn.close().await
    })
}

/// Drops the role when the test ends (best effort: after a failure its grants keep it, with the database
/// kept for a look).
struct Role(String);

impl Drop for Role {
    fn drop(&mut self) {
        if let Err(e) = admin(&format!("DROP ROLE IF EXISTS {}", self.0)) {
            eprintln!("dropping role {}: {e}", self.0);
        }
    }
}

#[test]
fn check_makes_no_scratch_database_on_the_server_it_checks() {
    let project = TempDir::new("scratch-server");
    project.write("v1.sql", "CREATE TABLE notes (id bigint PRIMARY KEY, body text NOT NULL);");
    keel(project.path(), &["generate", "notes", "--schema", "v1.sql"]).dev().run().expect(0);
    let db = Db::new();
    keel(project.path(), &["migrate"]).db(&db.url).run().expect(0);

    // A role that may create databases, whose transactions are read-only: CREATE DATABASE fails as it, so a
    // scratch database made on the checked server fails the check.
    let role = Role(format!("keel_checker_{}", std::process::id()));
    admin(&format!("DROP ROLE IF EXISTS {0}; CREATE ROLE {0} LOGIN CREATEDB", role.0)).expect("create a role");
    admin(&format!("ALTER ROLE {} SET default_transaction_read_only = on", role.0)).expect("alter the role");
    db.exec(&format!("GRANT SELECT ON ALL TABLES IN SCHEMA public TO {}", role.0));
    let target = with_user(&db.url, &role.0);

    let run = keel(project.path(), &["check", "--schema", "v1.sql"]).db(&target).run().expect(0);
    run.says("scratch database on a throwaway cluster");
    let help = keel(project.path(), &["--help"]).run().expect(0);
    let help = help.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(help.contains("never on the server of a database named only as a target"), "{help}");
    // The role's grants go with the database.
    drop(db);
}

/// `push`'s database is a development one: without a dev server its scratch databases go on that
/// database's server (faster than starting a cluster), and push says so.
#[test]
fn push_says_its_scratch_databases_go_beside_its_database() {
    let project = TempDir::new("scratch-push");
    project.write("v1.sql", "CREATE TABLE notes (id bigint PRIMARY KEY, body text NOT NULL);");
    let db = Db::new();
    let run = keel(project.path(), &["push", "--schema", "v1.sql"]).db(&db.url).run().expect(0);
    run.says("scratch databases go on the server of the database pushed to (a development database)");
    assert!(db.has_table("notes"), "{}", run.describe());

    // A dev server given: that one, without a word.
    let run = keel(project.path(), &["push", "--schema", "v1.sql"]).db(&db.url).dev().run().expect(0);
    assert!(!run.all().contains("database pushed to"), "{}", run.describe());
}

/// A migration the scratch server's version cannot run fails the replay with a note naming that version
/// (PostgreSQL 13 and 14 know no `NULLS NOT DISTINCT`); from 15 on, it replays.
#[test]
fn a_replay_that_fails_on_an_old_scratch_server_names_its_version() {
    let project = TempDir::new("scratch-version");
    project.write(
        "migrations/20260101000000_codes.sql",
        "CREATE TABLE codes (code text, CONSTRAINT codes_code_key UNIQUE NULLS NOT DISTINCT (code));\n",
    );
    let version: i32 = block_on(async {
        let mut conn = PgConnection::connect(&server().url("postgres")).await?;
        let version = keel_diff::version::server_version_num(&mut conn).await;
        conn.close().await?;
        version
    })
    .expect("the server's version");
    let run = keel(project.path(), &["diff", "--from", "migrations", "--to", "empty"]).dev();
    if version < 150000 {
        let major = keel_diff::version::major(version);
        run.run().expect(1).says(&format!(
            "note: the scratch server is PostgreSQL {major}; statements of later versions (BEGIN ATOMIC, NULLS NOT \
             DISTINCT"
        ));
    } else {
        run.run().expect(2).says("DROP TABLE");
    }
}
