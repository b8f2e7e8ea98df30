//! User ids as external auth systems issue them: they round-trip through the service byte for byte, and a
//! uuid `user_id` column would have failed, in PostgreSQL and already in keel's lint.

mod common;

use common::{AUTH_IDS, Db};
use keel::ColumnType;
use keel_diff::lint::{LintConfig, Location, Severity, lint_schema};
use keel_example_todo::{NewTodo, NewTodoList, TodoError};
use sqlx::PgPool;

#[tokio::test]
async fn auth_ids_round_trip_byte_for_byte() {
    let db = Db::migrated().await;
    let pool = &db.pool;
    for &user in AUTH_IDS {
        let list = keel_example_todo::create_list(pool, NewTodoList::new(user, "Inbox")).await.expect("list");
        let todo = keel_example_todo::add_todo(pool, NewTodo::new(user, list.id, user)).await.expect("add");
        assert_eq!(list.user_id.as_bytes(), user.as_bytes());
        assert_eq!(todo.user_id.as_bytes(), user.as_bytes());
    }
    for &user in AUTH_IDS {
        // Queried by the id, each user finds exactly their own rows, the id unchanged.
        let open = keel_example_todo::open_todos(pool, user, 10).await.expect("open todos");
        let found: Vec<(&str, &str)> = open.iter().map(|t| (t.user_id.as_str(), t.title.as_str())).collect();
        assert_eq!(found, [(user, user)]);
        let lists = keel_example_todo::lists(pool, user).await.expect("lists");
        assert_eq!(lists.iter().map(|l| l.user_id.as_bytes()).collect::<Vec<_>>(), [user.as_bytes()]);
        // And in the table itself the value is the id's exact bytes.
        let stored: Vec<u8> = sqlx::query_scalar("SELECT convert_to(user_id, 'UTF8') FROM todos WHERE user_id = $1")
            .bind(user)
            .fetch_one(pool)
            .await
            .expect("one row per user");
        assert_eq!(stored, user.as_bytes());
    }
    // Ids differing only in case are different users (text compares bytes here, not case-folded).
    let upper = AUTH_IDS[0].to_uppercase();
    assert!(keel_example_todo::open_todos(pool, &upper, 10).await.expect("open todos").is_empty());
    db.drop().await;
}

/// The SQLSTATE of a failed query.
fn sqlstate<T: std::fmt::Debug>(result: Result<T, sqlx::Error>) -> String {
    match result {
        Err(sqlx::Error::Database(e)) => e.code().expect("PostgreSQL sends a SQLSTATE").into_owned(),
        other => panic!("expected a database error, got {other:?}"),
    }
}

#[tokio::test]
async fn postgresql_rejects_auth_ids_as_uuids() {
    let db = Db::migrated().await;
    for &user in AUTH_IDS.iter().filter(|id| uuid::Uuid::parse_str(id).is_err()) {
        let cast = sqlx::query("SELECT $1::uuid").bind(user).execute(&db.pool).await;
        // 22P02 invalid_text_representation: "invalid input syntax for type uuid".
        assert_eq!(sqlstate(cast), "22P02", "{user}");
    }
    db.drop().await;
}

/// The example's schema with `todos.user_id` turned into uuid: the mistake the guidelines warn about.
fn schema_with_uuid_user_id() -> keel::Schema {
    let mut schema = keel_example_todo::schema::schema().expect("the registered tables form a schema");
    let todos = schema.schemas.get_mut("public").and_then(|ns| ns.tables.get_mut("todos")).expect("todos");
    let user_id = todos.columns.iter_mut().find(|c| c.name == "user_id").expect("todos.user_id");
    assert_eq!(user_id.ty, ColumnType::Text);
    user_id.ty = ColumnType::Uuid;
    schema
}

#[test]
fn keel_lint_reports_a_uuid_user_id_as_an_error() {
    let real = keel_example_todo::schema::schema().expect("schema");
    assert_eq!(lint_schema(&real, &LintConfig::default()), [], "the example's schema lints clean");

    let findings = lint_schema(&schema_with_uuid_user_id(), &LintConfig::default());
    let found: Vec<_> = findings.iter().map(|f| (f.rule.as_str(), f.severity, &f.location)).collect();
    assert_eq!(found, [("user-id-uuid", Severity::Error, &Location::column("public", "todos", "user_id"))]);
}

/// Built from the uuid variant, the database refuses the service's rows: an untyped literal (what drivers
/// that send text parameters produce) fails to parse as a uuid, and sqlx's typed text parameter does not
/// even match the column's type.
#[tokio::test]
async fn a_uuid_user_id_column_would_refuse_the_service() {
    let server = keel_test_support::shared_server().expect("a PostgreSQL server");
    let database = server.create_database().await.expect("scratch database");
    let mut conn = database.connect().await.expect("connect");
    let statements = keel_diff::render::create_schema(&schema_with_uuid_user_id());
    keel_diff::apply_in_transaction(&mut conn, &statements).await.expect("the uuid variant builds");
    drop(conn);
    let pool = PgPool::connect(&database.url).await.expect("connect");

    let list_id: uuid::Uuid =
        sqlx::query_scalar("INSERT INTO todo_lists (user_id, name) VALUES ($1, 'Inbox') RETURNING id")
            .bind(AUTH_IDS[0])
            .fetch_one(&pool)
            .await
            .expect("todo_lists.user_id is still text");
    let literal = format!("INSERT INTO todos (list_id, user_id, title) VALUES ('{list_id}', '{}', 'x')", AUTH_IDS[2]);
    assert_eq!(sqlstate(sqlx::raw_sql(sqlx::AssertSqlSafe(literal)).execute(&pool).await), "22P02");

    let added = keel_example_todo::add_todo(&pool, NewTodo::new(AUTH_IDS[0], list_id, "Milk")).await;
    match added {
        // 42804 datatype_mismatch: column "user_id" is of type uuid but expression is of type text.
        Err(TodoError::Database(e)) => assert_eq!(sqlstate::<()>(Err(e)), "42804"),
        other => panic!("expected a database error, got {other:?}"),
    }
    pool.close().await;
    database.drop_database().await.expect("drop");
}
