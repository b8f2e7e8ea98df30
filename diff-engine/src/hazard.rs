//! What can go wrong when a statement runs against a database that is in use.

use keel_core::model::ColumnType;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Hazard {
    /// Rows or values are deleted and cannot be recovered from the database.
    DeletesData,
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
    /// The id used in JSON and migration headers.
    pub fn id(self) -> &'static str {
        match self {
            Hazard::DeletesData => "deletes_data",
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

/// What changing a column's type from `from` to `to` risks: `(rewrites the table, may fail on data)`.
/// Binary-coercible changes (widening a `varchar`, `varchar` to `text`, more numeric precision at the same
/// scale, more timestamp precision) neither rewrite nor fail.
pub fn type_change(from: &ColumnType, to: &ColumnType) -> (bool, bool) {
    use ColumnType::*;
    let widened = match (from, to) {
        (Varchar { length: Some(a) }, Varchar { length: Some(b) }) => b >= a,
        (Varchar { .. }, Varchar { length: None }) | (Varchar { .. }, Text) | (Text, Varchar { length: None }) => true,
        (Numeric { precision: Some(p), scale: s }, Numeric { precision: Some(q), scale: t }) => {
            q >= p && s.unwrap_or(0) == t.unwrap_or(0)
        }
        (Numeric { .. }, Numeric { precision: None, scale: None }) => true,
        (Timestamp { precision: a, with_time_zone: x }, Timestamp { precision: b, with_time_zone: y }) => {
            x == y && b.unwrap_or(6) >= a.unwrap_or(6)
        }
        (Time { precision: a, with_time_zone: x }, Time { precision: b, with_time_zone: y }) => {
            x == y && b.unwrap_or(6) >= a.unwrap_or(6)
        }
        (Cidr, Inet) => true,
        _ => false,
    };
    if widened {
        return (false, false);
    }
    let lossless = matches!(
        (from, to),
        (SmallInt, Integer | BigInt | Numeric { precision: None, .. })
            | (Integer, BigInt | Numeric { precision: None, .. })
            | (BigInt, Numeric { precision: None, .. })
            | (Real, DoublePrecision)
            | (Json, Jsonb)
            | (Date, Timestamp { .. })
            | (Timestamp { .. }, Timestamp { .. })
            | (_, Text)
    );
    (true, !lossless)
}
