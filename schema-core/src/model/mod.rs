#![deny(missing_docs)]
//! The schema model: one description of a PostgreSQL schema, produced by the derives and by introspection alike.
//!
//! Everything is keyed by name in sorted maps, so two equal schemas serialize to byte-identical JSON. Columns are
//! the one ordered list: their order is the table's physical order.

mod column;
mod column_type;
mod composite;
mod constraint;
mod domain;
mod function;
mod index;
mod partition;
mod policy;
mod sequence;
mod statistics;
mod trigger;
mod view;

pub use column::{Column, GeneratedKind, Identity, IdentityGeneration};
pub use column_type::{ColumnType, ParseTypeError};
pub use composite::{CompositeAttribute, CompositeType};
pub use constraint::{
    Check, Deferrable, Exclusion, ExclusionElement, ForeignKey, ForeignKeyAction, Operator, PrimaryKey,
    UniqueConstraint,
};
pub use domain::{Domain, DomainCheck};
pub use function::{Function, FunctionId, RoutineKind, Volatility};
pub use index::{Index, IndexKey, IndexMethod, KeyExpression, NullsOrder, SortOrder};
pub use partition::Partition;
pub use policy::{Policy, PolicyCommand, RowLevelSecurity};
pub use sequence::{Sequence, SequenceOptions, SequenceOwner, integer_range};
pub use statistics::{Statistics, StatisticsKind};
pub use trigger::{
    TOUCH_UPDATED_AT_FUNCTION, TOUCH_UPDATED_AT_TRIGGER, Trigger, TriggerEnabled, TriggerEvent, TriggerTiming,
};
pub use view::{View, ViewColumn, ViewDependency};

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The schema PostgreSQL uses when a name is not qualified.
pub const DEFAULT_SCHEMA: &str = "public";

/// A whole database schema: the PostgreSQL schemas (namespaces) keel manages and what they hold.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schema {
    /// The PostgreSQL schemas, by name.
    #[serde(default)]
    pub schemas: BTreeMap<String, Namespace>,
    /// Installed extensions (`CREATE EXTENSION`), by name. `plpgsql`, which every database has, is left out.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extensions: BTreeMap<String, Extension>,
}

/// An installed extension and the schema its objects live in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Extension {
    /// The schema its objects live in (`WITH SCHEMA`).
    pub schema: String,
    /// The installed version (`ALTER EXTENSION ... UPDATE TO` changes it); `None` in a declaration that
    /// takes whatever version the server installs by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// One PostgreSQL schema (`CREATE SCHEMA`), e.g. `public`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Namespace {
    /// Tables, by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tables: BTreeMap<String, Table>,
    /// Enum types, by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub enums: BTreeMap<String, Enum>,
    /// Standalone sequences (not identity sequences), by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub sequences: BTreeMap<String, Sequence>,
    /// Views and materialized views (declared in SQL files).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub views: BTreeMap<String, View>,
    /// Functions and procedures by name, then by identity arguments (overloads are different functions).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub functions: BTreeMap<String, BTreeMap<String, Function>>,
    /// `COMMENT ON SCHEMA`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Domains (declared in SQL files).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub domains: BTreeMap<String, Domain>,
    /// Composite types (declared in SQL files), not tables' row types.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub composite_types: BTreeMap<String, CompositeType>,
    /// Extended statistics objects (`CREATE STATISTICS`, declared in SQL files), by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub statistics: BTreeMap<String, Statistics>,
}

/// A schema-qualified name of a table or type.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QualifiedName {
    /// The schema.
    pub schema: String,
    /// The name in it.
    pub name: String,
}

impl QualifiedName {
    /// The name `schema.name`.
    pub fn new(schema: impl Into<String>, name: impl Into<String>) -> Self {
        QualifiedName { schema: schema.into(), name: name.into() }
    }
}

impl std::fmt::Display for QualifiedName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.schema, self.name)
    }
}

