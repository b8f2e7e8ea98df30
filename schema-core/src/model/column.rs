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
    /// What PostgreSQL 18 records of a `NOT NULL` beyond itself (a name of the user's, `NOT VALID`,
    /// `NO INHERIT`); plain for a nullable column and for every column read from an older server.
    #[serde(default, skip_serializing_if = "NotNull::is_plain")]
    pub not_null: NotNull,
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
            not_null: NotNull::default(),
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

    /// The `NOT NULL` as a named constraint, `NOT VALID` or `NO INHERIT` (PostgreSQL 18).
    pub fn with_not_null(mut self, not_null: NotNull) -> Self {
        self.not_null = not_null;
        self
    }

    /// `CONSTRAINT name NOT NULL`: the `NOT NULL` constraint's name (PostgreSQL 18), for the derive's
    /// `not_null_name`.
    pub fn with_not_null_name(mut self, name: impl Into<String>) -> Self {
        self.not_null.name = Some(name.into());
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

/// A column's `NOT NULL` as PostgreSQL 18 records it: a constraint of its own (`pg_constraint`, contype
/// `n`). Only what differs from a plain `NOT NULL` is kept: a name PostgreSQL chose (`orders_total_not_null`,
/// truncated to 63 bytes, a digit added on a collision) is none, so that servers before and after 18, and
/// tables renamed since, compare equal (see [`crate::naming::is_not_null_name`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotNull {
    /// `CONSTRAINT name NOT NULL`: a name that is not one PostgreSQL would choose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `NOT VALID`: rows that were there when it was added may hold nulls.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub not_valid: bool,
    /// `NO INHERIT`: tables that inherit from this one do not get it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub no_inherit: bool,
}

impl NotNull {
    /// A plain `NOT NULL` (or none): nothing PostgreSQL 18 adds.
    pub fn is_plain(&self) -> bool {
        *self == NotNull::default()
    }

    /// A `NOT NULL` constraint named `name`.
    pub fn named(name: impl Into<String>) -> Self {
        NotNull { name: Some(name.into()), ..NotNull::default() }
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
