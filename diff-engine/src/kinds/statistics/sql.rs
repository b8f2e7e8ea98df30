//! The SQL of extended statistics. Names are quoted; expressions are the catalog's text, in parentheses.

use crate::render::comment_on;
use crate::sql;
use crate::sql::{Ident, Keyword, Printed, Sql};
use keel_core::model::{KeyExpression, QualifiedName, Schema, Statistics, StatisticsKind};

/// `CREATE STATISTICS`. The kinds are listed only when they are not every kind: an object with a single
/// expression key takes none, and no list means every kind.
pub(super) fn create(name: &QualifiedName, statistics: &Statistics) -> Sql {
    let every_kind = statistics.kinds.len() == StatisticsKind::ALL.len() || statistics.kinds.is_empty();
    let kinds = (!every_kind).then(|| {
        let kinds = statistics.kinds.iter().map(|k| Keyword(k.keyword()));
        sql!(" ({})", Sql::join(kinds, ", "))
    });
    let keys = statistics.keys.iter().map(|key| match key {
        KeyExpression::Column(column) => sql!("{}", Ident::new(column)),
        KeyExpression::Expression(text) => sql!("({})", Printed::new(text)),
    });
    sql!("CREATE STATISTICS {}{} ON {} FROM {}", name, kinds, Sql::join(keys, ", "), statistics.table)
}

pub(super) fn drop(name: &QualifiedName) -> Sql {
    sql!("DROP STATISTICS {}", name)
}

/// `ALTER STATISTICS ... SET STATISTICS`: -1 is the default on every version keel supports.
pub(super) fn set_target(name: &QualifiedName, target: Option<i32>) -> Sql {
    sql!("ALTER STATISTICS {} SET STATISTICS {}", name, i64::from(target.unwrap_or(-1)))
}

pub(super) fn comment(name: &QualifiedName, comment: Option<&String>) -> Sql {
    comment_on("STATISTICS", name, comment)
}

/// Every statistics object of `schema`, for a schema created from nothing (after its tables).
pub(crate) fn create_all(schema: &Schema) -> Vec<Sql> {
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
