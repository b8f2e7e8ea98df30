//! The registry of derived tables and enums, and `collect()`, which assembles them into one [`Schema`].
//!
//! Every `#[derive(Table)]`/`#[derive(PgEnum)]` submits a [`Registration`] through `inventory`, so a binary
//! that links the app crate sees every table without a hand-written list.

use crate::definition::{EnumDefinition, TableDefinition};
use crate::model::{ColumnType, Function, KeyExpression, QualifiedName, Schema};
use std::collections::BTreeSet;

/// One derived item. Submitted by the derives; not meant to be built by hand.
pub enum Registration {
    Table(fn() -> TableDefinition),
    Enum(fn() -> EnumDefinition),
}

inventory::collect!(Registration);

/// Every registered table and enum as one schema, checked for consistency.
pub fn collect() -> Result<Schema, CollectError> {
    let mut tables = Vec::new();
    let mut enums = Vec::new();
    for registration in inventory::iter::<Registration> {
        match registration {
            Registration::Table(definition) => tables.push(definition()),
            Registration::Enum(definition) => enums.push(definition()),
        }
    }
    assemble(tables, enums)
}

/// Builds a schema from definitions and checks it: unique names, references to tables, columns and types
/// that exist. Every problem is reported, not only the first.
pub fn assemble(tables: Vec<TableDefinition>, enums: Vec<EnumDefinition>) -> Result<Schema, CollectError> {
    let mut schema = Schema::default();
    let mut problems = Vec::new();
    for def in enums {
        let ns = schema.schemas.entry(def.name.schema.clone()).or_default();
        if ns.enums.insert(def.name.name.clone(), def.enum_type).is_some() {
            problems.push(Problem::DuplicateEnum(def.name));
        }
    }
    for def in tables {
        let ns = schema.schemas.entry(def.name.schema.clone()).or_default();
        if ns.tables.insert(def.name.name.clone(), def.table).is_some() {
            problems.push(Problem::DuplicateTable(def.name));
        }
    }
    add_shared_functions(&mut schema);
    problems.extend(check(&schema));
    if problems.is_empty() { Ok(schema) } else { Err(CollectError { problems }) }
}

/// Cross-table consistency that no single derive can see.
/// keel's own functions the tables use: the `updated_at` trigger function, once for every table that asks
/// for it.
fn add_shared_functions(schema: &mut Schema) {
    let (touch, function) = Function::touch_updated_at();
    let wanted = schema.tables().any(|(_, t)| t.triggers.values().any(|tr| tr.calls(&touch.qualified_name())));
    if wanted && schema.function(&touch).is_none() {
        schema.insert_function(touch, function);
    }
}

pub fn check(schema: &Schema) -> Vec<Problem> {
    let mut problems = Vec::new();
    for (name, table) in schema.tables() {
        let columns: BTreeSet<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
        for column in &table.columns {
            if let ColumnType::Named { schema: s, name: n } = column.ty.scalar()
                && schema.enum_type(s, n).is_none()
            {
                problems.push(Problem::UnknownType {
                    table: name.clone(),
                    column: column.name.clone(),
                    ty: QualifiedName::new(s, n),
                });
            }
        }
        // Every (owner, column) the table's constraints and indexes name.
        let touch = QualifiedName::new(crate::DEFAULT_SCHEMA, crate::model::TOUCH_UPDATED_AT_FUNCTION);
        let touched = table.triggers.values().any(|t| t.calls(&touch));
        if touched && !table.column("updated_at").is_some_and(|c| matches!(c.ty, ColumnType::Timestamp { .. })) {
            problems.push(Problem::TouchWithoutTimestamp { table: name.clone() });
        }
        let mut named: Vec<(String, &str)> = Vec::new();
        if let Some(pk) = &table.primary_key {
            named.extend(pk.columns.iter().map(|c| (format!("primary key {}", pk.name), c.as_str())));
        }
        for (n, u) in &table.unique_constraints {
            named.extend(u.columns.iter().map(|c| (format!("unique constraint {n}"), c.as_str())));
        }
        for (n, index) in &table.indexes {
            let keys = index.keys.iter().filter_map(|k| match &k.on {
                KeyExpression::Column(c) => Some(c.as_str()),
                KeyExpression::Expression(_) => None,
            });
            named.extend(keys.chain(index.include.iter().map(String::as_str)).map(|c| (format!("index {n}"), c)));
        }
        for (n, fk) in &table.foreign_keys {
            named.extend(fk.columns.iter().map(|c| (format!("foreign key {n}"), c.as_str())));
        }
        for (what, column) in named {
            if !columns.contains(column) {
                problems.push(Problem::UnknownColumn { table: name.clone(), what, column: column.to_string() });
            }
        }
        for (n, fk) in &table.foreign_keys {
            match schema.table(&fk.references.schema, &fk.references.name) {
                None => problems.push(Problem::UnknownTable {
                    table: name.clone(),
                    foreign_key: n.clone(),
                    references: fk.references.clone(),
                }),
                Some(target) => {
                    for c in &fk.referenced_columns {
                        if target.column(c).is_none() {
                            problems.push(Problem::UnknownColumn {
                                table: fk.references.clone(),
                                what: format!("foreign key {n} of {name}"),
                                column: c.clone(),
                            });
                        }
                    }
                }
            }
        }
    }
    problems
}

/// Why the registered tables do not form a valid schema.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the registered tables do not form a valid schema:{}", self.problems.iter().map(|p| format!("\n  - {p}")).collect::<String>())]
pub struct CollectError {
    pub problems: Vec<Problem>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("table {0} is declared twice")]
    DuplicateTable(QualifiedName),
    #[error("enum {0} is declared twice")]
    DuplicateEnum(QualifiedName),
    #[error("column {table}.{column} has type {ty}, which no `#[derive(PgEnum)]` declares")]
    UnknownType { table: QualifiedName, column: String, ty: QualifiedName },
    #[error("table {table} keeps `updated_at` current (`touch_updated_at`), but its `updated_at` is not a timestamp column")]
    TouchWithoutTimestamp { table: QualifiedName },
    #[error("{what} of {table} names column `{column}`, which the table does not have")]
    UnknownColumn { table: QualifiedName, what: String, column: String },
    #[error("foreign key {foreign_key} of {table} references {references}, which is not a registered table")]
    UnknownTable { table: QualifiedName, foreign_key: String, references: QualifiedName },
}
