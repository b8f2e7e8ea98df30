//! Extended statistics (`CREATE STATISTICS`): compared by name within their schema. Everything but the
//! target and the comment is fixed at creation, so a changed definition is dropped and created again; so is
//! one whose table is rebuilt or loses a column it covers, since PostgreSQL drops or narrows it then.

mod plan;
mod sql;

pub(crate) use sql::create_all;

use crate::change::Change;
use keel_core::model::{QualifiedName, Schema, Statistics};
use serde::Serialize;

/// One change to one statistics object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum StatisticsChange {
    /// `CREATE STATISTICS` (the target and comment follow as their own changes).
    Create { name: QualifiedName, statistics: Statistics },
    /// `DROP STATISTICS`; `statistics` is the current definition (what it covers must still exist).
    Drop { name: QualifiedName, statistics: Statistics },
    /// `ALTER STATISTICS ... SET STATISTICS`; `None` goes back to the default.
    SetTarget { name: QualifiedName, target: Option<i32> },
    /// `COMMENT ON STATISTICS`.
    Comment { name: QualifiedName, comment: Option<String> },
}

/// The statistics changes between `current` (renames applied) and `desired`, given the table changes
/// already planned (`changes`): a table dropped or a covered column dropped takes its statistics along.
pub(crate) fn diff(current: &Schema, desired: &Schema, changes: &[Change]) -> Vec<Change> {
    let mut out = Vec::new();
    for (name, old) in current.statistics() {
        let kept = statistics_in(desired, &name).is_some_and(|new| !old.recreated_as(new) && !lost(old, changes));
        if !kept {
            out.push(StatisticsChange::Drop { name, statistics: old.clone() });
        }
    }
    for (name, new) in desired.statistics() {
        let old = statistics_in(current, &name).filter(|old| !old.recreated_as(new) && !lost(old, changes));
        let (target, comment) = match old {
            Some(old) => (old.target, old.comment.as_ref()),
            None => {
                let created = Statistics { target: None, comment: None, ..new.clone() };
                out.push(StatisticsChange::Create { name: name.clone(), statistics: created });
                (None, None)
            }
        };
        if target != new.target {
            out.push(StatisticsChange::SetTarget { name: name.clone(), target: new.target });
        }
        if comment != new.comment.as_ref() {
            out.push(StatisticsChange::Comment { name: name.clone(), comment: new.comment.clone() });
        }
    }
    out.into_iter().map(Change::Statistics).collect()
}

fn statistics_in<'a>(schema: &'a Schema, name: &QualifiedName) -> Option<&'a Statistics> {
    schema.schemas.get(&name.schema)?.statistics.get(&name.name)
}

/// Whether the plan drops the table of `statistics` or a column it covers (PostgreSQL then drops or
/// narrows the statistics itself).
fn lost(statistics: &Statistics, changes: &[Change]) -> bool {
    changes.iter().any(|change| {
        change.dropped_table() == Some(&statistics.table)
            || change
                .dropped_columns()
                .any(|(table, column)| *table == statistics.table && statistics.columns().any(|c| *c == column.name))
    })
}
