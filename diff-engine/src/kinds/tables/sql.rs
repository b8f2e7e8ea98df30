//! The SQL of tables.

use crate::kinds::columns::sql::column_definition;
use crate::kinds::constraints::sql::{exclusion_clause, primary_key_clause, unique_clause};
use crate::plan::step::alter_table;
use crate::render::comment_on;
use crate::sql;
use crate::sql::{Ident, Printed, Sql};
use keel_core::model::{QualifiedName, Table};

/// `CREATE TABLE` with columns, primary key, unique constraints and checks; foreign keys and indexes are
/// separate statements.
pub(crate) fn create(name: &QualifiedName, table: &Table) -> Sql {
    let mut parts: Vec<Sql> = table.columns.iter().map(column_definition).collect();
    if let Some(pk) = &table.primary_key {
        parts.push(sql!("CONSTRAINT {} {}", Ident::new(&pk.name), primary_key_clause(pk)));
    }
    for (n, u) in &table.unique_constraints {
        parts.push(sql!("CONSTRAINT {} {}", Ident::new(n), unique_clause(u)));
    }
    for (n, c) in &table.checks {
        parts.push(sql!("CONSTRAINT {} CHECK ({})", Ident::new(n), Printed::new(&c.expression)));
    }
    for (n, x) in &table.exclusions {
        parts.push(sql!("CONSTRAINT {} {}", Ident::new(n), exclusion_clause(x)));
    }
    let partition_by = table.partition_by.as_ref().map(|key| sql!(" PARTITION BY {}", Printed::new(key)));
    sql!("CREATE TABLE {} (\n    {}\n){}", name, Sql::join(parts, ",\n    "), partition_by)
}

pub(crate) fn drop(name: &QualifiedName) -> Sql {
    sql!("DROP TABLE {}", name)
}

pub(crate) fn rename(from: &QualifiedName, to: &str) -> Sql {
    sql!("{} RENAME TO {}", alter_table(from), Ident::new(to))
}

pub(crate) fn comment(name: &QualifiedName, comment: Option<&String>) -> Sql {
    comment_on("TABLE", name, comment)
}

/// `COMMENT ON TABLE` and `COMMENT ON COLUMN` for a table and those of its columns that carry one.
pub(crate) fn comments(name: &QualifiedName, table: &Table) -> Vec<Sql> {
    let mut out = Vec::new();
    if let Some(comment) = &table.comment {
        out.push(comment_on("TABLE", name, Some(comment)));
    }
    for column in &table.columns {
        if let Some(comment) = &column.comment {
            out.push(crate::kinds::columns::sql::comment(name, &column.name, Some(comment)));
        }
    }
    out
}
