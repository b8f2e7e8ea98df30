//! PostgreSQL 18's `NOT NULL` constraints beyond a plain `NOT NULL`: a name of the user's, `NOT VALID`,
//! `NO INHERIT` (the model's [`NotNull`]). A name PostgreSQL chose is not in the model, so it cannot be named
//! in a statement: a change that needs it goes through `DROP NOT NULL` and an `ADD CONSTRAINT` again, or
//! through `SET NOT NULL`, which validates a `NOT VALID` one.

use super::ColumnChange;
use crate::hazard::Hazard;
use crate::plan::step::{Context, Key, LOCK, Phase, Step, alter_table, col, rel};
use crate::sql;
use crate::sql::{Ident, Keyword, Sql};
use keel_core::model::{Column, NotNull, QualifiedName};

/// The changes that turn the `NOT NULL` of `old` into that of `new`, both `NOT NULL` columns.
pub(super) fn changes(table: &QualifiedName, old: &Column, new: &Column, push: &mut impl FnMut(ColumnChange)) {
    let (from, to) = (&old.not_null, &new.not_null);
    if from == to {
        return;
    }
    let column = || new.name.clone();
    let Some(current) = &from.name else {
        if to.name.is_some() || from.no_inherit != to.no_inherit {
            // The constraint's name is PostgreSQL's, unknown here: it is added again under the one declared.
            let inherit_changes = from.no_inherit != to.no_inherit;
            push(ColumnChange::ReplaceNotNull { column: column(), not_null: to.clone(), inherit_changes });
        } else if from.not_valid && !to.not_valid {
            push(ColumnChange::ValidateNotNull { column: column(), name: None });
        }
        return;
    };
    let name = to.name.clone().unwrap_or_else(|| keel_core::naming::not_null_name(&table.name, &new.name));
    if *current != name {
        push(ColumnChange::RenameNotNull { column: column(), from: current.clone(), to: name.clone() });
    }
    if from.no_inherit != to.no_inherit {
        push(ColumnChange::SetNotNullInherit { column: column(), name: name.clone(), no_inherit: to.no_inherit });
    }
    // A valid constraint satisfies a NOT VALID declaration, as a check does (`kinds::constraints`).
    if from.not_valid && !to.not_valid {
        push(ColumnChange::ValidateNotNull { column: column(), name: Some(name) });
    }
}

/// The statements of a not-null constraint change to `column` of `table`.
pub(super) fn steps(change: &ColumnChange, table: &QualifiedName, cx: &Context) -> Vec<Step> {
    let key = |name: &str| Key::Constraint(table.clone(), name.to_string());
    let base = |phase: Phase, sql: Sql, summary: String, column: &str| {
        Step::new(phase, sql, summary).requires([rel(table), col(table, column)])
    };
    match change {
        ColumnChange::AddNotNull { column, not_null } => {
            if cx.online && !not_null.not_valid && !cx.new_tables.contains(table) {
                return add_online(table, column, not_null);
            }
            let summary = match &not_null.name {
                Some(name) => format!("add not-null constraint {name} on {table}.{column}"),
                None => format!("forbid nulls in {table}.{column}"),
            };
            let mut step = base(Phase::NotNull, add(table, column, not_null), summary, column);
            step = step.hazards(&[LOCK]).creates(not_null.name.as_deref().map(key));
            if !not_null.not_valid && !cx.new_tables.contains(table) {
                step = step.hazards(&[Hazard::MayFailOnData]);
            }
            vec![step]
        }
        ColumnChange::ReplaceNotNull { column, not_null, inherit_changes } => {
            let in_primary_key = cx.current.table(&table.schema, &table.name).and_then(|t| t.primary_key.as_ref());
            if !in_primary_key.is_some_and(|pk| pk.columns.contains(column)) {
                let drop = base(
                    Phase::NotNull,
                    super::sql::alter(table, column, super::sql::drop_not_null()),
                    format!("drop the not-null constraint of {table}.{column} to add it again"),
                    column,
                )
                .hazards(&[LOCK]);
                let add = ColumnChange::AddNotNull { column: column.clone(), not_null: not_null.clone() };
                return std::iter::once(drop).chain(steps(&add, table, cx)).collect();
            }
            // A primary key column cannot drop its NOT NULL: the constraint is renamed from the name PostgreSQL
            // gives it when the table and column kept their names since (no digit added).
            let from = keel_core::naming::not_null_name(&table.name, column);
            let to = not_null.name.clone().unwrap_or_else(|| from.clone());
            let mut out = Vec::new();
            if from != to {
                out.extend(steps(
                    &ColumnChange::RenameNotNull { column: column.clone(), from, to: to.clone() },
                    table,
                    cx,
                ));
            }
            if *inherit_changes {
                let no_inherit = not_null.no_inherit;
                out.extend(steps(
                    &ColumnChange::SetNotNullInherit { column: column.clone(), name: to, no_inherit },
                    table,
                    cx,
                ));
            }
            out
        }
        ColumnChange::RenameNotNull { column, from, to } => vec![
            base(
                Phase::RenameInTable,
                crate::kinds::constraints::sql::rename(table, from, to),
                format!("rename not-null constraint {from} on {table}.{column} to {to}"),
                column,
            )
            .hazards(&[LOCK])
            .drops([key(from)])
            .creates([key(to)])
            .teardown_off(),
        ],
        ColumnChange::SetNotNullInherit { column, name, no_inherit } => {
            let inherit = Keyword(if *no_inherit { "NO INHERIT" } else { "INHERIT" });
            vec![
                base(
                    Phase::NotNull,
                    sql!("{} ALTER CONSTRAINT {} {}", alter_table(table), Ident::new(name), inherit),
                    format!("make not-null constraint {name} on {table}.{column} {inherit}"),
                    column,
                )
                .hazards(&[LOCK])
                .requires([key(name)]),
            ]
        }
        ColumnChange::ValidateNotNull { column, name: Some(name) } => {
            let mut step = base(
                Phase::ValidateConstraint,
                crate::kinds::constraints::sql::validate(table, name),
                format!("validate not-null constraint {name} on {table}.{column}"),
                column,
            )
            .hazards(&[Hazard::MayFailOnData])
            .requires([key(name)]);
            // Its own transaction: the scan (under SHARE UPDATE EXCLUSIVE) must not run under another lock.
            step.commit_after = true;
            vec![step]
        }
        ColumnChange::ValidateNotNull { column, name: None } if cx.online => {
            // Online, the constraint PostgreSQL named is added again NOT VALID under a name keel knows, in the
            // same transaction as the drop, then validated.
            let declared = cx.desired.table(&table.schema, &table.name).and_then(|t| t.column(column));
            let no_inherit = declared.is_some_and(|c| c.not_null.no_inherit);
            let mut steps = vec![
                base(
                    Phase::NotNull,
                    super::sql::alter(table, column, super::sql::drop_not_null()),
                    format!("drop the not-null constraint of {table}.{column} to add it again, valid"),
                    column,
                )
                .hazards(&[LOCK]),
            ];
            steps.extend(add_online(table, column, &NotNull { no_inherit, ..NotNull::default() }));
            steps
        }
        ColumnChange::ValidateNotNull { column, name: None } => vec![
            // SET NOT NULL validates the NOT VALID constraint PostgreSQL named, scanning under its lock.
            base(
                Phase::NotNull,
                super::sql::alter(table, column, super::sql::set_not_null()),
                format!("validate the not-null constraint of {table}.{column}"),
                column,
            )
            .hazards(&[LOCK, Hazard::MayFailOnData]),
        ],
        _ => Vec::new(),
    }
}

