//! Indexes of a table or materialized view: created, dropped, renamed, commented. An index that differs
//! only in its comment keeps its place and gets the comment; any other difference builds it again, and so
//! does a column or function it reads changing under it.
//!
//! The index PostgreSQL builds for a primary key, unique or exclusion constraint is the constraint's: its
//! comment is the constraint's (`COMMENT ON CONSTRAINT`, in `pg_constraint`); a comment set on the backing
//! index itself (`COMMENT ON INDEX`, in `pg_class`) is a separate object keel does not model.

mod partitioned;
mod plan;
pub(crate) mod sql;

use crate::change::Change;
use crate::kinds::tables::alter;
use keel_core::model::{Index, QualifiedName};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// A change to an index of the relation the enclosing [`crate::kinds::tables::TableChange::Alter`] names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum IndexChange {
    /// `CREATE INDEX` (`CONCURRENTLY` online, on a table that exists).
    Create { name: String, index: Index },
    /// `DROP INDEX`; `index` is the current definition (what it reads must still exist).
    Drop { name: String, index: Index },
    /// `ALTER INDEX ... RENAME TO`.
    Rename { from: String, to: String },
    /// `COMMENT ON INDEX`; `None` removes the comment.
    Comment { name: String, comment: Option<String> },
}

/// The index changes of a table that exists on both sides; `rebuild` says which current indexes must be
/// built again even though they stay as they are.
pub(crate) fn index_changes(
    table: &QualifiedName,
    old: &BTreeMap<String, Index>,
    new: &BTreeMap<String, Index>,
    rebuild: impl Fn(&Index) -> bool,
    out: &mut Vec<Change>,
) {
    let mut recreated = BTreeSet::new();
    for (name, index) in old {
        if !same_index(new.get(name), Some(index)) || rebuild(index) {
            alter(out, table, IndexChange::Drop { name: name.clone(), index: index.clone() });
        }
    }
    for (name, index) in new {
        let existing = old.get(name);
        if !same_index(existing, Some(index)) || existing.is_some_and(&rebuild) {
            recreated.insert(name.clone());
            alter(out, table, IndexChange::Create { name: name.clone(), index: index.clone() });
        }
    }
    index_comments(table, old, new, |n| recreated.contains(n), out);
}

/// The index without its comment: what decides whether it is rebuilt.
pub(crate) fn bare_index(index: &Index) -> Index {
    Index { comment: None, ..index.clone() }
}

/// Whether two indexes are the same but for their comments.
pub(crate) fn same_index(a: Option<&Index>, b: Option<&Index>) -> bool {
    a.map(bare_index) == b.map(bare_index)
}

/// Comments of the indexes of `on` (a table or materialized view): `recreated` indexes get theirs if they
/// have one; the others that exist on both sides get theirs when it differs.
pub(crate) fn index_comments(
    on: &QualifiedName,
    old: &BTreeMap<String, Index>,
    new: &BTreeMap<String, Index>,
    recreated: impl Fn(&str) -> bool,
    out: &mut Vec<Change>,
) {
    for (name, index) in new {
        let before = if recreated(name) { None } else { old.get(name).and_then(|i| i.comment.clone()) };
        if before != index.comment {
            alter(out, on, IndexChange::Comment { name: name.clone(), comment: index.comment.clone() });
        }
    }
}
