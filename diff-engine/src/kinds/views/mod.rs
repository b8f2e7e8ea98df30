//! Views: created, dropped, replaced in place when PostgreSQL allows it (`CREATE OR REPLACE VIEW` keeps the
//! columns and may append), otherwise dropped and created again. A view that reads a column or table the
//! other changes alter, drop or retype is dropped before them and created again after, and so is every
//! view that reads such a view, and every view that calls a function dropped or created again: PostgreSQL
//! refuses those changes while a view depends on them, and keel never uses CASCADE.

mod plan;
mod query;
pub(crate) mod sql;

use crate::change::{Change, CompositeChange, DomainChange, EnumChange};
use crate::kinds::functions::Rebuilt;
use crate::kinds::indexes::index_changes;
use crate::kinds::partitions::PartitionChange;
use keel_core::model::{QualifiedName, Schema, View};
use query::same_query;
use serde::Serialize;
use std::collections::BTreeSet;

/// A change to a view or materialized view (its indexes are index changes of their own).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum ViewChange {
    /// `CREATE [MATERIALIZED] VIEW`, without its comment (that follows as its own change).
    Create { name: QualifiedName, view: View },
    /// The view as it is now: what it reads must still be there when it is dropped.
    Drop { name: QualifiedName, view: View },
    /// `CREATE OR REPLACE VIEW`: the same columns (more may follow), another query.
    Replace { name: QualifiedName, view: View },
    /// `COMMENT ON [MATERIALIZED] VIEW`; `None` removes the comment.
    Comment { name: QualifiedName, materialized: bool, comment: Option<String> },
}

/// The view changes that go with `changes` (everything else the diff found).
pub(crate) fn view_changes(current: &Schema, desired: &Schema, changes: &[Change], functions: &Rebuilt) -> Vec<Change> {
    let touched = touched_by(changes);
    let mut rebuilt: BTreeSet<QualifiedName> = BTreeSet::new();
    for (name, old) in current.views() {
        let needs_rebuild = match desired.view(&name.schema, &name.name) {
            None => true,
            Some(new) => {
                let differs = !same_query(&old.query, &new.query)
                    || old.materialized != new.materialized
                    || old.options != new.options;
                differs && !replaceable(old, new)
            }
        };
        let reads_touched = touched.iter().any(|(relation, column)| old.reads(relation, column.as_deref()));
        if needs_rebuild || reads_touched || functions.called_by(&old.query) {
            rebuilt.insert(name);
        }
    }
    // Views over rebuilt views go too, transitively.
    loop {
        let more: Vec<QualifiedName> = current
            .views()
            .filter(|(name, view)| !rebuilt.contains(name) && rebuilt.iter().any(|r| view.reads(r, None)))
            .map(|(name, _)| name)
            .collect();
        if more.is_empty() {
            break;
        }
        rebuilt.extend(more);
    }

    let mut out = Vec::new();
    for (name, old) in current.views() {
        let new = desired.view(&name.schema, &name.name);
        if rebuilt.contains(&name) {
            out.push(Change::View(ViewChange::Drop { name: name.clone(), view: old.clone() }));
            if let Some(new) = new {
                create(&name, new, &mut out);
            }
        } else if let Some(new) = new {
            if !same_query(&old.query, &new.query) || old.columns != new.columns || old.options != new.options {
                out.push(Change::View(ViewChange::Replace { name: name.clone(), view: new.clone() }));
            }
            if old.comment != new.comment {
                let comment = new.comment.clone();
                out.push(Change::View(ViewChange::Comment {
                    name: name.clone(),
                    materialized: new.materialized,
                    comment,
                }));
            }
            // A materialized view kept as it is: its indexes compare as a table's do.
            index_changes(&name, &old.indexes, &new.indexes, |_| false, &mut out);
        }
    }
    for (name, new) in desired.views() {
        if current.view(&name.schema, &name.name).is_none() {
            create(&name, new, &mut out);
        }
    }
    out
}

/// A view created (again), with its comment and, for a materialized view, its indexes.
fn create(name: &QualifiedName, view: &View, out: &mut Vec<Change>) {
    out.push(Change::View(ViewChange::Create { name: name.clone(), view: view.clone() }));
    index_changes(name, &Default::default(), &view.indexes, |_| false, out);
    if view.comment.is_some() {
        out.push(Change::View(ViewChange::Comment {
            name: name.clone(),
            materialized: view.materialized,
            comment: view.comment.clone(),
        }));
    }
}

/// `CREATE OR REPLACE VIEW` can turn `old` into `new`: both plain views, the old columns kept as they are
/// (names and types, in order), new ones only appended.
fn replaceable(old: &View, new: &View) -> bool {
    !old.materialized
        && !new.materialized
        && new.columns.len() >= old.columns.len()
        && new.columns[..old.columns.len()] == old.columns[..]
}

/// Relations and columns the changes drop, retype or rebuild: views that read them cannot stay.
pub(crate) fn touched_by(changes: &[Change]) -> Vec<(QualifiedName, Option<String>)> {
    let mut out = Vec::new();
    for change in changes {
        out.extend(change.dropped_table().map(|name| (name.clone(), None)));
        out.extend(change.dropped_columns().map(|(table, column)| (table.clone(), Some(column.name.clone()))));
        out.extend(change.retyped_columns().map(|(table, column)| (table.clone(), Some(column.clone()))));
        match change {
            Change::Partition(PartitionChange::Drop { name, .. }) => out.push((name.clone(), None)),
            Change::Enum(EnumChange::Recreate { usages, .. })
            | Change::Domain(DomainChange::Recreate { usages, .. })
            | Change::Composite(CompositeChange::Recreate { usages, .. }) => {
                out.extend(usages.iter().map(|u| (u.table.clone(), Some(u.column.clone()))));
            }
            _ => {}
        }
    }
    out
}
