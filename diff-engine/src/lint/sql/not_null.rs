//! `not-null-without-default`: `ALTER TABLE t ADD COLUMN c ... NOT NULL` with no default fails as soon as
//! `t` has a row. Fine: a default (or a generated, identity or serial column), a table created in the
//! same file (it is empty), and the backfill pattern: add the column nullable, `UPDATE t`, then
//! `ALTER COLUMN c SET NOT NULL`. Flagged too: that `SET NOT NULL` with no `UPDATE t` in between.

use super::names::{TableName, altered_table, column_ref, created_table, updated_table};
use super::{NOT_NULL_WITHOUT_DEFAULT, Source};
use crate::lint::Finding;
use squawk_syntax::ast::{self, AstNode};
use std::collections::{BTreeMap, BTreeSet};

const FIX: &str = "give the column a DEFAULT, or add it nullable, backfill it (UPDATE), then SET NOT NULL";

pub(crate) fn check(file: &ast::SourceFile, source: &Source<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut created: BTreeSet<TableName> = BTreeSet::new();
    // Columns this file added nullable and without a default → whether an UPDATE of their table followed.
    let mut added: BTreeMap<(TableName, String), bool> = BTreeMap::new();
    for stmt in file.stmts() {
        match stmt {
            ast::Stmt::CreateTable(create) => created.extend(created_table(&create)),
            ast::Stmt::Update(update) => {
                if let Some(table) = updated_table(&update) {
                    added.iter_mut().filter(|((t, _), _)| *t == table).for_each(|(_, backfilled)| *backfilled = true);
                }
            }
            ast::Stmt::AlterTable(alter) => {
                let Some(table) = altered_table(&alter) else { continue };
                if created.contains(&table) {
                    continue;
                }
                for action in alter.actions() {
                    match action {
                        ast::AlterTableAction::AddColumn(add) => {
                            let Some(column) = add.column_name().map(|c| c.text()) else { continue };
                            match shape(&add) {
                                Shape::Filled => {}
                                Shape::Nullable => {
                                    added.insert((table.clone(), column), false);
                                }
                                Shape::Required => findings.push(Finding::new(
                                    &NOT_NULL_WITHOUT_DEFAULT,
                                    source.node(add.syntax()),
                                    format!(
                                        "adds column {table}.{column} NOT NULL without a default: it fails on a table \
                                         that has rows"
                                    ),
                                    FIX,
                                )),
                            }
                        }
                        ast::AlterTableAction::AlterColumn(alter_column)
                            if matches!(alter_column.option(), Some(ast::AlterColumnOption::SetNotNull(_))) =>
                        {
                            let Some(column) = column_ref(alter_column.column_name_ref()) else { continue };
                            if added.get(&(table.clone(), column.clone())) == Some(&false) {
                                findings.push(Finding::new(
                                    &NOT_NULL_WITHOUT_DEFAULT,
                                    source.node(alter_column.syntax()),
                                    format!(
                                        "sets {table}.{column} NOT NULL after adding it without a default or a \
                                         backfill: it fails on a table that has rows"
                                    ),
                                    format!("backfill it first (UPDATE {table} SET {column} = ...), or {FIX}"),
                                ));
                            }
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    findings
}

/// What existing rows hold in a new column.
enum Shape {
    /// A value: a default, a generated expression, an identity or a serial sequence.
    Filled,
    /// Null, and the column allows it.
    Nullable,
    /// Null, and the column does not allow it: the statement fails on the first row.
    Required,
}

fn shape(add: &ast::AddColumn) -> Shape {
    let serial = add.ty().is_some_and(|ty| {
        let ty = ty.syntax().text().to_string().to_ascii_lowercase();
        matches!(ty.as_str(), "serial" | "serial4" | "bigserial" | "serial8" | "smallserial" | "serial2")
    });
    let (mut filled, mut required) = (serial, false);
    for constraint in add.constraints() {
        match constraint {
            ast::Constraint::GeneratedConstraint(_) => filled = true,
            ast::Constraint::DefaultConstraint(default) => filled |= !default.expr().is_some_and(|e| is_null(&e)),
            ast::Constraint::NotNullConstraint(_) | ast::Constraint::PrimaryKeyConstraint(_) => required = true,
            _ => {}
        }
    }
    match (filled, required) {
        (true, _) => Shape::Filled,
        (false, true) => Shape::Required,
        (false, false) => Shape::Nullable,
    }
}

fn is_null(expr: &ast::Expr) -> bool {
    matches!(expr, ast::Expr::Literal(literal) if matches!(literal.kind(), Some(ast::LitKind::Null(_))))
}
