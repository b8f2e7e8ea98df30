//! keel's engine: reads a live database into the schema model, compares two models, plans the ordered,
//! hazard-tagged statements that turn one into the other, and applies them, normalizing declared schemas
//! on scratch databases (keel-scratch). The migration runtime apps link is keel-migrate, re-exported as
//! [`migrate`].

pub mod apply;
pub mod casts;
pub mod change;
pub mod diff;
mod expr;
pub mod hazard;
pub mod hints;
pub mod introspect;
pub mod kinds;
pub mod lint;
pub mod locks;
pub mod measure;
pub mod migrate;
pub mod normalize;
pub mod plan;
pub mod questions;
pub mod render;
pub mod replayable;
pub mod sql;
pub mod sql_depth;
pub mod sql_types_first;
pub mod unmanaged;
pub mod version;

/// Counts in messages, shared with the runtime.
pub use keel_migrate::counts;

pub use apply::{ApplyError, Grown, LockTimeout, StatementError, apply_in_transaction, apply_plan};
pub use change::Change;
pub use diff::{DiffError, diff};
pub use hazard::Hazard;
pub use hints::{Hints, Rename};
pub use introspect::{IntrospectError, introspect};
pub use measure::{measure_data_loss, measure_statement, removed_values_held};
pub use plan::{Measure, MigrationFile, Plan, PlanError, PlanOptions, Statement, Unit, plan};
pub use questions::{RenameQuestion, rename_questions};
pub use unmanaged::{Unmanaged, unmanaged};
