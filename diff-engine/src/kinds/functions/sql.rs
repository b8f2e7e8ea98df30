//! The SQL of functions and procedures.

use crate::render::comment_on;
use crate::sql;
use crate::sql::{Keyword, Name, Printed, Sql};
use keel_core::model::{Function, FunctionId, RoutineKind};

/// A function's `CREATE` statement, as `pg_get_functiondef` prints it.
pub(crate) fn definition(function: &Function) -> Sql {
    sql!("{}", Printed::new(function.definition.trim_end()))
}

/// `"schema"."name"(arguments)`: what `DROP FUNCTION` and `COMMENT ON FUNCTION` name.
pub(crate) fn signature(id: &FunctionId) -> Sql {
    sql!("{}({})", Name::in_schema(&id.schema, &id.name), Printed::new(&id.arguments))
}

pub(crate) fn drop(id: &FunctionId, kind: RoutineKind) -> Sql {
    sql!("DROP {} {}", Keyword(kind.keyword()), signature(id))
}

pub(crate) fn comment(id: &FunctionId, kind: RoutineKind, comment: Option<&String>) -> Sql {
    comment_on(kind.keyword(), signature(id), comment)
}
