//! Todos: add, read, complete and soft-delete a user's todos. Every query is scoped by `user_id` (a user
//! never sees, changes or learns about another user's rows) and skips soft-deleted rows.

use crate::error::{Entity, TodoError};
use crate::insert::bind_or_default;
use crate::schema::{NewTodo, TITLE_MAX_CHARS, Todo};
use crate::validate;
use sqlx::{PgPool, QueryBuilder};
use uuid::Uuid;

/// Adds a todo to one of the user's lists (`new.list_id`, owned by `new.user_id`, not deleted); fields of
/// `new` left `None` take the database's defaults.
pub async fn add_todo(pool: &PgPool, new: NewTodo) -> Result<Todo, TodoError> {
    validate::user_id(&new.user_id)?;
    validate::text("title", &new.title, TITLE_MAX_CHARS)?;
    let mut tx = pool.begin().await?;
    // FOR SHARE: a concurrent delete_list waits until this todo is in, then deletes it along with the list.
    let list: Option<Uuid> =
        sqlx::query_scalar("SELECT id FROM todo_lists WHERE id = $1 AND user_id = $2 AND is_deleted = false FOR SHARE")
            .bind(new.list_id)
            .bind(&new.user_id)
            .fetch_optional(&mut *tx)
            .await?;
    if list.is_none() {
        return Err(TodoError::not_found(Entity::List, new.list_id));
    }
    // Destructured so that a column added to the struct cannot be forgotten here.
    let NewTodo {
        id,
        list_id,
        user_id,
        title,
        notes,
        due_at,
        completed_at,
        is_deleted,
        deleted_at,
        created_at,
        updated_at,
    } = new;
    let mut insert = QueryBuilder::new(
        "INSERT INTO todos (id, list_id, user_id, title, notes, due_at, completed_at, is_deleted, deleted_at, \
         created_at, updated_at) VALUES (",
    );
    let mut values = insert.separated(", ");
    bind_or_default(&mut values, id);
    values.push_bind(list_id);
    values.push_bind(user_id);
    values.push_bind(title);
    values.push_bind(notes);
    values.push_bind(due_at);
    values.push_bind(completed_at);
    bind_or_default(&mut values, is_deleted);
    values.push_bind(deleted_at);
    bind_or_default(&mut values, created_at);
    bind_or_default(&mut values, updated_at);
    values.push_unseparated(") RETURNING *");
    let todo = insert.build_query_as().fetch_one(&mut *tx).await?;
    tx.commit().await?;
    Ok(todo)
}

/// One of the user's todos, open or completed.
pub async fn todo(pool: &PgPool, user_id: &str, todo_id: Uuid) -> Result<Todo, TodoError> {
    sqlx::query_as("SELECT * FROM todos WHERE id = $1 AND user_id = $2 AND is_deleted = false")
        .bind(todo_id)
        .bind(user_id)
        .fetch_optional(pool)
        .await?
        .ok_or(TodoError::not_found(Entity::Todo, todo_id))
}

/// The query behind [`open_todos`]. Its `WHERE` implies the predicate of the partial index
/// `idx_todos_user_id_due_at_open` (`completed_at IS NULL AND is_deleted = false`) and its `ORDER BY` is the
/// index's order, so PostgreSQL can answer it from that index alone; public so a test can `EXPLAIN` it.
pub const OPEN_TODOS_SQL: &str = "SELECT * FROM todos \
     WHERE user_id = $1 AND completed_at IS NULL AND is_deleted = false \
     ORDER BY due_at, created_at, id LIMIT $2";

/// The user's open todos across all lists, soonest due first, those without a due date last; at most
/// `limit` of them (a page, as the guidelines paginate).
pub async fn open_todos(pool: &PgPool, user_id: &str, limit: i64) -> Result<Vec<Todo>, TodoError> {
    Ok(sqlx::query_as(OPEN_TODOS_SQL).bind(user_id).bind(limit).fetch_all(pool).await?)
}

/// Marks a todo completed. Completing it again keeps the first completion time.
pub async fn complete_todo(pool: &PgPool, user_id: &str, todo_id: Uuid) -> Result<Todo, TodoError> {
    sqlx::query_as(
        "UPDATE todos SET completed_at = coalesce(completed_at, now()), updated_at = now() \
         WHERE id = $1 AND user_id = $2 AND is_deleted = false RETURNING *",
    )
    .bind(todo_id)
    .bind(user_id)
    .fetch_optional(pool)
    .await?
    .ok_or(TodoError::not_found(Entity::Todo, todo_id))
}

/// Soft-deletes a todo: it disappears from every query of the service but stays in the table.
pub async fn delete_todo(pool: &PgPool, user_id: &str, todo_id: Uuid) -> Result<(), TodoError> {
    let deleted = sqlx::query(
        "UPDATE todos SET is_deleted = true, deleted_at = now(), updated_at = now() \
         WHERE id = $1 AND user_id = $2 AND is_deleted = false",
    )
    .bind(todo_id)
    .bind(user_id)
    .execute(pool)
    .await?;
    if deleted.rows_affected() == 0 {
        return Err(TodoError::not_found(Entity::Todo, todo_id));
    }
    Ok(())
}
