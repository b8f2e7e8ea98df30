//! The service's tables, declared once: keel reads them for migrations and lint, sqlx reads rows into them.
//!
//! `user_id` is `String` (text) on purpose: the ids come from an external auth system
//! (`otUe1YrfENPdHnrF3g1vSBfpkQfambCZ`, `user_2abc...`, `auth0|64f...`) and are not UUIDs; a uuid column
//! would reject them, and keel's lint reports a uuid `user_id` as an error (`user-id-uuid`).

use chrono::{DateTime, Utc};
use keel::Table;
use uuid::Uuid;

/// A user's named list of todos.
#[derive(Debug, Clone, PartialEq, Eq, Table, sqlx::FromRow)]
#[keel(insert_derive(Debug, Clone))]
pub struct TodoList {
    pub id: Uuid,
    /// Every query is scoped by the owner, so the owner is indexed.
    #[keel(index)]
    pub user_id: String,
    #[keel(varchar = 200)]
    pub name: String,
    pub is_deleted: bool,
    pub deleted_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One todo. `user_id` repeats the list's owner so that a user's todos are found without a join.
///
/// The second release added `idx_todos_user_id_due_at_open` for the service's main query, "my open todos,
/// soonest due first" ([`crate::todos::OPEN_TODOS_SQL`]): partial, so it holds only the open rows.
#[derive(Debug, Clone, PartialEq, Eq, Table, sqlx::FromRow)]
#[keel(insert_derive(Debug, Clone))]
#[keel(index(
    columns = "user_id, due_at",
    predicate = "completed_at IS NULL AND is_deleted = false",
    name = "idx_todos_user_id_due_at_open"
))]
pub struct Todo {
    pub id: Uuid,
    /// Hard-deleting a list (an account purge) takes its todos along; the index serves that delete and
    /// "the todos of a list".
    #[keel(references = "todo_lists(id)", on_delete = "cascade", index)]
    pub list_id: Uuid,
    #[keel(index)]
    pub user_id: String,
    #[keel(varchar = 500)]
    pub title: String,
    pub notes: Option<String>,
    pub due_at: Option<DateTime<Utc>>,
    /// `NULL` while the todo is open.
    pub completed_at: Option<DateTime<Utc>>,
    pub is_deleted: bool,
    pub deleted_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Longest title `todos.title` holds (`varchar(500)`), in characters.
pub const TITLE_MAX_CHARS: usize = 500;

/// Longest list name `todo_lists.name` holds (`varchar(200)`), in characters.
pub const LIST_NAME_MAX_CHARS: usize = 200;

impl NewTodoList {
    /// A list for `user_id`; the database fills the id, flags and timestamps.
    pub fn new(user_id: impl Into<String>, name: impl Into<String>) -> NewTodoList {
        NewTodoList {
            id: None,
            user_id: user_id.into(),
            name: name.into(),
            is_deleted: None,
            deleted_at: None,
            created_at: None,
            updated_at: None,
        }
    }
}

impl NewTodo {
    /// An open todo in `list_id` for `user_id`, without notes or due date (set them with struct update
    /// syntax: `NewTodo { due_at: Some(at), ..NewTodo::new(user, list, "title") }`).
    pub fn new(user_id: impl Into<String>, list_id: Uuid, title: impl Into<String>) -> NewTodo {
        NewTodo {
            id: None,
            list_id,
            user_id: user_id.into(),
            title: title.into(),
            notes: None,
            due_at: None,
            completed_at: None,
            is_deleted: None,
            deleted_at: None,
            created_at: None,
            updated_at: None,
        }
    }
}

/// The whole schema as keel sees it: every table this crate registers.
pub fn schema() -> Result<keel::Schema, keel::CollectError> {
    keel::collect()
}
