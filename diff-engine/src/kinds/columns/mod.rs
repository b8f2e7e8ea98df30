//! Columns of a table that exists: added, dropped, renamed, and changed in place (type, nullability,
//! default, identity, generation, comment). A column whose generated expression changes, or that becomes
//! generated, is dropped and added again: PostgreSQL 15 can do neither in place.

mod not_null;
mod plan;
pub(crate) mod sql;

pub(crate) use plan::identity_sequence;

use crate::change::{Change, SequenceRestart};
use crate::kinds::functions::Rebuilt;
use crate::kinds::tables::alter;
use keel_core::model::{Column, ColumnType, Identity, IdentityGeneration, NotNull, QualifiedName, SequenceOptions};
use serde::Serialize;

/// A change to a column of the table the enclosing [`crate::kinds::tables::TableChange::Alter`] names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum ColumnChange {
    /// `ADD COLUMN`, without its comment (a change of its own).
    Add {
        column: Column,
    },
    /// `DROP COLUMN`; `column` is the current definition.
    Drop {
        column: Column,
    },
    Rename {
        from: String,
        to: String,
    },
    /// `ALTER COLUMN ... TYPE ... USING`; the current default is dropped before and `default` set after.
    AlterType {
        column: String,
        from: ColumnType,
        to: ColumnType,
        collation: Option<String>,
        old_default: Option<String>,
        default: Option<String>,
    },
    SetNotNull {
        column: String,
    },
    DropNotNull {
        column: String,
    },
    /// `ADD [CONSTRAINT name] NOT NULL column [NO INHERIT] [NOT VALID]` (PostgreSQL 18): what `SET NOT NULL`
    /// cannot say.
    AddNotNull {
        column: String,
        not_null: NotNull,
    },
    /// A not-null constraint whose name is PostgreSQL's (not in the model) given a name or `NO INHERIT`:
    /// `DROP NOT NULL` and `ADD CONSTRAINT` again; in a primary key, which keeps its column `NOT NULL`, a
    /// `RENAME CONSTRAINT` from the name PostgreSQL chooses.
    ReplaceNotNull {
        column: String,
        not_null: NotNull,
        /// Whether `NO INHERIT` changes (a primary key's constraint is altered only then).
        inherit_changes: bool,
    },
    /// `RENAME CONSTRAINT` of a column's not-null constraint.
    RenameNotNull {
        column: String,
        from: String,
        to: String,
    },
    /// `ALTER CONSTRAINT name [NO] INHERIT` of a column's not-null constraint.
    SetNotNullInherit {
        column: String,
        name: String,
        no_inherit: bool,
    },
    /// A `NOT VALID` not-null constraint validated: `VALIDATE CONSTRAINT name`, or `SET NOT NULL` when its
    /// name is PostgreSQL's (not in the model).
    ValidateNotNull {
        column: String,
        name: Option<String>,
    },
    SetDefault {
        column: String,
        default: String,
    },
    DropDefault {
        column: String,
    },
    AddIdentity {
        column: String,
        identity: Identity,
    },
    DropIdentity {
        column: String,
    },
    SetIdentityGeneration {
        column: String,
        generation: IdentityGeneration,
    },
    SetIdentityOptions {
        column: String,
        ty: ColumnType,
        options: SequenceOptions,
        restart: SequenceRestart,
    },
    /// `ALTER COLUMN ... DROP EXPRESSION`: a generated column becomes a plain one, keeping its values.
    DropExpression {
        column: String,
    },
    /// `COMMENT ON COLUMN`; `None` removes the comment.
    Comment {
        column: String,
        comment: Option<String>,
    },
}

/// The changes that turn column `old` of `table` into `new`; `functions` are those dropped or created
/// again (a default that calls one goes first and comes back).
pub(crate) fn column_changes(
    table: &QualifiedName,
    old: &Column,
    new: &Column,
    functions: &Rebuilt,
    out: &mut Vec<Change>,
) {
    if needs_replacing(old, new) {
        alter(out, table, ColumnChange::Drop { column: old.clone() });
        add_column(table, new, out);
        return;
    }
    let column = || new.name.clone();
    let mut push = |change: ColumnChange| alter(out, table, change);
    if old.generated.is_some() && new.generated.is_none() {
        push(ColumnChange::DropExpression { column: column() });
    }
    let old_default = if old.generated.is_some() { None } else { old.default.clone() };
    if old.ty != new.ty || old.collation != new.collation {
        push(ColumnChange::AlterType {
            column: column(),
            from: old.ty.clone(),
            to: new.ty.clone(),
            collation: new.collation.clone(),
            old_default,
            default: new.default.clone(),
        });
    } else if old_default.is_some() && old_default == new.default && functions.called_by_any(&old_default) {
        // The default calls a function that is dropped and created again: it goes first, and comes back.
        push(ColumnChange::DropDefault { column: column() });
        push(ColumnChange::SetDefault { column: column(), default: old_default.unwrap_or_default() });
    } else if old_default != new.default {
        push(match &new.default {
            Some(default) => ColumnChange::SetDefault { column: column(), default: default.clone() },
            None => ColumnChange::DropDefault { column: column() },
        });
    }
    if old.nullable && !new.nullable && new.not_null.is_plain() {
        push(ColumnChange::SetNotNull { column: column() });
    } else if old.nullable && !new.nullable {
        push(ColumnChange::AddNotNull { column: column(), not_null: new.not_null.clone() });
    } else if !old.nullable && new.nullable {
        push(ColumnChange::DropNotNull { column: column() });
    } else if !new.nullable {
        not_null::changes(table, old, new, &mut push);
    }
    match (&old.identity, &new.identity) {
        (None, Some(identity)) => push(ColumnChange::AddIdentity { column: column(), identity: identity.clone() }),
        (Some(_), None) => push(ColumnChange::DropIdentity { column: column() }),
        (Some(a), Some(b)) => {
            if a.generation != b.generation {
                push(ColumnChange::SetIdentityGeneration { column: column(), generation: b.generation });
            }
            if a.sequence != b.sequence {
                push(ColumnChange::SetIdentityOptions {
                    column: column(),
                    ty: new.ty.clone(),
                    options: b.sequence.clone(),
                    restart: crate::kinds::sequences::sequence_restart(&a.sequence, &old.ty, &b.sequence, &new.ty),
                });
            }
        }
        (None, None) => {}
    }
    if old.comment != new.comment {
        push(ColumnChange::Comment { column: column(), comment: new.comment.clone() });
    }
}

/// A column added, then its comment. A `NOT VALID` not-null constraint follows the column, which existing
/// rows get without a value.
pub(crate) fn add_column(table: &QualifiedName, column: &Column, out: &mut Vec<Change>) {
    let not_valid = !column.nullable && column.not_null.not_valid;
    let bare = Column { comment: None, renamed_from: None, nullable: column.nullable || not_valid, ..column.clone() };
    let bare = if not_valid { Column { not_null: NotNull::default(), ..bare } } else { bare };
    alter(out, table, ColumnChange::Add { column: bare });
    if not_valid {
        alter(out, table, ColumnChange::AddNotNull { column: column.name.clone(), not_null: column.not_null.clone() });
    }
    if column.comment.is_some() {
        alter(out, table, ColumnChange::Comment { column: column.name.clone(), comment: column.comment.clone() });
    }
}

/// PostgreSQL 15 cannot change a generated column's expression, nor make a plain column generated: the
/// column is dropped and added again.
pub(crate) fn needs_replacing(old: &Column, new: &Column) -> bool {
    new.generated.is_some() && old.generated != new.generated
}
