use super::{ColumnType, SequenceOptions};
use serde::{Deserialize, Serialize};

/// A table column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Column {
    /// The column's name.
    pub name: String,
    /// Its type.
    #[serde(rename = "type")]
    pub ty: ColumnType,
    /// Whether it takes nulls (no `NOT NULL`).
    pub nullable: bool,
    /// The `DEFAULT` expression, as SQL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// `GENERATED ... AS IDENTITY`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<Identity>,
    /// The expression of a generated column: `GENERATED ALWAYS AS (...) STORED` or `VIRTUAL`, as
    /// [`generated_kind`](Self::generated_kind) says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated: Option<String>,
    /// Whether a generated column is stored (computed on write) or virtual (computed on read, PostgreSQL
    /// 18). Stored when the column is not generated.
    #[serde(default, skip_serializing_if = "GeneratedKind::is_stored")]
    pub generated_kind: GeneratedKind,
    /// A collation other than the type's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
    /// `COMMENT ON COLUMN`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Rename hint: the column's previous name. Never produced by introspection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
}

impl Column {
    /// A `NOT NULL` column with nothing else set.
    pub fn new(name: impl Into<String>, ty: ColumnType) -> Self {
        Column {
            name: name.into(),
            ty,
            nullable: false,
            default: None,
            identity: None,
            generated: None,
            generated_kind: GeneratedKind::Stored,
            collation: None,
            comment: None,
            renamed_from: None,
        }
    }

    /// Nullable: no `NOT NULL`.
    pub fn nullable(mut self) -> Self {
        self.nullable = true;
        self
    }

    /// Sets the `DEFAULT` expression.
    pub fn default(mut self, expression: impl Into<String>) -> Self {
        self.default = Some(expression.into());
        self
    }

    /// Nullable or `NOT NULL`, as `nullable` says.
    pub fn with_nullable(mut self, nullable: bool) -> Self {
        self.nullable = nullable;
        self
    }

    /// An identity column (`GENERATED ... AS IDENTITY`).
    pub fn with_identity(mut self, identity: Identity) -> Self {
        self.identity = Some(identity);
        self
    }

    /// A generated column: `GENERATED ALWAYS AS (expression) STORED`.
    pub fn with_generated(mut self, expression: impl Into<String>) -> Self {
        self.generated = Some(expression.into());
        self.generated_kind = GeneratedKind::Stored;
        self
    }

    /// A virtual generated column: `GENERATED ALWAYS AS (expression) VIRTUAL` (PostgreSQL 18), computed
    /// when read and never stored.
    pub fn with_virtual_generated(mut self, expression: impl Into<String>) -> Self {
        self.generated = Some(expression.into());
        self.generated_kind = GeneratedKind::Virtual;
        self
    }

    /// Whether this is a virtual generated column.
    pub fn is_virtual(&self) -> bool {
        self.generated.is_some() && self.generated_kind == GeneratedKind::Virtual
    }

    /// A collation other than the type's default.
    pub fn with_collation(mut self, collation: impl Into<String>) -> Self {
        self.collation = Some(collation.into());
        self
    }

    /// `COMMENT ON COLUMN`.
    pub fn with_comment(mut self, comment: impl Into<String>) -> Self {
        self.comment = Some(comment.into());
        self
    }

    /// The rename hint: the column's previous name.
    pub fn with_renamed_from(mut self, previous: impl Into<String>) -> Self {
        self.renamed_from = Some(previous.into());
        self
    }

    /// Whether the database fills this column when an insert leaves it out.
    pub fn has_database_value(&self) -> bool {
        self.default.is_some() || self.identity.is_some() || self.generated.is_some()
    }
}

/// Where a generated column's values live.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GeneratedKind {
    /// `STORED`: computed when a row is written, stored like any other column.
    #[default]
    Stored,
    /// `VIRTUAL` (PostgreSQL 18): computed when read; the table holds no value for it.
    Virtual,
}

impl GeneratedKind {
    /// Whether this is [`GeneratedKind::Stored`] (the JSON leaves it out).
    pub fn is_stored(&self) -> bool {
        *self == GeneratedKind::Stored
    }
}

/// `GENERATED { ALWAYS | BY DEFAULT } AS IDENTITY`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Identity {
    /// `ALWAYS` or `BY DEFAULT`.
    pub generation: IdentityGeneration,
    /// The identity sequence's options (`GENERATED ... AS IDENTITY (START WITH 100)`).
    #[serde(default, skip_serializing_if = "SequenceOptions::is_default")]
    pub sequence: SequenceOptions,
}

impl Identity {
    /// An identity with the sequence's default options.
    pub fn new(generation: IdentityGeneration) -> Self {
        Identity { generation, sequence: SequenceOptions::default() }
    }
}

/// Whether an insert may give an identity column a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentityGeneration {
    /// `GENERATED ALWAYS`: only with `OVERRIDING SYSTEM VALUE`.
    Always,
    /// `GENERATED BY DEFAULT`: an insert may give one.
    ByDefault,
}
