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

pub use keel_core::*;
pub use keel_macros::{PgEnum, Table};

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
/// keel runs the target with [`dump::FOR_ENV`] set to the crate it wants. Two crates with one package name and
/// version (two checkouts of one app) that share a target directory can leave cargo running the other's
/// build as if it were fresh; the target then exits with status 3 instead of printing the wrong schema, and
/// keel rebuilds.
pub fn dump_schema_of(manifest_dir: &str) {
    if let Some(wanted) = std::env::var_os(dump::FOR_ENV) {
        let canonical = |p: &std::path::Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
        let built_from = canonical(std::path::Path::new(manifest_dir));
        if canonical(std::path::Path::new(&wanted)) != built_from {
            eprintln!("keel: this schema dump target was built from {}", built_from.display());
            std::process::exit(dump::BUILT_ELSEWHERE);
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
