//! The service's one error type.

use std::fmt;
use uuid::Uuid;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What a service call fails with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The row does not exist, is soft-deleted, or belongs to another user: the three are one answer so a
    /// caller cannot probe for other users' ids.
    #[error("{kind} {id} not found")]
    NotFound { kind: Kind, id: Uuid },
    /// `files.storage_key` is unique across all users: the key names the object in the bucket.
    #[error("storage key {0:?} is already in use")]
    StorageKeyTaken(String),
    /// Tag names are unique per user (`tags_user_id_name_key`).
    #[error("a tag named {0:?} already exists")]
    TagExists(String),
    #[error("invalid page request: {0}")]
    InvalidPage(&'static str),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

/// Which kind of row a [`Error::NotFound`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    File,
    Folder,
    Tag,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::File => "file",
            Kind::Folder => "folder",
            Kind::Tag => "tag",
        })
    }
}

impl Error {
    pub(crate) fn not_found(kind: Kind, id: Uuid) -> Error {
        Error::NotFound { kind, id }
    }
}

/// Whether `error` is PostgreSQL refusing a duplicate under the unique constraint named `constraint`.
pub(crate) fn violates_unique(error: &sqlx::Error, constraint: &str) -> bool {
    match error {
        sqlx::Error::Database(e) => e.is_unique_violation() && e.constraint() == Some(constraint),
        _ => false,
    }
}
