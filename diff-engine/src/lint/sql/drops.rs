//! `drop-still-read`: `DROP TABLE` or `ALTER TABLE ... DROP COLUMN` of an object the previous release
//! still reads. While a deploy rolls out, the previous release keeps running against the migrated
//! database: whatever it reads must outlive it (expand/contract). With the previous schema known, only
//! objects in it are flagged; without, every drop (of an object this file did not create).

use super::names::{TableName, altered_table, column_ref, created_table, table_ref};
use super::{DROP_STILL_READ, Source};
use crate::lint::Finding;
use keel_core::Schema;
use squawk_syntax::ast::{self, AstNode};
use std::collections::BTreeSet;

pub(crate) fn check(file: &ast::SourceFile, source: &Source<'_>, previous: Option<&Schema>) -> Vec<Finding> {
    let mut findings = Vec::new();
    // Created by this file: the previous release cannot read them.
    let mut new_tables: BTreeSet<TableName> = BTreeSet::new();
    let mut new_columns: BTreeSet<(TableName, String)> = BTreeSet::new();
    let read = |table: &TableName, column: Option<&str>| match previous {
        None => true,
        Some(schema) => schema
            .table(&table.schema, &table.name)
            .is_some_and(|t| column.is_none_or(|column| t.column(column).is_some())),
    };
    let how = if previous.is_some() { "still reads" } else { "may still read" };
    for stmt in file.stmts() {
        match stmt {
            ast::Stmt::CreateTable(create) => new_tables.extend(created_table(&create)),
            ast::Stmt::DropTable(drop) => {
                for name in drop.table_name_refs() {
                    let Some(table) = table_ref(name.path_ref()) else { continue };
                    if new_tables.contains(&table) || !read(&table, None) {
                        continue;
                    }
                    findings.push(Finding::new(
                        &DROP_STILL_READ,
                        source.node(name.syntax()),
                        format!("drops table {table}, which the previous release {how}"),
                        format!(
                            "expand/contract: release code that no longer reads {table} first, then drop it in a \
                             later migration"
                        ),
                    ));
                }
            }
            ast::Stmt::AlterTable(alter) => {
                let Some(table) = altered_table(&alter) else { continue };
                for action in alter.actions() {
                    match action {
                        ast::AlterTableAction::AddColumn(add) => {
                            new_columns.extend(add.column_name().map(|c| (table.clone(), c.text())));
                        }
                        ast::AlterTableAction::DropColumn(drop) => {
                            let Some(name) = drop.column_name_ref() else { continue };
                            let Some(column) = column_ref(Some(name.clone())) else { continue };
                            let new =
                                new_tables.contains(&table) || new_columns.contains(&(table.clone(), column.clone()));
                            if new || !read(&table, Some(&column)) {
                                continue;
                            }
                            findings.push(Finding::new(
                                &DROP_STILL_READ,
                                source.node(name.syntax()),
                                format!("drops column {table}.{column}, which the previous release {how}"),
                                format!(
                                    "expand/contract: release code that no longer reads {table}.{column} first, then \
                                     drop it in a later migration"
                                ),
                            ));
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
