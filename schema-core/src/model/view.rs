use super::{Index, QualifiedName};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A view or materialized view, declared in SQL (`CREATE VIEW ... AS ...`). Its query is kept as
/// PostgreSQL prints it back (`pg_get_viewdef`), so two views compare equal exactly when the server stores
/// the same query for them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct View {
    /// The `SELECT` as the server prints it.
    pub query: String,
    /// `CREATE MATERIALIZED VIEW`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub materialized: bool,
    /// `WITH (...)` options as PostgreSQL stores them (`security_barrier=true`, `check_option=local`,
    /// storage parameters of a materialized view), sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    /// Output columns, in order, with their types as `format_type` prints them: `CREATE OR REPLACE VIEW`
    /// may only append columns, never change these.
    pub columns: Vec<ViewColumn>,
    /// Tables, views and their columns the query reads, from the catalog (`pg_depend`): what must be
    /// dropped with it before they change, and what must exist before it is created.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reads: Vec<ViewDependency>,
    /// Indexes of a materialized view, by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub indexes: BTreeMap<String, Index>,
    /// `COMMENT ON VIEW`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// An output column of a view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ViewColumn {
    /// The column's name.
    pub name: String,
    /// Its type as `format_type` prints it.
    #[serde(rename = "type")]
    pub ty: String,
}

/// A relation a view reads, or one column of it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ViewDependency {
    /// The table or view read.
    pub relation: QualifiedName,
    /// The column read; `None` for the relation as a whole.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
}

impl View {
    /// `VIEW` or `MATERIALIZED VIEW`, for statements.
    pub fn keyword(&self) -> &'static str {
        if self.materialized { "MATERIALIZED VIEW" } else { "VIEW" }
    }

    /// ` WITH (a=b, ...)`, or nothing.
    pub fn with_options(&self) -> String {
        if self.options.is_empty() { String::new() } else { format!(" WITH ({})", self.options.join(", ")) }
    }

    /// Whether the view reads `relation` (any column of it when `column` is `None`).
    pub fn reads(&self, relation: &QualifiedName, column: Option<&str>) -> bool {
        self.reads.iter().any(|d| {
            d.relation == *relation && (column.is_none() || d.column.is_none() || d.column.as_deref() == column)
        })
    }
}
