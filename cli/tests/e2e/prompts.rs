//! At a terminal keel asks instead of refusing: which column a new one was renamed from, and whether to
//! run a plan that deletes data. The binary runs under `script`, which gives it a pseudo-terminal; the
//! test answers each prompt once it has appeared, as a person would.

use crate::harness::{Db, KEEL, TempDir, dev_url};
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// `keel ARGS` in `dir` on a pseudo-terminal; each `(prompt, keys)` waits for `prompt` in the output, then
/// types `keys`. Returns the exit code and everything shown on the terminal.
fn at_terminal(dir: &std::path::Path, args: &[&str], answers: &[(&str, &str)]) -> (i32, String) {
    let quote = |s: &str| format!("'{}'", s.replace('\'', r"'\''"));
    let line = std::iter::once(KEEL).chain(args.iter().copied()).map(quote).collect::<Vec<_>>().join(" ");
    let mut child = Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env_remove("TEST_DATABASE_URL")
        .env("NO_COLOR", "1")
        .env("TERM", "xterm")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("`script` (util-linux) runs");
    let shown = Arc::new(Mutex::new(String::new()));
    let mut stdout = child.stdout.take().expect("piped");
    let reader = {
        let shown = Arc::clone(&shown);
        std::thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            while let Ok(n) = stdout.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                shown.lock().expect("lock").push_str(&String::from_utf8_lossy(&buffer[..n]));
            }
        })
    };
    let mut stdin = child.stdin.take().expect("piped");
    let mut seen = 0;
    for (prompt, keys) in answers {
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let text = shown.lock().expect("lock").clone();
            if let Some(at) = text[seen..].find(prompt) {
                seen += at + prompt.len();
                break;
            }
            assert!(Instant::now() < deadline, "no prompt {prompt:?} within 2 minutes; the terminal shows:\n{text}");
            std::thread::sleep(Duration::from_millis(50));
        }
        stdin.write_all(keys.as_bytes()).expect("type the answer");
        stdin.flush().expect("flush");
    }
    let status = child.wait().expect("keel exits");
    drop(stdin);
    reader.join().expect("reader");
    let text = shown.lock().expect("lock").clone();
    (status.code().unwrap_or(-1), text)
}

#[test]
fn a_person_picks_the_rename_at_the_prompt() {
    let project = TempDir::new("prompt-rename");
    project.write("schema.sql", "CREATE TABLE items (id bigint PRIMARY KEY, title text);");
    let db = Db::new();
    db.exec("CREATE TABLE items (id bigint PRIMARY KEY, name text); INSERT INTO items VALUES (1, 'kept');");
    let args = ["push", "--schema", "schema.sql", "--database-url", &db.url, "--dev-url", &dev_url()];
    // The choices are "renamed from column `name`" and "a new column" (the default): up, then enter.
    let (code, shown) = at_terminal(project.path(), &args, &[("is new in the schema", "\x1b[A\r")]);
    assert_eq!(code, 0, "{shown}");
    assert!(shown.contains("rename column"), "the plan renames:\n{shown}");
    assert_eq!(db.texts("SELECT title FROM items"), [Some("kept".to_string())]);
}

#[test]
fn data_loss_runs_only_after_a_yes() {
    let project = TempDir::new("prompt-confirm");
    project.write("schema.sql", "CREATE TABLE items (id bigint PRIMARY KEY);");
    let db = Db::new();
    db.exec("CREATE TABLE items (id bigint PRIMARY KEY, note text); INSERT INTO items VALUES (1, 'precious');");
    let args = ["push", "--schema", "schema.sql", "--database-url", &db.url, "--dev-url", &dev_url()];

    let (code, shown) = at_terminal(project.path(), &args, &[("Apply it?", "n")]);
    assert_eq!(code, 2, "declined:\n{shown}");
    assert!(shown.contains("1 non-null value"), "the loss is measured before asking:\n{shown}");
    assert_eq!(db.columns("items"), ["id", "note"], "nothing changed");

    let (code, shown) = at_terminal(project.path(), &args, &[("Apply it?", "y")]);
    assert_eq!(code, 0, "accepted:\n{shown}");
    assert_eq!(db.columns("items"), ["id"]);
    assert_eq!(db.int("SELECT count(*) FROM items"), 1);
}
