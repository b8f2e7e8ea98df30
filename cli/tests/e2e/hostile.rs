//! Hostile and broken input: role statements in replayed SQL, URLs that do not parse, durations that
//! overflow, deep nesting, odd migration file names, a byte order mark, huge lines, and signals during a
//! command. Each ends in a clear message and an exit code, never a panic, a password or a leftover.

use crate::harness::{Db, TempDir, block_on, dev_url, keel};
use sqlx::{AssertSqlSafe, Connection, PgConnection};

/// A query on the shared server's maintenance database (`pg_roles`, `pg_database`): one bigint.
fn admin_int(sql: &str) -> i64 {
    let url = dev_url();
    let sql = sql.to_string();
    block_on(async move {
        let mut conn = PgConnection::connect(&url).await?;
        let value: i64 = sqlx::query_scalar(AssertSqlSafe(sql)).fetch_one(&mut conn).await?;
        conn.close().await?;
        Ok::<_, sqlx::Error>(value)
    })
    .unwrap_or_else(|e| panic!("querying the server: {e}"))
}

fn admin_exec(sql: &str) {
    let url = dev_url();
    let sql = sql.to_string();
    block_on(async move {
        let mut conn = PgConnection::connect(&url).await?;
        sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut conn).await?;
        conn.close().await
    })
    .unwrap_or_else(|e| panic!("running on the server: {e}"));
}

fn role_exists(name: &str) -> bool {
    admin_int(&format!("SELECT count(*) FROM pg_roles WHERE rolname = '{name}'")) > 0
}

#[test]
fn role_statements_are_refused_in_replayed_sql_and_leave_no_role() {
    let role = format!("keel_hostile_role_{}", std::process::id());
    let project = TempDir::new("hostile-roles");
    project.write("role.sql", &format!("CREATE TABLE t (id int);\nCREATE ROLE {role};\n"));
    for _ in 0..2 {
        keel(project.path(), &["diff", "--from", "empty", "--to", "role.sql"])
            .dev()
            .run()
            .expect(1)
            .says("role.sql:2")
            .says("cluster-wide")
            .says("keel migrate");
        assert!(!role_exists(&role), "keel diff created role {role}");
    }
    // Migrations replayed by check: refused the same way every time, never "already exists".
    project.write("migrations/20240101000000_init.sql", "CREATE TABLE t (id int);\n");
    project.write(
        "migrations/20240102000000_roles.sql",
        &format!("CREATE TABLE u (id int);\nGRANT pg_read_all_data TO {role};\nALTER ROLE {role} LOGIN;\n"),
    );
    project.write("schema.sql", "CREATE TABLE t (id int);\nCREATE TABLE u (id int);\n");
    for _ in 0..2 {
        let run = keel(project.path(), &["check", "--schema", "schema.sql"]).dev().run().expect(2);
        run.says("20240102000000_roles.sql:2").says("cluster-wide");
        assert!(!run.all().contains("already exists"), "{}", run.describe());
    }
    for sql in [
        format!("DROP USER IF EXISTS {role};"),
        "CREATE TABLESPACE ts LOCATION '/tmp';".to_string(),
        "CREATE DATABASE keel_hostile_db;".to_string(),
        format!("ALTER DEFAULT PRIVILEGES FOR ROLE {role} GRANT SELECT ON TABLES TO PUBLIC;"),
        format!("CREATE GROUP {role};"),
    ] {
        project.write("other.sql", &format!("-- a comment\n{sql}\n"));
        keel(project.path(), &["diff", "--from", "empty", "--to", "other.sql"])
            .dev()
            .run()
            .expect(1)
            .says("other.sql:2")
            .says("cluster-wide");
    }
    // The schema folder beside the tables is normalized in a scratch database too.
    project.write("empty.json", "{\"format_version\": 1, \"schemas\": {}}\n");
    project.write("schema/roles.sql", &format!("CREATE TABLE v (id int);\n\nCREATE USER {role};\n"));
    keel(project.path(), &["export", "--schema", "empty.json", "--sql", "schema"])
        .dev()
        .run()
        .expect(1)
        .says("roles.sql:3")
        .says("cluster-wide");
    assert!(!role_exists(&role));
    assert_eq!(admin_int("SELECT count(*) FROM pg_database WHERE datname = 'keel_hostile_db'"), 0);

    // `keel migrate` runs against the target the user named: there, a role statement is the user's to run.
    let db = Db::new();
    let migrate = TempDir::new("hostile-roles-migrate");
    migrate.write("migrations/20240101000000_role.sql", &format!("CREATE ROLE {role};\n"));
    let run = keel(migrate.path(), &["migrate"]).db(&db.url).run();
    let created = role_exists(&role);
    admin_exec(&format!("DROP ROLE IF EXISTS {role}"));
    run.expect(0);
    assert!(created, "keel migrate did not run the role statement");
}