/// A table. Constraints and indexes are keyed by their PostgreSQL names.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Table {
    /// Columns, in their physical order.
    pub columns: Vec<Column>,
    /// The primary key, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_key: Option<PrimaryKey>,
    /// Unique constraints, by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub unique_constraints: BTreeMap<String, UniqueConstraint>,
    /// Check constraints, by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub checks: BTreeMap<String, Check>,
    /// Foreign keys, by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub foreign_keys: BTreeMap<String, ForeignKey>,
    /// Exclusion constraints, by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub exclusions: BTreeMap<String, Exclusion>,
    /// Indexes that no constraint owns, by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub indexes: BTreeMap<String, Index>,
    /// Triggers, by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub triggers: BTreeMap<String, Trigger>,
    /// `COMMENT ON TABLE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Rename hint: the table's previous name in the same schema. Never produced by introspection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
    /// `ENABLE` / `FORCE ROW LEVEL SECURITY`.
    #[serde(default, skip_serializing_if = "RowLevelSecurity::is_off")]
    pub row_level_security: RowLevelSecurity,
    /// Row level security policies (declared in SQL files), by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub policies: BTreeMap<String, Policy>,
    /// The partition key of a partitioned table as `pg_get_partkeydef` prints it, e.g. `RANGE (created_at)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition_by: Option<String>,
    /// The partitions of a partitioned table, by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub partitions: BTreeMap<String, Partition>,
}

impl Table {
    /// A table with these columns and nothing else.
    pub fn new(columns: Vec<Column>) -> Table {
        Table { columns, ..Table::default() }
    }

    /// Its primary key.
    pub fn with_primary_key(mut self, primary_key: PrimaryKey) -> Table {
        self.primary_key = Some(primary_key);
        self
    }

    /// Adds the unique constraint `name`.
    pub fn with_unique(mut self, name: impl Into<String>, unique: UniqueConstraint) -> Table {
        self.unique_constraints.insert(name.into(), unique);
        self
    }

    /// Adds the check constraint `name`.
    pub fn with_check(mut self, name: impl Into<String>, check: Check) -> Table {
        self.checks.insert(name.into(), check);
        self
    }

    /// Adds the foreign key `name`.
    pub fn with_foreign_key(mut self, name: impl Into<String>, foreign_key: ForeignKey) -> Table {
        self.foreign_keys.insert(name.into(), foreign_key);
        self
    }

    /// Adds the index `name`.
    pub fn with_index(mut self, name: impl Into<String>, index: Index) -> Table {
        self.indexes.insert(name.into(), index);
        self
    }

    /// Adds the trigger `name`.
    pub fn with_trigger(mut self, name: impl Into<String>, trigger: Trigger) -> Table {
        self.triggers.insert(name.into(), trigger);
        self
    }

    /// `COMMENT ON TABLE`.
    pub fn with_comment(mut self, comment: impl Into<String>) -> Table {
        self.comment = Some(comment.into());
        self
    }

    /// The rename hint: the table's previous name in the same schema.
    pub fn with_renamed_from(mut self, previous: impl Into<String>) -> Table {
        self.renamed_from = Some(previous.into());
        self
    }

    /// Its row level security switches.
    pub fn with_row_level_security(mut self, row_level_security: RowLevelSecurity) -> Table {
        self.row_level_security = row_level_security;
        self
    }

    /// A partitioned table, its key as `pg_get_partkeydef` prints it.
    pub fn with_partition_by(mut self, key: impl Into<String>) -> Table {
        self.partition_by = Some(key.into());
        self
    }

    /// The column `name`.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The qualified name of the partition `name` of this table, which is `table`.
    pub fn partition_name(&self, table: &QualifiedName, name: &str) -> QualifiedName {
        let schema = self.partitions.get(name).and_then(|p| p.schema.clone()).unwrap_or_else(|| table.schema.clone());
        QualifiedName::new(schema, name)
    }
}

/// An enum type (`CREATE TYPE ... AS ENUM`), values in their sort order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Enum {
    /// The labels, in sort order.
    pub values: Vec<String>,
    /// `COMMENT ON TYPE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Rename hint: the type's previous name in the same schema.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
}

impl Enum {
    /// An enum type with these values, in sort order.
    pub fn new<S: Into<String>>(values: impl IntoIterator<Item = S>) -> Enum {
        Enum { values: values.into_iter().map(Into::into).collect(), comment: None, renamed_from: None }
    }

    /// `COMMENT ON TYPE`.
    pub fn with_comment(mut self, comment: impl Into<String>) -> Enum {
        self.comment = Some(comment.into());
        self
    }

    /// The rename hint: the type's previous name in the same schema.
    pub fn with_renamed_from(mut self, previous: impl Into<String>) -> Enum {
        self.renamed_from = Some(previous.into());
        self
    }
}

impl Schema {
    /// The table `schema.name`.
    pub fn table(&self, schema: &str, name: &str) -> Option<&Table> {
        self.schemas.get(schema)?.tables.get(name)
    }

    /// The enum type `schema.name`.
    pub fn enum_type(&self, schema: &str, name: &str) -> Option<&Enum> {
        self.schemas.get(schema)?.enums.get(name)
    }

