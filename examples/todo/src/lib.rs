//! A small todo service on sqlx + tokio whose tables are declared with keel.
//!
//! Users are identified by the ids an external auth system issues (`otUe1YrfENPdHnrF3g1vSBfpkQfambCZ`,
//! `user_2abc...`, `auth0|64f...`): opaque text, stored in `user_id text` columns. Every function takes the
//! caller's user id and touches only that user's rows; deletes are soft (`is_deleted`, `deleted_at`).
//!
//! - [`schema`]: the tables (`todo_lists`, `todos`), from which `keel generate` wrote `migrations/`;
//! - [`lists`] and [`todos`]: the service functions, each taking a `&PgPool`;
//! - [`TodoError`]: what they fail with.

pub mod error;
mod insert;
pub mod lists;
pub mod schema;
pub mod todos;
mod validate;

pub use error::{Entity, TodoError};
pub use lists::{create_list, delete_list, lists};
pub use schema::{NewTodo, NewTodoList, Todo, TodoList};
pub use todos::{add_todo, complete_todo, delete_todo, open_todos, todo};

/// The migrations keel generated for these tables, read from the crate's `migrations/` directory.
pub fn migrations() -> Result<Vec<keel::migrate::Migration>, keel::migrate::MigrateError> {
    keel::migrate::read_migrations(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations")))
}
