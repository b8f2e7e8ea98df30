//! What differs between two schemas, one change per object and property. The planner turns each change
//! into statements; nothing here is SQL yet.

pub use crate::kinds::composites::CompositeChange;
pub use crate::kinds::domains::DomainChange;
pub use crate::kinds::extensions::ExtensionChange;
pub use crate::kinds::functions::FunctionChange;
pub use crate::kinds::policies::PolicyChange;
pub use crate::kinds::schemas::SchemaChange;
pub use crate::kinds::triggers::TriggerChange;
use keel_core::model::Partition;
use keel_core::model::{
    Check, Column, ColumnType, Exclusion, ForeignKey, Identity, IdentityGeneration, Index, PrimaryKey, QualifiedName,
    Sequence, SequenceOptions, SequenceOwner, Table, UniqueConstraint, View,
};
use serde::Serialize;

/// A table-level constraint, by kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Constraint {
    PrimaryKey(PrimaryKey),
    Unique(UniqueConstraint),
    Check(Check),
    ForeignKey(ForeignKey),
    Exclusion(Exclusion),
}

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

    CreateTable {
        name: QualifiedName,
        table: Table,
    },
    DropTable {
        name: QualifiedName,
        table: Table,
    },
    RenameTable {
        from: QualifiedName,
        to: String,
    },
    CommentTable {
        name: QualifiedName,
        comment: Option<String>,
    },

    AddColumn {
        table: QualifiedName,
        column: Column,
    },
    DropColumn {
        table: QualifiedName,
        column: Column,
    },
    RenameColumn {
        table: QualifiedName,
        from: String,
        to: String,
    },
    /// `ALTER COLUMN ... TYPE ... USING`; the current default is dropped before and `default` set after.
    AlterColumnType {
        table: QualifiedName,
        column: String,
        from: ColumnType,
        to: ColumnType,
        collation: Option<String>,
        old_default: Option<String>,
        default: Option<String>,
    },
    SetNotNull {
        table: QualifiedName,
        column: String,
    },
    DropNotNull {
        table: QualifiedName,
        column: String,
    },
    SetDefault {
        table: QualifiedName,
        column: String,
        default: String,
    },
    DropDefault {
        table: QualifiedName,
        column: String,
    },
    AddIdentity {
        table: QualifiedName,
        column: String,
        identity: Identity,
    },
    DropIdentity {
        table: QualifiedName,
        column: String,
    },
    SetIdentityGeneration {
        table: QualifiedName,
        column: String,
        generation: IdentityGeneration,
    },
    SetIdentityOptions {
        table: QualifiedName,
        column: String,
        ty: ColumnType,
        options: SequenceOptions,
        restart: SequenceRestart,
    },
    /// `ALTER COLUMN ... DROP EXPRESSION`: a generated column becomes a plain one, keeping its values.
    DropExpression {
        table: QualifiedName,
        column: String,
    },
    CommentColumn {
        table: QualifiedName,
        column: String,
        comment: Option<String>,
    },

    AddConstraint {
        table: QualifiedName,
        name: String,
        constraint: Constraint,
    },
    DropConstraint {
        table: QualifiedName,
        name: String,
        constraint: Constraint,
    },

    CreateIndex {
        table: QualifiedName,
        name: String,
        index: Index,
    },
    DropIndex {
        table: QualifiedName,
        name: String,
        index: Index,
    },
    RenameConstraint {
        table: QualifiedName,
        from: String,
        to: String,
    },
    RenameSequence {
        from: QualifiedName,
        to: String,
    },
    RenameIndex {
        table: QualifiedName,
        from: String,
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

    /// A domain created, dropped, altered, recreated or commented.
    Domain(DomainChange),

    /// A composite type created, dropped, recreated or commented, or its attributes changed.
    Composite(CompositeChange),

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

    /// `table`: the table or materialized view the index is on.
    CommentIndex {
        table: QualifiedName,
        name: String,
        comment: Option<String>,
    },
    CommentConstraint {
        table: QualifiedName,
        name: String,
        comment: Option<String>,
    },
    /// A check or foreign key left `NOT VALID`, declared valid.
    ValidateConstraint {
        table: QualifiedName,
        name: String,
    },
}
