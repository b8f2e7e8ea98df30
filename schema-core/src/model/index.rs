use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A `CREATE INDEX` that no constraint owns (primary keys and unique constraints carry their own index).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Index {
    /// `CREATE UNIQUE INDEX`.
    #[serde(default)]
    pub unique: bool,
    /// The access method (`USING ...`).
    #[serde(default)]
    pub method: IndexMethod,
    /// The key columns and expressions, in order.
    pub keys: Vec<IndexKey>,
    /// Non-key columns stored in the index (`INCLUDE (...)`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include: Vec<String>,
    /// The `WHERE` predicate of a partial index, as SQL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predicate: Option<String>,
    /// `NULLS NOT DISTINCT` on a unique index (PostgreSQL 15).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub nulls_not_distinct: bool,
    /// Storage parameters (`WITH (fillfactor = 70)`), by name, values as PostgreSQL prints them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub storage: BTreeMap<String, String>,
    /// Left INVALID by a `CREATE INDEX CONCURRENTLY` that failed: never used by queries, still maintained on
    /// every write. Never declared, so it differs from the declaration and is rebuilt.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub invalid: bool,
    /// `COMMENT ON INDEX`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Index {
    /// A plain btree index over these columns, ascending.
    pub fn on_columns<S: Into<String>>(columns: impl IntoIterator<Item = S>) -> Index {
        Index::new(columns.into_iter().map(|c| IndexKey::column(c)))
    }

    /// A btree index over these keys, not unique, with nothing else set.
    pub fn new(keys: impl IntoIterator<Item = IndexKey>) -> Index {
        Index {
            unique: false,
            method: IndexMethod::Btree,
            keys: keys.into_iter().collect(),
            include: Vec::new(),
            predicate: None,
            nulls_not_distinct: false,
            storage: BTreeMap::new(),
            invalid: false,
            comment: None,
        }
    }

    /// `CREATE UNIQUE INDEX` when `unique`.
    pub fn with_unique(mut self, unique: bool) -> Index {
        self.unique = unique;
        self
    }

    /// `USING method`.
    pub fn with_method(mut self, method: IndexMethod) -> Index {
        self.method = method;
        self
    }

    /// `INCLUDE (columns)`.
    pub fn with_include<S: Into<String>>(mut self, columns: impl IntoIterator<Item = S>) -> Index {
        self.include = columns.into_iter().map(Into::into).collect();
        self
    }

    /// A partial index: `WHERE predicate`.
    pub fn with_predicate(mut self, predicate: impl Into<String>) -> Index {
        self.predicate = Some(predicate.into());
        self
    }

    /// `COMMENT ON INDEX`.
    pub fn with_comment(mut self, comment: impl Into<String>) -> Index {
        self.comment = Some(comment.into());
        self
    }
}

impl Index {
    /// Columns the index names directly: plain keys, then `INCLUDE` columns.
    pub fn columns(&self) -> impl Iterator<Item = &String> {
        key_columns(&self.keys).chain(&self.include)
    }

    /// SQL the index evaluates: expression keys, then the predicate.
    pub fn expressions(&self) -> Vec<&str> {
        key_expressions(&self.keys).chain(self.predicate.as_deref()).collect()
    }

    /// The columns of a unique index over plain columns without a predicate: a key a foreign key can use.
    pub fn unique_columns(&self) -> Option<Vec<String>> {
        if !self.unique || self.predicate.is_some() {
            return None;
        }
        self.keys.iter().map(|k| k.on.as_column().cloned()).collect()
    }
}

/// The plain-column keys among `keys`.
pub fn key_columns(keys: &[IndexKey]) -> impl Iterator<Item = &String> {
    keys.iter().filter_map(|k| k.on.as_column())
}

/// The expression keys among `keys`, as SQL.
pub fn key_expressions(keys: &[IndexKey]) -> impl Iterator<Item = &str> {
    keys.iter().filter_map(|k| k.on.as_expression())
}

