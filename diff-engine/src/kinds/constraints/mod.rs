//! Table constraints: primary keys, unique, checks, foreign keys and exclusions. Compared without their
//! comments and validity, which change in place; a constraint that only changes its name is renamed; any
//! other difference drops it and adds it again, and so does a column or function it reads changing under it.
//!
//! Validity never rebuilds a constraint: a check or foreign key left `NOT VALID` (added so, or after an
//! online `VALIDATE` failed) and declared valid is validated in place. One that is valid and declared
//! `NOT VALID` is left alone: a validated constraint satisfies the declaration (every row is checked, which
//! is more than `NOT VALID` promises), and un-validating is impossible anyway.

mod plan;
pub(crate) mod sql;

pub(crate) use plan::owned_constraints;

use crate::change::Change;
use crate::kinds::tables::alter;
use keel_core::model::{Check, Exclusion, ForeignKey, PrimaryKey, QualifiedName, Table, UniqueConstraint};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// A table-level constraint, by kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Constraint {
    PrimaryKey(PrimaryKey),
    Unique(UniqueConstraint),
    Check(Check),
    ForeignKey(ForeignKey),
    Exclusion(Exclusion),
}

/// A change to a constraint of the table the enclosing [`crate::kinds::tables::TableChange::Alter`] names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum ConstraintChange {
    /// `ADD CONSTRAINT`, as declared (`NOT VALID` included), without its comment.
    Add { name: String, constraint: Constraint },
    /// `DROP CONSTRAINT`; `constraint` is the current definition (what it reads must still exist).
    Drop { name: String, constraint: Constraint },
    /// `RENAME CONSTRAINT` (its index, if it owns one, is renamed with it).
    Rename { from: String, to: String },
    /// A check or foreign key left `NOT VALID`, declared valid.
    Validate { name: String },
    /// `COMMENT ON CONSTRAINT`; `None` removes the comment.
    Comment { name: String, comment: Option<String> },
}

/// The constraint changes of a table that exists on both sides; `must_rebuild` says which constraints must
/// be dropped and added again even though they stay as they are.
pub(crate) fn constraint_changes(
    table: &QualifiedName,
    old: &Table,
    new: &Table,
    must_rebuild: impl Fn(&Constraint) -> bool,
    out: &mut Vec<Change>,
) {
    // Compared without comments: a comment alone is set in place (below).
    let (old_commented, new_commented) = (constraints(old), constraints(new));
    let (old_constraints, new_constraints) = (bare(&old_commented), bare(&new_commented));
    let mut dropped: BTreeMap<&String, &Constraint> = BTreeMap::new();
    let mut added: BTreeMap<&String, &Constraint> = BTreeMap::new();
    for (name, constraint) in &old_constraints {
        if new_constraints.get(name) != Some(constraint) || must_rebuild(constraint) {
            dropped.insert(name, constraint);
        }
    }
    for (name, constraint) in &new_constraints {
        let existing = old_constraints.get(name);
        if existing != Some(constraint) || existing.is_some_and(&must_rebuild) {
            added.insert(name, constraint);
        }
    }
    // A constraint that only changes its name (a table rename leaves `a_pkey` on table `b`) is renamed:
    // nothing about it changes, so nothing is guessed.
    let mut renamed_from: BTreeMap<&String, &String> = BTreeMap::new();
    for (from, to) in renamed_constraints(&dropped, &added, &must_rebuild) {
        dropped.remove(&from);
        added.remove(&to);
        renamed_from.insert(to, from);
        alter(out, table, ConstraintChange::Rename { from: from.clone(), to: to.clone() });
    }
    let created: BTreeSet<String> = added.keys().map(|n| n.to_string()).collect();
    for (name, constraint) in dropped {
        alter(out, table, ConstraintChange::Drop { name: name.clone(), constraint: constraint.clone() });
    }
    for name in added.keys() {
        // As declared: a constraint declared `NOT VALID` is added so.
        let constraint = bare_constraint(&new_commented[*name]);
        alter(out, table, ConstraintChange::Add { name: name.to_string(), constraint });
    }
    for (name, constraint) in &new_commented {
        let before = match created.contains(name) {
            true => None,
            false => {
                let from = renamed_from.get(name).copied().unwrap_or(name);
                old_commented.get(from).and_then(constraint_comment)
            }
        };
        comment_change(table, name, before, constraint_comment(constraint), out);
        if !created.contains(name) {
            let from = renamed_from.get(name).copied().unwrap_or(name);
            if let Some(old_constraint) = old_commented.get(from) {
                validation(table, name, old_constraint, constraint, out);
            }
        }
    }
}

