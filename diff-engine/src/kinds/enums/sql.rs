//! The SQL of enum types. Values are literals.

use super::ValuePosition;
use crate::render::comment_on;
use crate::sql;
use crate::sql::{Ident, Literal, Literals, Sql};
use keel_core::model::QualifiedName;

pub(crate) fn create(name: &QualifiedName, values: &[String]) -> Sql {
    sql!("CREATE TYPE {} AS ENUM ({})", name, Literals::new(values))
}

pub(super) fn drop(name: &QualifiedName) -> Sql {
    sql!("DROP TYPE {}", name)
}

pub(super) fn rename(from: &QualifiedName, to: &str) -> Sql {
    sql!("ALTER TYPE {} RENAME TO {}", from, Ident::new(to))
}

/// `ALTER TYPE ... ADD VALUE 'v' [BEFORE | AFTER 'w']`.
pub(super) fn add_value(name: &QualifiedName, value: &str, position: Option<&ValuePosition>) -> Sql {
    let place = match position {
        Some(ValuePosition::Before(v)) => sql!(" BEFORE {}", Literal::new(v)),
        Some(ValuePosition::After(v)) => sql!(" AFTER {}", Literal::new(v)),
        None => Sql::default(),
    };
    sql!("ALTER TYPE {} ADD VALUE {}{}", name, Literal::new(value), place)
}

pub(super) fn rename_value(name: &QualifiedName, from: &str, to: &str) -> Sql {
    sql!("ALTER TYPE {} RENAME VALUE {} TO {}", name, Literal::new(from), Literal::new(to))
}

pub(crate) fn comment(name: &QualifiedName, comment: Option<&String>) -> Sql {
    comment_on("TYPE", name, comment)
}
