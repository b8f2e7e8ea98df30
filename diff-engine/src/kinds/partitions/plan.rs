//! Statements for partitions. A partition comes after its parent; bounds are freed (a partition dropped
//! or detached) before any are taken (a partition created or attached), so that ranges can move from one
//! partition to another within one plan.

use super::{PartitionChange, sql};
use crate::hazard::Hazard;
use crate::kinds::KindChange;
use crate::plan::step::{Context, Key, Measure, Phase, Step, partition_bounds, rel};

const LOCK: Hazard = Hazard::AccessExclusiveLock;

impl KindChange for PartitionChange {
    fn steps(&self, cx: &Context) -> Vec<Step> {
        match self {
            PartitionChange::Create { table, name, partition } => vec![
                Step::new(
                    Phase::CreatePartition,
                    sql::create(table, name, partition),
                    format!("create partition {name} of {table}"),
                )
                // A partition of a table this plan creates locks no one out.
                .hazards(if cx.new_tables.contains(table) { &[] } else { &[LOCK] })
                .requires([rel(table), Key::Schema(name.schema.clone())])
                .creates([rel(name), partition_bounds(table)]),
            ],
            PartitionChange::Drop { table, name } => {
                let mut step = Step::new(Phase::DropPartition, sql::drop(name), format!("drop partition {name}"))
                    .hazards(&[Hazard::DeletesData, Hazard::BreaksClients, LOCK])
                    .requires([rel(table)])
                    .drops([rel(name), partition_bounds(table)]);
                step.measure = Some(Measure::Rows { table: name.clone() });
                step.affects.push((name.clone(), None));
                vec![step]
            }
            PartitionChange::SetBound { table, name, from, to } => vec![
                Step::new(
                    Phase::DetachPartition,
                    sql::detach(table, name),
                    format!("detach partition {name} of {table} ({from})"),
                )
                .hazards(&[LOCK])
                .requires([rel(table), rel(name)])
                .drops([partition_bounds(table)])
                .teardown_off(),
                Step::new(
                    Phase::CreatePartition,
                    sql::attach(table, name, to),
                    format!("attach partition {name} to {table} ({to})"),
                )
                .hazards(&[LOCK, Hazard::MayFailOnData])
                .requires([rel(table), rel(name)])
                .creates([partition_bounds(table)]),
            ],
            PartitionChange::Comment { name, comment } => vec![
                Step::new(Phase::Comment, sql::comment(name, comment.as_ref()), format!("comment on partition {name}"))
                    .requires([rel(name)]),
            ],
        }
    }
}
