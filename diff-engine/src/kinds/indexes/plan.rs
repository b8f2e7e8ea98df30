//! Statements for indexes. Online, an index on a table that exists is built and dropped `CONCURRENTLY`,
//! outside a transaction; an index on a table this plan creates is built on no rows, with no hazard.

use super::IndexChange;
use super::partitioned::{create_index_online, partitioned};
use super::sql;
use crate::hazard::Hazard;
use crate::plan::step::{Context, Key, LOCK, Phase, Step, col, expression_keys, rel, unique_key};
use keel_core::model::{Index, QualifiedName};

impl IndexChange {
    /// The statements of this change to an index of `table`.
    pub(crate) fn steps(&self, table: &QualifiedName, cx: &Context) -> Vec<Step> {
        match self {
            IndexChange::Create { name, index } => {
                let new_table = cx.new_tables.contains(table);
                if cx.online && !new_table && partitioned(cx.desired, table) {
                    return create_index_online(table, name, index, cx);
                }
                let online = cx.online && !new_table;
                // An index on a table this plan creates is built on no rows, before anyone uses the table.
                let mut hazards = if new_table { vec![] } else { vec![Hazard::IndexBuild] };
                if index.unique && !new_table {
                    hazards.push(Hazard::MayFailOnData);
                }
                let mut step = Step::new(
                    Phase::CreateIndex,
                    sql::create_index_with(table, name, index, online),
                    format!("create index {name} on {table}"),
                )
                .hazards(&hazards)
                .requires([rel(table)])
                .requires(column_keys(table, index))
                .requires(expression_keys(cx.desired, table, &index.expressions()))
                .creates([Key::Relation(QualifiedName::new(&table.schema, name))]);
                if let Some(columns) = index.unique_columns() {
                    step.creates.push(unique_key(table, &columns));
                }
                step.transactional = !online;
                vec![step]
            }
            IndexChange::Drop { name, index } => {
                // PostgreSQL has no DROP INDEX CONCURRENTLY for a partitioned table's index.
                let online = cx.online && !partitioned(cx.current, table);
                let mut step = Step::new(
                    Phase::DropIndex,
                    sql::drop(table, name, online),
                    format!("drop index {name} on {table}"),
                )
                .requires([rel(table)])
                .requires(column_keys(table, index))
                .requires(expression_keys(cx.current, table, &index.expressions()))
                .drops([Key::Relation(QualifiedName::new(&table.schema, name))]);
                if !online {
                    step.hazards.insert(LOCK);
                }
                if let Some(columns) = index.unique_columns() {
                    step.drops.push(unique_key(table, &columns));
                }
                step.transactional = !online;
                vec![step]
            }
            IndexChange::Rename { from, to } => vec![
                Step::new(
                    Phase::RenameInTable,
                    sql::rename(table, from, to),
                    format!("rename index {from} on {table} to {to}"),
                )
                .requires([rel(table)])
                .drops([Key::Relation(QualifiedName::new(&table.schema, from))])
                .creates([Key::Relation(QualifiedName::new(&table.schema, to))])
                .teardown_off(),
            ],
            IndexChange::Comment { name, comment } => {
                let index = QualifiedName::new(&table.schema, name);
                vec![
                    Step::new(
                        Phase::Comment,
                        sql::comment(table, name, comment.as_ref()),
                        format!("comment on index {name} on {table}"),
                    )
                    .requires([rel(table), Key::Relation(index)]),
                ]
            }
        }
    }
}

fn column_keys(table: &QualifiedName, index: &Index) -> Vec<Key> {
    index.columns().map(|c| col(table, c)).collect()
}
