//! Sequences: created, dropped, renamed, altered (type and options), given to a column or taken from it,
//! commented. Options that shrink the range first move the current value into the new one; the value
//! logic is shared with identity columns, whose sequences PostgreSQL manages.

mod plan;
pub(crate) mod sql;

use crate::change::Change;
use keel_core::model::{ColumnType, QualifiedName, Schema, Sequence, SequenceOptions, SequenceOwner};
use serde::Serialize;

/// A change to a sequence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum SequenceChange {
    /// `CREATE SEQUENCE`, without owner or comment (those follow as their own changes).
    Create { name: QualifiedName, sequence: Sequence },
    /// `DROP SEQUENCE`: the values it handed out are forgotten.
    Drop { name: QualifiedName },
    /// `ALTER SEQUENCE ... RENAME TO`, from a hint or implied by a table rename.
    Rename { from: QualifiedName, to: String },
    /// `ALTER SEQUENCE ... AS ...`; `restart` says what happens to the current value.
    Alter { name: QualifiedName, data_type: ColumnType, options: SequenceOptions, restart: SequenceRestart },
    /// `ALTER SEQUENCE ... OWNED BY`; `None` is `OWNED BY NONE`.
    SetOwner { name: QualifiedName, owner: Option<SequenceOwner> },
    /// `COMMENT ON SEQUENCE`; `None` removes the comment.
    Comment { name: QualifiedName, comment: Option<String> },
}

/// What happens to a sequence's current value when its options change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SequenceRestart {
    /// The new range holds every value the old one could: nothing to do.
    Keep,
    /// The range shrinks: before the change, the current value is moved into `[min, max]` (the overlap
    /// of the old and new ranges) if it lies outside; a value inside stays where it is.
    Clamp { min: i64, max: i64 },
    /// The ranges do not overlap or the direction turns: the sequence restarts at its start value.
    Restart,
}

/// The sequences `desired` adds or changes, then those it drops.
pub(crate) fn sequence_changes(current: &Schema, desired: &Schema, out: &mut Vec<Change>) {
    let mut changes = Vec::new();
    for (name, sequence) in desired.sequences() {
        match current.schemas.get(&name.schema).and_then(|ns| ns.sequences.get(&name.name)) {
            None => {
                let unowned = Sequence { owned_by: None, comment: None, ..sequence.clone() };
                changes.push(SequenceChange::Create { name: name.clone(), sequence: unowned });
                if let Some(owner) = &sequence.owned_by {
                    changes.push(SequenceChange::SetOwner { name: name.clone(), owner: Some(owner.clone()) });
                }
                if sequence.comment.is_some() {
                    changes.push(SequenceChange::Comment { name, comment: sequence.comment.clone() });
                }
            }
            Some(old) => altered(&name, old, sequence, &mut changes),
        }
    }
    for (name, sequence) in current.sequences() {
        let kept = desired.schemas.get(&name.schema).is_some_and(|ns| ns.sequences.contains_key(&name.name));
        // A sequence owned by a column that goes away goes with it.
        let dropped_with_owner = sequence.owned_by.as_ref().is_some_and(|owner| {
            desired.table(&name.schema, &owner.table).and_then(|t| t.column(&owner.column)).is_none()
        });
        if !kept && !dropped_with_owner {
            changes.push(SequenceChange::Drop { name });
        }
    }
    out.extend(changes.into_iter().map(Change::Sequence));
}

/// The changes of a sequence that exists on both sides.
fn altered(name: &QualifiedName, old: &Sequence, new: &Sequence, out: &mut Vec<SequenceChange>) {
    if old.data_type != new.data_type || old.options != new.options {
        out.push(SequenceChange::Alter {
            name: name.clone(),
            data_type: new.data_type.clone(),
            options: new.options.clone(),
            restart: sequence_restart(&old.options, &old.data_type, &new.options, &new.data_type),
        });
    }
    if old.owned_by != new.owned_by {
        out.push(SequenceChange::SetOwner { name: name.clone(), owner: new.owned_by.clone() });
    }
    if old.comment != new.comment {
        out.push(SequenceChange::Comment { name: name.clone(), comment: new.comment.clone() });
    }
}

/// What new sequence options mean for the current value. PostgreSQL refuses options whose range excludes
/// the current value, so a shrinking range first moves the value into the overlap (a value already inside
/// stays: ids are never handed out twice); only disjoint ranges or a change of direction restart.
pub(crate) fn sequence_restart(
    old: &SequenceOptions,
    old_type: &ColumnType,
    new: &SequenceOptions,
    new_type: &ColumnType,
) -> SequenceRestart {
    let descending = |o: &SequenceOptions| o.increment.is_some_and(|i| i < 0);
    let (old_min, old_max) = old.effective_bounds(old_type);
    let (new_min, new_max) = new.effective_bounds(new_type);
    if descending(old) != descending(new) {
        return SequenceRestart::Restart;
    }
    if new_min <= old_min && new_max >= old_max {
        return SequenceRestart::Keep;
    }
    let (min, max) = (old_min.max(new_min), old_max.min(new_max));
    if min > max { SequenceRestart::Restart } else { SequenceRestart::Clamp { min, max } }
}
