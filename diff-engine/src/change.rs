//! What differs between two schemas: one change per object kind, each holding that kind's own change enum
//! (`kinds/<kind>/mod.rs`); a table's column, constraint and index changes nest inside its
//! [`TableChange::Alter`]. The planner turns each change into statements; nothing here is SQL yet.

pub use crate::kinds::columns::ColumnChange;
pub use crate::kinds::composites::CompositeChange;
pub use crate::kinds::constraints::{Constraint, ConstraintChange};
pub use crate::kinds::domains::DomainChange;
pub use crate::kinds::enums::{EnumChange, ValuePosition};
pub use crate::kinds::extensions::ExtensionChange;
pub use crate::kinds::functions::FunctionChange;
pub use crate::kinds::indexes::IndexChange;
pub use crate::kinds::partitions::PartitionChange;
pub use crate::kinds::policies::PolicyChange;
pub use crate::kinds::schemas::SchemaChange;
pub use crate::kinds::sequences::{SequenceChange, SequenceRestart};
pub use crate::kinds::statistics::StatisticsChange;
pub use crate::kinds::tables::{TableChange, TablePartChange};
pub use crate::kinds::triggers::TriggerChange;
pub use crate::kinds::views::ViewChange;
use keel_core::model::{ColumnType, QualifiedName};
use serde::Serialize;

/// A column whose type is an enum, domain or composite type that is being recreated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnumUsage {
    pub table: QualifiedName,
    pub column: String,
    /// The column's type (the enum, or an array of it).
    pub ty: ColumnType,
    /// Whether the column has a default now: it is dropped before the cast (it names the old type).
    pub drop_default: bool,
    /// The default to set after the cast.
    pub default: Option<String>,
}

/// One change, by object kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum Change {
    /// A schema created, dropped or commented.
    Schema(SchemaChange),
    /// An extension created, moved, updated or dropped.
    Extension(ExtensionChange),
    /// An enum type created, dropped, renamed, recreated or commented, or one of its values added or
    /// renamed.
    Enum(EnumChange),
    /// A domain created, dropped, altered, recreated or commented.
    Domain(DomainChange),
    /// A composite type created, dropped, recreated or commented, or its attributes changed.
    Composite(CompositeChange),
    /// A function or procedure created, replaced, dropped or commented.
    Function(FunctionChange),
    /// A sequence created, dropped, renamed, altered, given an owner column or commented.
    Sequence(SequenceChange),
    /// A table created, dropped, renamed or commented, or its columns, constraints and indexes changed.
    Table(TableChange),
    /// A partition created, dropped, given another bound or commented.
    Partition(PartitionChange),
    /// A view or materialized view created, dropped, replaced or commented.
    View(ViewChange),
    /// A trigger created, dropped, enabled or disabled, or commented.
    Trigger(TriggerChange),
    /// Row level security switched, or a policy created, dropped, altered or commented.
    Policy(PolicyChange),
    /// An extended statistics object created, dropped, retargeted or commented.
    Statistics(StatisticsChange),
}
