//! What a derive produces: the [`Table`] and [`PgEnum`] traits and the definitions they return.

use crate::model::{self, ColumnType, QualifiedName};

/// A Rust struct that is a table. Implemented by `#[derive(Table)]`.
pub trait Table {
    /// The PostgreSQL schema the table lives in.
    const SCHEMA: &'static str;
    /// The table's name.
    const NAME: &'static str;
    /// Column names, in declaration order.
    const COLUMNS: &'static [&'static str];

    /// The table as the schema model describes it.
    fn definition() -> TableDefinition;
}

/// A Rust enum that is a PostgreSQL enum type. Implemented by `#[derive(PgEnum)]`, which also implements
/// [`SqlType`](crate::SqlType) so the enum can be a field of a table.
pub trait PgEnum: Sized + 'static {
    const SCHEMA: &'static str;
    const NAME: &'static str;
    /// The labels, in sort order.
    const VALUES: &'static [&'static str];

    fn definition() -> EnumDefinition;

    /// This variant's label.
    fn as_label(&self) -> &'static str;

    /// The variant with this label.
    fn from_label(label: &str) -> Option<Self>;

    /// The column type naming this enum.
    fn column_type() -> ColumnType {
        ColumnType::named(Self::SCHEMA, Self::NAME)
    }
}

/// A table and where it lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableDefinition {
    pub name: QualifiedName,
    pub table: model::Table,
}

impl TableDefinition {
    /// The table `table` named `name`.
    pub fn new(name: QualifiedName, table: model::Table) -> Self {
        TableDefinition { name, table }
    }
}

/// An enum type and where it lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumDefinition {
    pub name: QualifiedName,
    pub enum_type: model::Enum,
}

impl EnumDefinition {
    /// The enum type `enum_type` named `name`.
    pub fn new(name: QualifiedName, enum_type: model::Enum) -> Self {
        EnumDefinition { name, enum_type }
    }
}
