//! The example services' migrations are keel's own output: `keel check` in each example passes (integrity
//! file intact, migrations replay, nothing in the structs missing from them, no lint errors), and
//! `generate` has nothing to write.

use keel_test_support::shared_server;
use std::path::PathBuf;
use std::process::{Command, Output};

fn keel(example: &str, args: &[&str]) -> Output {
    let server = shared_server().expect("a PostgreSQL server for scratch databases");
    let example = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples").join(example);
    Command::new(env!("CARGO_BIN_EXE_keel"))
        .args(args)
        .args(["--dev-url", &server.url("postgres")])
        .current_dir(example)
        .env_remove("DATABASE_URL")
        .output()
        .expect("keel runs")
}

fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

#[test]
fn the_files_migrations_build_the_files_structs() {
    assert_migrations_build_structs("files");
}

#[test]
fn the_todo_migrations_build_the_todo_structs() {
    assert_migrations_build_structs("todo");
}

#[test]
fn the_credits_migrations_build_the_credits_structs() {
    assert_migrations_build_structs("credits");
}

fn assert_migrations_build_structs(example: &str) {
    let check = keel(example, &["check", "--output", "json"]);
    assert_eq!(check.status.code(), Some(0), "keel check in examples/{example}:\n{}", text(&check));
    let report: serde_json::Value = serde_json::from_slice(&check.stdout).expect("check prints JSON");
    assert_eq!(report["ok"], true, "{report}");
    assert_eq!(report["lint"], serde_json::json!([]), "examples/{example} lints clean: {report}");

    let generate = keel(example, &["generate", "--output", "json"]);
    assert_eq!(generate.status.code(), Some(0), "keel generate in examples/{example}:\n{}", text(&generate));
    let report: serde_json::Value = serde_json::from_slice(&generate.stdout).expect("generate prints JSON");
    assert_eq!(report["written"], serde_json::json!([]), "nothing to write: {report}");
    assert_eq!(report["plan"]["equal"], true, "{report}");
}
