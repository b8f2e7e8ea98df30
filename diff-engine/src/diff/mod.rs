//! Comparing two schemas: `diff(current, desired, hints)` lists the changes that turn one into the other.
//! Renames come only from hints and are applied first; everything else is compared by name.

mod renames;

use crate::change::{Change, CompositeChange, DomainChange, EnumChange};
use crate::hints::Hints;
use keel_core::model::{ColumnType, QualifiedName, Schema};
use std::collections::BTreeSet;

#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    #[error("rename hint: {0}")]
    Hint(String),
    /// A change PostgreSQL cannot carry out without CASCADE or a hand-written data move.
    #[error("{0}")]
    Unsupported(String),
}

impl DiffError {
    /// Whether the way out is a migration written by hand (the message says what it must do).
    pub fn needs_hand_written_migration(&self) -> bool {
        matches!(self, DiffError::Unsupported(_))
    }
}

/// The changes that turn `current` into `desired`, in a stable order (the planner orders them for real).
/// The target's version is unknown: changes are those every supported version can carry out.
pub fn diff(current: &Schema, desired: &Schema, hints: &Hints) -> Result<Vec<Change>, DiffError> {
    Ok(diff_renamed(current, desired, hints, None)?.1)
}

/// [`diff`], also returning the current schema with the hinted renames applied: the names every change
/// after the renames uses. `server_version_num` is the target's (`None`: unknown), for the changes only
/// later versions carry out in place (`SET EXPRESSION`).
pub fn diff_renamed(
    current: &Schema,
    desired: &Schema,
    hints: &Hints,
    server_version_num: Option<i32>,
) -> Result<(Schema, Vec<Change>), DiffError> {
    let (current, mut changes) = renames::apply(current, desired, hints)?;

    crate::kinds::schemas::schema_changes(&current, desired, &mut changes);
    crate::kinds::extensions::extension_changes(&current, desired, &mut changes);

    crate::kinds::enums::enum_changes(&current, desired, &mut changes);

    changes.extend(crate::kinds::domains::diff(&current, desired)?);
    changes.extend(crate::kinds::composites::diff(&current, desired)?);
    let recreated = recreated_types(&changes);
    let (function_changes, rebuilt_functions) =
        crate::kinds::functions::function_changes(&current, desired, &recreated);
    changes.extend(function_changes);
    let context = crate::kinds::tables::TableDiff::new(
        &current,
        desired,
        recreated,
        rebuilt_functions.clone(),
        server_version_num,
    );
    crate::kinds::sequences::sequence_changes(&current, desired, &mut changes);

    for (name, table) in desired.tables() {
        match current.table(&name.schema, &name.name) {
            None => context.create_table(&name, table, &mut changes),
            Some(old) if crate::kinds::partitions::rebuilt(old, table) => {
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
    changes.extend(crate::kinds::partitions::rebuilt_references(&current, desired, &changes));
    changes.extend(crate::kinds::partitions::partition_changes(&current, desired));
    let views = crate::kinds::views::view_changes(&current, desired, &changes, &rebuilt_functions);
    changes.extend(views);
    let policies = crate::kinds::policies::policy_changes(&current, desired, &changes, &rebuilt_functions);
    changes.extend(policies);
    let statistics = crate::kinds::statistics::diff(&current, desired, &changes);
    changes.extend(statistics);
    Ok((current, changes))
}

pub(crate) fn uses_enum(ty: &ColumnType, name: &QualifiedName) -> bool {
    matches!(ty.scalar(), ColumnType::Named { schema, name: n } if *schema == name.schema && *n == name.name)
}

/// The enums, domains and composite types being recreated: their columns change type as far as constraints
/// and indexes are concerned, and functions over them are dropped and created again.
pub(crate) fn recreated_types(changes: &[Change]) -> BTreeSet<QualifiedName> {
    changes
        .iter()
        .filter_map(|c| match c {
            Change::Enum(EnumChange::Recreate { name, .. })
            | Change::Domain(DomainChange::Recreate { name, .. })
            | Change::Composite(CompositeChange::Recreate { name, .. }) => Some(name.clone()),
            _ => None,
        })
        .collect()
}
