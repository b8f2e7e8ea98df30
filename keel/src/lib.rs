//! # keel
//!
//! Schema-as-code for PostgreSQL. Declare tables as Rust structs, enums as Rust enums:
//!
//! ```
//! use keel::{PgEnum, Table};
//!
//! #[derive(PgEnum)]
//! enum TransactionType { Purchase, Usage, Refund }
//!
//! #[derive(Table)]
//! #[keel(index(columns = "user_id, created_at DESC"))]
//! struct Transaction {
//!     id: uuid::Uuid,                        // uuid PRIMARY KEY DEFAULT gen_random_uuid()
//!     user_id: String,                       // text NOT NULL: auth ids are not UUIDs
//!     kind: TransactionType,                 // "public"."transaction_type" NOT NULL
//!     #[keel(sql_type = "numeric(12,2)")]
//!     amount: String,
//!     note: Option<String>,                  // nullable text
//!     created_at: chrono::DateTime<chrono::Utc>, // timestamptz NOT NULL DEFAULT now()
//! }
//!
//! let schema = keel::collect().unwrap();
//! let table = schema.table("public", "transactions").unwrap();
//! assert_eq!(table.columns.len(), 6);
//! assert!(table.indexes.contains_key("idx_transactions_user_id_created_at"));
//! ```
//!
//! The CLI (`keel`) and the `keel-diff` crate compare this model with a live database and plan the migration.
//! An app that applies the migrations when it starts enables the `migrate` feature and calls
//! [`migrate::migrate`](crate::migrate): that links the runtime only, not the planner.
//!
//! What this crate exports is what an app author uses: the derives and their traits, [`collect`], the
//! schema dump target ([`dump_schema_main!`]), the model, and `migrate`.

#![deny(missing_docs)]

/// `#[derive(Table)]`: a struct as a PostgreSQL table (see the derive reference in the guide).
pub use keel_macros::Table;

/// `#[derive(PgEnum)]`: a fieldless enum as a PostgreSQL enum type.
pub use keel_macros::PgEnum;

/// What the derives implement: a table's and an enum's definition (the [`Table`](trait@Table) and
/// [`PgEnum`](trait@PgEnum) traits), and the Rust type to column type mapping ([`SqlType`]).
pub use keel_core::{EnumDefinition, PgEnum, SqlType, Table, TableDefinition};

/// `Json<T>`: a typed jsonb column.
pub use keel_core::Json;

/// Every registered table and enum as one checked [`Schema`], and what can be wrong with them.
pub use keel_core::{CollectError, collect};

/// The model: what the derives declare and keel compares (a [`Schema`] of tables, columns, types,
/// constraints, indexes...). Its types are also at the crate's root, where the derives' expansion names them.
pub use keel_core::model;

/// The model's types (see [`model`]).
pub use keel_core::model::*;

/// The migration runtime (feature `migrate`): reads a `migrations/` directory as `sqlx migrate` does and
/// applies it under the migration lock, with retries, an overall timeout and checksums; what `keel migrate`
/// runs.
#[cfg(feature = "migrate")]
pub use keel_migrate as migrate;

/// The marker traits the derives check a field's type against (`varchar` needs text, `identity` an
/// integer, `json` a JSON document...): compile errors name them when an attribute does not fit its field.
pub mod types {
    pub use keel_core::types::capability;
}

/// Not public API: what the derives' expansion names.
#[doc(hidden)]
pub use keel_core::__private;

/// The body of an app's schema dump target: prints every registered table and enum as keel's schema JSON,
/// which the `keel` CLI reads when the schema source is the app crate. Exits with status 1 and a message
/// when the declarations contradict each other.
pub fn dump_schema() {
    match collect() {
        Ok(schema) => print!("{}", schema.to_json()),
        Err(e) => {
            eprintln!("keel: the declared schema is invalid: {e}");
            std::process::exit(1);
        }
    }
}

/// [`dump_schema`] for the dump target of the crate in `manifest_dir` (the directory it was built from).
///
/// keel runs the target with [`keel_core::dump::FOR_ENV`] set to the crate it wants. Two crates with one package name and
/// version (two checkouts of one app) that share a target directory can leave cargo running the other's
/// build as if it were fresh; the target then exits with status 3 instead of printing the wrong schema, and
/// keel rebuilds.
pub fn dump_schema_of(manifest_dir: &str) {
    if let Some(wanted) = std::env::var_os(keel_core::dump::FOR_ENV) {
        let canonical = |p: &std::path::Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
        let built_from = canonical(std::path::Path::new(manifest_dir));
        if canonical(std::path::Path::new(&wanted)) != built_from {
            eprintln!("keel: this schema dump target was built from {}", built_from.display());
            std::process::exit(keel_core::dump::BUILT_ELSEWHERE);
        }
    }
    dump_schema()
}

/// The whole of an app's schema dump target (`src/bin/keel-schema.rs`, written by `keel init`):
/// `keel::dump_schema_main!(my_app);` links the app's library, so its registered tables are collected,
/// and prints them.
#[macro_export]
macro_rules! dump_schema_main {
    ($app:ident) => {
        use $app as _;
        fn main() {
            $crate::dump_schema_of(env!("CARGO_MANIFEST_DIR"))
        }
    };
}
