//! The example app's migrations are keel's own output: `keel check` in examples/files passes (integrity
//! file intact, migrations replay, nothing in the structs missing from them), and `generate` has nothing
//! to write.

use keel_diff::scratch::shared_server;
use std::path::PathBuf;
use std::process::{Command, Output};

fn keel(args: &[&str]) -> Output {
    let server = shared_server().expect("a PostgreSQL server for scratch databases");
    let example = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/files");
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
fn the_example_migrations_build_the_example_structs() {
    let check = keel(&["check", "--output", "json"]);
    assert_eq!(check.status.code(), Some(0), "keel check:\n{}", text(&check));
    let report: serde_json::Value = serde_json::from_slice(&check.stdout).expect("check prints JSON");
    assert_eq!(report["ok"], true, "{report}");

    let generate = keel(&["generate", "--output", "json"]);
    assert_eq!(generate.status.code(), Some(0), "keel generate:\n{}", text(&generate));
    let report: serde_json::Value = serde_json::from_slice(&generate.stdout).expect("generate prints JSON");
    assert_eq!(report["written"], serde_json::json!([]), "nothing to write: {report}");
    assert_eq!(report["plan"]["equal"], true, "{report}");
}
