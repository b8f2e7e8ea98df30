//! keel's schema model and everything about it that needs no database: the model itself and its JSON form,
//! the Rust type mapping, naming conventions, the traits the derives implement, and the registry.
//!
//! Apps use this through the `keel` facade crate.

pub mod definition;
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

/// Not public API: what the derives' generated code names.
#[doc(hidden)]
pub mod __private {
    pub use crate::registry::Registration;
    pub use crate::types::capability;
    pub use inventory;

    /// The column type of a field, refined by its attributes (`varchar = 5` keeps `Vec<String>` an array).
    pub fn refine(base: crate::ColumnType, scalar: Option<crate::ColumnType>) -> crate::ColumnType {
        match scalar {
            Some(scalar) => base.with_scalar(scalar),
            None => base,
        }
    }
}
