//! Partitioning of the tables being read: the key of each partitioned table (`pg_get_partkeydef`) and its
//! partitions with their bounds and comments. Partitions are not tables of their own in the model (the
//! table query leaves them out), and neither are the indexes, constraints and triggers PostgreSQL clones
//! onto them from the parent: those are read once, on the parent.

use super::{IntrospectError, Tables};
use keel_core::model::Partition;
use sqlx::PgConnection;
use sqlx::postgres::types::Oid;

const KEYS: &str = "SELECT pt.partrelid, pg_get_partkeydef(pt.partrelid) FROM pg_partitioned_table pt \
                    WHERE pt.partrelid = ANY($1)";

const PARTITIONS: &str = "
SELECT i.inhparent, n.nspname::text, c.relname::text, pg_get_expr(c.relpartbound, c.oid),
       obj_description(c.oid, 'pg_class'), c.relkind = 'p'
FROM pg_inherits i
JOIN pg_class c ON c.oid = i.inhrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE i.inhparent = ANY($1) AND c.relispartition AND c.relkind IN ('r', 'p')
ORDER BY i.inhparent, c.relname";

pub(super) async fn read(conn: &mut PgConnection, oids: &[Oid], tables: &mut Tables) -> Result<(), IntrospectError> {
    let keys: Vec<(Oid, String)> = sqlx::query_as(KEYS).bind(oids).fetch_all(&mut *conn).await?;
    for (oid, key) in keys {
        if let Some((_, table)) = tables.get_mut(&oid.0) {
            table.partition_by = Some(key);
        }
    }
    let rows: Vec<(Oid, String, String, String, Option<String>, bool)> =
        sqlx::query_as(PARTITIONS).bind(oids).fetch_all(&mut *conn).await?;
    for (parent, schema, name, bound, comment, partitioned) in rows {
        let Some((parent_name, table)) = tables.get_mut(&parent.0) else { continue };
        if partitioned {
            return Err(IntrospectError::Unexpected(format!(
                "the partition {schema}.{name} of {parent_name} is partitioned itself; keel does not manage \
                 sub-partitioning"
            )));
        }
        let schema = (schema != parent_name.schema).then_some(schema);
        table.partitions.insert(name, Partition { bound, schema, comment });
    }
    Ok(())
}
