//! Accepted `keel lint` findings: `lint-baseline.toml` beside keel.toml, written by `keel lint --accept`.
//! A migration that is applied cannot change, so its findings are accepted once and later runs show only
//! new ones. A finding is known by its rule, its file's name and the text of its statement (comments and
//! layout aside), not by its line, which moves when other statements change: a finding whose statement
//! changed shows again.

use anyhow::Context;
use keel_diff::lint::sql::statement_at;
use keel_diff::lint::{Finding, Location};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The baseline's file name, in the directory of keel.toml.
pub const FILE_NAME: &str = "lint-baseline.toml";

const HEADER: &str = "\
# Accepted `keel lint` findings: lint and check do not report them again. Written by `keel lint --accept`.
# Each is known by its rule, its file and a fingerprint of its statement: a finding whose statement
# changes is reported again. `message` is for reading only.
";

/// What identifies an accepted finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Key {
    /// The SQL file's name, for findings in SQL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// `schema.table.column` (or the index, constraint or enum), for findings on the schema.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
    pub rule: String,
    /// 16 hex digits of the SHA-256 of the statement's text (of the message, on the schema).
    pub fingerprint: String,
}

#[derive(Serialize, Deserialize)]
struct Entry {
    #[serde(flatten)]
    key: Key,
    #[serde(default)]
    message: String,
}

#[derive(Serialize, Deserialize, Default)]
struct BaselineFile {
    #[serde(default)]
    accepted: Vec<Entry>,
}

/// The accepted findings of a project (none when the file does not exist).
pub struct Baseline {
    pub path: PathBuf,
    accepted: BTreeMap<Key, String>,
}

