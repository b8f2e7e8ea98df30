//! Table partitioning: the key of a partitioned table and its partitions with their bounds.
//!
//! A partition's columns are its parent's, and the indexes, constraints and triggers declared on the parent
//! reach every partition on their own: the model holds only what a partition adds, its bound (and where it
//! lives and its comment). Sub-partitioning is not modelled.

use serde::{Deserialize, Serialize};

/// One partition of a partitioned table (`CREATE TABLE p PARTITION OF t FOR VALUES ...`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Partition {
    /// The bound as `pg_get_expr(relpartbound)` prints it: `FOR VALUES FROM (..) TO (..)`,
    /// `FOR VALUES IN (..)`, `FOR VALUES WITH (modulus .., remainder ..)` or `DEFAULT`.
    pub bound: String,
    /// The partition's schema when it is not its parent's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// `COMMENT ON TABLE` of the partition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}
