//! Who holds a lock another statement waited for; the advisory lock `keel push` takes lives with the
//! runtime (keel-migrate) and is re-exported here.

pub use keel_migrate::locks::*;

use crate::render::qualified;
use keel_core::model::QualifiedName;
use sqlx::PgConnection;

/// The session holding a lock on `relation`, or, when it is not known, on a relation that `statement`
/// names (keel renders names with [`qualified`]), else on any relation of the database: the oldest
/// transaction first. Called once a statement gave up waiting, so the holder usually still holds it.
pub async fn relation_holder(
    conn: &mut PgConnection,
    relation: Option<&QualifiedName>,
    statement: &str,
) -> Result<Option<Holder>, sqlx::Error> {
    let rows: Vec<(Option<i32>, Option<String>, String, String)> = sqlx::query_as(
        "SELECT l.pid, NULLIF(a.application_name, ''), n.nspname::text, c.relname::text FROM pg_locks l \
         JOIN pg_class c ON c.oid = l.relation JOIN pg_namespace n ON n.oid = c.relnamespace \
         LEFT JOIN pg_stat_activity a ON a.pid = l.pid \
         WHERE l.locktype = 'relation' AND l.granted AND l.pid <> pg_backend_pid() \
           AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) \
           AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' \
         ORDER BY a.xact_start NULLS LAST, l.pid",
    )
    .fetch_all(conn)
    .await?;
    let holders: Vec<(Holder, QualifiedName)> = rows
        .into_iter()
        .filter_map(|(pid, application, schema, name)| {
            Some((Holder { pid: pid?, application }, QualifiedName { schema, name }))
        })
        .collect();
    let on = |wanted: &dyn Fn(&QualifiedName) -> bool| holders.iter().find(|(_, r)| wanted(r)).map(|(h, _)| h.clone());
    Ok(match relation {
        Some(relation) => on(&|r| r == relation),
        None => on(&|r| statement.contains(&qualified(r))).or_else(|| on(&|_| true)),
    })
}
