use super::{IndexKey, IndexMethod, QualifiedName};
use serde::{Deserialize, Serialize};

/// A table's primary key (`CONSTRAINT name PRIMARY KEY (columns)`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrimaryKey {
    /// The constraint's name (and its index's).
    pub name: String,
    /// The key columns, in key order.
    pub columns: Vec<String>,
    /// Whether checking may wait for the end of the transaction.
    #[serde(default, skip_serializing_if = "Deferrable::is_default")]
    pub deferrable: Deferrable,
    /// `COMMENT ON CONSTRAINT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A unique constraint (`UNIQUE (columns)`); keyed by name in [`Table`](super::Table).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UniqueConstraint {
    /// The key columns, in key order.
    pub columns: Vec<String>,
    /// `NULLS NOT DISTINCT` (PostgreSQL 15): two rows with nulls in the same columns conflict.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub nulls_not_distinct: bool,
    /// Whether checking may wait for the end of the transaction.
    #[serde(default, skip_serializing_if = "Deferrable::is_default")]
    pub deferrable: Deferrable,
    /// `COMMENT ON CONSTRAINT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl PrimaryKey {
    /// A primary key named `name` over `columns`, not deferrable, without comment.
    pub fn new<S: Into<String>>(name: impl Into<String>, columns: impl IntoIterator<Item = S>) -> Self {
        PrimaryKey {
            name: name.into(),
            columns: columns.into_iter().map(Into::into).collect(),
            deferrable: Deferrable::NotDeferrable,
            comment: None,
        }
    }

    /// `COMMENT ON CONSTRAINT`.
    pub fn with_comment(mut self, comment: impl Into<String>) -> Self {
        self.comment = Some(comment.into());
        self
    }
}

impl UniqueConstraint {
    /// A unique constraint over `columns`, nulls distinct, not deferrable, without comment.
    pub fn new<S: Into<String>>(columns: impl IntoIterator<Item = S>) -> Self {
        UniqueConstraint {
            columns: columns.into_iter().map(Into::into).collect(),
            nulls_not_distinct: false,
            deferrable: Deferrable::NotDeferrable,
            comment: None,
        }
    }

    /// `COMMENT ON CONSTRAINT`.
    pub fn with_comment(mut self, comment: impl Into<String>) -> Self {
        self.comment = Some(comment.into());
        self
    }
}

/// A check constraint (`CHECK (expression)`); keyed by name in [`Table`](super::Table).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Check {
    /// The boolean SQL expression.
    pub expression: String,
    /// Added `NOT VALID` and not validated since: rows that were there then were never checked (a failed
    /// online `VALIDATE` leaves it so). A validated constraint satisfies a `NOT VALID` declaration.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub not_valid: bool,
    /// `COMMENT ON CONSTRAINT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Check {
    /// A validated check of the boolean SQL `expression`, without comment.
    pub fn new(expression: impl Into<String>) -> Self {
        Check { expression: expression.into(), not_valid: false, comment: None }
    }

    /// `COMMENT ON CONSTRAINT`.
    pub fn with_comment(mut self, comment: impl Into<String>) -> Self {
        self.comment = Some(comment.into());
        self
    }
}

/// A foreign key (`FOREIGN KEY (columns) REFERENCES table (columns)`); keyed by name in [`Table`](super::Table).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForeignKey {
    /// The referencing columns of this table.
    pub columns: Vec<String>,
    /// The referenced table.
    pub references: QualifiedName,
    /// The referenced columns, one for each referencing column.
    pub referenced_columns: Vec<String>,
    /// What deleting a referenced row does.
    #[serde(default, skip_serializing_if = "ForeignKeyAction::is_default")]
    pub on_delete: ForeignKeyAction,
    /// What updating a referenced key does.
    #[serde(default, skip_serializing_if = "ForeignKeyAction::is_default")]
    pub on_update: ForeignKeyAction,
    /// Whether checking may wait for the end of the transaction.
    #[serde(default, skip_serializing_if = "Deferrable::is_default")]
    pub deferrable: Deferrable,
    /// `MATCH FULL`: a row with some referencing columns null and others not is rejected (the default,
    /// `MATCH SIMPLE`, accepts it).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub match_full: bool,
    /// Added `NOT VALID` and not validated since: rows that were there then were never checked (a failed
    /// online `VALIDATE` leaves it so). A validated constraint satisfies a `NOT VALID` declaration.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub not_valid: bool,
    /// `COMMENT ON CONSTRAINT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl ForeignKey {
    /// `FOREIGN KEY (columns) REFERENCES references (referenced_columns)`: `NO ACTION` both ways, `MATCH
    /// SIMPLE`, not deferrable, validated, without comment.
    pub fn new<S: Into<String>, R: Into<String>>(
        columns: impl IntoIterator<Item = S>,
        references: QualifiedName,
        referenced_columns: impl IntoIterator<Item = R>,
    ) -> Self {
        ForeignKey {
            columns: columns.into_iter().map(Into::into).collect(),
            references,
            referenced_columns: referenced_columns.into_iter().map(Into::into).collect(),
            on_delete: ForeignKeyAction::NoAction,
            on_update: ForeignKeyAction::NoAction,
            deferrable: Deferrable::NotDeferrable,
            match_full: false,
            not_valid: false,
            comment: None,
        }
    }

    /// `ON DELETE action`.
    pub fn with_on_delete(mut self, action: ForeignKeyAction) -> Self {
        self.on_delete = action;
        self
    }

    /// `ON UPDATE action`.
    pub fn with_on_update(mut self, action: ForeignKeyAction) -> Self {
        self.on_update = action;
        self
    }

    /// `DEFERRABLE INITIALLY ...`, or `NOT DEFERRABLE`.
    pub fn with_deferrable(mut self, deferrable: Deferrable) -> Self {
        self.deferrable = deferrable;
        self
    }

    /// `COMMENT ON CONSTRAINT`.
    pub fn with_comment(mut self, comment: impl Into<String>) -> Self {
        self.comment = Some(comment.into());
        self
    }
}

