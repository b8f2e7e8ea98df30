//! Functions and procedures: created, dropped, replaced in place when `CREATE OR REPLACE` allows it (the
//! same kind, arguments and result), otherwise dropped and created again. A function that is dropped, or
//! dropped and created again, takes down with it, for the length of the plan, everything that calls it:
//! those are rebuilt around it (see `Rebuilt`).

mod plan;
pub(crate) mod sql;

use crate::change::Change;
use keel_core::model::{Function, FunctionId, QualifiedName, RoutineKind, Schema};
use serde::Serialize;
use std::collections::BTreeSet;

/// A change to a function or procedure (one overload, by its signature).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum FunctionChange {
    /// Its definition as `pg_get_functiondef` prints it (`CREATE OR REPLACE FUNCTION ...`).
    Create { id: FunctionId, function: Function },
    /// `DROP FUNCTION` / `DROP PROCEDURE` by signature.
    Drop { id: FunctionId, function: Function },
    /// `CREATE OR REPLACE` in place: same kind, arguments and result.
    Replace { id: FunctionId, function: Function },
    /// `COMMENT ON FUNCTION` / `PROCEDURE`; `None` removes the comment.
    Comment { id: FunctionId, kind: RoutineKind, comment: Option<String> },
}

/// The functions that do not survive the plan as they are: dropped, or dropped and created again. Defaults,
/// checks, indexes, triggers, views and policies that call one are dropped before it and created again after.
#[derive(Debug, Clone, Default)]
pub(crate) struct Rebuilt(BTreeSet<QualifiedName>);

impl Rebuilt {
    /// Whether SQL text (an expression, a view's query) calls one of them.
    pub(crate) fn called_by(&self, sql: &str) -> bool {
        !self.0.is_empty() && crate::expr::Analysis::of(sql).calls().iter().any(|f| self.0.contains(f))
    }

    /// [`Rebuilt::called_by`] for an optional expression.
    pub(crate) fn called_by_any(&self, sql: &Option<String>) -> bool {
        sql.as_deref().is_some_and(|sql| self.called_by(sql))
    }

    pub(crate) fn contains(&self, name: &QualifiedName) -> bool {
        self.0.contains(name)
    }
}

/// The function changes, and which functions they rebuild. `recreated_types` are the types the plan
/// recreates (renamed away, created again, old one dropped): a signature over one holds the old type, so
/// its function is dropped before and created again over the new one.
pub(crate) fn function_changes(
    current: &Schema,
    desired: &Schema,
    recreated_types: &BTreeSet<QualifiedName>,
) -> (Vec<Change>, Rebuilt) {
    let mut out = Vec::new();
    let mut rebuilt = BTreeSet::new();
    let over_recreated = |f: &Function| f.uses_types.iter().any(|t| recreated_types.contains(t));
    for (id, old) in current.functions() {
        match desired.function(&id) {
            Some(new) if (old.definition == new.definition || replaceable(old, new)) && !over_recreated(old) => {}
            _ => {
                rebuilt.insert(id.qualified_name());
                out.push(Change::Function(FunctionChange::Drop { id, function: old.clone() }));
            }
        }
    }
    for (id, new) in desired.functions() {
        match current.function(&id) {
            Some(old) if (old.definition == new.definition || replaceable(old, new)) && !over_recreated(old) => {
                if old.definition != new.definition {
                    out.push(Change::Function(FunctionChange::Replace { id: id.clone(), function: new.clone() }));
                }
                if old.comment != new.comment {
                    out.push(comment(&id, new));
                }
            }
            _ => create(&id, new, &mut out),
        }
    }
    (out, Rebuilt(rebuilt))
}

fn create(id: &FunctionId, function: &Function, out: &mut Vec<Change>) {
    out.push(Change::Function(FunctionChange::Create { id: id.clone(), function: function.clone() }));
    if function.comment.is_some() {
        out.push(comment(id, function));
    }
}

fn comment(id: &FunctionId, function: &Function) -> Change {
    Change::Function(FunctionChange::Comment { id: id.clone(), kind: function.kind, comment: function.comment.clone() })
}

/// `CREATE OR REPLACE` can turn `old` into `new`: PostgreSQL refuses to change the kind, the result type
/// (`OUT` arguments included) or the arguments' names and defaults that way.
fn replaceable(old: &Function, new: &Function) -> bool {
    old.kind == new.kind && old.returns == new.returns && old.arguments == new.arguments
}
