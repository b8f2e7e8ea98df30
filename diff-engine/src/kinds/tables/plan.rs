//! Statements for tables. A table is created with its columns, keys, checks and exclusions in one
//! statement; its other parts are planned as changes of their own.

use super::sql;
use super::{TableChange, TablePartChange};
use crate::hazard::Hazard;
use crate::kinds::KindChange;
use crate::kinds::columns::identity_sequence;
use crate::kinds::constraints::owned_constraints;
use crate::plan::Measure;
use crate::plan::step::{
    Context, Key, LOCK, Phase, Step, col, default_keys, function_keys, rel, type_keys, unique_key,
};
use keel_core::model::QualifiedName;

impl KindChange for TableChange {
    fn steps(&self, cx: &Context) -> Vec<Step> {
        match self {
            TableChange::Create { name, table } => {
                let mut step = Step::new(Phase::CreateTable, sql::create(name, table), format!("create table {name}"))
                    .requires([Key::Schema(name.schema.clone())])
                    .creates([rel(name)]);
                for column in &table.columns {
                    step.requires.extend(type_keys(&column.ty));
                    step.requires.extend(default_keys(column.default.as_deref()));
                    step.requires.extend(default_keys(column.generated.as_deref()));
                    step.creates.push(col(name, &column.name));
                    step.creates.extend(identity_sequence(name, column));
                }
                for (constraint, columns) in owned_constraints(table) {
                    step.creates.push(Key::Constraint(name.clone(), constraint.clone()));
                    step.creates.push(Key::Relation(QualifiedName::new(&name.schema, &constraint)));
                    if let Some(columns) = columns {
                        step.creates.push(unique_key(name, &columns));
                    }
                }
                for (check_name, check) in &table.checks {
                    step.creates.push(Key::Constraint(name.clone(), check_name.clone()));
                    step.requires.extend(function_keys(&check.expression));
                }
                vec![step]
            }
            TableChange::Drop { name, table } => {
                let mut step = Step::new(Phase::DropTable, sql::drop(name), format!("drop table {name}"))
                    .hazards(&[Hazard::DeletesData, Hazard::BreaksClients, LOCK])
                    .drops([rel(name)]);
                // DROP TABLE takes its defaults, checks and triggers with it: before the functions they call go.
                step.requires.extend(table.checks.values().flat_map(|c| function_keys(&c.expression)));
                step.requires.extend(table.triggers.values().map(|t| Key::Function(t.function.clone())));
                for column in &table.columns {
                    step.requires.extend(type_keys(&column.ty));
                    step.requires.extend(default_keys(column.default.as_deref()));
                    step.requires.extend(default_keys(column.generated.as_deref()));
                    step.drops.push(col(name, &column.name));
                    step.drops.extend(identity_sequence(name, column));
                }
                for (constraint, columns) in owned_constraints(table) {
                    step.drops.push(Key::Constraint(name.clone(), constraint.clone()));
                    step.drops.push(Key::Relation(QualifiedName::new(&name.schema, &constraint)));
                    if let Some(columns) = columns {
                        step.drops.push(unique_key(name, &columns));
                    }
                }
                for index in table.indexes.keys() {
                    step.drops.push(Key::Relation(QualifiedName::new(&name.schema, index)));
                }
                // A partitioned table's partitions go with it.
                step.drops.extend(table.partitions.keys().map(|p| rel(&table.partition_name(name, p))));
                step.measure = Some(Measure::Rows { table: name.clone() });
                step.affects.push((name.clone(), None));
                vec![step]
            }
            TableChange::Rename { from, to } => {
                let new = QualifiedName::new(&from.schema, to);
                let mut step =
                    Step::new(Phase::RenameTable, sql::rename(from, to), format!("rename table {from} to {to}"))
                        .hazards(&[Hazard::BreaksClients, LOCK])
                        .drops([rel(from)])
                        .creates([rel(&new)])
                        .teardown_off();
                step.affects.push((from.clone(), None));
                vec![step]
            }
            TableChange::Comment { name, comment } => vec![
                Step::new(Phase::Comment, sql::comment(name, comment.as_ref()), format!("comment on table {name}"))
                    .requires([rel(name)]),
            ],
            TableChange::Alter { table, changes } => part_groups(table, changes, cx).concat(),
        }
    }

    /// One group per part change of an alter: each is ordered on its own, as if the diff had listed it alone.
    fn groups(&self, cx: &Context) -> Vec<Vec<Step>> {
        match self {
            TableChange::Alter { table, changes } => part_groups(table, changes, cx),
            _ => vec![self.steps(cx)],
        }
    }
}

fn part_groups(table: &QualifiedName, changes: &[TablePartChange], cx: &Context) -> Vec<Vec<Step>> {
    let steps = |change: &TablePartChange| match change {
        TablePartChange::Column(change) => change.steps(table, cx),
        TablePartChange::Constraint(change) => change.steps(table, cx),
        TablePartChange::Index(change) => change.steps(table, cx),
    };
    changes.iter().map(steps).collect()
}