/// `ON DELETE` / `ON UPDATE` behaviour of a foreign key.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ForeignKeyAction {
    /// `NO ACTION`: fail, at the end of the statement (PostgreSQL's default).
    #[default]
    NoAction,
    /// `RESTRICT`: fail at once.
    Restrict,
    /// `CASCADE`: delete or update the referencing rows too.
    Cascade,
    /// `SET NULL`: null the referencing columns.
    SetNull,
    /// `SET DEFAULT`: set the referencing columns to their defaults.
    SetDefault,
}

impl ForeignKeyAction {
    /// Every action, the default first.
    pub const ALL: [ForeignKeyAction; 5] = [
        ForeignKeyAction::NoAction,
        ForeignKeyAction::Restrict,
        ForeignKeyAction::Cascade,
        ForeignKeyAction::SetNull,
        ForeignKeyAction::SetDefault,
    ];

    fn is_default(&self) -> bool {
        *self == ForeignKeyAction::NoAction
    }

    /// The action as SQL: `NO ACTION`, `SET NULL`, ...
    pub fn sql(self) -> &'static str {
        match self {
            ForeignKeyAction::NoAction => "NO ACTION",
            ForeignKeyAction::Restrict => "RESTRICT",
            ForeignKeyAction::Cascade => "CASCADE",
            ForeignKeyAction::SetNull => "SET NULL",
            ForeignKeyAction::SetDefault => "SET DEFAULT",
        }
    }

    /// Reads an action as written in SQL or in an attribute: `set null`, `SET_NULL`, `cascade`.
    pub fn parse(text: &str) -> Option<ForeignKeyAction> {
        let words = text.replace(['_', '-'], " ").to_ascii_uppercase();
        let words = words.split_whitespace().collect::<Vec<_>>().join(" ");
        ForeignKeyAction::ALL.into_iter().find(|a| a.sql() == words)
    }
}

/// Whether a constraint's check may be deferred to the end of the transaction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Deferrable {
    /// `NOT DEFERRABLE` (the default).
    #[default]
    NotDeferrable,
    /// `DEFERRABLE INITIALLY IMMEDIATE`: checked per statement unless `SET CONSTRAINTS ... DEFERRED`.
    InitiallyImmediate,
    /// `DEFERRABLE INITIALLY DEFERRED`: checked at commit.
    InitiallyDeferred,
}

impl Deferrable {
    /// `DEFERRABLE INITIALLY DEFERRED` when `deferred`, else `DEFERRABLE INITIALLY IMMEDIATE`.
    pub fn initially(deferred: bool) -> Deferrable {
        if deferred { Deferrable::InitiallyDeferred } else { Deferrable::InitiallyImmediate }
    }

    /// Whether it is `NOT DEFERRABLE`, left out of the JSON form.
    pub fn is_default(&self) -> bool {
        *self == Deferrable::NotDeferrable
    }

    /// The clause as SQL.
    pub fn sql(self) -> &'static str {
        match self {
            Deferrable::NotDeferrable => "NOT DEFERRABLE",
            Deferrable::InitiallyImmediate => "DEFERRABLE INITIALLY IMMEDIATE",
            Deferrable::InitiallyDeferred => "DEFERRABLE INITIALLY DEFERRED",
        }
    }
}

/// An exclusion constraint: `EXCLUDE USING gist (room WITH =, during WITH &&)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exclusion {
    /// The index access method that enforces it (`gist` for ranges).
    #[serde(default)]
    pub method: IndexMethod,
    /// Each key with the operator two rows must not both satisfy.
    pub elements: Vec<ExclusionElement>,
    /// Non-key columns stored in the index (`INCLUDE (...)`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include: Vec<String>,
    /// The `WHERE` predicate: only rows that satisfy it are constrained.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predicate: Option<String>,
    /// `COMMENT ON CONSTRAINT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Exclusion {
    /// Columns the constraint names directly: plain keys, then `INCLUDE` columns.
    pub fn columns(&self) -> impl Iterator<Item = &String> {
        self.elements.iter().filter_map(|e| e.key.on.as_column()).chain(&self.include)
    }

    /// SQL the constraint evaluates: expression keys, then the predicate.
    pub fn expressions(&self) -> Vec<&str> {
        self.elements.iter().filter_map(|e| e.key.on.as_expression()).chain(self.predicate.as_deref()).collect()
    }
}

/// One element of an exclusion constraint: `key WITH operator`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExclusionElement {
    /// The column or expression compared.
    pub key: IndexKey,
    /// The operator, e.g. `=` or `&&`.
    pub operator: Operator,
}

/// An operator symbol such as `&&` or `=`. Operators cannot be quoted in SQL, so only operator characters
/// are accepted: a model read from a file cannot smuggle SQL through one.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Operator(String);

impl Operator {
    /// The symbol.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Operator {
    type Error = String;

    fn try_from(symbol: String) -> Result<Self, String> {
        let valid = !symbol.is_empty() && symbol.len() <= 63 && symbol.chars().all(|c| "+-*/<>=~!@#%^&|`?".contains(c));
        if valid { Ok(Operator(symbol)) } else { Err(format!("`{symbol}` is not an operator symbol")) }
    }
}

impl From<Operator> for String {
    fn from(op: Operator) -> String {
        op.0
    }
}
