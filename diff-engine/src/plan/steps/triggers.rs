//! Statements for triggers. A trigger comes up after its table, its function and the columns it names,
//! and goes down before any of them change.

use super::{Context, Key, Phase, Step, col, expression_keys, rel};
use crate::change::Change;
use crate::render::{comment_on, create_trigger, set_trigger_enabled, trigger_target};
use crate::sql;
use keel_core::model::{QualifiedName, Schema, Trigger, TriggerEnabled};

pub(super) fn trigger_steps(change: &Change, cx: &Context) -> Vec<Step> {
    match change {
        Change::CreateTrigger { table, name, trigger } => vec![
            Step::new(Phase::CreateTrigger, create_trigger(table, name, trigger), format!("create trigger {name} on {table}"))
                .requires(uses(cx.desired, table, trigger))
                .creates([Key::Trigger(table.clone(), name.clone())]),
        ],
        Change::DropTrigger { table, name, trigger } => vec![
            Step::new(
                Phase::DropTrigger,
                sql!("DROP TRIGGER {}", trigger_target(table, name)),
                format!("drop trigger {name} on {table}"),
            )
            .requires(uses(cx.current, table, trigger))
            .drops([Key::Trigger(table.clone(), name.clone())]),
        ],
        Change::SetTriggerEnabled { table, name, enabled } => {
            let verb = if *enabled == TriggerEnabled::Disabled { "disable" } else { "enable" };
            vec![
                Step::new(
                    Phase::AlterTrigger,
                    set_trigger_enabled(table, name, *enabled),
                    format!("{verb} trigger {name} on {table}"),
                )
                .requires([rel(table), Key::Trigger(table.clone(), name.clone())]),
            ]
        }
        Change::CommentTrigger { table, name, comment } => vec![
            Step::new(
                Phase::AlterTrigger,
                comment_on("TRIGGER", trigger_target(table, name), comment.as_ref()),
                format!("comment on trigger {name} on {table}"),
            )
            .requires([rel(table), Key::Trigger(table.clone(), name.clone())]),
        ],
        _ => unreachable!("trigger_steps called with {change:?}"),
    }
}

/// The table, the function, the columns of `UPDATE OF` and those the `WHEN` condition names, as
/// `schema` has them.
fn uses(schema: &Schema, table: &QualifiedName, trigger: &Trigger) -> Vec<Key> {
    let mut keys = vec![rel(table), Key::Function(trigger.function.clone())];
    keys.extend(trigger.update_of.iter().map(|c| col(table, c)));
    if let Some(condition) = &trigger.when {
        keys.extend(expression_keys(schema, table, &[condition]));
    }
    keys
}