    /// Every table with its qualified name, in name order.
    pub fn tables(&self) -> impl Iterator<Item = (QualifiedName, &Table)> {
        self.schemas.iter().flat_map(|(s, ns)| ns.tables.iter().map(move |(n, t)| (QualifiedName::new(s, n), t)))
    }

    /// Every standalone sequence with its qualified name, in name order.
    pub fn sequences(&self) -> impl Iterator<Item = (QualifiedName, &Sequence)> {
        self.schemas.iter().flat_map(|(s, ns)| ns.sequences.iter().map(move |(n, q)| (QualifiedName::new(s, n), q)))
    }

    /// Every view and materialized view with its qualified name, in name order.
    pub fn views(&self) -> impl Iterator<Item = (QualifiedName, &View)> {
        self.schemas.iter().flat_map(|(s, ns)| ns.views.iter().map(move |(n, v)| (QualifiedName::new(s, n), v)))
    }

    /// The view or materialized view `schema.name`.
    pub fn view(&self, schema: &str, name: &str) -> Option<&View> {
        self.schemas.get(schema)?.views.get(name)
    }

    /// Every function and procedure with its identity, in name order.
    pub fn functions(&self) -> impl Iterator<Item = (FunctionId, &Function)> {
        self.schemas.iter().flat_map(|(s, ns)| {
            ns.functions
                .iter()
                .flat_map(move |(n, overloads)| overloads.iter().map(move |(args, f)| (FunctionId::new(s, n, args), f)))
        })
    }

    /// The function or procedure `id`.
    pub fn function(&self, id: &FunctionId) -> Option<&Function> {
        self.schemas.get(&id.schema)?.functions.get(&id.name)?.get(&id.arguments)
    }

    /// Adds (or replaces) a function.
    pub fn insert_function(&mut self, id: FunctionId, function: Function) {
        let ns = self.schemas.entry(id.schema).or_default();
        ns.functions.entry(id.name).or_default().insert(id.arguments, function);
    }

    /// The domain `schema.name`.
    pub fn domain(&self, schema: &str, name: &str) -> Option<&Domain> {
        self.schemas.get(schema)?.domains.get(name)
    }

    /// Every domain with its qualified name, in name order.
    pub fn domains(&self) -> impl Iterator<Item = (QualifiedName, &Domain)> {
        self.schemas.iter().flat_map(|(s, ns)| ns.domains.iter().map(move |(n, d)| (QualifiedName::new(s, n), d)))
    }

    /// The composite type `schema.name`.
    pub fn composite_type(&self, schema: &str, name: &str) -> Option<&CompositeType> {
        self.schemas.get(schema)?.composite_types.get(name)
    }

    /// Every composite type with its qualified name, in name order.
    pub fn composite_types(&self) -> impl Iterator<Item = (QualifiedName, &CompositeType)> {
        self.schemas
            .iter()
            .flat_map(|(s, ns)| ns.composite_types.iter().map(move |(n, c)| (QualifiedName::new(s, n), c)))
    }

    /// Every extended statistics object with its qualified name, in name order.
    pub fn statistics(&self) -> impl Iterator<Item = (QualifiedName, &Statistics)> {
        self.schemas.iter().flat_map(|(s, ns)| ns.statistics.iter().map(move |(n, x)| (QualifiedName::new(s, n), x)))
    }

    /// Every enum with its qualified name, in name order.
    pub fn enums(&self) -> impl Iterator<Item = (QualifiedName, &Enum)> {
        self.schemas.iter().flat_map(|(s, ns)| ns.enums.iter().map(move |(n, e)| (QualifiedName::new(s, n), e)))
    }

    /// The same schema with each table's columns in name order. Column order is physical: PostgreSQL appends
    /// new columns and keel does not rebuild tables to reorder them, so comparisons of a migrated database
    /// with a declaration go through this.
    pub fn without_column_order(&self) -> Schema {
        let mut out = self.clone();
        for ns in out.schemas.values_mut() {
            for table in ns.tables.values_mut() {
                table.columns.sort_by(|a, b| a.name.cmp(&b.name));
            }
        }
        out
    }

    /// The same schema with every rename hint removed: what a database can hold, and so what
    /// introspection returns. Compare a desired schema with an introspected one through this.
    pub fn without_hints(&self) -> Schema {
        let mut out = self.clone();
        for ns in out.schemas.values_mut() {
            for table in ns.tables.values_mut() {
                table.renamed_from = None;
                for column in &mut table.columns {
                    column.renamed_from = None;
                }
            }
            for e in ns.enums.values_mut() {
                e.renamed_from = None;
            }
        }
        out
    }
}
