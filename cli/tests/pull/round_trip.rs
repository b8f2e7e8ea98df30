//! The round trip: every case's database, pulled into one scratch crate, compiled, collected, and planned
//! against the database it came from; the warnings and the guideline example's source checked on the way.

use crate::cases::{CASES, Case, NOT_ROUND_TRIP};
use crate::harness::ScratchCrate;
use keel_cli::pull::{self, Generated};
use keel_core::Schema;
use keel_test_support::Server;
use std::collections::BTreeMap;

#[test]
fn pulled_code_compiles_and_declares_the_database_it_came_from() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    runtime.block_on(round_trip());
}

async fn round_trip() {
    let started = std::time::Instant::now();
    let server = Server::from_env_or_start().expect("a PostgreSQL server");

    // The databases, read back.
    let mut databases: BTreeMap<&str, Schema> = BTreeMap::new();
    databases.insert("guideline", guideline_database(&server).await);
    let extension = trigram_available(&server).await;
    for case in CASES {
        databases.insert(case.name, case_database(&server, case, extension && case.name == "warnings").await);
    }

    // Generated, each case into its own module tree.
    let mut generated: BTreeMap<&str, Generated> = BTreeMap::new();
    for (name, schema) in &databases {
        let first = pull::generate(schema).unwrap_or_else(|e| panic!("{name}: {e}"));
        let again = pull::generate(&Schema::from_json(&schema.to_json()).expect("JSON")).expect("generate");
        assert_eq!(first, again, "{name}: the same schema generates the same files");
        generated.insert(name, first);
    }
    check_warnings(&generated, extension);
    for (name, g) in &generated {
        if !NOT_ROUND_TRIP.contains(name) {
            assert!(g.warnings.is_empty(), "{name}: no warnings expected, got:\n{}", g.warnings.join("\n"));
        }
    }
    check_guideline_source(&generated["guideline"]);
    eprintln!("databases read and generated in {:.1?}", started.elapsed());

    // One crate, compiled once.
    let krate = ScratchCrate::write(&generated);
    krate.rustfmt_check(&generated);
    let json = krate.build_and_collect();
    eprintln!("scratch crate built and collected in {:.1?}", started.elapsed());
    let collected = Schema::from_json(&json).expect("the dump target prints schema JSON");

    // Each case's part, normalized, against its database.
    for (name, database) in &databases {
        if NOT_ROUND_TRIP.contains(name) {
            for (table, _) in database.tables() {
                assert!(collected.table(&table.schema, &table.name).is_some(), "{name}: {table} is declared");
            }
            continue;
        }
        let mut declared = Schema::default();
        for schema_name in database.schemas.keys() {
            let ns = collected.schemas.get(schema_name).unwrap_or_else(|| {
                panic!("{name}: schema {schema_name} is in the database but not in the collected schema")
            });
            declared.schemas.insert(schema_name.clone(), ns.clone());
        }
        let normalized = keel_diff::normalize::normalize(&server, &declared)
            .await
            .unwrap_or_else(|e| panic!("{name}: the collected schema does not apply: {e}\n{}", krate.sources(name)));
        let plan = keel_diff::plan(database, &normalized, &Default::default()).expect("plan");
        assert!(
            plan.is_empty(),
            "{name}: the pulled code declares a different schema; the plan from the database to it:\n{}\n\
             generated:\n{}",
            plan.to_sql(),
            krate.sources(name)
        );
    }
    if std::env::var_os("KEEL_PULL_KEEP").is_none() {
        krate.remove();
    } else {
        eprintln!("kept {}", krate.dir.display());
    }
    eprintln!("round trip done in {:.1?}", started.elapsed());
}

/// The guideline example's tables, created from their normalized declaration, read back.
async fn guideline_database(server: &Server) -> Schema {
    let declared = keel_example_files::schema().expect("the example's schema");
    let normalized = keel_diff::normalize::normalize(server, &declared).await.expect("normalize the example");
    let plan = keel_diff::plan(&Schema::default(), &normalized, &Default::default()).expect("plan the example");
    let database = server.create_database().await.expect("a database");
    let mut conn = database.connect().await.expect("connect");
    keel_diff::apply_plan(&mut conn, &plan).await.expect("create the example");
    let schema = keel_diff::introspect(&mut conn, None).await.expect("introspect");
    drop(conn);
    database.drop_database().await.expect("drop the database");
    assert_eq!(schema.tables().count(), 5, "the example has five tables");
    schema
}

async fn case_database(server: &Server, case: &Case, extension: bool) -> Schema {
    let database = server.create_database().await.expect("a database");
    let mut conn = database.connect().await.expect("connect");
    sqlx::raw_sql(case.sql).execute(&mut conn).await.unwrap_or_else(|e| panic!("{}: {e}", case.name));
    if extension {
        sqlx::raw_sql("CREATE EXTENSION pg_trgm SCHEMA warn").execute(&mut conn).await.expect("pg_trgm");
    }
    drop(conn);
    // A new connection: the case's `SET search_path` would change how PostgreSQL prints expressions.
    let mut conn = database.connect().await.expect("connect");
    let schema = keel_diff::introspect(&mut conn, None).await.expect("introspect");
    drop(conn);
    database.drop_database().await.expect("drop the database");
    schema
}

