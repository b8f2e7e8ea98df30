//! Extended statistics (`CREATE STATISTICS`): what the planner learns about several columns together.

use super::{KeyExpression, QualifiedName};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// An extended statistics object (`CREATE STATISTICS name (kinds) ON keys FROM table`). It lives in a schema of
/// its own choosing, so the model keeps it in that schema's namespace, keyed by its name, naming its table.
/// Declared in SQL files; introspection reads `pg_statistic_ext`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Statistics {
    /// The table the statistics are gathered on.
    pub table: QualifiedName,
    /// What the statistics cover: the columns in the table's column order, then the expressions
    /// (PostgreSQL 14) as the catalog prints them.
    pub keys: Vec<KeyExpression>,
    /// The kinds asked for. PostgreSQL adds expression statistics itself whenever there is an expression key,
    /// so `expressions` is not one of them.
    pub kinds: BTreeSet<StatisticsKind>,
    /// `ALTER STATISTICS ... SET STATISTICS n`; `None` is the default (the columns' own targets).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<i32>,
    /// `COMMENT ON STATISTICS`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Statistics {
    /// Statistics of every kind on these columns of `table`.
    pub fn on_columns<S: Into<String>>(table: QualifiedName, columns: impl IntoIterator<Item = S>) -> Statistics {
        Statistics {
            table,
            keys: columns.into_iter().map(|c| KeyExpression::Column(c.into())).collect(),
            kinds: StatisticsKind::ALL.into_iter().collect(),
            target: None,
            comment: None,
        }
    }

    /// The columns the statistics name directly.
    pub fn columns(&self) -> impl Iterator<Item = &String> {
        self.keys.iter().filter_map(KeyExpression::as_column)
    }

    /// The expression keys, as SQL.
    pub fn expressions(&self) -> impl Iterator<Item = &str> {
        self.keys.iter().filter_map(KeyExpression::as_expression)
    }

    /// Whether the object must be dropped and created again to turn into `other`: everything but the target
    /// and the comment is fixed at `CREATE STATISTICS`.
    pub fn recreated_as(&self, other: &Statistics) -> bool {
        self.table != other.table || self.keys != other.keys || self.kinds != other.kinds
    }
}

/// One kind of extended statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatisticsKind {
    /// N-distinct counts of column combinations (`stxkind` `d`).
    Ndistinct,
    /// Functional dependencies between columns (`f`).
    Dependencies,
    /// Most-common-value lists of combinations (`m`).
    Mcv,
}

impl StatisticsKind {
    /// Every kind, in the order `CREATE STATISTICS` lists them.
    pub const ALL: [StatisticsKind; 3] = [StatisticsKind::Ndistinct, StatisticsKind::Dependencies, StatisticsKind::Mcv];

    /// The kind's keyword in `CREATE STATISTICS name (kind, ...)`.
    pub fn keyword(self) -> &'static str {
        match self {
            StatisticsKind::Ndistinct => "ndistinct",
            StatisticsKind::Dependencies => "dependencies",
            StatisticsKind::Mcv => "mcv",
        }
    }

    /// The kind of a `pg_statistic_ext.stxkind` letter; `None` for `e` (expressions), which is implied.
    pub fn from_catalog(letter: &str) -> Option<StatisticsKind> {
        match letter {
            "d" => Some(StatisticsKind::Ndistinct),
            "f" => Some(StatisticsKind::Dependencies),
            "m" => Some(StatisticsKind::Mcv),
            _ => None,
        }
    }
}
