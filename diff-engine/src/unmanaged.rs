//! Objects keel does not manage yet: triggers on views, constraint triggers, aggregates, grants.
//! keel never drops them; it lists them, and warns when a plan changes a table or column one depends on.

use keel_core::model::QualifiedName;
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Unmanaged {
    /// `trigger`, `aggregate`, `grants`.
    pub kind: String,
    pub name: QualifiedName,
    /// Tables, or columns of tables, it reads or is attached to.
    pub depends_on: Vec<Dependency>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Dependency {
    pub table: QualifiedName,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
}

impl Unmanaged {
    /// Whether a change to `table` (or to its `column`) affects this object. Changing a whole table affects
    /// everything that depends on any part of it.
    pub fn depends_on(&self, table: &QualifiedName, column: Option<&str>) -> bool {
        self.depends_on
            .iter()
            .any(|d| d.table == *table && (column.is_none() || d.column.is_none() || d.column.as_deref() == column))
    }

    pub fn describe(&self) -> String {
        format!("{} {}", self.kind, self.name)
    }
}

const UNMANAGED: &str = "
WITH user_ns AS (
    SELECT oid, nspname FROM pg_namespace
    WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND nspname NOT LIKE 'pg\\_%'
      AND ($1::text[] IS NULL OR nspname = ANY($1::text[]))
)
SELECT 'trigger', tn.nspname::text, tg.tgname::text, tn.nspname::text, t.relname::text, NULL
FROM pg_trigger tg JOIN pg_class t ON t.oid = tg.tgrelid JOIN user_ns tn ON tn.oid = t.relnamespace
WHERE NOT tg.tgisinternal AND (t.relkind NOT IN ('r', 'p') OR tg.tgconstraint <> 0)
UNION ALL
SELECT 'grants', tn.nspname::text, t.relname::text, tn.nspname::text, t.relname::text, NULL
FROM pg_class t JOIN user_ns tn ON tn.oid = t.relnamespace
WHERE t.relkind IN ('r', 'p') AND t.relacl IS NOT NULL
UNION ALL
SELECT 'aggregate', n.nspname::text, p.proname::text, NULL, NULL, NULL
FROM pg_proc p JOIN user_ns n ON n.oid = p.pronamespace
WHERE p.prokind = 'a' AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = 'pg_proc'::regclass AND e.objid = p.oid
                  AND e.deptype = 'e')";

type Row = (String, String, String, Option<String>, Option<String>, Option<String>);

/// Every unmanaged object in the schemas named in `only` (all non-system schemas when `None`), with what
/// it depends on. One query, whatever the size of the database.
pub async fn unmanaged(conn: &mut PgConnection, only: Option<&[String]>) -> Result<Vec<Unmanaged>, sqlx::Error> {
    let only: Option<Vec<String>> = only.map(<[String]>::to_vec);
    let rows: Vec<Row> = sqlx::query_as(UNMANAGED).bind(&only).fetch_all(conn).await?;
    let mut objects: BTreeMap<(String, QualifiedName), Vec<Dependency>> = BTreeMap::new();
    for (kind, schema, name, dep_schema, dep_table, column) in rows {
        let deps = objects.entry((kind, QualifiedName::new(schema, name))).or_default();
        if let (Some(s), Some(t)) = (dep_schema, dep_table) {
            deps.push(Dependency { table: QualifiedName::new(s, t), column });
        }
    }
    Ok(objects
        .into_iter()
        .map(|((kind, name), mut depends_on)| {
            depends_on.sort();
            depends_on.dedup();
            Unmanaged { kind, name, depends_on }
        })
        .collect())
}