/// Whether the server can create the `pg_trgm` extension (contrib may not be installed).
async fn trigram_available(server: &Server) -> bool {
    let database = server.create_database().await.expect("a database");
    let mut conn = database.connect().await.expect("connect");
    let available: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm')")
            .fetch_one(&mut conn)
            .await
            .expect("pg_available_extensions");
    drop(conn);
    database.drop_database().await.expect("drop the database");
    available
}

/// Every construct of the `warnings` case is named in a warning.
fn check_warnings(generated: &BTreeMap<&str, Generated>, extension: bool) {
    let warnings = &generated["warnings"].warnings;
    let mut expected = vec![
        "schema warn: its comment",
        "schema warn_empty holds no table",
        "sequence warn.invoice_numbers",
        "sequence warn.tickets_id_seq, owned by tickets.id",
        "enum warn.nothing has no labels",
        "enum warn.labels: the label \"\" cannot be a PgEnum variant",
        "table warn.bookings: it has no primary key",
        "table warn.bookings: column amount: its type public.positive_int is not an enum",
        "table warn.bookings: column counter: identity options (INCREMENT BY 5 START WITH 100)",
        "table warn.bookings: column precise: its type interval(3) cannot be written as `sql_type`",
        "table warn.bookings: column blank_padded: its type bpchar cannot be written as `sql_type`",
        "table warn.bookings: exclusion constraint bookings_during_excl",
        "table warn.bookings: unique constraint bookings_code_key is NULLS NOT DISTINCT",
        "table warn.bookings: unique constraint bookings_code_key is DEFERRABLE INITIALLY IMMEDIATE",
        "table warn.bookings: foreign key bookings_target_a_target_b_fkey is MATCH FULL",
        "table warn.bookings: index bookings_room has storage parameters (fillfactor=70)",
        "table warn.bookings: index bookings_room: its comment is not written",
        "table warn.tickets: check tickets_id_check is NOT VALID",
        "table warn.bookings: index bookings_code_c has a key with a COLLATE clause",
        "table warn.bookings: index bookings_other_code is NULLS NOT DISTINCT",
        "table warn.deferred_keys: primary key deferred_keys_pkey is DEFERRABLE INITIALLY DEFERRED",
        "view warn.open_tickets: views are declared in SQL files",
        "materialized view warn.ticket_count: views are declared in SQL files",
        "function warn.stamp(): functions are declared in SQL files",
        "table warn.tickets: trigger stamp is declared in SQL files",
        "table warn.tickets: policy recent: policies are declared in SQL files",
        "table warn.handles: row level security is forced but not enabled",
        "domain public.positive_int: domains are declared in SQL files",
        "statistics warn.booking_rooms: extended statistics are declared in SQL files",
    ];
    if extension {
        expected.push("extension pg_trgm (in schema warn)");
    }
    for want in &expected {
        assert!(
            warnings.iter().any(|w| w.starts_with(want)),
            "a warning starting with {want:?}; the warnings were:\n{}",
            warnings.join("\n")
        );
    }
    assert_eq!(warnings.len(), expected.len(), "one warning each:\n{}", warnings.join("\n"));
    // A parenthesis inside a quoted table name is read back as written, so the foreign key is kept.
    let bookings = &generated["warnings"].files["bookings.rs"];
    assert!(bookings.contains(r#"references = "\"odd(name\"(id)""#), "{bookings}");
}

/// The guideline example comes back in the example's own idiom: conventions, not attributes.
fn check_guideline_source(generated: &Generated) {
    let files = &generated.files;
    let names: Vec<&str> = files.keys().map(String::as_str).collect();
    assert_eq!(names, ["file_tags.rs", "file_versions.rs", "files.rs", "folders.rs", "mod.rs", "tags.rs"]);
    let file_versions = &files["file_versions.rs"];
    assert!(file_versions.contains("pub struct FileVersion {"), "{file_versions}");
    assert!(file_versions.contains("#[keel(unique(columns = \"file_id, version_number\"))]"), "{file_versions}");
    assert!(file_versions.contains("    pub id: uuid::Uuid,\n"), "the id convention needs no attribute");
    assert!(file_versions.contains("#[keel(check = \"(version_number > 0)\")]"), "{file_versions}");
    let files_rs = &files["files.rs"];
    assert!(files_rs.contains("    #[keel(varchar = 500, unique)]\n    pub storage_key: String,\n"), "{files_rs}");
    assert!(files_rs.contains("    pub is_deleted: bool,\n"), "the is_* convention needs no attribute");
    assert!(files_rs.contains("    pub created_at: chrono::DateTime<chrono::Utc>,\n"), "{files_rs}");
    assert!(files["file_tags.rs"].contains("#[keel(primary_key(columns = \"file_id, tag_id\"))]"));
    let download_count =
        "    #[keel(default = \"0\", check = \"(download_count >= 0)\")]\n    pub download_count: i32,\n";
    assert!(files_rs.contains(download_count), "the second release's column, last: {files_rs}");
}
