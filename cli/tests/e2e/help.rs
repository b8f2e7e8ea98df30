//! Scenario 10: `--help` of keel and of every command exits 0 and shows an example of the command.

use crate::harness::{TempDir, keel};

const COMMANDS: [&str; 10] =
    ["init", "diff", "generate", "migrate", "push", "pull", "check", "status", "export", "rehash"];

#[test]
fn every_command_has_help_with_an_example() {
    let dir = TempDir::new("help");
    let top = keel(dir.path(), &["--help"]).run().expect(0);
    for command in COMMANDS {
        assert!(top.stdout.contains(command), "`keel --help` lists {command}\n{}", top.describe());
    }
    let mut missing = Vec::new();
    for command in COMMANDS {
        for flag in ["--help", "-h"] {
            let run = keel(dir.path(), &[command, flag]).run().expect(0);
            assert!(run.stdout.contains("Usage: keel"), "{}", run.describe());
            // An example is a line of its own that runs the command: `  keel generate add_notes`.
            let example = format!("keel {command}");
            let has_example = run.stdout.lines().any(|line| line.trim_start().starts_with(&example));
            if !has_example {
                missing.push(format!("keel {command} {flag}"));
            }
        }
        let run = keel(dir.path(), &["help", command]).run().expect(0);
        assert!(run.stdout.contains("Usage: keel"), "{}", run.describe());
    }
    assert!(missing.is_empty(), "help without an example: {missing:?}");
}

/// `keel migrate --help` lists only what migrate reads (the full table is in `args.rs`'s tests), and a flag
/// of another command is a usage error (exit 1), not silently ignored.
#[test]
fn help_lists_only_the_commands_own_flags() {
    let dir = TempDir::new("help-flags");
    let help = keel(dir.path(), &["migrate", "--help"]).run().expect(0);
    for absent in ["--schema", "--dev-url", "--sql", "--hints"] {
        assert!(!help.stdout.contains(absent), "`keel migrate --help` lists {absent}\n{}", help.describe());
    }
    for present in ["--migrations", "--database-url", "--dry-run"] {
        assert!(help.stdout.contains(present), "`keel migrate --help` lacks {present}\n{}", help.describe());
    }
    keel(dir.path(), &["migrate", "--schema", "schema.sql"]).run().expect(1).says("unexpected argument '--schema'");
    keel(dir.path(), &["status", "--dev-url", "postgres://localhost/x"]).run().expect(1).says("--dev-url");
}