#[test]
fn bad_urls_are_refused_without_their_password_or_a_fallback() {
    const SECRET: &str = "s3cretpw";
    let project = TempDir::new("hostile-urls");
    project.write("migrations/20240101000000_one.sql", "CREATE TABLE one (id int);\n");
    project.write("schema.sql", "CREATE TABLE one (id int);\n");
    let urls = [
        format!("postgres://u:{SECRET}/x@127.0.0.1:1/x"),
        format!("u:{SECRET}@127.0.0.1:1/x"),
        format!("mysql://u:{SECRET}@127.0.0.1:1/x"),
        format!("postgres://u:{SECRET}@x@127.0.0.1:1/x"),
        format!("postgres://u:{SECRET}:x@127.0.0.1:1/x"),
    ];
    let mut runs = Vec::new();
    for url in &urls {
        runs.push(keel(project.path(), &["status"]).db(url).run());
        runs.push(keel(project.path(), &["migrate", "--output", "json"]).db(url).run());
        runs.push(keel(project.path(), &["status"]).env("DATABASE_URL", url).run());
        runs.push(keel(project.path(), &["diff", "--from", url, "--to", "empty"]).run());
        runs.push(keel(project.path(), &["diff", "--from", "schema.sql", "--to", "empty", "--dev-url", url]).run());
        runs.push(
            keel(project.path(), &["diff", "--from", "schema.sql", "--to", "empty"]).env("KEEL_DEV_URL", url).run(),
        );
        let dotenv = TempDir::new("hostile-urls-dotenv");
        dotenv.write("migrations/20240101000000_one.sql", "CREATE TABLE one (id int);\n");
        dotenv.write(".env", &format!("DATABASE_URL={url}\n"));
        runs.push(keel(dotenv.path(), &["status"]).run());
        let config = TempDir::new("hostile-urls-config");
        config.write("migrations/20240101000000_one.sql", "CREATE TABLE one (id int);\n");
        config.write("keel.toml", &format!("schema = \"empty\"\ndatabase_url = \"{url}\"\n"));
        runs.push(keel(config.path(), &["status"]).run());
    }
    // The first three are no PostgreSQL URLs; in the last two the password holds an `@` or a `:`, which
    // a URL parser accepts (then keel connects to the host they name, 127.0.0.1:1, and fails).
    let refused = runs.len() / urls.len() * 3;
    for (i, run) in runs.iter().enumerate() {
        assert_eq!(run.code, 1, "`{}`\n{}", run.command, run.describe());
        assert!(!run.all().contains(SECRET), "`{}` printed the password\n{}", run.command, run.describe());
        if i < refused {
            assert!(run.all().contains("postgres://"), "`{}` says no URL\n{}", run.command, run.describe());
            // Refused as a URL, not tried: no connection error from anywhere.
            assert!(!run.all().contains("connect"), "`{}` tried to connect\n{}", run.command, run.describe());
        }
    }
    keel(project.path(), &["status"]).db(&urls[2]).run().says("mysql:// is not a PostgreSQL URL");
}

#[test]
fn huge_durations_are_refused_not_panics() {
    let project = TempDir::new("hostile-durations");
    project.write("migrations/20240101000000_one.sql", "CREATE TABLE one (id int);\n");
    let db = Db::new();
    keel(project.path(), &["migrate", "--timeout", "9223372036854775807"])
        .db(&db.url)
        .run()
        .expect(1)
        .says("--timeout");
    keel(project.path(), &["migrate", "--lock-wait", "18446744073709551615"])
        .db(&db.url)
        .run()
        .expect(1)
        .says("--lock-wait");
    keel(project.path(), &["migrate", "--wait-for-db", "18446744073709551615"])
        .db(&db.url)
        .run()
        .expect(1)
        .says("--wait-for-db");
    for setting in ["timeout_secs", "lock_wait_secs", "lock_timeout_ms"] {
        project.write("keel.toml", &format!("[migrate]\n{setting} = 18446744073709551615\n"));
        keel(project.path(), &["migrate"]).db(&db.url).run().expect(1).says(setting);
    }
    assert!(!db.has_table("one"), "nothing ran");
    std::fs::remove_file(project.join("keel.toml")).expect("remove keel.toml");
    keel(project.path(), &["migrate", "--timeout", "600", "--lock-wait", "5"]).db(&db.url).run().expect(0);
}

