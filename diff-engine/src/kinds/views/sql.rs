//! The SQL of views and materialized views.

use crate::render::comment_on;
use crate::sql;
use crate::sql::{Keyword, Printed, Sql};
use keel_core::model::{QualifiedName, Schema, View};

/// `MATERIALIZED VIEW` or `VIEW`: the object kind statements name.
pub(crate) fn kind(materialized: bool) -> &'static str {
    if materialized { "MATERIALIZED VIEW" } else { "VIEW" }
}

/// `CREATE VIEW` or `CREATE MATERIALIZED VIEW`, with its options.
pub(crate) fn create(name: &QualifiedName, view: &View) -> Sql {
    sql!("CREATE {} {}{} AS\n{}", Keyword(view.keyword()), name, options(view), Printed::new(&view.query))
}

/// `CREATE OR REPLACE VIEW`, with its options.
pub(crate) fn replace(name: &QualifiedName, view: &View) -> Sql {
    sql!("CREATE OR REPLACE VIEW {}{} AS\n{}", name, options(view), Printed::new(&view.query))
}

/// `DROP VIEW` or `DROP MATERIALIZED VIEW`.
pub(crate) fn drop(name: &QualifiedName, view: &View) -> Sql {
    sql!("DROP {} {}", Keyword(view.keyword()), name)
}

pub(crate) fn comment(name: &QualifiedName, materialized: bool, comment: Option<&String>) -> Sql {
    comment_on(kind(materialized), name, comment)
}

/// ` WITH (option=value, ...)`, as the catalog prints a view's options.
fn options(view: &View) -> Sql {
    let options = view.with_options();
    sql!("{}", Printed::new(&options))
}

/// Views, each after the views it reads (their names order the rest).
pub(crate) fn in_dependency_order(schema: &Schema) -> Vec<(QualifiedName, &View)> {
    let mut pending: Vec<(QualifiedName, &View)> = schema.views().collect();
    let mut out: Vec<(QualifiedName, &View)> = Vec::new();
    while !pending.is_empty() {
        let waits = |view: &View, pending: &[(QualifiedName, &View)]| {
            pending.iter().any(|(other, _)| view.reads.iter().any(|d| d.relation == *other))
        };
        let ready = pending.iter().position(|(_, v)| !waits(v, &pending)).unwrap_or(0);
        out.push(pending.remove(ready));
    }
    out
}
