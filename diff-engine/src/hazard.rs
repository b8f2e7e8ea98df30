//! What can go wrong when a statement runs against a database that is in use.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Hazard {
    /// Rows or values are deleted and cannot be recovered from the database.
    DeletesData,
    /// A lossy cast changes stored values (rounds, truncates, drops a part of them): the old values cannot
    /// be recovered from the database.
    AltersData,
    /// PostgreSQL writes a new copy of the table (and its indexes).
    RewritesTable,
    /// Holds an ACCESS EXCLUSIVE lock: every read and write of the table waits.
    AccessExclusiveLock,
    /// Fails if existing rows violate the new rule (`SET NOT NULL`, a new unique index or check, a narrower type).
    MayFailOnData,
    /// Builds an index: blocks writes unless run `CONCURRENTLY`, and takes time proportional to the table.
    IndexBuild,
    /// Running application code that uses the old name or object breaks (rename, drop).
    BreaksClients,
    /// Runs an extension's update scripts, which change its objects and may have no way back.
    UpdatesExtension,
    /// Changes which rows roles may read or write: row level security switched, a policy dropped or altered.
    ChangesAccess,
}

impl Hazard {
    pub const ALL: [Hazard; 9] = [
        Hazard::DeletesData,
        Hazard::AltersData,
        Hazard::RewritesTable,
        Hazard::AccessExclusiveLock,
        Hazard::MayFailOnData,
        Hazard::IndexBuild,
        Hazard::BreaksClients,
        Hazard::UpdatesExtension,
        Hazard::ChangesAccess,
    ];

    /// The hazard of an [`id`](Hazard::id), as a migration header names it.
    pub fn from_id(id: &str) -> Option<Hazard> {
        Hazard::ALL.into_iter().find(|h| h.id() == id)
    }

    /// The id used in JSON and migration headers.
    pub fn id(self) -> &'static str {
        match self {
            Hazard::DeletesData => "deletes_data",
            Hazard::AltersData => "alters_data",
            Hazard::RewritesTable => "rewrites_table",
            Hazard::AccessExclusiveLock => "access_exclusive_lock",
            Hazard::MayFailOnData => "may_fail_on_data",
            Hazard::IndexBuild => "index_build",
            Hazard::BreaksClients => "breaks_clients",
            Hazard::UpdatesExtension => "updates_extension",
            Hazard::ChangesAccess => "changes_access",
        }
    }

    /// One sentence for a person reviewing the plan.
    pub fn explain(self) -> &'static str {
        match self {
            Hazard::DeletesData => "deletes data that cannot be recovered from the database",
            Hazard::AltersData => {
                "a lossy cast changes stored values (rounds, truncates or drops part of them); the old values cannot be recovered from the database"
            }
            Hazard::RewritesTable => "rewrites the whole table; takes time and disk proportional to its size",
            Hazard::AccessExclusiveLock => "takes an ACCESS EXCLUSIVE lock: all reads and writes of the table wait",
            Hazard::MayFailOnData => "fails if existing rows violate the new definition",
            Hazard::IndexBuild => {
                "builds an index: a plain CREATE INDEX blocks writes to the table until it is built; CONCURRENTLY does not, but scans twice and leaves an INVALID index to drop if it fails"
            }
            Hazard::BreaksClients => "application code still using the old name or object will fail",
            Hazard::UpdatesExtension => {
                "runs the extension's update scripts: its functions, types and operators may change, and an extension may offer no way back to the old version"
            }
            Hazard::ChangesAccess => {
                "changes which rows each role may read or write: review who gains or loses rows, the table's owner included"
            }
        }
    }
}

impl std::fmt::Display for Hazard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_read_back() {
        for hazard in Hazard::ALL {
            assert_eq!(Hazard::from_id(hazard.id()), Some(hazard));
        }
        assert_eq!(Hazard::from_id("nope"), None);
    }
}
