//! The service's flows against a real PostgreSQL built by the example's migrations.

mod common;

use chrono::{DateTime, TimeZone, Utc};
use common::Db;
use keel_example_todo::{Entity, NewTodo, NewTodoList, Todo, TodoError};
use uuid::Uuid;

const ALICE: &str = "otUe1YrfENPdHnrF3g1vSBfpkQfambCZ";
const BOB: &str = "user_2NNEqL2nrIRdJ194ndJqAHwEfxC";

/// Whole seconds: timestamptz keeps microseconds, so these read back equal.
fn at(hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2030, 1, 15, hour, 0, 0).single().expect("a valid time")
}

/// For imported rows: before any `now()` the database will read.
fn long_ago(hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2020, 1, 15, hour, 0, 0).single().expect("a valid time")
}

fn titles(todos: &[Todo]) -> Vec<&str> {
    todos.iter().map(|t| t.title.as_str()).collect()
}

fn is_not_found(result: &Result<impl std::fmt::Debug, TodoError>, entity: Entity, id: Uuid) -> bool {
    matches!(result, Err(TodoError::NotFound { entity: e, id: i }) if *e == entity && *i == id)
}

#[tokio::test]
async fn a_user_adds_completes_and_deletes_todos() {
    let db = Db::migrated().await;
    let pool = &db.pool;
    let list = keel_example_todo::create_list(pool, NewTodoList::new(ALICE, "Groceries")).await.expect("list");
    assert_eq!((list.user_id.as_str(), list.name.as_str(), list.is_deleted), (ALICE, "Groceries", false));

    let later = NewTodo { due_at: Some(at(11)), ..NewTodo::new(ALICE, list.id, "Milk") };
    let later = keel_example_todo::add_todo(pool, later).await.expect("add");
    let sooner =
        NewTodo { due_at: Some(at(9)), notes: Some("whole grain".into()), ..NewTodo::new(ALICE, list.id, "Bread") };
    let sooner = keel_example_todo::add_todo(pool, sooner).await.expect("add");
    let undated = keel_example_todo::add_todo(pool, NewTodo::new(ALICE, list.id, "Coffee")).await.expect("add");
    // What the caller left `None` the database filled.
    assert_eq!((sooner.notes.as_deref(), sooner.due_at, sooner.list_id), (Some("whole grain"), Some(at(9)), list.id));
    assert_eq!(
        (undated.due_at, undated.completed_at, undated.is_deleted, undated.deleted_at),
        (None, None, false, None)
    );
    assert_eq!(undated.created_at, undated.updated_at);

    // Soonest due first, undated last.
    let open = keel_example_todo::open_todos(pool, ALICE, 10).await.expect("open todos");
    assert_eq!(titles(&open), ["Bread", "Milk", "Coffee"]);
    assert_eq!(open[0], sooner);
    let first_page = keel_example_todo::open_todos(pool, ALICE, 2).await.expect("open todos");
    assert_eq!(titles(&first_page), ["Bread", "Milk"]);

    let done = keel_example_todo::complete_todo(pool, ALICE, sooner.id).await.expect("complete");
    let completed_at = done.completed_at.expect("completed");
    assert!(done.updated_at >= sooner.updated_at);
    assert_eq!(titles(&keel_example_todo::open_todos(pool, ALICE, 10).await.expect("open")), ["Milk", "Coffee"]);
    // Completing again keeps the first completion; a completed todo is still readable.
    let again = keel_example_todo::complete_todo(pool, ALICE, sooner.id).await.expect("complete again");
    assert_eq!(again.completed_at, Some(completed_at));
    assert_eq!(keel_example_todo::todo(pool, ALICE, sooner.id).await.expect("read").completed_at, Some(completed_at));

    keel_example_todo::delete_todo(pool, ALICE, later.id).await.expect("delete");
    assert_eq!(titles(&keel_example_todo::open_todos(pool, ALICE, 10).await.expect("open")), ["Coffee"]);
    assert!(is_not_found(&keel_example_todo::todo(pool, ALICE, later.id).await, Entity::Todo, later.id));
    assert!(is_not_found(&keel_example_todo::delete_todo(pool, ALICE, later.id).await, Entity::Todo, later.id));
    assert!(is_not_found(&keel_example_todo::complete_todo(pool, ALICE, later.id).await, Entity::Todo, later.id));
    // Soft: the row stays, flagged, with its deletion time.
    let (is_deleted, deleted_at): (bool, Option<DateTime<Utc>>) =
        sqlx::query_as("SELECT is_deleted, deleted_at FROM todos WHERE id = $1")
            .bind(later.id)
            .fetch_one(pool)
            .await
            .expect("the row is still there");
    assert!(is_deleted && deleted_at.is_some());
    db.drop().await;
}

