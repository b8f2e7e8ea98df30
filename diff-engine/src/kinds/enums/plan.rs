//! Statements for enum types. An enum comes up right after its schema, before the domains, composite
//! types and tables that use it; renaming it or a value breaks clients that name them.

use super::{EnumChange, sql};
use crate::change::EnumUsage;
use crate::hazard::Hazard;
use crate::kinds::KindChange;
use crate::plan::step::{Context, Key, Phase, Step, cast_usages, rename_away};
use keel_core::model::QualifiedName;

impl KindChange for EnumChange {
    fn steps(&self, _cx: &Context) -> Vec<Step> {
        match self {
            EnumChange::Create { name, values } => vec![
                Step::new(Phase::CreateEnum, sql::create(name, values), format!("create type {name}"))
                    .requires([Key::Schema(name.schema.clone())])
                    .creates([key(name)]),
            ],
            EnumChange::Drop { name } => vec![
                Step::new(Phase::DropEnum, sql::drop(name), format!("drop type {name}"))
                    .hazards(&[Hazard::BreaksClients])
                    .drops([key(name)]),
            ],
            EnumChange::Rename { from, to } => vec![
                Step::new(Phase::CreateEnum, sql::rename(from, to), format!("rename type {from} to {to}"))
                    .hazards(&[Hazard::BreaksClients])
                    .drops([key(from)])
                    .creates([key(&QualifiedName::new(&from.schema, to))])
                    .teardown_off(),
            ],
            EnumChange::AddValue { name, value, position } => {
                let mut step = Step::new(
                    Phase::AddEnumValue,
                    sql::add_value(name, value, position.as_ref()),
                    format!("add value {value} to type {name}"),
                )
                .requires([key(name)]);
                // A new value cannot be used in the transaction that adds it.
                step.commit_after = true;
                vec![step]
            }
            EnumChange::RenameValue { name, from, to } => vec![
                Step::new(
                    Phase::CreateEnum,
                    sql::rename_value(name, from, to),
                    format!("rename value {from} of type {name} to {to}"),
                )
                .hazards(&[Hazard::BreaksClients])
                .requires([key(name)]),
            ],
            EnumChange::Recreate { name, values, removed, usages, comment } => {
                let mut steps = recreate(name, values, removed, usages);
                if comment.is_some() {
                    steps.push(comment_step(name, comment.as_ref()));
                }
                steps
            }
            EnumChange::Comment { name, comment } => vec![comment_step(name, comment.as_ref())],
        }
    }
}

fn key(name: &QualifiedName) -> Key {
    Key::Type(name.clone())
}

fn comment_step(name: &QualifiedName, comment: Option<&String>) -> Step {
    Step::new(Phase::Comment, sql::comment(name, comment), format!("comment on type {name}")).requires([key(name)])
}

/// Removing or reordering enum values: rename the old type away, create the new one, cast each column
/// through text (defaults dropped first and restored after), drop the old type.
fn recreate(name: &QualifiedName, values: &[String], removed: &[String], usages: &[EnumUsage]) -> Vec<Step> {
    let old_name = keel_core::naming::object_name(&name.name, None, "keel_old");
    let old = QualifiedName::new(&name.schema, &old_name);
    let mut out = vec![rename_away(name, "TYPE", &old_name)];
    out.push(
        Step::new(Phase::RecreateType, sql::create(name, values), format!("create type {name} with its new values"))
            .creates([key(name)]),
    );
    out.extend(cast_usages(name, &old_name, usages, !removed.is_empty(), removed, None));
    out.push(Step::new(Phase::RecreateType, sql::drop(&old), format!("drop the replaced type {old_name}")));
    out
}
