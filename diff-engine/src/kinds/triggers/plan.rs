//! Statements for triggers. A trigger comes up after its table, its function and the columns it names,
//! and goes down before any of them change.

use super::TriggerChange;
use super::sql;
use crate::kinds::KindChange;
use crate::plan::step::{Context, Key, Phase, Step, col, expression_keys, rel};
use keel_core::model::{QualifiedName, Schema, Trigger, TriggerEnabled};

impl KindChange for TriggerChange {
    fn steps(&self, cx: &Context) -> Vec<Step> {
        match self {
            TriggerChange::Create { table, name, trigger } => vec![
                Step::new(
                    Phase::CreateTrigger,
                    sql::create(table, name, trigger),
                    format!("create trigger {name} on {table}"),
                )
                .requires(uses(cx.desired, table, trigger))
                .creates([Key::Trigger(table.clone(), name.clone())]),
            ],
            TriggerChange::Drop { table, name, trigger } => vec![
                Step::new(Phase::DropTrigger, sql::drop(table, name), format!("drop trigger {name} on {table}"))
                    .requires(uses(cx.current, table, trigger))
                    .drops([Key::Trigger(table.clone(), name.clone())]),
            ],
            TriggerChange::SetEnabled { table, name, enabled } => {
                let verb = if *enabled == TriggerEnabled::Disabled { "disable" } else { "enable" };
                vec![
                    Step::new(
                        Phase::AlterTrigger,
                        sql::set_enabled(table, name, *enabled),
                        format!("{verb} trigger {name} on {table}"),
                    )
                    .requires([rel(table), Key::Trigger(table.clone(), name.clone())]),
                ]
            }
            TriggerChange::Comment { table, name, comment } => vec![
                Step::new(
                    Phase::AlterTrigger,
                    sql::comment(table, name, comment.as_ref()),
                    format!("comment on trigger {name} on {table}"),
                )
                .requires([rel(table), Key::Trigger(table.clone(), name.clone())]),
            ],
        }
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
