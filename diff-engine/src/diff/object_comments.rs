//! Comments on indexes and constraints. A comment alone never rebuilds its object: definitions are compared
//! without comments, and a comment that differs on an object that stays is set with `COMMENT ON`. An object
//! created (again) gets its comment after it.
//!
//! The index PostgreSQL builds for a primary key, unique or exclusion constraint is the constraint's: its
//! comment is the constraint's (`COMMENT ON CONSTRAINT`, in `pg_constraint`); a comment set on the backing
//! index itself (`COMMENT ON INDEX`, in `pg_class`) is a separate object keel does not model.

use crate::change::{Change, Constraint};
use keel_core::model::{Index, QualifiedName};
use std::collections::BTreeMap;

/// The index without its comment: what decides whether it is rebuilt.
pub(super) fn bare_index(index: &Index) -> Index {
    Index { comment: None, ..index.clone() }
}

/// Whether two indexes are the same but for their comments.
pub(crate) fn same_index(a: Option<&Index>, b: Option<&Index>) -> bool {
    a.map(bare_index) == b.map(bare_index)
}

/// The constraint without its comment.
pub(super) fn bare_constraint(constraint: &Constraint) -> Constraint {
    let mut out = constraint.clone();
    *comment_mut(&mut out) = None;
    out
}

pub(super) fn constraint_comment(constraint: &Constraint) -> Option<String> {
    let mut copy = constraint.clone();
    comment_mut(&mut copy).take()
}

fn comment_mut(constraint: &mut Constraint) -> &mut Option<String> {
    match constraint {
        Constraint::PrimaryKey(c) => &mut c.comment,
        Constraint::Unique(c) => &mut c.comment,
        Constraint::Check(c) => &mut c.comment,
        Constraint::ForeignKey(c) => &mut c.comment,
        Constraint::Exclusion(c) => &mut c.comment,
    }
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
            out.push(Change::CommentIndex { table: on.clone(), name: name.clone(), comment: index.comment.clone() });
        }
    }
}

/// A `CommentConstraint` when `before` (the comment the constraint has once the other changes ran: none
/// if it is created) differs from `after`.
pub(super) fn constraint_comment_change(
    table: &QualifiedName,
    name: &str,
    before: Option<String>,
    after: Option<String>,
    out: &mut Vec<Change>,
) {
    if before != after {
        out.push(Change::CommentConstraint { table: table.clone(), name: name.to_string(), comment: after });
    }
}
