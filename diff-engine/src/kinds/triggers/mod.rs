//! Triggers of a table: created, dropped, changed by dropping and creating again (one transaction, so no
//! row slips through), enabled or disabled in place. A trigger is rebuilt, too, when its function is, or
//! when a column it names changes type.

mod plan;
pub(crate) mod sql;

use crate::change::Change;
use keel_core::model::{QualifiedName, Table, Trigger, TriggerEnabled};
use serde::Serialize;

/// A change to a trigger of a table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum TriggerChange {
    /// `CREATE TRIGGER`, enabled as `ORIGIN` and without a comment (those follow as their own changes).
    Create { table: QualifiedName, name: String, trigger: Trigger },
    /// `DROP TRIGGER ... ON ...`.
    Drop { table: QualifiedName, name: String, trigger: Trigger },
    /// `ALTER TABLE ... ENABLE / DISABLE [REPLICA | ALWAYS] TRIGGER`.
    SetEnabled { table: QualifiedName, name: String, enabled: TriggerEnabled },
    /// `COMMENT ON TRIGGER`; `None` removes the comment.
    Comment { table: QualifiedName, name: String, comment: Option<String> },
}

/// The trigger changes of a table that exists on both sides (`old`, `new`); `rebuild` says which of the
/// current triggers must be dropped and created again even though they stay as they are.
pub(crate) fn trigger_changes(
    table: &QualifiedName,
    old: &Table,
    new: &Table,
    rebuild: impl Fn(&Trigger) -> bool,
    out: &mut Vec<Change>,
) {
    for (name, trigger) in &old.triggers {
        let kept = new.triggers.get(name).is_some_and(|t| same_definition(t, trigger) && !rebuild(trigger));
        if !kept {
            out.push(Change::Trigger(TriggerChange::Drop {
                table: table.clone(),
                name: name.clone(),
                trigger: trigger.clone(),
            }));
        }
    }
    for (name, trigger) in &new.triggers {
        match old.triggers.get(name) {
            Some(existing) if same_definition(existing, trigger) && !rebuild(existing) => {
                if existing.enabled != trigger.enabled {
                    out.push(Change::Trigger(TriggerChange::SetEnabled {
                        table: table.clone(),
                        name: name.clone(),
                        enabled: trigger.enabled,
                    }));
                }
                if existing.comment != trigger.comment {
                    out.push(Change::Trigger(TriggerChange::Comment {
                        table: table.clone(),
                        name: name.clone(),
                        comment: trigger.comment.clone(),
                    }));
                }
            }
            _ => create_trigger(table, name, trigger, out),
        }
    }
}

/// A trigger created (again), with its state and comment.
pub(crate) fn create_trigger(table: &QualifiedName, name: &str, trigger: &Trigger, out: &mut Vec<Change>) {
    let plain = Trigger { enabled: Default::default(), comment: None, ..trigger.clone() };
    out.push(Change::Trigger(TriggerChange::Create { table: table.clone(), name: name.to_string(), trigger: plain }));
    if !trigger.enabled.is_origin() {
        let enabled = trigger.enabled;
        out.push(Change::Trigger(TriggerChange::SetEnabled { table: table.clone(), name: name.to_string(), enabled }));
    }
    if trigger.comment.is_some() {
        out.push(Change::Trigger(TriggerChange::Comment {
            table: table.clone(),
            name: name.to_string(),
            comment: trigger.comment.clone(),
        }));
    }
}

/// Equal but for what `ALTER TABLE ... ENABLE/DISABLE TRIGGER` and `COMMENT ON TRIGGER` change.
fn same_definition(a: &Trigger, b: &Trigger) -> bool {
    Trigger { enabled: b.enabled, comment: b.comment.clone(), ..a.clone() } == *b
}
