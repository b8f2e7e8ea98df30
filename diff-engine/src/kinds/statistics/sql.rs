//! The SQL of extended statistics. Names are quoted; expressions are the catalog's text, in parentheses.

use crate::render::{comment_on, qualified};
use keel_core::model::{KeyExpression, QualifiedName, Schema, Statistics, StatisticsKind};
use keel_core::sql::quote_ident;

/// `CREATE STATISTICS`. The kinds are listed only when they are not every kind: an object with a single
/// expression key takes none, and no list means every kind.
pub(super) fn create(name: &QualifiedName, statistics: &Statistics) -> String {
    let every_kind = statistics.kinds.len() == StatisticsKind::ALL.len() || statistics.kinds.is_empty();
    let kinds = if every_kind {
        String::new()
    } else {
        let kinds: Vec<&str> = statistics.kinds.iter().map(|k| k.keyword()).collect();
        format!(" ({})", kinds.join(", "))
    };
    let keys: Vec<String> = statistics
        .keys
        .iter()
        .map(|key| match key {
            KeyExpression::Column(column) => quote_ident(column),
            KeyExpression::Expression(sql) => format!("({sql})"),
        })
        .collect();
    format!("CREATE STATISTICS {}{kinds} ON {} FROM {}", qualified(name), keys.join(", "), qualified(&statistics.table))
}

pub(super) fn drop(name: &QualifiedName) -> String {
    format!("DROP STATISTICS {}", qualified(name))
}

/// `ALTER STATISTICS ... SET STATISTICS`: -1 is the default on every version keel supports.
pub(super) fn set_target(name: &QualifiedName, target: Option<i32>) -> String {
    format!("ALTER STATISTICS {} SET STATISTICS {}", qualified(name), target.unwrap_or(-1))
}

pub(super) fn comment(name: &QualifiedName, comment: Option<&String>) -> String {
    comment_on("STATISTICS", &qualified(name), comment)
}

/// Every statistics object of `schema`, for a schema created from nothing (after its tables).
pub(crate) fn create_all(schema: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    for (name, statistics) in schema.statistics() {
        out.push(create(&name, statistics));
        if statistics.target.is_some() {
            out.push(set_target(&name, statistics.target));
        }
        if statistics.comment.is_some() {
            out.push(comment(&name, statistics.comment.as_ref()));
        }
    }
    out
}
