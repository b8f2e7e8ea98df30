//! Scenario 9: passwords in database URLs never reach the output, whether the URL came from a flag, the
//! environment or a schema source, and whatever failed (no server, no database, a retried connection).

use crate::harness::{Db, TempDir, block_on, keel, server, with_password};
use sqlx::{Connection, PgConnection};

const SECRET: &str = "supersecret";

#[test]
fn passwords_are_never_printed() {
    let project = TempDir::new("secrets");
    project.write("migrations/20240101000000_one.sql", "CREATE TABLE one (id int);\n");
    project.write("schema.sql", "CREATE TABLE one (id int);\n");
    let nowhere = format!("postgres://u:{SECRET}@127.0.0.1:1/x");
    // A reachable server and a database that does not exist (trust authentication ignores the password).
    let missing = with_password(&server().url("keel_e2e_surely_missing"), SECRET);
    let db = Db::new();
    let existing = with_password(&db.url, SECRET);

    let mut runs = Vec::new();
    for url in [&nowhere, &missing] {
        runs.push(keel(project.path(), &["migrate"]).db(url).run());
        runs.push(keel(project.path(), &["migrate", "-v", "--wait-for-db", "1"]).db(url).run());
        runs.push(keel(project.path(), &["status"]).db(url).run());
        runs.push(keel(project.path(), &["status", "--output", "json"]).db(url).run());
        runs.push(keel(project.path(), &["push", "--schema", "schema.sql", "-v"]).db(url).dev().run());
        runs.push(keel(project.path(), &["check", "--schema", "schema.sql"]).db(url).dev().run());
        runs.push(keel(project.path(), &["diff", "--from", url, "--to", "empty"]).run());
        runs.push(keel(project.path(), &["diff", "--from", "empty", "--to", url, "--output", "json"]).run());
        runs.push(keel(project.path(), &["export", "--schema", url]).run());
        runs.push(keel(project.path(), &["pull", "--out", "pulled"]).db(url).run());
        runs.push(keel(project.path(), &["status"]).env("DATABASE_URL", url).run());
        // A dev URL that does not work.
        runs.push(keel(project.path(), &["diff", "--from", "schema.sql", "--to", "empty", "--dev-url", url]).run());
    }
    // The URL from ./.env, or from keel.toml through an environment variable.
    let dotenv = TempDir::new("secrets-dotenv");
    dotenv.write("migrations/20240101000000_one.sql", "CREATE TABLE one (id int);\n");
    dotenv.write(".env", &format!("DATABASE_URL={nowhere}\n"));
    runs.push(keel(dotenv.path(), &["status"]).run());
    runs.push(keel(dotenv.path(), &["migrate", "--output", "json"]).run());
    let config = TempDir::new("secrets-config");
    config.write("migrations/20240101000000_one.sql", "CREATE TABLE one (id int);\n");
    config.write("keel.toml", "schema = \"empty\"\ndatabase_url = \"${KEEL_E2E_URL}\"\n");
    runs.push(keel(config.path(), &["status"]).env("KEEL_E2E_URL", &missing).run());
    runs.push(keel(config.path(), &["check"]).env("KEEL_E2E_URL", &nowhere).dev().run());
    for run in &runs {
        assert_ne!(run.code, 0, "`{}` cannot succeed\n{}", run.command, run.describe());
    }
    // A percent-encoded password is hidden encoded and decoded.
    let encoded = "postgres://u:super%2Fsecret%40x@127.0.0.1:1/x";
    for run in [
        keel(project.path(), &["status"]).db(encoded).run(),
        keel(project.path(), &["diff", "--from", encoded, "--to", "empty"]).run(),
    ] {
        assert_ne!(run.code, 0, "`{}` cannot succeed\n{}", run.command, run.describe());
        let all = run.all();
        assert!(!all.contains("super%2Fsecret") && !all.contains("super/secret"), "{}", run.describe());
    }
    // Commands that succeed with a password in the URL print no password either. Only where the server
    // ignores it (trust authentication, as in the throwaway cluster): elsewhere this password is wrong.
    if block_on(PgConnection::connect(&existing)).is_ok() {
        runs.push(keel(project.path(), &["migrate", "-v", "--output", "json"]).db(&existing).run().expect(0));
        runs.push(keel(project.path(), &["status", "-v"]).db(&existing).run().expect(0));
        runs.push(keel(project.path(), &["push", "--schema", "schema.sql", "-v"]).db(&existing).dev().run().expect(0));
        runs.push(keel(project.path(), &["diff", "--from", &existing, "--to", "empty", "-v"]).dev().run().expect(2));
    } else {
        eprintln!("the server checks passwords: skipped the commands that succeed with {SECRET} in the URL");
    }

    for run in &runs {
        assert!(!run.all().contains(SECRET), "`{}` printed the password\n{}", run.command, run.describe());
    }
}
