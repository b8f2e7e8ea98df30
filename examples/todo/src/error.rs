//! What the service's functions can fail with.

use std::fmt;
use uuid::Uuid;

/// Which kind of row a [`TodoError::NotFound`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entity {
    List,
    Todo,
}

impl fmt::Display for Entity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Entity::List => "todo list",
            Entity::Todo => "todo",
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TodoError {
    /// No such row for this user: it does not exist, is soft-deleted, or belongs to someone else. The three
    /// are one answer so that a user cannot probe for other users' ids.
    #[error("{entity} {id} not found")]
    NotFound { entity: Entity, id: Uuid },
    /// Input the service refuses before it reaches the database.
    #[error("invalid {field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

impl TodoError {
    pub(crate) fn not_found(entity: Entity, id: Uuid) -> TodoError {
        TodoError::NotFound { entity, id }
    }
}