#[tokio::test]
async fn users_never_see_or_touch_each_others_rows() {
    let db = Db::migrated().await;
    let pool = &db.pool;
    let list = keel_example_todo::create_list(pool, NewTodoList::new(ALICE, "Work")).await.expect("list");
    let todo = keel_example_todo::add_todo(pool, NewTodo::new(ALICE, list.id, "Report")).await.expect("add");
    let bobs = keel_example_todo::create_list(pool, NewTodoList::new(BOB, "Home")).await.expect("list");
    keel_example_todo::add_todo(pool, NewTodo::new(BOB, bobs.id, "Dishes")).await.expect("add");

    assert_eq!(titles(&keel_example_todo::open_todos(pool, ALICE, 10).await.expect("open")), ["Report"]);
    assert_eq!(titles(&keel_example_todo::open_todos(pool, BOB, 10).await.expect("open")), ["Dishes"]);
    assert_eq!(keel_example_todo::lists(pool, BOB).await.expect("lists"), std::slice::from_ref(&bobs));

    // Bob cannot read, add to, complete or delete Alice's rows; each answer is "not found".
    assert!(is_not_found(&keel_example_todo::todo(pool, BOB, todo.id).await, Entity::Todo, todo.id));
    let intrusion = keel_example_todo::add_todo(pool, NewTodo::new(BOB, list.id, "Sneaky")).await;
    assert!(is_not_found(&intrusion, Entity::List, list.id));
    assert!(is_not_found(&keel_example_todo::complete_todo(pool, BOB, todo.id).await, Entity::Todo, todo.id));
    assert!(is_not_found(&keel_example_todo::delete_todo(pool, BOB, todo.id).await, Entity::Todo, todo.id));
    assert!(is_not_found(&keel_example_todo::delete_list(pool, BOB, list.id).await, Entity::List, list.id));

    // Alice's rows are untouched, and the refused insert left nothing behind.
    assert_eq!(keel_example_todo::todo(pool, ALICE, todo.id).await.expect("read"), todo);
    assert_eq!(keel_example_todo::lists(pool, ALICE).await.expect("lists"), std::slice::from_ref(&list));
    let in_alices_list: i64 = sqlx::query_scalar("SELECT count(*) FROM todos WHERE list_id = $1")
        .bind(list.id)
        .fetch_one(pool)
        .await
        .expect("count");
    assert_eq!(in_alices_list, 1);
    db.drop().await;
}

