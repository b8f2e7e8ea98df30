//! The migrations keel generated: they build exactly the declared tables, and the second release's index
//! arrives on a database that already holds the first release's rows without touching them.

mod common;

use common::{Db, migrate_to, migrations};
use keel_diff::PlanOptions;
use keel_example_todo::todos::OPEN_TODOS_SQL;
use sqlx::{Connection, PgConnection, Row};
use uuid::Uuid;

const OPEN_INDEX: &str = "idx_todos_user_id_due_at_open";

#[tokio::test]
async fn the_migrations_build_the_declared_tables() {
    let server = keel_test_support::shared_server().expect("a PostgreSQL server");
    let declared = keel_example_todo::schema::schema().expect("the registered tables form a schema");
    let desired = keel_diff::normalize::normalize(server, &declared).await.expect("normalize");
    let db = Db::migrated().await;
    let mut conn = PgConnection::connect(&db.database.url).await.expect("connect");
    let mut built = keel_diff::introspect(&mut conn, None).await.expect("introspect");
    let public = built.schemas.get_mut("public").expect("public");
    assert!(public.tables.remove("_sqlx_migrations").is_some(), "the runner's tracking table");

    let tables: Vec<&String> = public.tables.keys().collect();
    assert_eq!(tables, ["todo_lists", "todos"]);
    let difference = keel_diff::plan(&built, &desired, &PlanOptions::default()).expect("plan");
    assert!(difference.is_empty(), "the migrations differ from the structs:\n{}", difference.to_sql());
    assert_eq!(built.without_column_order(), desired.without_column_order());
    conn.close().await.expect("close");
    db.drop().await;
}

/// Rows as the first release wrote them, in plain SQL: an open todo due soon, an undated one, a completed
/// one, a deleted one, and another user's.
const FIRST_RELEASE_ROWS: &str = "
INSERT INTO todo_lists (id, user_id, name) VALUES
    ('00000000-0000-4000-8000-000000000001', 'auth0|64f1c0e2a3b4c5d6e7f80912', 'Errands'),
    ('00000000-0000-4000-8000-000000000002', 'user_2NNEqL2nrIRdJ194ndJqAHwEfxC', 'Work');
INSERT INTO todos (id, list_id, user_id, title, notes, due_at, completed_at, is_deleted, deleted_at) VALUES
    ('00000000-0000-4000-8000-00000000000a', '00000000-0000-4000-8000-000000000001',
     'auth0|64f1c0e2a3b4c5d6e7f80912', 'Post office', 'parcel 42', '2030-01-15 09:00:00+00', NULL, false, NULL),
    ('00000000-0000-4000-8000-00000000000b', '00000000-0000-4000-8000-000000000001',
     'auth0|64f1c0e2a3b4c5d6e7f80912', 'Car wash', NULL, NULL, NULL, false, NULL),
    ('00000000-0000-4000-8000-00000000000c', '00000000-0000-4000-8000-000000000001',
     'auth0|64f1c0e2a3b4c5d6e7f80912', 'Bank', NULL, '2030-01-14 09:00:00+00', '2030-01-14 10:00:00+00', false, NULL),
    ('00000000-0000-4000-8000-00000000000d', '00000000-0000-4000-8000-000000000001',
     'auth0|64f1c0e2a3b4c5d6e7f80912', 'Dentist', NULL, '2030-01-13 09:00:00+00', NULL, true, '2030-01-12 09:00:00+00'),
    ('00000000-0000-4000-8000-00000000000e', '00000000-0000-4000-8000-000000000002',
     'user_2NNEqL2nrIRdJ194ndJqAHwEfxC', 'Report', NULL, '2030-01-10 09:00:00+00', NULL, false, NULL);";

/// Every column of every todo, as text, in id order: what must survive the migration unchanged.
async fn todo_rows(conn: &mut PgConnection) -> Vec<String> {
    sqlx::query_scalar("SELECT t::text FROM todos t ORDER BY id").fetch_all(conn).await.expect("rows")
}

