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
