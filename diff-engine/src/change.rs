//! What differs between two schemas, one change per object and property. The planner turns each change
//! into statements; nothing here is SQL yet.

pub use crate::kinds::composites::CompositeChange;
pub use crate::kinds::domains::DomainChange;
pub use crate::kinds::enums::{EnumChange, ValuePosition};
pub use crate::kinds::extensions::ExtensionChange;
pub use crate::kinds::functions::FunctionChange;
pub use crate::kinds::partitions::PartitionChange;
pub use crate::kinds::policies::PolicyChange;
pub use crate::kinds::schemas::SchemaChange;
pub use crate::kinds::sequences::{SequenceChange, SequenceRestart};
pub use crate::kinds::triggers::TriggerChange;
pub use crate::kinds::views::ViewChange;
use keel_core::model::{
    Check, Column, ColumnType, Exclusion, ForeignKey, Identity, IdentityGeneration, Index, PrimaryKey, QualifiedName,
    SequenceOptions, Table, UniqueConstraint,
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

    /// An enum type created, dropped, renamed, recreated or commented, or one of its values added or
    /// renamed.
    Enum(EnumChange),
    /// A sequence created, dropped, renamed, altered, given an owner column or commented.
    Sequence(SequenceChange),

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
    RenameIndex {
        table: QualifiedName,
        from: String,
        to: String,
    },

    /// A view or materialized view created, dropped, replaced or commented.
    View(ViewChange),

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

    /// A partition created, dropped, given another bound or commented.
    Partition(PartitionChange),

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
