//! The SQL of extensions.

use crate::sql;
use crate::sql::{Ident, Literal, Sql};

/// `CREATE EXTENSION IF NOT EXISTS "name" WITH SCHEMA "schema" [VERSION '...']`.
pub(crate) fn create(name: &str, schema: &str, version: Option<&str>) -> Sql {
    let version = version.map(|v| sql!(" VERSION {}", Literal::new(v)));
    sql!("CREATE EXTENSION IF NOT EXISTS {} WITH SCHEMA {}{}", Ident::new(name), Ident::new(schema), version)
}

pub(crate) fn drop(name: &str) -> Sql {
    sql!("DROP EXTENSION {}", Ident::new(name))
}

pub(crate) fn set_schema(name: &str, schema: &str) -> Sql {
    sql!("ALTER EXTENSION {} SET SCHEMA {}", Ident::new(name), Ident::new(schema))
}

pub(crate) fn update(name: &str, to: &str) -> Sql {
    sql!("ALTER EXTENSION {} UPDATE TO {}", Ident::new(name), Literal::new(to))
}
