//! What the tracking table says about each migration, compared with the files.

use super::table::{self, AppliedRow, TableName};
use super::{MigrateError, Migration};
use sqlx::PgConnection;
use std::collections::BTreeMap;

/// Each migration known to the files or to the tracking table, by version.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Status {
    pub entries: Vec<StatusEntry>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct StatusEntry {
    pub version: i64,
    /// The file's description, or the recorded one when the file is missing.
    pub description: String,
    /// The file name; `None` when the file is missing.
    pub file: Option<String>,
    pub state: State,
    /// When it was recorded, RFC 3339 in UTC (`2024-01-01T12:00:00Z`); `None` when pending.
    pub installed_on: Option<String>,
    /// Pending, with a lower version than an applied migration: `migrate` refuses it unless allowed.
    pub out_of_order: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Recorded, and the file is as it was when applied.
    Applied,
    /// Not recorded.
    Pending,
    /// Recorded, but the file's checksum differs from the recorded one.
    Edited,
    /// Recorded, but there is no file for it.
    Missing,
    /// Recorded with `success = false` (a partly applied migration; sqlx never writes these on PostgreSQL,
    /// other tools may).
    Failed,
}

impl Status {
    /// The migrations to apply, in version order.
    pub fn pending(&self) -> Vec<&StatusEntry> {
        self.entries.iter().filter(|e| e.state == State::Pending).collect()
    }

    /// Entries that make `migrate` refuse to run: edited, missing or failed.
    pub fn problems(&self) -> Vec<&StatusEntry> {
        self.entries.iter().filter(|e| matches!(e.state, State::Edited | State::Missing | State::Failed)).collect()
    }

    /// Pending migrations older than an applied one, which `migrate` refuses unless allowed.
    pub fn out_of_order(&self) -> Vec<&StatusEntry> {
        self.entries.iter().filter(|e| e.out_of_order).collect()
    }

    /// Recorded entries whose file is as applied.
    pub fn applied(&self) -> Vec<&StatusEntry> {
        self.entries.iter().filter(|e| e.state == State::Applied).collect()
    }

    pub(crate) fn build(rows: &[AppliedRow], migrations: &[&Migration]) -> Status {
        let mut entries: BTreeMap<i64, StatusEntry> = BTreeMap::new();
        for migration in migrations {
            entries.entry(migration.version).or_insert_with(|| StatusEntry {
                version: migration.version,
                description: migration.description.clone(),
                file: Some(migration.file_name.clone()),
                state: State::Pending,
                installed_on: None,
                out_of_order: false,
            });
        }
        let checksums: BTreeMap<i64, &[u8]> = migrations.iter().map(|m| (m.version, m.checksum.as_slice())).collect();
        for row in rows {
            let state = match checksums.get(&row.version) {
                _ if !row.success => State::Failed,
                None => State::Missing,
                Some(checksum) if *checksum != row.checksum.as_slice() => State::Edited,
                Some(_) => State::Applied,
            };
            let entry = entries.entry(row.version).or_insert_with(|| StatusEntry {
                version: row.version,
                description: row.description.clone(),
                file: None,
                state,
                installed_on: None,
                out_of_order: false,
            });
            entry.state = state;
            entry.installed_on = Some(row.installed_on.clone());
        }
        // A pending migration below the newest recorded one: merged after newer ones were applied.
        if let Some(latest) = rows.iter().map(|r| r.version).max() {
            for entry in entries.values_mut() {
                entry.out_of_order = entry.state == State::Pending && entry.version < latest;
            }
        }
        Status { entries: entries.into_values().collect() }
    }
}

/// Applied, pending, edited, missing and failed migrations, for `keel status` and `keel check`. Changes
/// nothing and takes no lock; a database without the tracking table has everything pending.
pub async fn status(conn: &mut PgConnection, migrations: &[Migration], table: &str) -> Result<Status, MigrateError> {
    let table = TableName::parse(table)?;
    let rows = if table::exists(conn, &table).await? { table::rows(conn, &table).await? } else { Vec::new() };
    let mut sorted: Vec<&Migration> = migrations.iter().collect();
    sorted.sort_by(|a, b| a.version.cmp(&b.version).then_with(|| a.file_name.cmp(&b.file_name)));
    Ok(Status::build(&rows, &sorted))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(version: i64, success: bool, checksum: &[u8]) -> AppliedRow {
        AppliedRow {
            version,
            description: format!("recorded {version}"),
            success,
            checksum: checksum.to_vec(),
            installed_on: "2024-01-01T00:00:00Z".into(),
        }
    }

    #[test]
    fn compares_rows_with_files() {
        let files: Vec<Migration> =
            (1..=4).map(|v| Migration::new(v, &format!("m{v}"), &format!("{v}_m{v}.sql"), "SELECT 1")).collect();
        let sum = files[0].checksum.clone();
        let rows = [row(1, true, &sum), row(2, true, b"other"), row(3, false, &sum), row(5, true, &sum)];
        let status = Status::build(&rows, &files.iter().collect::<Vec<_>>());
        let states: Vec<(i64, State)> = status.entries.iter().map(|e| (e.version, e.state)).collect();
        assert_eq!(
            states,
            [(1, State::Applied), (2, State::Edited), (3, State::Failed), (4, State::Pending), (5, State::Missing)]
        );
        assert_eq!(status.entries[4].description, "recorded 5");
        assert_eq!(status.entries[4].file, None);
        assert_eq!(status.entries[3].installed_on, None);
        assert_eq!(status.pending().len(), 1);
        assert_eq!(status.problems().len(), 3);
        assert_eq!(status.applied().len(), 1);
        assert_eq!(status.out_of_order().iter().map(|e| e.version).collect::<Vec<_>>(), [4]);
    }
}
