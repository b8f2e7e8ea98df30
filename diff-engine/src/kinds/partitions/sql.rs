//! The SQL of partitions.

use crate::render::comment_on;
use crate::sql;
use crate::sql::{Printed, Sql};
use keel_core::model::{Partition, QualifiedName};

/// `CREATE TABLE .. PARTITION OF .. FOR VALUES ..`.
pub(crate) fn create(table: &QualifiedName, name: &QualifiedName, partition: &Partition) -> Sql {
    sql!("CREATE TABLE {} PARTITION OF {} {}", name, table, Printed::new(&partition.bound))
}

/// `DROP TABLE` of the partition alone.
pub(crate) fn drop(name: &QualifiedName) -> Sql {
    sql!("DROP TABLE {}", name)
}

/// `ALTER TABLE .. DETACH PARTITION ..`.
pub(crate) fn detach(table: &QualifiedName, name: &QualifiedName) -> Sql {
    sql!("ALTER TABLE {} DETACH PARTITION {}", table, name)
}

/// `ALTER TABLE .. ATTACH PARTITION .. FOR VALUES ..`.
pub(crate) fn attach(table: &QualifiedName, name: &QualifiedName, bound: &str) -> Sql {
    sql!("ALTER TABLE {} ATTACH PARTITION {} {}", table, name, Printed::new(bound))
}

/// A partition is commented as the table it is.
pub(crate) fn comment(name: &QualifiedName, comment: Option<&String>) -> Sql {
    comment_on("TABLE", name, comment)
}
