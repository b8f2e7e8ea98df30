//! Object names from squawk's syntax tree, as PostgreSQL resolves them: unquoted identifiers folded to
//! lower case (squawk's `text()`), an unqualified table in `public` (the default `search_path`).

use squawk_syntax::ast::{self, NameLike};
use std::fmt;

/// `schema.table`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct TableName {
    pub schema: String,
    pub name: String,
}

impl fmt::Display for TableName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.schema, self.name)
    }
}

const DEFAULT_SCHEMA: &str = "public";

/// A referenced table (`ALTER TABLE x`, `DROP TABLE x`).
pub(crate) fn table_ref(path: Option<ast::PathRef>) -> Option<TableName> {
    let path = path?;
    let name = path.segment()?.text();
    let schema = path.qualifier().and_then(|q| q.segment()).map_or_else(|| DEFAULT_SCHEMA.to_string(), |s| s.text());
    Some(TableName { schema, name })
}

/// A created table (`CREATE TABLE x`).
pub(crate) fn table_def(path: Option<ast::Path>) -> Option<TableName> {
    let path = path?;
    let name = path.segment()?.text();
    let schema = path.qualifier().and_then(|q| q.segment()).map_or_else(|| DEFAULT_SCHEMA.to_string(), |s| s.text());
    Some(TableName { schema, name })
}

/// The table an `ALTER TABLE` changes.
pub(crate) fn altered_table(alter: &ast::AlterTable) -> Option<TableName> {
    table_ref(alter.table_relation_name()?.table_name_ref()?.path_ref())
}

/// The table a `CREATE TABLE` creates.
pub(crate) fn created_table(create: &ast::CreateTable) -> Option<TableName> {
    table_def(create.table_name()?.path())
}

/// The table an `UPDATE` writes.
pub(crate) fn updated_table(update: &ast::Update) -> Option<TableName> {
    table_ref(update.relation_name()?.relation_name_ref()?.path_ref())
}

/// A column name of `ALTER COLUMN c` or `DROP COLUMN c`.
pub(crate) fn column_ref(name: Option<ast::ColumnNameRef>) -> Option<String> {
    name.map(|n| n.text())
}
