//! Comparing two schemas: `diff(current, desired, hints)` lists the changes that turn one into the other.
//! Renames come only from hints and are applied first; everything else is compared by name.

mod composites;
mod domains;
mod partitions;
mod renames;
mod views;

pub(crate) use views::touched_by;

use crate::change::{Change, EnumUsage, SequenceRestart, ValuePosition};
use crate::hints::Hints;
use keel_core::model::{ColumnType, Enum, QualifiedName, Schema, Sequence, SequenceOptions};
use std::collections::BTreeSet;

#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    #[error("rename hint: {0}")]
    Hint(String),
    /// A change PostgreSQL cannot carry out without CASCADE or a hand-written data move.
    #[error("{0}")]
    Unsupported(String),
}

/// The changes that turn `current` into `desired`, in a stable order (the planner orders them for real).
pub fn diff(current: &Schema, desired: &Schema, hints: &Hints) -> Result<Vec<Change>, DiffError> {
    Ok(diff_renamed(current, desired, hints)?.1)
}

/// [`diff`], also returning the current schema with the hinted renames applied: the names every change
/// after the renames uses.
pub fn diff_renamed(current: &Schema, desired: &Schema, hints: &Hints) -> Result<(Schema, Vec<Change>), DiffError> {
    let (current, mut changes) = renames::apply(current, desired, hints)?;

    crate::kinds::schemas::schema_changes(&current, desired, &mut changes);
    crate::kinds::extensions::extension_changes(&current, desired, &mut changes);

    for (name, e) in desired.enums() {
        match current.enum_type(&name.schema, &name.name) {
            None => {
                changes.push(Change::CreateEnum { name: name.clone(), values: e.values.clone() });
                if e.comment.is_some() {
                    changes.push(Change::CommentEnum { name, comment: e.comment.clone() });
                }
            }
            Some(old) => {
                enum_values(&name, old, e, &current, desired, &mut changes);
                if old.comment != e.comment {
                    changes.push(Change::CommentEnum { name, comment: e.comment.clone() });
                }
            }
        }
    }
    for (name, _) in current.enums() {
        if desired.enum_type(&name.schema, &name.name).is_none() {
            changes.push(Change::DropEnum { name });
        }
    }

    domains::domain_changes(&current, desired, &mut changes)?;
    composites::composite_changes(&current, desired, &mut changes)?;
    let recreated = recreated_types(&changes);
    let (function_changes, rebuilt_functions) =
        crate::kinds::functions::function_changes(&current, desired, &recreated);
    changes.extend(function_changes);
    let context = crate::kinds::tables::TableDiff::new(&current, desired, recreated, rebuilt_functions.clone());
    for (name, sequence) in desired.sequences() {
        match current.schemas.get(&name.schema).and_then(|ns| ns.sequences.get(&name.name)) {
            None => {
                let unowned = Sequence { owned_by: None, comment: None, ..sequence.clone() };
                changes.push(Change::CreateSequence { name: name.clone(), sequence: unowned });
                if let Some(owner) = &sequence.owned_by {
                    changes.push(Change::SetSequenceOwner { name: name.clone(), owner: Some(owner.clone()) });
                }
                if sequence.comment.is_some() {
                    changes.push(Change::CommentSequence { name, comment: sequence.comment.clone() });
                }
            }
            Some(old) => sequence_changes(&name, old, sequence, &mut changes),
        }
    }
    for (name, sequence) in current.sequences() {
        let kept = desired.schemas.get(&name.schema).is_some_and(|ns| ns.sequences.contains_key(&name.name));
        // A sequence owned by a column that goes away goes with it.
        let dropped_with_owner = sequence.owned_by.as_ref().is_some_and(|owner| {
            desired.table(&name.schema, &owner.table).and_then(|t| t.column(&owner.column)).is_none()
        });
        if !kept && !dropped_with_owner {
            changes.push(Change::DropSequence { name });
        }
    }

    for (name, table) in desired.tables() {
        match current.table(&name.schema, &name.name) {
            None => context.create_table(&name, table, &mut changes),
            Some(old) if partitions::rebuilt(old, table) => {
                context.drop_table(&name, old, &mut changes);
                context.create_table(&name, table, &mut changes);
            }
            Some(old) => context.alter_table(&name, old, table, &mut changes),
        }
    }
    for (name, table) in current.tables() {
        if desired.table(&name.schema, &name.name).is_none() {
            context.drop_table(&name, table, &mut changes);
        }
    }
    changes.extend(partitions::rebuilt_references(&current, desired, &changes));
    changes.extend(partitions::partition_changes(&current, desired));
    let views = views::view_changes(&current, desired, &changes, &rebuilt_functions);
    changes.extend(views);
    let policies = crate::kinds::policies::policy_changes(&current, desired, &changes, &rebuilt_functions);
    changes.extend(policies);
    let statistics = crate::kinds::statistics::diff(&current, desired, &changes);
    changes.extend(statistics);
    Ok((current, changes))
}