#[tokio::test]
async fn deleting_a_list_takes_its_todos_along() {
    let db = Db::migrated().await;
    let pool = &db.pool;
    let groceries = keel_example_todo::create_list(pool, NewTodoList::new(ALICE, "Groceries")).await.expect("list");
    let work = keel_example_todo::create_list(pool, NewTodoList::new(ALICE, "Work")).await.expect("list");
    keel_example_todo::add_todo(pool, NewTodo::new(ALICE, groceries.id, "Milk")).await.expect("add");
    keel_example_todo::add_todo(pool, NewTodo::new(ALICE, groceries.id, "Bread")).await.expect("add");
    keel_example_todo::add_todo(pool, NewTodo::new(ALICE, work.id, "Report")).await.expect("add");

    keel_example_todo::delete_list(pool, ALICE, groceries.id).await.expect("delete the list");
    assert_eq!(keel_example_todo::lists(pool, ALICE).await.expect("lists"), std::slice::from_ref(&work));
    assert_eq!(titles(&keel_example_todo::open_todos(pool, ALICE, 10).await.expect("open")), ["Report"]);
    let late = keel_example_todo::add_todo(pool, NewTodo::new(ALICE, groceries.id, "Eggs")).await;
    assert!(is_not_found(&late, Entity::List, groceries.id));
    assert!(is_not_found(&keel_example_todo::delete_list(pool, ALICE, groceries.id).await, Entity::List, groceries.id));
    let soft_deleted: i64 =
        sqlx::query_scalar("SELECT count(*) FROM todos WHERE list_id = $1 AND is_deleted AND deleted_at IS NOT NULL")
            .bind(groceries.id)
            .fetch_one(pool)
            .await
            .expect("count");
    assert_eq!(soft_deleted, 2);

    // A hard delete (an account purge) cascades through the foreign key.
    sqlx::query("DELETE FROM todo_lists WHERE id = $1").bind(groceries.id).execute(pool).await.expect("purge");
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM todos").fetch_one(pool).await.expect("count");
    assert_eq!(left, 1);
    db.drop().await;
}

fn invalid<T>(field: &str, result: &Result<T, TodoError>) -> bool {
    matches!(result, Err(TodoError::Invalid { field: f, .. }) if *f == field)
}

#[tokio::test]
async fn invalid_input_is_refused_before_the_database() {
    let db = Db::migrated().await;
    let pool = &db.pool;
    let list = keel_example_todo::create_list(pool, NewTodoList::new(ALICE, "Inbox")).await.expect("list");
    let blank = keel_example_todo::add_todo(pool, NewTodo::new(ALICE, list.id, "  ")).await;
    assert!(invalid("title", &blank), "{blank:?}");
    let too_long = keel_example_todo::add_todo(pool, NewTodo::new(ALICE, list.id, "é".repeat(501))).await;
    assert!(invalid("title", &too_long), "{too_long:?}");
    let no_user = keel_example_todo::create_list(pool, NewTodoList::new("", "Inbox")).await;
    assert!(invalid("user_id", &no_user), "{no_user:?}");
    let long_name = keel_example_todo::create_list(pool, NewTodoList::new(ALICE, "x".repeat(201))).await;
    assert!(invalid("name", &long_name), "{long_name:?}");

    // The limit is the column's, in characters: 500 two-byte characters fit varchar(500).
    let longest = keel_example_todo::add_todo(pool, NewTodo::new(ALICE, list.id, "é".repeat(500))).await;
    assert_eq!(longest.expect("500 characters fit").title.chars().count(), 500);
    let todos: i64 = sqlx::query_scalar("SELECT count(*) FROM todos").fetch_one(pool).await.expect("count");
    assert_eq!(todos, 1);
    db.drop().await;
}

/// Fields of the insert type a caller does set are written as given (an import keeps ids and times).
#[tokio::test]
async fn insert_types_keep_what_the_caller_sets() {
    let db = Db::migrated().await;
    let pool = &db.pool;
    let list_id = Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0001);
    let imported_list =
        NewTodoList { id: Some(list_id), created_at: Some(long_ago(8)), ..NewTodoList::new(ALICE, "Old") };
    let list = keel_example_todo::create_list(pool, imported_list).await.expect("list");
    assert_eq!((list.id, list.created_at), (list_id, long_ago(8)));
    assert!(list.updated_at > long_ago(8), "updated_at left to now()");

    let todo_id = Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0002);
    let imported = NewTodo {
        id: Some(todo_id),
        completed_at: Some(long_ago(10)),
        created_at: Some(long_ago(9)),
        updated_at: Some(long_ago(10)),
        ..NewTodo::new(ALICE, list.id, "Done long ago")
    };
    let todo = keel_example_todo::add_todo(pool, imported).await.expect("add");
    assert_eq!(
        (todo.id, todo.completed_at, todo.created_at, todo.updated_at),
        (todo_id, Some(long_ago(10)), long_ago(9), long_ago(10))
    );
    assert!(keel_example_todo::open_todos(pool, ALICE, 10).await.expect("open").is_empty());
    db.drop().await;
}