/// The comments of the constraints of a table created with them.
pub(crate) fn created_comments(table: &QualifiedName, new: &Table, out: &mut Vec<Change>) {
    for (name, constraint) in constraints(new) {
        comment_change(table, &name, None, constraint_comment(&constraint), out);
    }
}

/// Every constraint of a table by name, the primary key included.
pub(crate) fn constraints(t: &Table) -> BTreeMap<String, Constraint> {
    let mut all: BTreeMap<String, Constraint> =
        t.primary_key.iter().map(|pk| (pk.name.clone(), Constraint::PrimaryKey(pk.clone()))).collect();
    all.extend(t.unique_constraints.iter().map(|(n, u)| (n.clone(), Constraint::Unique(u.clone()))));
    all.extend(t.checks.iter().map(|(n, c)| (n.clone(), Constraint::Check(c.clone()))));
    all.extend(t.foreign_keys.iter().map(|(n, f)| (n.clone(), Constraint::ForeignKey(f.clone()))));
    all.extend(t.exclusions.iter().map(|(n, x)| (n.clone(), Constraint::Exclusion(x.clone()))));
    all
}

/// The constraints without their comments and validity (both change in place).
pub(crate) fn bare(constraints: &BTreeMap<String, Constraint>) -> BTreeMap<String, Constraint> {
    constraints.iter().map(|(n, c)| (n.clone(), settled(&bare_constraint(c)))).collect()
}

/// Pairs of a dropped and an added constraint with the same definition, where that definition occurs once
/// on each side, and that need no rebuild.
fn renamed_constraints<'a>(
    dropped: &BTreeMap<&'a String, &'a Constraint>,
    added: &BTreeMap<&'a String, &'a Constraint>,
    must_rebuild: impl Fn(&Constraint) -> bool,
) -> Vec<(&'a String, &'a String)> {
    let mut pairs = Vec::new();
    for (from, definition) in dropped {
        if must_rebuild(definition) {
            continue;
        }
        let same = |map: &BTreeMap<&'a String, &'a Constraint>| -> Vec<&'a String> {
            map.iter().filter(|(_, c)| same_definition(c, definition)).map(|(n, _)| *n).collect()
        };
        if let ([to], [_]) = (same(added).as_slice(), same(dropped).as_slice()) {
            pairs.push((*from, *to));
        }
    }
    pairs
}

/// Equal but for the name (a primary key carries its name inside).
pub(crate) fn same_definition(a: &Constraint, b: &Constraint) -> bool {
    match (a, b) {
        (Constraint::PrimaryKey(x), Constraint::PrimaryKey(y)) => x.columns == y.columns,
        _ => a == b,
    }
}

/// The constraint as declared, validity aside: what decides whether it is rebuilt.
fn settled(constraint: &Constraint) -> Constraint {
    let mut out = constraint.clone();
    if let Some(flag) = not_valid_mut(&mut out) {
        *flag = false;
    }
    out
}

fn not_valid(constraint: &Constraint) -> bool {
    match constraint {
        Constraint::Check(c) => c.not_valid,
        Constraint::ForeignKey(f) => f.not_valid,
        _ => false,
    }
}

fn not_valid_mut(constraint: &mut Constraint) -> Option<&mut bool> {
    match constraint {
        Constraint::Check(c) => Some(&mut c.not_valid),
        Constraint::ForeignKey(f) => Some(&mut f.not_valid),
        _ => None,
    }
}

/// `VALIDATE CONSTRAINT` for a constraint that stays (`old` as it is now, `new` as declared) when it is not
/// valid and declared valid.
fn validation(table: &QualifiedName, name: &str, old: &Constraint, new: &Constraint, out: &mut Vec<Change>) {
    if not_valid(old) && !not_valid(new) {
        alter(out, table, ConstraintChange::Validate { name: name.to_string() });
    }
}

/// The constraint without its comment.
fn bare_constraint(constraint: &Constraint) -> Constraint {
    let mut out = constraint.clone();
    *comment_mut(&mut out) = None;
    out
}

fn constraint_comment(constraint: &Constraint) -> Option<String> {
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

/// A comment change when `before` (the comment the constraint has once the other changes ran: none if it
/// is created) differs from `after`.
fn comment_change(
    table: &QualifiedName,
    name: &str,
    before: Option<String>,
    after: Option<String>,
    out: &mut Vec<Change>,
) {
    if before != after {
        alter(out, table, ConstraintChange::Comment { name: name.to_string(), comment: after });
    }
}
