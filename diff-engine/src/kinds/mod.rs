//! One module per object kind, each owning the kind's changes and diff (`mod.rs`), the steps that carry
//! the changes out (`plan.rs`) and the SQL of those steps (`sql.rs`). The planner reaches a kind only
//! through `KindChange`; a kind reaches the planner's step model (`crate::plan::step`) and nothing else
//! of it.

pub mod columns;
pub mod composites;
pub mod constraints;
pub mod domains;
pub mod enums;
pub mod extensions;
pub mod functions;
pub mod indexes;
pub mod partitions;
pub mod policies;
pub mod schemas;
pub mod sequences;
pub mod statistics;
pub mod tables;
pub mod triggers;
pub mod views;

use crate::plan::step::{Context, Step};

/// A change of one kind, as the statements that carry it out, in the order they must run.
pub(crate) trait KindChange {
    fn steps(&self, cx: &Context) -> Vec<Step>;

    /// The steps as the planner's ordering groups (the steps of one group stay chained, and groups break
    /// ordering ties in this order): one group, unless the change bundles several (a table's part changes).
    fn groups(&self, cx: &Context) -> Vec<Vec<Step>> {
        vec![self.steps(cx)]
    }
}