#[tokio::test]
async fn the_open_todos_index_arrives_on_a_populated_first_release() {
    let all = migrations();
    assert_eq!(all.len(), 2, "create_todos, then add_open_todos_index");
    assert!(all[1].no_transaction, "CREATE INDEX CONCURRENTLY runs outside a transaction");
    let db = Db::with(&all[..1]).await;
    let mut conn = PgConnection::connect(&db.database.url).await.expect("connect");
    let has_index = "SELECT count(*) FROM pg_indexes WHERE indexname = $1";
    let count: i64 = sqlx::query_scalar(has_index).bind(OPEN_INDEX).fetch_one(&mut conn).await.expect("count");
    assert_eq!(count, 0, "the first release has no such index");
    sqlx::raw_sql(FIRST_RELEASE_ROWS).execute(&mut conn).await.expect("first release rows");
    let before = todo_rows(&mut conn).await;
    assert_eq!(before.len(), 5);

    migrate_to(&db.database.url, &all).await;

    assert_eq!(todo_rows(&mut conn).await, before, "the migration leaves every row as it was");
    let lists: i64 = sqlx::query_scalar("SELECT count(*) FROM todo_lists").fetch_one(&mut conn).await.expect("count");
    assert_eq!(lists, 2);
    let index =
        sqlx::query("SELECT tablename::text, indexdef FROM pg_indexes WHERE schemaname = 'public' AND indexname = $1")
            .bind(OPEN_INDEX)
            .fetch_one(&mut conn)
            .await
            .expect("the index exists");
    assert_eq!(index.get::<String, _>(0), "todos");
    assert_eq!(
        index.get::<String, _>(1),
        "CREATE INDEX idx_todos_user_id_due_at_open ON public.todos USING btree (user_id, due_at) \
         WHERE ((completed_at IS NULL) AND (is_deleted = false))"
    );
    let valid: bool = sqlx::query_scalar("SELECT indisvalid FROM pg_index WHERE indexrelid = $1::regclass")
        .bind(OPEN_INDEX)
        .fetch_one(&mut conn)
        .await
        .expect("pg_index");
    assert!(valid, "the concurrent build completed");
    let recorded: Vec<(i64, bool)> = sqlx::query_as("SELECT version, success FROM _sqlx_migrations ORDER BY version")
        .fetch_all(&mut conn)
        .await
        .expect("tracking table");
    assert_eq!(recorded, all.iter().map(|m| (m.version, true)).collect::<Vec<_>>());

    // The first release's rows, read by the service: open ones only, the owner's only, soonest due first.
    let user = "auth0|64f1c0e2a3b4c5d6e7f80912";
    let open = keel_example_todo::open_todos(&db.pool, user, 10).await.expect("open todos");
    let ids: Vec<Uuid> = open.iter().map(|t| t.id).collect();
    assert_eq!(
        ids,
        [
            Uuid::from_u128(0x0000_0000_0000_4000_8000_0000_0000_000a),
            Uuid::from_u128(0x0000_0000_0000_4000_8000_0000_0000_000b)
        ]
    );
    assert_eq!(open[0].notes.as_deref(), Some("parcel 42"));

    // The index serves that query: its WHERE implies the index's predicate. (Sequential scans off, since
    // on five rows a scan is cheaper and the planner's choice would say nothing.)
    let mut tx = conn.begin().await.expect("begin");
    sqlx::raw_sql("SET LOCAL enable_seqscan = off").execute(&mut *tx).await.expect("set");
    let explain = format!("EXPLAIN {OPEN_TODOS_SQL}");
    let plan: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(explain))
        .bind(user)
        .bind(10_i64)
        .fetch_all(&mut *tx)
        .await
        .expect("explain");
    let plan = plan.join("\n");
    assert!(plan.contains(&format!("Index Scan using {OPEN_INDEX} on todos")), "{plan}");
    tx.rollback().await.expect("rollback");
    conn.close().await.expect("close");
    db.drop().await;
}
