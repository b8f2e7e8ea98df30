//! The demo: migrate the database at `DATABASE_URL` with keel's runner, then run a short scenario for a
//! user whose id an external auth system issued (not a UUID) and print what the service returns.
//!
//! `DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres cargo run -p keel-example-todo`

use anyhow::bail;
use chrono::{Duration, Utc};
use keel::migrate::{MigrateOptions, migrate};
use keel_example_todo::{NewTodo, NewTodoList, Todo};
use sqlx::PgPool;

/// A Better Auth user id, as the auth system issues them.
const USER: &str = "otUe1YrfENPdHnrF3g1vSBfpkQfambCZ";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let Ok(url) = std::env::var("DATABASE_URL") else {
        bail!("DATABASE_URL is not set: point it at a PostgreSQL database, e.g. postgres://localhost/todo");
    };
    let migrations = keel_example_todo::migrations()?;
    let report = migrate(&url, &migrations, &MigrateOptions::default(), &mut |_| {}).await?;
    println!("-- migrations: {} applied now, {} before", report.applied.len(), report.already_applied);
    let pool = PgPool::connect(&url).await?;

    let list = keel_example_todo::create_list(&pool, NewTodoList::new(USER, "Groceries")).await?;
    println!("-- list {:?} ({}) for user_id {:?}", list.name, list.id, list.user_id);
    let now = Utc::now();
    let milk = NewTodo { due_at: Some(now + Duration::hours(2)), ..NewTodo::new(USER, list.id, "Milk") };
    let milk = keel_example_todo::add_todo(&pool, milk).await?;
    let bread = NewTodo { due_at: Some(now + Duration::hours(1)), ..NewTodo::new(USER, list.id, "Bread") };
    let bread = keel_example_todo::add_todo(&pool, bread).await?;
    let coffee = NewTodo { notes: Some("the good one".into()), ..NewTodo::new(USER, list.id, "Coffee") };
    let coffee = keel_example_todo::add_todo(&pool, coffee).await?;
    print_open(&keel_example_todo::open_todos(&pool, USER, 20).await?, "after adding three");

    keel_example_todo::complete_todo(&pool, USER, bread.id).await?;
    keel_example_todo::delete_todo(&pool, USER, milk.id).await?;
    print_open(&keel_example_todo::open_todos(&pool, USER, 20).await?, "after completing Bread, deleting Milk");

    // Another user (a Clerk id) cannot complete it: every query is scoped by user_id.
    let someone_else = keel_example_todo::complete_todo(&pool, "user_2NNEqL2nrIRdJ194ndJqAHwEfxC", coffee.id).await;
    println!(
        "-- another user completing Coffee: {}",
        someone_else.err().map_or("succeeded?!".into(), |e| e.to_string())
    );

    // Why user_id is text: PostgreSQL refuses the id as a uuid.
    let as_uuid = sqlx::query("SELECT $1::uuid").bind(USER).execute(&pool).await;
    if let Err(sqlx::Error::Database(e)) = as_uuid {
        println!("-- {USER:?} as a uuid: SQLSTATE {} {}", e.code().unwrap_or_default(), e.message());
    }

    // Soft-deleting the list takes its todos along, so the next run starts from an empty list.
    keel_example_todo::delete_list(&pool, USER, list.id).await?;
    print_open(&keel_example_todo::open_todos(&pool, USER, 20).await?, "after deleting the list");
    pool.close().await;
    Ok(())
}

fn print_open(todos: &[Todo], when: &str) {
    println!("-- open todos of {USER:?} {when}: {}", todos.len());
    for todo in todos {
        let due = todo.due_at.map_or("no due date".to_string(), |at| format!("due {}", at.format("%H:%M UTC")));
        println!("--   {} ({due})", todo.title);
    }
}
