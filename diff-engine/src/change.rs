//! What differs between two schemas: one change per object kind, each holding that kind's own change enum
//! (`kinds/<kind>/mod.rs`); a table's column, constraint and index changes nest inside its
//! [`TableChange::Alter`]. The planner turns each change into statements; nothing here is SQL yet.

use crate::kinds::KindChange;
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
use crate::plan::step::{Context, Step};
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

/// `Change` and its dispatch, from one list: a kind is registered once, here (its variant holds the kind's
/// change enum, whose [`KindChange`] gives the statements).
macro_rules! changes {
    ($($(#[$doc:meta])* $kind:ident($change:ty),)*) => {
        /// One change, by object kind. As JSON: `{"kind": "table", "change": "alter", ...}`, the kind's own
        /// change enum tagged `change` inside.
        #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
        #[serde(tag = "kind", rename_all = "snake_case")]
        pub enum Change {
            $($(#[$doc])* $kind($change),)*
        }

        impl Change {
            /// The statements of this change as the planner's ordering groups (see [`KindChange::groups`]).
            pub(crate) fn groups(&self, cx: &Context) -> Vec<Vec<Step>> {
                match self {
                    $(Change::$kind(change) => change.groups(cx),)*
                }
            }
        }
    };
}

changes! {
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

#[cfg(test)]
mod tests {
    use super::*;
    use keel_core::model::Column;

    /// Each level names itself under its own key: a kind's change enum tagged like `Change` would write the
    /// key twice, which JSON readers resolve differently.
    #[test]
    fn a_nested_change_serializes_with_one_key_per_level() {
        let table = QualifiedName::new("public", "notes");
        let column = Column::new("body", ColumnType::Text);
        let drop = ColumnChange::Drop { column };
        let change = Change::Table(TableChange::Alter { table, changes: vec![TablePartChange::Column(drop)] });
        let json = serde_json::to_string(&change).expect("serializes");
        let expected = concat!(
            r#"{"kind":"table","change":"alter","table":{"schema":"public","name":"notes"},"changes":["#,
            r#"{"part":"column","change":"drop","column":{"name":"body","type":{"kind":"text"},"nullable":false}}]}"#
        );
        assert_eq!(json, expected);
    }
}
