//! A small credits service on sqlx + tokio whose tables are declared with keel's derives:
//!
//! - [`schema`]: `credit_balances` (an optimistic-lock `version`), `credit_transactions` (the ledger: a
//!   `transaction_type` enum, typed jsonb metadata with a GIN index), `user_settings` (typed jsonb, upserted);
//! - [`balances`]: read a balance, change it only if nobody else did (`CreditsError::Conflict` otherwise);
//! - [`transactions`]: the ledger, searched by metadata containment (`@>`);
//! - [`settings`]: `INSERT ... ON CONFLICT (user_id) DO UPDATE`.
//!
//! The migrations in `migrations/` are keel's output for these structs (`keel generate`).

pub mod balances;
pub mod documents;
pub mod error;
pub mod schema;
pub mod settings;
pub mod transactions;

pub use balances::{Change, Recorded, adjust, apply_change, get_balance, get_or_create_balance, grant, spend};
pub use documents::{Metadata, Settings};
pub use error::CreditsError;
pub use schema::{CreditBalance, CreditTransaction, TransactionType, UserSettingsRow};
pub use settings::{get_settings, upsert_settings};
pub use transactions::{find_transactions_by_metadata, list_transactions};

/// The `migrations/` directory of this crate, for the demo's start-up migration and the tests. (A deployed
/// service would ship the directory next to its binary: keel's runner reads files, it does not embed them.)
pub fn migrations_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations")
}
