//! Statements for extended statistics. They come up after their table and the columns they cover, and
//! go down first, before any of those change; they hold no values, so no statement here has a hazard
//! (`CREATE STATISTICS` takes only a `SHARE UPDATE EXCLUSIVE` lock, and the numbers arrive with the next
//! `ANALYZE`).

use super::{StatisticsChange, sql};
use crate::kinds::KindChange;
use crate::plan::step::{Context, Key, Phase, Step, col, expression_keys, rel};
use keel_core::model::{QualifiedName, Schema, Statistics};

impl KindChange for StatisticsChange {
    fn steps(&self, cx: &Context) -> Vec<Step> {
        vec![step(self, cx)]
    }
}

fn step(change: &StatisticsChange, cx: &Context) -> Step {
    match change {
        StatisticsChange::Create { name, statistics } => {
            Step::new(Phase::CreateStatistics, sql::create(name, statistics), format!("create statistics {name}"))
                .requires([Key::Schema(name.schema.clone())])
                .requires(covered(cx.desired, statistics))
                .after_drops([key(name)])
                .creates([key(name)])
        }
        StatisticsChange::Drop { name, statistics } => {
            Step::new(Phase::DropStatistics, sql::drop(name), format!("drop statistics {name}"))
                .requires([Key::Schema(name.schema.clone())])
                .requires(covered(cx.current, statistics))
                .drops([key(name)])
        }
        StatisticsChange::SetTarget { name, target } => {
            Step::new(Phase::Comment, sql::set_target(name, *target), format!("set the statistics target of {name}"))
                .requires([key(name)])
        }
        StatisticsChange::Comment { name, comment } => {
            Step::new(Phase::Comment, sql::comment(name, comment.as_ref()), format!("comment on statistics {name}"))
                .requires([key(name)])
        }
    }
}

fn key(name: &QualifiedName) -> Key {
    Key::Statistics(name.clone())
}

/// The schema the object lives in, its table, the columns it names and those its expressions name, as
/// `schema` has them.
fn covered(schema: &Schema, statistics: &Statistics) -> Vec<Key> {
    let table = &statistics.table;
    let mut keys = vec![rel(table)];
    keys.extend(statistics.columns().map(|c| col(table, c)));
    let expressions: Vec<&str> = statistics.expressions().collect();
    keys.extend(expression_keys(schema, table, &expressions));
    keys
}
