//! keel's schema model and everything about it that needs no database: the model itself and its JSON form,
//! the Rust type mapping, naming conventions, the traits the derives implement, and the registry.
//!
//! Apps use this through the `keel` facade crate.

pub mod conventions;
pub mod definition;
pub mod grammar;
pub mod json;
pub mod model;
pub mod naming;
pub mod registry;
pub mod sql;
pub mod types;

pub use definition::{EnumDefinition, PgEnum, Table, TableDefinition};
pub use model::*;
pub use registry::{CollectError, collect};
pub use types::{Json, SqlType, VecElement};

/// The protocol between the `keel` CLI and an app's schema dump target (`keel::dump_schema_main!`).
pub mod dump {
    /// keel sets it to the directory of the crate whose schema it wants.
    pub const FOR_ENV: &str = "KEEL_DUMP_FOR";
    /// The exit status of a dump target that was built from another crate directory: cargo took another
    /// checkout's build (same package name and version, one target directory) for this crate's.
    pub const BUILT_ELSEWHERE: i32 = 3;
}

/// Not public API: what the derives' generated code names.
#[doc(hidden)]
pub mod __private {
    pub use crate::registry::Registration;
    pub use crate::types::capability;
    pub use inventory;

    use crate::ColumnType;

    /// A field's column type as `varchar(length)` (an array of it for an array field).
    pub fn with_varchar(base: ColumnType, length: u32) -> ColumnType {
        base.with_scalar(ColumnType::Varchar { length: Some(length) })
    }

    /// A field's column type as `char(length)`.
    pub fn with_char(base: ColumnType, length: u32) -> ColumnType {
        base.with_scalar(ColumnType::Char { length: Some(length) })
    }

    /// A field's column type as `json` rather than `jsonb`.
    pub fn with_json(base: ColumnType) -> ColumnType {
        base.with_scalar(ColumnType::Json)
    }

    /// A field's column type with `precision`/`scale` applied to its numeric or time scalar.
    pub fn with_precision(base: ColumnType, precision: u8, scale: Option<u16>) -> ColumnType {
        let scalar = match base.scalar().clone() {
            ColumnType::Numeric { .. } => {
                ColumnType::Numeric { precision: Some(precision.into()), scale: Some(scale.unwrap_or(0)) }
            }
            ColumnType::Time { with_time_zone, .. } => ColumnType::Time { precision: Some(precision), with_time_zone },
            ColumnType::Timestamp { with_time_zone, .. } => {
                ColumnType::Timestamp { precision: Some(precision), with_time_zone }
            }
            // The derive only allows `precision` on types whose capability says they take one.
            other => other,
        };
        base.with_scalar(scalar)
    }
}
