//! Statements for functions and procedures. A function comes up after the tables (a SQL-language body is
//! checked against them) unless something created earlier calls it, and goes down after everything that
//! calls it.

use super::{Key, Phase, Step, function_keys};
use crate::change::Change;
use crate::hazard::Hazard;
use crate::render::{comment_on, function_signature};
use keel_core::model::{Function, FunctionId};

pub(super) fn function_steps(change: &Change) -> Vec<Step> {
    match change {
        Change::CreateFunction { id, function } => vec![
            Step::new(
                Phase::CreateFunction,
                function.definition.trim_end().to_string(),
                format!("create {}", describe(id, function)),
            )
            .requires([Key::Schema(id.schema.clone())])
            .requires(uses(id, function))
            .creates([Key::Function(id.qualified_name())]),
        ],
        Change::ReplaceFunction { id, function } => vec![
            Step::new(
                Phase::CreateFunction,
                function.definition.trim_end().to_string(),
                format!("replace {}", describe(id, function)),
            )
            .requires(uses(id, function))
            .modifies([Key::Function(id.qualified_name())]),
        ],
        Change::DropFunction { id, function } => vec![
            Step::new(
                Phase::DropFunction,
                format!("DROP {} {}", function.kind.keyword(), function_signature(id)),
                format!("drop {}", describe(id, function)),
            )
            .hazards(&[Hazard::BreaksClients])
            .requires(type_keys(function))
            .drops([Key::Function(id.qualified_name())]),
        ],
        Change::CommentFunction { id, kind, comment } => vec![
            Step::new(
                Phase::CommentFunction,
                comment_on(kind.keyword(), &function_signature(id), comment.as_ref()),
                format!("comment on {} {id}", kind.keyword().to_lowercase()),
            )
            .requires([Key::Function(id.qualified_name())]),
        ],
        _ => unreachable!("function_steps called with {change:?}"),
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
