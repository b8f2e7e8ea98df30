//! Columns of a table that exists: added, dropped, renamed, and changed in place (type, nullability,
//! default, identity, generation, comment). A column that becomes generated, or changes between stored and
//! virtual, is dropped and added again: PostgreSQL can do neither in place. A generated expression that
//! changes is `SET EXPRESSION` on a target of 17 or later (stored) or 18 (virtual), and dropped and added
//! again on older or unknown targets.

mod plan;
pub(crate) mod sql;

pub(crate) use plan::identity_sequence;

use crate::change::{Change, SequenceRestart};
use crate::kinds::functions::Rebuilt;
use crate::kinds::tables::alter;
use keel_core::model::{
    Column, ColumnType, GeneratedKind, Identity, IdentityGeneration, QualifiedName, SequenceOptions,
};
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
    /// `ALTER COLUMN ... SET EXPRESSION AS (..)` (PostgreSQL 17): a generated column's new expression; the
    /// column keeps its place and what depends on it (views, indexes, constraints).
    SetExpression {
        column: String,
        expression: String,
        kind: GeneratedKind,
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
    in_place: InPlace,
    out: &mut Vec<Change>,
) {
    if needs_replacing(old, new, in_place) {
        alter(out, table, ColumnChange::Drop { column: old.clone() });
        add_column(table, new, out);
        return;
    }
    let column = || new.name.clone();
    let mut push = |change: ColumnChange| alter(out, table, change);
    if old.generated.is_some() && new.generated.is_none() {
        push(ColumnChange::DropExpression { column: column() });
    }
    if let (Some(from), Some(to)) = (&old.generated, &new.generated)
        && from != to
    {
        push(ColumnChange::SetExpression { column: column(), expression: to.clone(), kind: new.generated_kind });
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
    if old.nullable && !new.nullable {
        push(ColumnChange::SetNotNull { column: column() });
    } else if !old.nullable && new.nullable {
        push(ColumnChange::DropNotNull { column: column() });
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

/// A column added, then its comment.
pub(crate) fn add_column(table: &QualifiedName, column: &Column, out: &mut Vec<Change>) {
    let bare = Column { comment: None, renamed_from: None, ..column.clone() };
    alter(out, table, ColumnChange::Add { column: bare });
    if column.comment.is_some() {
        alter(out, table, ColumnChange::Comment { column: column.name.clone(), comment: column.comment.clone() });
    }
}

/// What the target server can change in place about a generated column of one table.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct InPlace {
    /// The target's `server_version_num`; `None` when unknown (plan what every supported version runs).
    pub(crate) server_version_num: Option<i32>,
    /// Whether the table has check constraints (now or after the change): PostgreSQL 18 refuses
    /// `SET EXPRESSION` on a virtual column of such a table.
    pub(crate) checks: bool,
}

impl InPlace {
    /// Whether `SET EXPRESSION` can change the expression of a generated column of this kind: stored from
    /// 17 on, virtual from 18 on (which has them) when the table has no check constraint.
    fn set_expression(&self, kind: GeneratedKind) -> bool {
        let version = self.server_version_num.unwrap_or(0);
        match kind {
            GeneratedKind::Stored => version >= 170000,
            GeneratedKind::Virtual => version >= 180000 && !self.checks,
        }
    }
}

/// Whether the column is dropped and added again: it becomes generated, changes between stored and virtual,
/// or changes its expression where `SET EXPRESSION` cannot (before 17, an unknown target, or with a new
/// type too: neither `ALTER TYPE` nor `SET EXPRESSION` can go first when the old expression does not cast
/// to the new type nor the new one to the old), or changes to a type its old one has no assignment cast
/// to. A virtual column that becomes plain too: PostgreSQL 18 has no `DROP EXPRESSION` for one.
pub(crate) fn needs_replacing(old: &Column, new: &Column, in_place: InPlace) -> bool {
    match (&old.generated, &new.generated) {
        (None, None) => false,
        (None, Some(_)) => true,
        (Some(_), None) => old.is_virtual(),
        (Some(from), Some(to)) => {
            let retyped = old.ty != new.ty || old.collation != new.collation;
            // PostgreSQL refuses `USING` on a generated column: only an assignment cast retypes one.
            let castless = old.ty != new.ty && !crate::casts::assignment_cast(&old.ty, &new.ty);
            old.generated_kind != new.generated_kind
                || castless
                || (from != to && (retyped || !in_place.set_expression(new.generated_kind)))
        }
    }
}
