//! Enum types: created, dropped, renamed, commented; values added in place (`ALTER TYPE ... ADD VALUE`)
//! or renamed. PostgreSQL cannot remove or reorder a value, so such a change recreates the type and casts
//! every column of it.

mod plan;
pub(crate) mod sql;

use crate::change::{Change, EnumUsage};
use crate::diff::uses_enum;
use keel_core::model::{Enum, QualifiedName, Schema};
use serde::Serialize;

/// A change to an enum type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum EnumChange {
    /// `CREATE TYPE ... AS ENUM`, without its comment (that follows as its own change).
    Create { name: QualifiedName, values: Vec<String> },
    /// `DROP TYPE`.
    Drop { name: QualifiedName },
    /// `ALTER TYPE ... RENAME TO`, from a rename hint.
    Rename { from: QualifiedName, to: String },
    /// `ALTER TYPE ... ADD VALUE`: commits before anything uses the value.
    AddValue { name: QualifiedName, value: String, position: Option<ValuePosition> },
    /// `ALTER TYPE ... RENAME VALUE`, from a rename hint.
    RenameValue { name: QualifiedName, from: String, to: String },
    /// Rename the old type away, create the new one, cast every column, drop the old one: the way to
    /// remove or reorder values.
    Recreate {
        name: QualifiedName,
        values: Vec<String>,
        removed: Vec<String>,
        usages: Vec<EnumUsage>,
        /// The new type's comment (the old type's goes with it).
        comment: Option<String>,
    },
    /// `COMMENT ON TYPE`; `None` removes the comment.
    Comment { name: QualifiedName, comment: Option<String> },
}

/// Where `ALTER TYPE ... ADD VALUE` puts a new value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ValuePosition {
    Before(String),
    After(String),
}

/// The enums `desired` adds, changes or comments differently, then those it drops.
pub(crate) fn enum_changes(current: &Schema, desired: &Schema, out: &mut Vec<Change>) {
    let mut changes = Vec::new();
    for (name, e) in desired.enums() {
        match current.enum_type(&name.schema, &name.name) {
            None => {
                changes.push(EnumChange::Create { name: name.clone(), values: e.values.clone() });
                if e.comment.is_some() {
                    changes.push(EnumChange::Comment { name, comment: e.comment.clone() });
                }
            }
            Some(old) => {
                enum_values(&name, old, e, current, desired, &mut changes);
                if old.comment != e.comment {
                    changes.push(EnumChange::Comment { name, comment: e.comment.clone() });
                }
            }
        }
    }
    for (name, _) in current.enums() {
        if desired.enum_type(&name.schema, &name.name).is_none() {
            changes.push(EnumChange::Drop { name });
        }
    }
    out.extend(changes.into_iter().map(Change::Enum));
}

/// Enum values: additions in place when every existing value stays and keeps its order; otherwise the
/// type is recreated.
fn enum_values(
    name: &QualifiedName,
    old: &Enum,
    new: &Enum,
    current: &Schema,
    desired: &Schema,
    out: &mut Vec<EnumChange>,
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
            out.push(EnumChange::AddValue { name: name.clone(), value: value.clone(), position });
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
    out.push(EnumChange::Recreate {
        name: name.clone(),
        values: new.values.clone(),
        removed,
        usages,
        comment: new.comment.clone(),
    });
}
