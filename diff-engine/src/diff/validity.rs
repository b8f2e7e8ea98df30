//! Constraints left `NOT VALID` (added so, or after an online `VALIDATE` failed). Validity never rebuilds a
//! constraint: a check or foreign key that is not valid and is declared valid is validated in place. One
//! that is valid and declared `NOT VALID` is left alone: a validated constraint satisfies the declaration
//! (every row is checked, which is more than `NOT VALID` promises), and un-validating is impossible anyway.

use crate::change::{Change, Constraint};
use keel_core::model::QualifiedName;

/// The constraint as declared, validity aside: what decides whether it is rebuilt.
pub(super) fn settled(constraint: &Constraint) -> Constraint {
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
pub(super) fn validation(table: &QualifiedName, name: &str, old: &Constraint, new: &Constraint, out: &mut Vec<Change>) {
    if not_valid(old) && !not_valid(new) {
        out.push(Change::ValidateConstraint { table: table.clone(), name: name.to_string() });
    }
}
