//! Reading a migrations directory as sqlx does, and the events' serialized form.

use crate::harness::{ADD_EMAIL, CREATE_USERS, Dir};
use keel_diff::migrate::{Event, read_migrations};
use std::path::Path;

#[tokio::test]
async fn reads_a_directory_as_sqlx_does() {
    let dir = Dir::new(&[
        CREATE_USERS,
        ADD_EMAIL,
        ("20240101120000_add_index.sql", "-- no-transaction\nCREATE INDEX CONCURRENTLY i ON users (name);\n"),
        ("keel.sum", "h1:..."),
        ("notes.txt", "x"),
        ("1_notes.md", "x"),
    ]);
    let ours = dir.migrations();
    let theirs = sqlx::migrate::Migrator::new(dir.path()).await.unwrap();
    let ours_summary: Vec<_> =
        ours.iter().map(|m| (m.version, m.description.clone(), m.checksum.clone(), m.no_transaction)).collect();
    let theirs_summary: Vec<_> =
        theirs.iter().map(|m| (m.version, m.description.to_string(), m.checksum.to_vec(), m.no_tx)).collect();
    assert_eq!(ours_summary, theirs_summary);
    assert_eq!(ours[2].file_name, "20240101120000_add_index.sql");
    assert_eq!(ours[2].path, dir.path().join("20240101120000_add_index.sql"));
    assert_eq!(ours[0].sql, CREATE_USERS.1);
}

#[test]
fn refuses_directories_sqlx_would_misread() {
    let error = read_migrations(Path::new("/nonexistent/keel/migrations")).expect_err("no directory");
    assert!(error.to_string().contains("/nonexistent/keel/migrations"), "{error}");

    let dir = Dir::new(&[CREATE_USERS, ("01_again.sql", "SELECT 1;")]);
    let error = read_migrations(dir.path()).expect_err("two files with version 1");
    let message = error.to_string();
    assert!(message.contains("01_again.sql") && message.contains(CREATE_USERS.0), "{message}");

    let dir = Dir::new(&[("v1_users.sql", "SELECT 1;")]);
    let error = read_migrations(dir.path()).expect_err("no integer version");
    assert!(error.to_string().contains("v1_users.sql"), "{error}");

    let dir = Dir::new(&[("1_users.up.sql", "SELECT 1;"), ("1_users.down.sql", "SELECT 1;")]);
    let error = read_migrations(dir.path()).expect_err("reversible migrations");
    assert!(error.to_string().contains("not support"), "{error}");
}

#[test]
fn events_serialize_with_a_tag() {
    let event = Event::WaitingForLock { lock_id: 7, holder_pid: Some(42) };
    assert_eq!(
        serde_json::to_value(&event).unwrap(),
        serde_json::json!({ "event": "waiting_for_lock", "lock_id": 7, "holder_pid": 42 })
    );
    let event = Event::Applied { version: 1, description: "x".into(), elapsed_ms: 3 };
    assert_eq!(serde_json::to_value(&event).unwrap()["event"], "applied");
}
