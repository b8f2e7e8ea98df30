//! The SQL of schemas.

use crate::render::comment_on;
use crate::sql;
use crate::sql::{Ident, Sql};

pub(crate) fn create(name: &str) -> Sql {
    sql!("CREATE SCHEMA IF NOT EXISTS {}", Ident::new(name))
}

pub(crate) fn drop(name: &str) -> Sql {
    sql!("DROP SCHEMA {}", Ident::new(name))
}

pub(crate) fn comment(name: &str, comment: Option<&String>) -> Sql {
    comment_on("SCHEMA", Ident::new(name), comment)
}
