//! What differs between two schemas, one change per object and property. The planner turns each change
//! into statements; nothing here is SQL yet.

pub use crate::kinds::columns::ColumnChange;
pub use crate::kinds::constraints::{Constraint, ConstraintChange};
pub use crate::kinds::extensions::ExtensionChange;
pub use crate::kinds::functions::FunctionChange;
pub use crate::kinds::indexes::IndexChange;
pub use crate::kinds::policies::PolicyChange;
pub use crate::kinds::schemas::SchemaChange;
pub use crate::kinds::tables::{TableChange, TablePartChange};
pub use crate::kinds::triggers::TriggerChange;
use keel_core::model::Partition;
use keel_core::model::{ColumnType, QualifiedName, Sequence, SequenceOptions, SequenceOwner, View};
use keel_core::model::{CompositeAttribute, CompositeType, Domain, DomainCheck};
use serde::Serialize;

/// Where `ALTER TYPE ... ADD VALUE` puts a new value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ValuePosition {
    Before(String),
    After(String),
}

/// What happens to a sequence's current value when its options change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SequenceRestart {
    /// The new range holds every value the old one could: nothing to do.
    Keep,
    /// The range shrinks: before the change, the current value is moved into `[min, max]` (the overlap
    /// of the old and new ranges) if it lies outside; a value inside stays where it is.
    Clamp { min: i64, max: i64 },
    /// The ranges do not overlap or the direction turns: the sequence restarts at its start value.
    Restart,
}

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

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum Change {
    /// A schema created, dropped or commented.
    Schema(SchemaChange),
    /// An extension created, moved, updated or dropped.
    Extension(ExtensionChange),
    /// An extended statistics object created, dropped, retargeted or commented.
    Statistics(crate::kinds::statistics::StatisticsChange),

    CreateEnum {
        name: QualifiedName,
        values: Vec<String>,
    },
    DropEnum {
        name: QualifiedName,
    },
    RenameEnum {
        from: QualifiedName,
        to: String,
    },
    AddEnumValue {
        name: QualifiedName,
        value: String,
        position: Option<ValuePosition>,
    },
    RenameEnumValue {
        name: QualifiedName,
        from: String,
        to: String,
    },
    /// Rename the old type away, create the new one, cast every column, drop the old one: the way to
    /// remove or reorder values.
    RecreateEnum {
        name: QualifiedName,
        values: Vec<String>,
        removed: Vec<String>,
        usages: Vec<EnumUsage>,
        /// The new type's comment (the old type's goes with it).
        comment: Option<String>,
    },
    CommentEnum {
        name: QualifiedName,
        comment: Option<String>,
    },

    CreateSequence {
        name: QualifiedName,
        sequence: Sequence,
    },
    DropSequence {
        name: QualifiedName,
    },
    /// `restart`: the bounds or the direction change, so the current value may fall outside them; the
    /// sequence restarts at its start value.
    AlterSequence {
        name: QualifiedName,
        data_type: ColumnType,
        options: SequenceOptions,
        restart: SequenceRestart,
    },
    SetSequenceOwner {
        name: QualifiedName,
        owner: Option<SequenceOwner>,
    },
    CommentSequence {
        name: QualifiedName,
        comment: Option<String>,
    },

    /// A table created, dropped, renamed or commented, or its columns, constraints and indexes changed.
    Table(TableChange),

    RenameSequence {
        from: QualifiedName,
        to: String,
    },

    CreateView {
        name: QualifiedName,
        view: View,
    },
    /// The view as it is now: what it reads must still be there when it is dropped.
    DropView {
        name: QualifiedName,
        view: View,
    },
    /// `CREATE OR REPLACE VIEW`: the same columns (more may follow), another query.
    ReplaceView {
        name: QualifiedName,
        view: View,
    },
    CommentView {
        name: QualifiedName,
        materialized: bool,
        comment: Option<String>,
    },

    /// The function's `CREATE OR REPLACE` statement, for a function that does not exist yet.
    /// A function or procedure created, replaced, dropped or commented.
    Function(FunctionChange),

    /// A trigger created, dropped, enabled or disabled, or commented.
    Trigger(TriggerChange),

    /// Row level security switched, or a policy created, dropped, altered or commented.
    Policy(PolicyChange),

    CreateDomain {
        name: QualifiedName,
        /// Without its comment (a change of its own).
        domain: Domain,
    },
    /// The domain as it is now: what its base type needs must still be there when it is dropped.
    DropDomain {
        name: QualifiedName,
        domain: Domain,
    },
    SetDomainDefault {
        name: QualifiedName,
        default: Option<String>,
    },
    /// `SET NOT NULL` checks every value of every column of the domain: `columns` names them.
    SetDomainNotNull {
        name: QualifiedName,
        not_null: bool,
        columns: Vec<String>,
    },
    AddDomainCheck {
        name: QualifiedName,
        check_name: String,
        check: DomainCheck,
        /// The columns of the domain whose values are checked, for the summary.
        columns: Vec<String>,
    },
    DropDomainCheck {
        name: QualifiedName,
        check_name: String,
    },
    ValidateDomainCheck {
        name: QualifiedName,
        check_name: String,
    },
    /// The base type or collation changes, which `ALTER DOMAIN` cannot do: the old domain is renamed away,
    /// the new one created, every column of it cast, and the old one dropped.
    RecreateDomain {
        name: QualifiedName,
        domain: Domain,
        usages: Vec<EnumUsage>,
    },
    CommentDomain {
        name: QualifiedName,
        comment: Option<String>,
    },

    CreateComposite {
        name: QualifiedName,
        composite: CompositeType,
    },
    DropComposite {
        name: QualifiedName,
        composite: CompositeType,
    },
    AddAttribute {
        name: QualifiedName,
        attribute: CompositeAttribute,
    },
    /// `used`: columns of the type hold values of the attribute, which go with it.
    DropAttribute {
        name: QualifiedName,
        attribute: CompositeAttribute,
        used: bool,
    },
    AlterAttributeType {
        name: QualifiedName,
        from: CompositeAttribute,
        to: CompositeAttribute,
    },
    /// An attribute's type changes while columns use the type, which PostgreSQL refuses in place: the old
    /// type is renamed away and given the new attribute names (added, dropped), the new type created,
    /// every column cast through text, and the old type dropped.
    RecreateComposite {
        name: QualifiedName,
        old: CompositeType,
        composite: CompositeType,
        usages: Vec<EnumUsage>,
    },
    CommentComposite {
        name: QualifiedName,
        comment: Option<String>,
    },

    /// `CREATE TABLE ... PARTITION OF table FOR VALUES ...`.
    CreatePartition {
        table: QualifiedName,
        name: QualifiedName,
        partition: Partition,
    },
    /// `DROP TABLE` of one partition: its rows go with it.
    DropPartition {
        table: QualifiedName,
        name: QualifiedName,
    },
    /// Detach the partition and attach it again with its new bound: its rows stay if they fit.
    SetPartitionBound {
        table: QualifiedName,
        name: QualifiedName,
        from: String,
        to: String,
    },
    CommentPartition {
        name: QualifiedName,
        comment: Option<String>,
    },
}
