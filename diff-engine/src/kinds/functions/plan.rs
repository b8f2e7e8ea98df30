//! Statements for functions and procedures. A function comes up after the tables (a SQL-language body is
//! checked against them) unless something created earlier calls it, and goes down after everything that
//! calls it.

use super::FunctionChange;
use super::sql;
use crate::hazard::Hazard;
use crate::kinds::KindChange;
use crate::plan::step::{Context, Key, Phase, Step, function_keys};
use keel_core::model::{Function, FunctionId};

impl KindChange for FunctionChange {
    fn steps(&self, _cx: &Context) -> Vec<Step> {
        match self {
            FunctionChange::Create { id, function } => vec![
                Step::new(
                    Phase::CreateFunction,
                    sql::definition(function),
                    format!("create {}", describe(id, function)),
                )
                .requires([Key::Schema(id.schema.clone())])
                .requires(uses(id, function))
                .creates([Key::Function(id.qualified_name())]),
            ],
            FunctionChange::Replace { id, function } => vec![
                Step::new(
                    Phase::CreateFunction,
                    sql::definition(function),
                    format!("replace {}", describe(id, function)),
                )
                .requires(uses(id, function))
                .modifies([Key::Function(id.qualified_name())]),
            ],
            FunctionChange::Drop { id, function } => vec![
                Step::new(
                    Phase::DropFunction,
                    sql::drop(id, function.kind),
                    format!("drop {}", describe(id, function)),
                )
                .hazards(&[Hazard::BreaksClients])
                .requires(type_keys(function))
                .drops([Key::Function(id.qualified_name())]),
            ],
            FunctionChange::Comment { id, kind, comment } => vec![
                Step::new(
                    Phase::CommentFunction,
                    sql::comment(id, *kind, comment.as_ref()),
                    format!("comment on {} {id}", kind.keyword().to_lowercase()),
                )
                .requires([Key::Function(id.qualified_name())]),
            ],
        }
    }
}

/// `function public.f(a integer)`.
fn describe(id: &FunctionId, function: &Function) -> String {
    format!("{} {id}", function.kind.keyword().to_lowercase())
}

/// What must exist before the function is created: the types of its signature and, for a SQL-language
/// body (checked when it is created), the other functions it calls. A PL/pgSQL body is checked only
/// when it runs, and may call functions that come later.
fn uses(id: &FunctionId, function: &Function) -> Vec<Key> {
    let mut keys = type_keys(function);
    if function.language == "sql" {
        let own = Key::Function(id.qualified_name());
        keys.extend(function_keys(&function.definition).into_iter().filter(|k| *k != own));
    }
    keys
}

fn type_keys(function: &Function) -> Vec<Key> {
    function.uses_types.iter().map(|t| Key::Type(t.clone())).collect()
}
