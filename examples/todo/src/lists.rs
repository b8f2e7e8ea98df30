//! Todo lists: create, read and soft-delete a user's lists. Every query is scoped by `user_id` and skips
//! soft-deleted rows.

use crate::error::{Entity, TodoError};
use crate::insert::bind_or_default;
use crate::schema::{LIST_NAME_MAX_CHARS, NewTodoList, TodoList};
use crate::validate;
use sqlx::{PgPool, QueryBuilder};
use uuid::Uuid;

/// Creates a list; fields of `new` left `None` take the database's defaults.
pub async fn create_list(pool: &PgPool, new: NewTodoList) -> Result<TodoList, TodoError> {
    validate::user_id(&new.user_id)?;
    validate::text("name", &new.name, LIST_NAME_MAX_CHARS)?;
    // Destructured so that a column added to the struct cannot be forgotten here.
    let NewTodoList { id, user_id, name, is_deleted, deleted_at, created_at, updated_at } = new;
    let mut insert = QueryBuilder::new(
        "INSERT INTO todo_lists (id, user_id, name, is_deleted, deleted_at, created_at, updated_at) VALUES (",
    );
    let mut values = insert.separated(", ");
    bind_or_default(&mut values, id);
    values.push_bind(user_id);
    values.push_bind(name);
    bind_or_default(&mut values, is_deleted);
    values.push_bind(deleted_at);
    bind_or_default(&mut values, created_at);
    bind_or_default(&mut values, updated_at);
    values.push_unseparated(") RETURNING *");
    Ok(insert.build_query_as().fetch_one(pool).await?)
}

/// The user's lists, oldest first.
pub async fn lists(pool: &PgPool, user_id: &str) -> Result<Vec<TodoList>, TodoError> {
    let lists =
        sqlx::query_as("SELECT * FROM todo_lists WHERE user_id = $1 AND is_deleted = false ORDER BY created_at, id")
            .bind(user_id)
            .fetch_all(pool)
            .await?;
    Ok(lists)
}

/// Soft-deletes a list and, in the same transaction, the todos still in it: a deleted list's todos must
/// not show up among the user's open todos.
pub async fn delete_list(pool: &PgPool, user_id: &str, list_id: Uuid) -> Result<(), TodoError> {
    let mut tx = pool.begin().await?;
    let deleted = sqlx::query(
        "UPDATE todo_lists SET is_deleted = true, deleted_at = now(), updated_at = now() \
         WHERE id = $1 AND user_id = $2 AND is_deleted = false",
    )
    .bind(list_id)
    .bind(user_id)
    .execute(&mut *tx)
    .await?;
    if deleted.rows_affected() == 0 {
        return Err(TodoError::not_found(Entity::List, list_id));
    }
    sqlx::query(
        "UPDATE todos SET is_deleted = true, deleted_at = now(), updated_at = now() \
         WHERE list_id = $1 AND user_id = $2 AND is_deleted = false",
    )
    .bind(list_id)
    .bind(user_id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}
