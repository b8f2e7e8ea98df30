//! Two checkouts of one app (same package name and version, one target directory): cargo may take one's
//! build for the other's, since it hashes path packages relative to their workspace. keel must never read
//! the other checkout's tables.

use crate::harness::{TempDir, keel, workspace};

/// A crate `twin` 0.1.0 declaring one table.
fn checkout(tag: &str, table: &str) -> TempDir {
    let dir = TempDir::new(tag);
    let keel_path = workspace().join("keel");
    dir.write(
        "Cargo.toml",
        &format!(
            "[package]\nname = \"twin\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n[workspace]\n\n\
             [dependencies]\nkeel = {{ path = {:?} }}\nuuid = \"1\"\n",
            keel_path.display().to_string()
        ),
    );
    std::fs::copy(workspace().join("Cargo.lock"), dir.join("Cargo.lock")).expect("copy Cargo.lock");
    dir.write(
        "src/lib.rs",
        &format!(
            "#[derive(keel::Table)]\n#[keel(table = \"{table}\")]\npub struct Row {{\n    pub id: uuid::Uuid,\n}}\n"
        ),
    );
    dir.write("src/bin/keel-schema.rs", "keel::dump_schema_main!(twin);\n");
    dir
}

fn exported_tables(dir: &TempDir) -> String {
    let run = keel(dir.path(), &["export", "--schema", ".", "--output", "sql"]).dev().builds_crate().run().expect(0);
    run.stdout
}

#[test]
fn a_checkout_never_reads_the_other_checkouts_tables() {
    let first = checkout("twin-a", "alphas");
    let second = checkout("twin-b", "betas");
    assert!(exported_tables(&first).contains("\"alphas\""));
    assert!(exported_tables(&second).contains("\"betas\""));
    // The second checkout's build is newer than the first's sources: cargo would call it fresh.
    let again = exported_tables(&first);
    assert!(again.contains("\"alphas\"") && !again.contains("\"betas\""), "the first checkout's export:\n{again}");
}
