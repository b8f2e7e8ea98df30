//! The SQL of indexes.

use crate::render::comment_on;
use crate::sql;
use crate::sql::{Ident, Idents, Keyword, Literal, Name, Printed, Sql};
use keel_core::model::{Index, IndexKey, IndexMethod, KeyExpression, NullsOrder, QualifiedName, SortOrder};
use std::collections::BTreeMap;

/// One index key: `"col" "opclass" DESC NULLS LAST` or `(expression) ...`.
pub(crate) fn index_key(key: &IndexKey) -> Sql {
    let mut sql = match &key.on {
        KeyExpression::Column(c) => sql!("{}", Ident::new(c)),
        KeyExpression::Expression(e) => sql!("({})", Printed::new(e)),
    };
    if let Some(collation) = &key.collation {
        sql.push(sql!(" COLLATE {}", Ident::new(collation)));
    }
    if let Some(opclass) = &key.opclass {
        sql.push(sql!(" {}", Ident::new(opclass)));
    }
    if key.order == SortOrder::Desc {
        sql.push(Keyword(" DESC"));
    }
    // Only say NULLS when it differs from the default for the order.
    let default_nulls = if key.order == SortOrder::Desc { NullsOrder::First } else { NullsOrder::Last };
    if key.nulls != default_nulls {
        sql.push(Keyword(if key.nulls == NullsOrder::First { " NULLS FIRST" } else { " NULLS LAST" }));
    }
    sql
}

pub(crate) fn create_index(table: &QualifiedName, name: &str, index: &Index) -> Sql {
    create_index_with(table, name, index, false)
}

/// `CREATE [UNIQUE] INDEX [CONCURRENTLY] ...`.
pub(crate) fn create_index_with(table: &QualifiedName, name: &str, index: &Index, concurrently: bool) -> Sql {
    create_index_on(table, false, name, index, concurrently)
}

/// `CREATE [UNIQUE] INDEX [CONCURRENTLY] name ON [ONLY] table ...`.
pub(crate) fn create_index_on(table: &QualifiedName, only: bool, name: &str, index: &Index, concurrently: bool) -> Sql {
    let keys = Sql::join(index.keys.iter().map(index_key), ", ");
    let method = (index.method != IndexMethod::Btree).then(|| sql!(" USING {}", Printed::new(index.method.name())));
    let mut sql = sql!(
        "CREATE {}INDEX {}{} ON {}{}{} ({})",
        Keyword(if index.unique { "UNIQUE " } else { "" }),
        Keyword(if concurrently { "CONCURRENTLY " } else { "" }),
        Ident::new(name),
        Keyword(if only { "ONLY " } else { "" }),
        table,
        method,
        keys,
    );
    if !index.include.is_empty() {
        sql.push(sql!(" INCLUDE ({})", Idents::new(&index.include)));
    }
    if index.nulls_not_distinct {
        sql.push(Keyword(" NULLS NOT DISTINCT"));
    }
    if !index.storage.is_empty() {
        let options = index.storage.iter().map(|(k, v)| sql!("{} = {}", Ident::new(k), Literal::new(v)));
        sql.push(sql!(" WITH ({})", Sql::join(options, ", ")));
    }
    if let Some(predicate) = &index.predicate {
        sql.push(sql!(" WHERE {}", Printed::new(predicate)));
    }
    sql
}

/// `DROP INDEX [CONCURRENTLY] "schema"."name"`.
pub(crate) fn drop(table: &QualifiedName, name: &str, concurrently: bool) -> Sql {
    sql!(
        "DROP INDEX {}{}",
        Keyword(if concurrently { "CONCURRENTLY " } else { "" }),
        Name::in_schema(&table.schema, name)
    )
}

pub(crate) fn rename(table: &QualifiedName, from: &str, to: &str) -> Sql {
    sql!("ALTER INDEX {} RENAME TO {}", Name::in_schema(&table.schema, from), Ident::new(to))
}

pub(crate) fn comment(table: &QualifiedName, name: &str, comment: Option<&String>) -> Sql {
    comment_on("INDEX", QualifiedName::new(&table.schema, name), comment)
}

/// `COMMENT ON INDEX` for the indexes (of a table or materialized view `on`) that carry one.
pub(crate) fn comments(on: &QualifiedName, indexes: &BTreeMap<String, Index>) -> Vec<Sql> {
    let comment = |n: &String, c: &String| comment_on("INDEX", Name::in_schema(&on.schema, n), Some(c));
    indexes.iter().filter_map(|(n, i)| i.comment.as_ref().map(|c| comment(n, c))).collect()
}