/// An index access method (`USING ...`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IndexMethod {
    /// B-tree: equality and order (the default).
    #[default]
    Btree,
    /// Hash: equality only.
    Hash,
    /// GiST: geometric types, ranges, exclusion constraints.
    Gist,
    /// SP-GiST: space-partitioned data.
    Spgist,
    /// GIN: arrays, `jsonb`, full text.
    Gin,
    /// BRIN: block ranges of naturally ordered data.
    Brin,
}

impl IndexMethod {
    /// Every method, the default first.
    pub const ALL: [IndexMethod; 6] = [
        IndexMethod::Btree,
        IndexMethod::Hash,
        IndexMethod::Gist,
        IndexMethod::Spgist,
        IndexMethod::Gin,
        IndexMethod::Brin,
    ];

    /// The access method's name in `pg_am`.
    pub fn name(self) -> &'static str {
        match self {
            IndexMethod::Btree => "btree",
            IndexMethod::Hash => "hash",
            IndexMethod::Gist => "gist",
            IndexMethod::Spgist => "spgist",
            IndexMethod::Gin => "gin",
            IndexMethod::Brin => "brin",
        }
    }

    /// The method named `name` (any case), if it is one of these.
    pub fn parse(name: &str) -> Option<IndexMethod> {
        IndexMethod::ALL.into_iter().find(|m| m.name().eq_ignore_ascii_case(name.trim()))
    }
}

/// One key of an index: a column or an expression, with its operator class and ordering.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndexKey {
    /// What the key indexes.
    pub on: KeyExpression,
    /// A collation other than the column's (`COLLATE "C"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
    /// A non-default operator class, e.g. `text_pattern_ops`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opclass: Option<String>,
    /// `ASC` or `DESC`.
    #[serde(default, skip_serializing_if = "SortOrder::is_default")]
    pub order: SortOrder,
    /// Always stored explicitly: PostgreSQL's default depends on `order` (ASC → last, DESC → first).
    pub nulls: NullsOrder,
}

impl IndexKey {
    /// An ascending key on a column, nulls last (PostgreSQL's default).
    pub fn column(name: impl Into<String>) -> IndexKey {
        IndexKey {
            on: KeyExpression::Column(name.into()),
            collation: None,
            opclass: None,
            order: SortOrder::Asc,
            nulls: NullsOrder::Last,
        }
    }

    /// An ascending key on an expression, nulls last.
    pub fn expression(sql: impl Into<String>) -> IndexKey {
        IndexKey { on: KeyExpression::Expression(sql.into()), ..IndexKey::column("") }
    }

    /// Descending, with PostgreSQL's default for it (nulls first).
    pub fn desc(mut self) -> IndexKey {
        self.order = SortOrder::Desc;
        self.nulls = NullsOrder::First;
        self
    }

    /// `NULLS FIRST` when `first`, else `NULLS LAST`.
    pub fn with_nulls_first(mut self, first: bool) -> IndexKey {
        self.nulls = if first { NullsOrder::First } else { NullsOrder::Last };
        self
    }

    /// A non-default operator class.
    pub fn with_opclass(mut self, opclass: impl Into<String>) -> IndexKey {
        self.opclass = Some(opclass.into());
        self
    }
}

/// What an index key indexes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyExpression {
    /// A column, by name.
    Column(String),
    /// An expression, as SQL.
    Expression(String),
}

impl KeyExpression {
    /// The column, for a column key.
    pub fn as_column(&self) -> Option<&String> {
        match self {
            KeyExpression::Column(c) => Some(c),
            KeyExpression::Expression(_) => None,
        }
    }

    /// The SQL, for an expression key.
    pub fn as_expression(&self) -> Option<&str> {
        match self {
            KeyExpression::Expression(sql) => Some(sql),
            KeyExpression::Column(_) => None,
        }
    }
}

/// The order of an index key.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortOrder {
    /// `ASC` (the default).
    #[default]
    Asc,
    /// `DESC`.
    Desc,
}

impl SortOrder {
    fn is_default(&self) -> bool {
        *self == SortOrder::Asc
    }
}

/// Where nulls sort in an index key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NullsOrder {
    /// `NULLS FIRST`.
    First,
    /// `NULLS LAST`.
    Last,
}
