//! Indexes on partitioned tables, built online partition by partition (the partitions' own statements
//! are in `kinds::partitions`).

use super::sql::{create_index_on, create_index_with};
use crate::hazard::Hazard;
use crate::plan::step::{Context, Key, Phase, Step, partition_bounds, rel, unique_key};
use crate::sql;
use crate::sql::Name;
use keel_core::model::{Index, QualifiedName, Schema};
use keel_core::naming::object_name;

/// Whether `schema` has `table` as a partitioned table.
pub(crate) fn partitioned(schema: &Schema, table: &QualifiedName) -> bool {
    schema.table(&table.schema, &table.name).is_some_and(|t| t.partition_by.is_some())
}

/// An index on an existing partitioned table, online: PostgreSQL cannot build it `CONCURRENTLY`, so it
/// is created on the parent alone (`ON ONLY`, invalid and instant), built concurrently on each partition
/// and attached partition by partition; the last attach makes it valid. New partitions are created first
/// and dropped ones dropped first, so that every partition that remains gets its index.
pub(crate) fn create_index_online(table: &QualifiedName, name: &str, index: &Index, cx: &Context) -> Vec<Step> {
    let only = create_index_on(table, true, name, index, false);
    let index_key = Key::Relation(QualifiedName::new(&table.schema, name));
    let current = cx.current.table(&table.schema, &table.name);
    let gone = current.into_iter().flat_map(|t| {
        t.partitions
            .keys()
            .filter(|p| !cx.desired_partitions(table).any(|(n, _)| n == **p))
            .map(|p| rel(&t.partition_name(table, p)))
    });
    let mut steps = vec![
        Step::new(Phase::CreateIndex, only, format!("create index {name} on {table} (on the parent only)"))
            .requires([rel(table), partition_bounds(table)])
            .creates([index_key.clone()])
            .after_drops(gone.collect::<Vec<_>>()),
    ];
    let mut hazards = vec![Hazard::IndexBuild];
    if index.unique {
        hazards.push(Hazard::MayFailOnData);
    }
    for (partition, qualified_partition) in cx.desired_partitions(table) {
        let child = object_name(&partition, Some(name), "idx");
        let child_key = Key::Relation(QualifiedName::new(&qualified_partition.schema, &child));
        let mut build = Step::new(
            Phase::CreateIndex,
            create_index_with(&qualified_partition, &child, index, true),
            format!("create index {child} on partition {qualified_partition}"),
        )
        .hazards(&hazards)
        .requires([rel(&qualified_partition)])
        .creates([child_key]);
        build.transactional = false;
        steps.push(build);
        steps.push(
            Step::new(
                Phase::CreateIndex,
                sql!(
                    "ALTER INDEX {} ATTACH PARTITION {}",
                    Name::in_schema(&table.schema, name),
                    Name::in_schema(&qualified_partition.schema, &child)
                ),
                format!("attach index {child} to {name}"),
            )
            .requires([index_key.clone()]),
        );
    }
    if let (Some(columns), Some(last)) = (index.unique_columns(), steps.last_mut()) {
        last.creates.push(unique_key(table, &columns));
    }
    steps
}

impl Context<'_> {
    /// The partitions `table` has in the desired schema: (name, qualified name).
    fn desired_partitions(&self, table: &QualifiedName) -> impl Iterator<Item = (String, QualifiedName)> + '_ {
        let t = self.desired.table(&table.schema, &table.name);
        let table = table.clone();
        t.into_iter().flat_map(move |t| {
            let table = table.clone();
            t.partitions.keys().map(move |p| (p.clone(), t.partition_name(&table, p)))
        })
    }
}
