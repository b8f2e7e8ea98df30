//! The credits service against a real PostgreSQL, in databases migrated by keel's runner from `migrations/`.
//! One test binary: each module is one concern.

mod enums;
mod evolution;
mod locking;
mod metadata;
mod settings;
mod support;