impl Baseline {
    pub fn load(path: PathBuf) -> anyhow::Result<Baseline> {
        let accepted = match std::fs::read_to_string(&path) {
            Ok(text) => {
                let file: BaselineFile = toml::from_str(&text).with_context(|| {
                    format!(
                        "reading {} (the findings `keel lint --accept` accepted): mend it, or delete it and run \
                         `keel lint --accept` again",
                        path.display()
                    )
                })?;
                file.accepted.into_iter().map(|e| (e.key, e.message)).collect()
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => BTreeMap::new(),
            Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
        };
        Ok(Baseline { path, accepted })
    }

    pub fn len(&self) -> usize {
        self.accepted.len()
    }

    pub fn is_empty(&self) -> bool {
        self.accepted.is_empty()
    }

    /// The findings not accepted, and how many were.
    pub fn filter(&self, findings: Vec<Finding>, sql: &SqlTexts) -> (Vec<Finding>, usize) {
        let before = findings.len();
        let shown: Vec<Finding> = findings.into_iter().filter(|f| !self.accepted.contains_key(&key(f, sql))).collect();
        let accepted = before - shown.len();
        (shown, accepted)
    }

    /// Accepts `findings` too.
    pub fn accept(&mut self, findings: &[Finding], sql: &SqlTexts) {
        for finding in findings {
            self.accepted.insert(key(finding, sql), one_line(&finding.message));
        }
    }

    /// Forgets every accepted finding (before accepting a whole run's anew: the gone ones go).
    pub fn clear(&mut self) {
        self.accepted.clear();
    }

    /// Writes the file: sorted by file, object, rule and fingerprint, so it diffs well in review.
    pub fn write(&self) -> anyhow::Result<()> {
        let file = BaselineFile {
            accepted: self
                .accepted
                .iter()
                .map(|(key, message)| Entry { key: key.clone(), message: message.clone() })
                .collect(),
        };
        let text = format!("{HEADER}\n{}", toml::to_string(&file).context("writing the lint baseline")?);
        std::fs::write(&self.path, text).with_context(|| format!("writing {}", self.path.display()))
    }
}

/// The text of each SQL file linted, by the name its findings' locations give.
#[derive(Default)]
pub struct SqlTexts(BTreeMap<String, String>);

impl SqlTexts {
    pub fn insert(&mut self, file: String, sql: String) {
        self.0.insert(file, sql);
    }
}

/// How a finding is recognized in the baseline.
pub fn key(finding: &Finding, sql: &SqlTexts) -> Key {
    let rule = finding.rule.clone();
    match &finding.location {
        Location::Sql { file, line, column } => {
            let statement = sql.0.get(file).and_then(|text| statement_at(text, *line, *column));
            let name = Path::new(file).file_name().map_or_else(|| file.clone(), |n| n.to_string_lossy().into_owned());
            // No statement (a syntax finding past the last one): the message says what it is about.
            Key {
                file: Some(name),
                object: None,
                rule,
                fingerprint: fingerprint(statement.as_deref().unwrap_or(&finding.message)),
            }
        }
        Location::Object { schema, table, column, name } => {
            let parts = [Some(schema), table.as_ref(), column.as_ref(), name.as_ref()];
            let object = parts.into_iter().flatten().cloned().collect::<Vec<_>>().join(".");
            Key { file: None, object: Some(object), rule, fingerprint: fingerprint(&finding.message) }
        }
    }
}

fn fingerprint(text: &str) -> String {
    Sha256::digest(text.as_bytes()).iter().take(8).map(|b| format!("{b:02x}")).collect()
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `3 accepted findings not shown (lint-baseline.toml)`.
pub fn hidden_note(accepted: usize, path: &Path) -> String {
    format!(
        "{} not shown ({})",
        keel_diff::counts::count(accepted, "accepted finding", "accepted findings"),
        path.display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use keel_diff::lint::Severity;

    fn finding(line: usize) -> Finding {
        Finding {
            rule: "squawk/adding-not-nullable-field".into(),
            severity: Severity::Warning,
            location: Location::Sql { file: "migrations/1_a.sql".into(), line, column: 1 },
            message: "a message".into(),
            fix: "a fix".into(),
        }
    }

    #[test]
    fn a_finding_is_known_by_its_statement_not_its_line() {
        let mut sql = SqlTexts::default();
        sql.insert(
            "migrations/1_a.sql".into(),
            "CREATE TABLE a (x int);\nALTER TABLE a ALTER x SET NOT NULL;\n".into(),
        );
        let dir = std::env::temp_dir().join(format!("keel-baseline-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let mut baseline = Baseline::load(dir.join(FILE_NAME)).expect("none yet");
        assert!(baseline.is_empty());
        baseline.accept(&[finding(2)], &sql);
        baseline.write().expect("written");
        let baseline = Baseline::load(dir.join(FILE_NAME)).expect("read back");
        assert_eq!(baseline.len(), 1);

        // A statement added above moves the finding down a line: still accepted.
        sql.insert(
            "migrations/1_a.sql".into(),
            "CREATE TABLE a (x int);\nCREATE TABLE b (y int);\nALTER TABLE a\n  ALTER x SET NOT NULL;\n".into(),
        );
        assert_eq!(baseline.filter(vec![finding(3)], &sql).1, 1);
        // Its statement changed: shown again.
        sql.insert(
            "migrations/1_a.sql".into(),
            "CREATE TABLE a (x int);\nALTER TABLE a ALTER y SET NOT NULL;\n".into(),
        );
        let (shown, accepted) = baseline.filter(vec![finding(2)], &sql);
        assert_eq!((shown.len(), accepted), (1, 0));
        std::fs::remove_dir_all(&dir).expect("cleaned up");
    }

    /// A baseline edited by hand into something else is an error that says what to do, never a panic.
    #[test]
    fn a_damaged_baseline_says_how_to_recover() {
        let dir = std::env::temp_dir().join(format!("keel-baseline-damaged-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        for damaged in [
            "accepted = [",
            "accepted = 3",
            "[[accepted]]\nrule = 1\nfingerprint = \"00\"",
            "[[accepted]]\nfile = \"1_a.sql\"",
        ] {
            std::fs::write(dir.join(FILE_NAME), damaged).expect("written");
            let error = format!("{:#}", Baseline::load(dir.join(FILE_NAME)).err().expect(damaged));
            assert!(error.contains(FILE_NAME) && error.contains("run `keel lint --accept` again"), "{error}");
        }
        std::fs::remove_dir_all(&dir).expect("cleaned up");
    }
}
