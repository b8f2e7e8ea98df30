//! Schemas (namespaces) and extensions: created and dropped with what they contain, commented, and
//! tables that change schema, which keel treats as a drop and a create.

use crate::harness::{case, server_version};
use keel_diff::Hazard;

#[tokio::test]
async fn creates_and_drops_an_empty_schema() {
    let plan = case("", "CREATE SCHEMA app").both_ways().run().await;
    assert_eq!(plan.statements.len(), 1, "{}", plan.to_sql());
}

#[tokio::test]
async fn creates_and_drops_a_schema_with_tables_and_enums() {
    case(
        "",
        "CREATE SCHEMA app;
         CREATE TYPE app.status AS ENUM ('new', 'done');
         CREATE TABLE app.project (id int PRIMARY KEY, name text NOT NULL);
         CREATE TABLE app.task (id int PRIMARY KEY, project_id int NOT NULL REFERENCES app.project,
                                status app.status NOT NULL DEFAULT 'new');
         CREATE INDEX task_status ON app.task (status);",
    )
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn drops_a_schema_holding_rows() {
    let plan = case("CREATE SCHEMA app; CREATE TABLE app.t (id int PRIMARY KEY)", "")
        .data("INSERT INTO app.t VALUES (1), (2)")
        .expect(Hazard::DeletesData)
        .run()
        .await;
    let last = plan.statements.last().expect("statements");
    assert!(last.sql.contains("DROP SCHEMA"), "the schema is dropped last:\n{}", plan.to_sql());
    let table = plan.statements.iter().find(|s| s.sql.contains("DROP TABLE")).expect("the table is dropped");
    assert_eq!(table.data_loss, Some(2), "{}", plan.to_sql());
}

#[tokio::test]
async fn creates_and_drops_a_schema_with_an_identity_table_and_a_sequence() {
    case(
        "",
        "CREATE SCHEMA app;
         CREATE SEQUENCE app.ticket_seq;
         CREATE TABLE app.ticket (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                                  number bigint NOT NULL DEFAULT nextval('app.ticket_seq'));",
    )
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn schema_name_that_needs_quoting() {
    case(
        "",
        r#"CREATE SCHEMA "Billing Dept";
           CREATE TYPE "Billing Dept"."Invoice State" AS ENUM ('open', 'paid');
           CREATE TABLE "Billing Dept"."Invoice" (id int PRIMARY KEY, state "Billing Dept"."Invoice State");"#,
    )
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn adds_a_table_to_an_existing_schema_with_rows() {
    let app = "CREATE SCHEMA app; CREATE TABLE app.a (id int PRIMARY KEY);";
    case(app, &format!("{app} CREATE TABLE app.b (id int PRIMARY KEY, a_id int REFERENCES app.a)"))
        .data("INSERT INTO app.a VALUES (1)")
        .verify("SELECT count(*) = 1 FROM app.a")
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn same_table_name_in_two_schemas() {
    case(
        "CREATE SCHEMA a; CREATE TABLE a.t (id int PRIMARY KEY, x int);",
        "CREATE SCHEMA a; CREATE SCHEMA b; CREATE TABLE a.t (id int PRIMARY KEY, x int);
         CREATE TABLE b.t (id text PRIMARY KEY, a_id int REFERENCES a.t); CREATE INDEX t_a ON b.t (a_id);",
    )
    .data("INSERT INTO a.t VALUES (1, 1)")
    .verify("SELECT count(*) = 1 FROM a.t")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn enum_in_one_schema_used_by_a_table_in_another() {
    case(
        "CREATE SCHEMA types; CREATE SCHEMA app;",
        "CREATE SCHEMA types; CREATE SCHEMA app;
         CREATE TYPE types.mood AS ENUM ('ok', 'sad');
         CREATE TABLE app.person (id int PRIMARY KEY, mood types.mood NOT NULL DEFAULT 'ok');",
    )
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn comments_on_a_schema() {
    case("CREATE SCHEMA app", "CREATE SCHEMA app; COMMENT ON SCHEMA app IS 'the application''s tables'")
        .verify("SELECT obj_description('app'::regnamespace, 'pg_namespace') = 'the application''s tables'")
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn changes_the_comment_of_a_schema() {
    case("CREATE SCHEMA app; COMMENT ON SCHEMA app IS 'old'", "CREATE SCHEMA app; COMMENT ON SCHEMA app IS 'new'")
        .verify("SELECT obj_description('app'::regnamespace, 'pg_namespace') = 'new'")
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn creates_a_schema_with_its_comment() {
    case("", "CREATE SCHEMA app; COMMENT ON SCHEMA app IS 'app'").both_ways().run().await;
}

#[tokio::test]
async fn changes_the_comment_of_the_public_schema() {
    case("", "COMMENT ON SCHEMA public IS 'ours'").both_ways().run().await;
}

#[tokio::test]
async fn moving_a_table_to_another_schema_drops_and_creates_it() {
    let plan = case(
        "CREATE SCHEMA app; CREATE TABLE public.t (id int PRIMARY KEY, name text)",
        "CREATE SCHEMA app; CREATE TABLE app.t (id int PRIMARY KEY, name text)",
    )
    .data("INSERT INTO public.t VALUES (1, 'a')")
    .expect(Hazard::DeletesData)
    .both_ways()
    .run()
    .await;
    assert!(plan.statements.iter().any(|s| s.sql.contains("DROP TABLE")), "{}", plan.to_sql());
    assert!(plan.statements.iter().any(|s| s.sql.contains("CREATE TABLE")), "{}", plan.to_sql());
}

#[tokio::test]
async fn moving_a_table_into_a_new_schema_drops_and_creates_it() {
    case("CREATE TABLE t (id int PRIMARY KEY)", "CREATE SCHEMA archive; CREATE TABLE archive.t (id int PRIMARY KEY)")
        .data("INSERT INTO t VALUES (1)")
        .expect(Hazard::DeletesData)
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn creates_and_drops_the_citext_extension() {
    case("", "CREATE EXTENSION citext").both_ways().run().await;
}

#[tokio::test]
async fn creates_and_drops_the_pgcrypto_extension() {
    case("", "CREATE EXTENSION pgcrypto").both_ways().run().await;
}

#[tokio::test]
async fn creates_and_drops_the_pg_trgm_extension() {
    case("", "CREATE EXTENSION pg_trgm").both_ways().run().await;
}

#[tokio::test]
async fn creates_and_drops_several_extensions_at_once() {
    case("CREATE EXTENSION hstore", "CREATE EXTENSION citext; CREATE EXTENSION pgcrypto; CREATE EXTENSION pg_trgm")
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn creates_an_extension_in_its_own_schema() {
    case("", "CREATE SCHEMA ext; CREATE EXTENSION citext SCHEMA ext").both_ways().run().await;
}

#[tokio::test]
async fn moves_an_extension_to_another_schema() {
    case("CREATE SCHEMA ext; CREATE EXTENSION pg_trgm", "CREATE SCHEMA ext; CREATE EXTENSION pg_trgm SCHEMA ext")
        .verify("SELECT extnamespace = 'ext'::regnamespace FROM pg_extension WHERE extname = 'pg_trgm'")
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn adds_a_citext_column_together_with_the_extension() {
    case(
        "CREATE TABLE users (id int PRIMARY KEY)",
        "CREATE EXTENSION citext; CREATE TABLE users (id int PRIMARY KEY, email citext UNIQUE)",
    )
    .data("INSERT INTO users VALUES (1), (2)")
    .verify("SELECT count(*) = 2 FROM users")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn creates_a_citext_table_together_with_the_extension() {
    case("", "CREATE EXTENSION citext; CREATE TABLE users (id int PRIMARY KEY, email citext NOT NULL UNIQUE)")
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn changes_a_text_column_to_citext_together_with_the_extension() {
    case(
        "CREATE TABLE users (id int PRIMARY KEY, email text)",
        "CREATE EXTENSION citext; CREATE TABLE users (id int PRIMARY KEY, email citext)",
    )
    .data("INSERT INTO users VALUES (1, 'A@x'), (2, NULL)")
    .verify("SELECT count(*) = 1 FROM users WHERE email = 'a@X'")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn creates_a_schema_an_extension_in_it_and_a_table_using_its_type() {
    case(
        "",
        "CREATE SCHEMA app; CREATE EXTENSION citext SCHEMA app;
         CREATE TABLE app.users (id int PRIMARY KEY, email app.citext, tags app.citext[]);",
    )
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn adds_a_column_with_a_pgcrypto_default_together_with_the_extension() {
    case(
        "CREATE TABLE token (id int PRIMARY KEY)",
        "CREATE EXTENSION pgcrypto;
         CREATE TABLE token (id int PRIMARY KEY, secret text NOT NULL DEFAULT encode(gen_random_bytes(8), 'hex'))",
    )
    .data("INSERT INTO token VALUES (1), (2)")
    .verify("SELECT count(DISTINCT secret) = 2 FROM token")
    .run()
    .await;
}

/// A role whose search_path puts another schema first reads the same model as everyone else: stored
/// expressions are rendered under one fixed search_path during introspection.
#[tokio::test]
async fn introspection_does_not_depend_on_the_session_search_path() {
    let server = keel_test_support::shared_server().expect("a server");
    let database = server.create_database().await.expect("a database");
    let mut conn = database.connect().await.expect("connect");
    sqlx::raw_sql(
        "CREATE SCHEMA app; CREATE SEQUENCE app.orders_seq; \
         CREATE TABLE app.orders (id bigint NOT NULL DEFAULT nextval('app.orders_seq'), n int CHECK (n > 0))",
    )
    .execute(&mut conn)
    .await
    .expect("setup");
    let plain = keel_diff::introspect(&mut conn, None).await.expect("introspect");
    sqlx::raw_sql("SET search_path = app, public").execute(&mut conn).await.expect("set search_path");
    let with_path = keel_diff::introspect(&mut conn, None).await.expect("introspect");
    let current: String = sqlx::query_scalar("SHOW search_path").fetch_one(&mut conn).await.expect("show");
    drop(conn);
    database.drop_database().await.expect("drop");
    assert_eq!(plain, with_path);
    assert_eq!(current, "app, public", "the session's own setting is left as it was");
}

// ---- extension versions ----

#[tokio::test]
async fn updating_an_extension_is_a_hazard() {
    // hstore 1.8 came with PostgreSQL 14; 13 ships 1.7 at most, and every version from 13 on can still go
    // from 1.6 to 1.7. The newest step the server has is the one a real update would take.
    let (from, to) = if server_version().await >= 140000 { ("1.7", "1.8") } else { ("1.6", "1.7") };
    let plan =
        case(&format!("CREATE EXTENSION hstore VERSION '{from}'"), &format!("CREATE EXTENSION hstore VERSION '{to}'"))
            .verify(&format!("SELECT extversion = '{to}' FROM pg_extension WHERE extname = 'hstore'"))
            .expect(Hazard::UpdatesExtension)
            .run()
            .await;
    let update = format!("ALTER EXTENSION \"hstore\" UPDATE TO '{to}'");
    assert!(plan.statements.iter().any(|s| s.sql == update), "{}", plan.to_sql());
}

#[tokio::test]
async fn a_new_extension_at_a_given_version() {
    case("", "CREATE EXTENSION hstore VERSION '1.7'")
        .verify("SELECT extversion = '1.7' FROM pg_extension WHERE extname = 'hstore'")
        .both_ways()
        .run()
        .await;
}