/// A valid not-null constraint added online: `NOT VALID` (no scan, committed at once), then validated
/// under `SHARE UPDATE EXCLUSIVE`, which lets reads and writes go on. A constraint without a name of the
/// user's takes the one PostgreSQL would choose, so that `VALIDATE` can name it. (On an 18 target this is
/// also the shorter way to `SET NOT NULL` online than the validated check `set_not_null` adds.)
pub(super) fn add_online(table: &QualifiedName, column: &str, not_null: &NotNull) -> Vec<Step> {
    let name = not_null.name.clone().unwrap_or_else(|| keel_core::naming::not_null_name(&table.name, column));
    let key = Key::Constraint(table.clone(), name.clone());
    let not_valid = NotNull { name: Some(name.clone()), not_valid: true, ..not_null.clone() };
    let mut add = Step::new(
        Phase::NotNull,
        add(table, column, &not_valid),
        format!("add not-null constraint {name} on {table}.{column} (not valid yet)"),
    )
    .hazards(&[LOCK])
    .requires([rel(table), col(table, column)])
    .creates([key.clone()]);
    // Committed before the VALIDATE, whose scan must not run under the ADD's ACCESS EXCLUSIVE lock.
    add.commit_after = true;
    let validate = Step::new(
        Phase::ValidateConstraint,
        crate::kinds::constraints::sql::validate(table, &name),
        format!("validate not-null constraint {name} on {table}.{column}"),
    )
    .hazards(&[Hazard::MayFailOnData])
    .requires([rel(table), key]);
    vec![add, validate]
}

/// `ALTER TABLE .. ADD [CONSTRAINT "name"] NOT NULL "column" [NO INHERIT] [NOT VALID]`.
pub(crate) fn add(table: &QualifiedName, column: &str, not_null: &NotNull) -> Sql {
    let name = not_null.name.as_ref().map(|name| sql!("CONSTRAINT {} ", Ident::new(name)));
    let not_valid = not_null.not_valid.then_some(Keyword(" NOT VALID"));
    sql!("{} ADD {}NOT NULL {}{}{}", alter_table(table), name, Ident::new(column), no_inherit(not_null), not_valid)
}

/// The `NOT NULL` of a column definition: `[CONSTRAINT "name"] NOT NULL [NO INHERIT]`. `NOT VALID` has no
/// place there: a column being created has no rows to leave unchecked.
pub(crate) fn clause(not_null: &NotNull) -> Sql {
    let name = not_null.name.as_ref().map(|name| sql!(" CONSTRAINT {}", Ident::new(name)));
    sql!("{} NOT NULL{}", name, no_inherit(not_null))
}

fn no_inherit(not_null: &NotNull) -> Option<Keyword> {
    not_null.no_inherit.then_some(Keyword(" NO INHERIT"))
}