#[test]
fn deep_nesting_is_reported_not_a_crash() {
    let project = TempDir::new("hostile-nesting");
    let depth = 20_000;
    let sql = format!("SELECT {}1{};\n", "(".repeat(depth), ")".repeat(depth));
    project.write("deep.sql", &sql);
    project.write("migrations/20240101000000_deep.sql", &sql);
    let run = keel(project.path(), &["lint", "deep.sql"]).run();
    assert!(run.code == 1 || run.code == 2, "`{}` exit {}\n{}", run.command, run.code, run.describe());
    run.says("nest");
    let run = keel(project.path(), &["diff", "--from", "empty", "--to", "deep.sql"]).dev().run();
    assert_eq!(run.code, 1, "`{}`\n{}", run.command, run.describe());
    let run = keel(project.path(), &["diff", "--from", "empty", "--to", "migrations"]).dev().run();
    assert_eq!(run.code, 1, "`{}`\n{}", run.command, run.describe());
}

#[test]
fn odd_migration_file_names_are_named_and_a_bom_is_stripped() {
    let project = TempDir::new("hostile-files");
    // A byte order mark, as some editors write: the SQL runs, the checksum is the file's (as sqlx's).
    project.write("migrations/20240101000000_init.sql", "\u{feff}CREATE TABLE one (id int);\n");
    project.write("schema.sql", "CREATE TABLE one (id int);\n");
    let db = Db::new();
    keel(project.path(), &["migrate"]).db(&db.url).run().expect(0);
    assert!(db.has_table("one"));
    keel(project.path(), &["rehash"]).run().expect(0);
    keel(project.path(), &["check", "--schema", "schema.sql"]).db(&db.url).dev().run().expect(0);
    let raw = std::fs::read(project.join("migrations/20240101000000_init.sql")).expect("read");
    let sqlx_checksum = {
        use sqlx::SqlSafeStr;
        use sqlx::migrate::{Migration, MigrationType};
        let text = String::from_utf8(raw).expect("utf-8");
        Migration::new(20240101000000, "init".into(), MigrationType::Simple, AssertSqlSafe(text).into_sql_str(), false)
            .checksum
            .into_owned()
    };
    let recorded = block_on({
        let url = db.url.clone();
        async move {
            let mut conn = PgConnection::connect(&url).await?;
            let checksum: Vec<u8> =
                sqlx::query_scalar("SELECT checksum FROM _sqlx_migrations").fetch_one(&mut conn).await?;
            conn.close().await?;
            Ok::<_, sqlx::Error>(checksum)
        }
    })
    .expect("read the checksum");
    assert_eq!(recorded, sqlx_checksum, "the recorded checksum is sqlx's, of the raw file");

    // Files whose names are no migration's: said, not skipped in silence.
    for name in ["abc.sql", "20240101-init.sql", "X.SQL"] {
        project.write(&format!("migrations/{name}"), "CREATE TABLE ignored (id int);\n");
    }
    let run = keel(project.path(), &["status"]).db(&db.url).run().expect(0);
    for name in ["abc.sql", "20240101-init.sql", "X.SQL"] {
        run.says(name);
    }
    let run = keel(project.path(), &["check", "--schema", "schema.sql"]).dev().run().expect(2);
    for name in ["abc.sql", "20240101-init.sql", "X.SQL"] {
        run.says(name);
    }
}

