//! Partitioned tables and their partitions.
//!
//! - A partition is created after its parent (`CREATE TABLE ... PARTITION OF`), dropped on its own
//!   (`DROP TABLE`, its rows with it), or goes with its parent: `DROP TABLE` of a partitioned table takes
//!   its partitions, no CASCADE needed.
//! - A changed bound detaches the partition and attaches it again with the new bound: its rows stay, and
//!   the attach fails (rolling the plan back) if some do not fit.
//! - A partition that moves to another schema is dropped and created again.
//! - The partition key cannot be altered in place: the table is dropped and created again with its
//!   partitions, indexes, constraints and triggers, the views that read it, and the foreign keys of other
//!   tables that reference it. The drop deletes the rows and is flagged so (keel does not copy them over).
//!
//! Columns, indexes, constraints and triggers are the parent's and reach the partitions on their own.

mod plan;
pub(crate) mod sql;

use crate::change::{Change, Constraint, ConstraintChange};
use crate::kinds::tables::alter;
use keel_core::model::{Partition, QualifiedName, Schema, Table};
use serde::Serialize;

/// A change to one partition of a partitioned table (`table`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum PartitionChange {
    /// `CREATE TABLE ... PARTITION OF table FOR VALUES ...`, without its comment (a change of its own).
    Create { table: QualifiedName, name: QualifiedName, partition: Partition },
    /// `DROP TABLE` of one partition: its rows go with it.
    Drop { table: QualifiedName, name: QualifiedName },
    /// Detach the partition and attach it again with its new bound: its rows stay if they fit.
    SetBound { table: QualifiedName, name: QualifiedName, from: String, to: String },
    /// `COMMENT ON TABLE` of the partition; `None` removes the comment.
    Comment { name: QualifiedName, comment: Option<String> },
}

/// Whether the table must be dropped and created again: its partition key changes (or it becomes, or
/// stops being, partitioned).
pub(crate) fn rebuilt(old: &Table, new: &Table) -> bool {
    old.partition_by != new.partition_by
}

/// Partition changes of every table: creations for tables created (or rebuilt) by this plan, and
/// additions, drops, bound and comment changes for tables that stay.
pub(crate) fn partition_changes(current: &Schema, desired: &Schema) -> Vec<Change> {
    let mut out = Vec::new();
    for (name, table) in desired.tables() {
        let old = current.table(&name.schema, &name.name).filter(|old| !rebuilt(old, table));
        for (partition, wanted) in &table.partitions {
            let qualified = table.partition_name(&name, partition);
            let existing =
                old.and_then(|o| o.partitions.get(partition).map(|p| (o.partition_name(&name, partition), p)));
            let comment = match existing {
                Some((was, p)) if was == qualified => {
                    if p.bound != wanted.bound {
                        out.push(PartitionChange::SetBound {
                            table: name.clone(),
                            name: qualified.clone(),
                            from: p.bound.clone(),
                            to: wanted.bound.clone(),
                        });
                    }
                    p.comment.clone()
                }
                moved => {
                    if let Some((was, _)) = moved {
                        out.push(PartitionChange::Drop { table: name.clone(), name: was });
                    }
                    let plain = Partition { comment: None, ..wanted.clone() };
                    out.push(PartitionChange::Create {
                        table: name.clone(),
                        name: qualified.clone(),
                        partition: plain,
                    });
                    None
                }
            };
            if comment != wanted.comment {
                out.push(PartitionChange::Comment { name: qualified, comment: wanted.comment.clone() });
            }
        }
        if let Some(old) = old {
            for partition in old.partitions.keys().filter(|p| !table.partitions.contains_key(*p)) {
                out.push(PartitionChange::Drop { table: name.clone(), name: old.partition_name(&name, partition) });
            }
        }
    }
    out.into_iter().map(Change::Partition).collect()
}

/// Foreign keys of other tables that reference a table being rebuilt and stay as they are: dropped before
/// the table goes and added again after it is back. `changes` are the table changes so far (a key that
/// changes anyway is already dropped and added).
pub(crate) fn rebuilt_references(current: &Schema, desired: &Schema, changes: &[Change]) -> Vec<Change> {
    let rebuilt_tables: Vec<QualifiedName> = current
        .tables()
        .filter(|(name, old)| desired.table(&name.schema, &name.name).is_some_and(|new| rebuilt(old, new)))
        .map(|(name, _)| name)
        .collect();
    let mut out = Vec::new();
    for (name, old) in current.tables() {
        let Some(new) = desired.table(&name.schema, &name.name) else { continue };
        if rebuilt_tables.contains(&name) {
            continue;
        }
        for (fk_name, fk) in &old.foreign_keys {
            if !rebuilt_tables.contains(&fk.references) || new.foreign_keys.get(fk_name) != Some(fk) {
                continue;
            }
            let handled = changes.iter().any(|c| c.drops_constraint(&name, fk_name));
            if handled {
                continue;
            }
            let constraint = Constraint::ForeignKey(fk.clone());
            alter(&mut out, &name, ConstraintChange::Drop { name: fk_name.clone(), constraint: constraint.clone() });
            alter(&mut out, &name, ConstraintChange::Add { name: fk_name.clone(), constraint });
        }
    }
    out
}