/// Enum values: additions in place when every existing value stays and keeps its order; otherwise the
/// type is recreated.
fn enum_values(
    name: &QualifiedName,
    old: &Enum,
    new: &Enum,
    current: &Schema,
    desired: &Schema,
    out: &mut Vec<Change>,
) {
    if old.values == new.values {
        return;
    }
    let kept: Vec<&String> = new.values.iter().filter(|v| old.values.contains(v)).collect();
    let in_place = kept.len() == old.values.len() && kept.iter().zip(&old.values).all(|(a, b)| *a == b);
    if in_place {
        for (i, value) in new.values.iter().enumerate() {
            if old.values.contains(value) {
                continue;
            }
            let position = if i > 0 {
                Some(ValuePosition::After(new.values[i - 1].clone()))
            } else {
                // Before the first value that exists already; an empty enum takes its first value plainly.
                old.values.first().map(|first| ValuePosition::Before(first.clone()))
            };
            out.push(Change::AddEnumValue { name: name.clone(), value: value.clone(), position });
        }
        return;
    }
    let removed = old.values.iter().filter(|v| !new.values.contains(v)).cloned().collect();
    let mut usages = Vec::new();
    for (table_name, table) in current.tables() {
        // Columns of tables that are dropped, and columns that are dropped or change type, need no cast.
        let Some(wanted) = desired.table(&table_name.schema, &table_name.name) else { continue };
        for column in &table.columns {
            if !uses_enum(&column.ty, name) || wanted.column(&column.name).is_none_or(|c| c.ty != column.ty) {
                continue;
            }
            usages.push(EnumUsage {
                table: table_name.clone(),
                column: column.name.clone(),
                ty: column.ty.clone(),
                drop_default: column.default.is_some(),
                default: wanted.column(&column.name).and_then(|c| c.default.clone()),
            });
        }
    }
    out.push(Change::RecreateEnum {
        name: name.clone(),
        values: new.values.clone(),
        removed,
        usages,
        comment: new.comment.clone(),
    });
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

pub(crate) fn uses_enum(ty: &ColumnType, name: &QualifiedName) -> bool {
    matches!(ty.scalar(), ColumnType::Named { schema, name: n } if *schema == name.schema && *n == name.name)
}

fn sequence_changes(name: &QualifiedName, old: &Sequence, new: &Sequence, out: &mut Vec<Change>) {
    if old.data_type != new.data_type || old.options != new.options {
        out.push(Change::AlterSequence {
            name: name.clone(),
            data_type: new.data_type.clone(),
            options: new.options.clone(),
            restart: sequence_restart(&old.options, &old.data_type, &new.options, &new.data_type),
        });
    }
    if old.owned_by != new.owned_by {
        out.push(Change::SetSequenceOwner { name: name.clone(), owner: new.owned_by.clone() });
    }
    if old.comment != new.comment {
        out.push(Change::CommentSequence { name: name.clone(), comment: new.comment.clone() });
    }
}

/// The enums, domains and composite types being recreated: their columns change type as far as constraints
/// and indexes are concerned, and functions over them are dropped and created again.
pub(crate) fn recreated_types(changes: &[Change]) -> BTreeSet<QualifiedName> {
    changes
        .iter()
        .filter_map(|c| match c {
            Change::RecreateEnum { name, .. }
            | Change::RecreateDomain { name, .. }
            | Change::RecreateComposite { name, .. } => Some(name.clone()),
            _ => None,
        })
        .collect()
}