#[test]
fn an_error_on_a_huge_line_is_cut_around_its_position() {
    let project = TempDir::new("hostile-long-line");
    let long = format!("SELECT {} FROM nowhere_at_all;\n", vec!["1"; 10_000].join(", "));
    project.write("migrations/20240101000000_long.sql", &long);
    let db = Db::new();
    let run = keel(project.path(), &["migrate"]).db(&db.url).run().expect(1);
    run.says("nowhere_at_all").says("...");
    assert!(run.all().len() < 4_000, "{} bytes of output:\n{}", run.all().len(), &run.all()[..4_000]);
    project.write("schema.sql", &long);
    let run = keel(project.path(), &["diff", "--from", "empty", "--to", "schema.sql"]).dev().run().expect(1);
    run.says("nowhere_at_all");
    assert!(run.all().len() < 4_000, "{} bytes of output:\n{}", run.all().len(), &run.all()[..4_000]);
}

/// The scratch databases a process created: their names carry its pid.
fn scratch_databases_of(pid: u32) -> i64 {
    admin_int(&format!(
        "SELECT count(*) FROM pg_database WHERE datname LIKE 'keel\\_scratch\\_%' AND datname LIKE '%\\_{pid}\\_%'"
    ))
}

#[test]
fn a_signal_drops_the_scratch_databases_and_stale_ones_are_swept() {
    let project = TempDir::new("hostile-signal");
    // The replay waits here until the signal comes.
    project.write("slow.sql", "CREATE TABLE t (id int);\nSELECT pg_sleep(60);\n");
    for (signal, code) in [("INT", 130), ("TERM", 143)] {
        let (command, mut child) = keel(project.path(), &["diff", "--from", "empty", "--to", "slow.sql"]).dev().spawn();
        let pid = child.id();
        let mut waited = 0;
        while admin_int(
            "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(60)%' AND pid <> pg_backend_pid()",
        ) == 0
        {
            assert!(waited < 600, "the replay never started");
            if let Ok(Some(status)) = child.try_wait() {
                panic!("keel exited early: {status}");
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
            waited += 1;
        }
        assert_eq!(scratch_databases_of(pid), 1, "one scratch database while it runs");
        let sent = std::process::Command::new("kill").arg(format!("-{signal}")).arg(pid.to_string()).status();
        assert!(sent.is_ok_and(|s| s.success()), "kill -{signal}");
        let run = crate::harness::finish(command, child);
        let left = scratch_databases_of(pid);
        if left > 0 {
            for name in block_on(names_of(pid)) {
                admin_exec(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"));
            }
        }
        assert_eq!(run.code, code, "SIG{signal}\n{}", run.describe());
        assert_eq!(left, 0, "SIG{signal} left the scratch database\n{}", run.describe());
    }

    // A scratch database of a keel process of this host that died long ago is swept at the next start;
    // one of a live process (this test's) is not.
    let dead = dead_pid();
    let stale = keel_scratch::database_name_for(dead, 0, 1);
    admin_exec(&format!("CREATE DATABASE \"{stale}\""));
    let live = Db::new();
    project.write("quick.sql", "CREATE TABLE t (id int);\n");
    // Any keel starting on this server now sweeps it (other tests run keel beside this one), so the one
    // started here may find it gone already; what matters is that it is gone.
    keel(project.path(), &["diff", "--from", "empty", "--to", "quick.sql"]).dev().run().expect(2);
    let still = admin_int(&format!("SELECT count(*) FROM pg_database WHERE datname = '{stale}'"));
    admin_exec(&format!("DROP DATABASE IF EXISTS \"{stale}\""));
    assert_eq!(still, 0, "the stale scratch database {stale} was not swept");
    assert!(live.int("SELECT 1::bigint") == 1, "the live process's scratch database is kept");
}

async fn names_of(pid: u32) -> Vec<String> {
    let mut conn = PgConnection::connect(&dev_url()).await.expect("connect");
    sqlx::query_scalar(AssertSqlSafe(format!(
        "SELECT datname::text FROM pg_database WHERE datname LIKE 'keel\\_scratch\\_%' AND datname LIKE '%\\_{pid}\\_%'"
    )))
    .fetch_all(&mut conn)
    .await
    .expect("names")
}

/// A pid no process has: past the largest the kernel hands out (`pid_max` is at most 2^22), so no test
/// process running beside this one can take it.
fn dead_pid() -> u32 {
    let pid_max: u32 = std::fs::read_to_string("/proc/sys/kernel/pid_max")
        .ok()
        .and_then(|max| max.trim().parse().ok())
        .unwrap_or(1 << 22);
    pid_max + 1
}
