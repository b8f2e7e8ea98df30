//! The file storage service of the team's database guidelines: the tables declared with keel's derives
//! ([`schema`](mod@schema)), and a small service over them on sqlx and tokio ([`service`]).
//!
//! The schema evolves once: `migrations/` holds the first release (`create_file_storage`) and the second
//! (`add_download_count`, generated online: the column, then its check validated without blocking writes).

pub mod schema;
pub mod service;

pub use schema::*;

/// The whole schema as keel sees it: every table this crate registers.
pub fn schema() -> Result<keel::Schema, keel::CollectError> {
    keel::collect()
}
