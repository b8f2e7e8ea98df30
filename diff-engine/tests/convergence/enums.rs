//! Enum types: creating and dropping them, adding values anywhere, removing and reordering values (which
//! recreates the type) with the columns, arrays, defaults, indexes, checks and keys that use it, comments.

use crate::harness::case;
use keel_diff::{Hazard, Plan, PlanOptions, apply_plan, introspect, measure_data_loss, plan};
use keel_test_support::shared_server;
use sqlx::AssertSqlSafe;

fn no_rewrite(plan: &Plan) {
    assert!(!plan.has(Hazard::RewritesTable), "adding enum values rewrites nothing:\n{}", plan.to_sql());
    assert!(!plan.has(Hazard::DeletesData), "adding enum values deletes nothing:\n{}", plan.to_sql());
}

/// The measured data loss of every statement that has something to measure.
fn losses(plan: &Plan) -> Vec<Option<i64>> {
    plan.statements.iter().filter(|s| s.measure.is_some()).map(|s| s.data_loss).collect()
}

/// `SELECT enum_range(NULL::<ty>)::text = '<values>'`.
fn values_are(ty: &str, values: &str) -> String {
    format!("SELECT enum_range(NULL::{ty})::text = '{values}'")
}

// ---- create and drop ----

#[tokio::test]
async fn creates_and_drops_an_enum() {
    case("", "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')").both_ways().run().await;
}

#[tokio::test]
async fn creates_and_drops_an_empty_enum() {
    case("", "CREATE TYPE nothing AS ENUM ()").both_ways().run().await;
}

#[tokio::test]
async fn creates_and_drops_an_enum_with_the_table_using_it() {
    case(
        "",
        "CREATE TYPE mood AS ENUM ('sad', 'ok');
         CREATE TABLE t (id int PRIMARY KEY, m mood NOT NULL DEFAULT 'ok', ms mood[]);",
    )
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn drops_a_column_and_its_enum_together() {
    case(
        "CREATE TYPE mood AS ENUM ('sad', 'ok'); CREATE TABLE t (id int PRIMARY KEY, m mood)",
        "CREATE TABLE t (id int PRIMARY KEY)",
    )
    .data("INSERT INTO t VALUES (1, 'ok')")
    .verify("SELECT count(*) = 1 FROM t")
    .expect(Hazard::DeletesData)
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn creates_an_enum_whose_names_need_quoting() {
    case("", r#"CREATE TYPE "My Status" AS ENUM ('in progress', 'it''s done', 'Ünïcode', 'back\slash')"#)
        .both_ways()
        .run()
        .await;
}

// ---- adding values ----

#[tokio::test]
async fn adds_a_value_at_the_end() {
    let plan = case(
        "CREATE TYPE st AS ENUM ('a', 'b'); CREATE TABLE t (id int, s st)",
        "CREATE TYPE st AS ENUM ('a', 'b', 'c'); CREATE TABLE t (id int, s st)",
    )
    .data("INSERT INTO t VALUES (1, 'a'), (2, 'b')")
    .verify("SELECT string_agg(s::text, ',' ORDER BY id) = 'a,b' FROM t")
    .verify(&values_are("st", "{a,b,c}"))
    .run()
    .await;
    no_rewrite(&plan);
}

#[tokio::test]
async fn adds_a_value_at_the_start() {
    let plan = case(
        "CREATE TYPE st AS ENUM ('a', 'b'); CREATE TABLE t (id int, s st)",
        "CREATE TYPE st AS ENUM ('first', 'a', 'b'); CREATE TABLE t (id int, s st)",
    )
    .data("INSERT INTO t VALUES (1, 'a'), (2, 'b')")
    .verify("SELECT string_agg(s::text, ',' ORDER BY id) = 'a,b' FROM t")
    .verify(&values_are("st", "{first,a,b}"))
    .run()
    .await;
    no_rewrite(&plan);
    assert!(plan.statements.iter().any(|s| s.sql.contains("BEFORE 'a'")), "{}", plan.to_sql());
}

#[tokio::test]
async fn adds_a_value_in_the_middle() {
    let plan = case(
        "CREATE TYPE st AS ENUM ('a', 'c'); CREATE TABLE t (id int, s st)",
        "CREATE TYPE st AS ENUM ('a', 'b', 'c'); CREATE TABLE t (id int, s st)",
    )
    .data("INSERT INTO t VALUES (1, 'c'), (2, 'a')")
    .verify("SELECT string_agg(s::text, ',' ORDER BY s) = 'a,c' FROM t")
    .verify(&values_are("st", "{a,b,c}"))
    .run()
    .await;
    no_rewrite(&plan);
}

#[tokio::test]
async fn adds_several_values_at_once() {
    let plan = case(
        "CREATE TYPE st AS ENUM ('b', 'd'); CREATE TABLE t (id int, s st)",
        "CREATE TYPE st AS ENUM ('a', 'b', 'c', 'd', 'e', 'f'); CREATE TABLE t (id int, s st)",
    )
    .data("INSERT INTO t VALUES (1, 'b'), (2, 'd')")
    .verify("SELECT string_agg(s::text, ',' ORDER BY s) = 'b,d' FROM t")
    .verify(&values_are("st", "{a,b,c,d,e,f}"))
    .run()
    .await;
    no_rewrite(&plan);
}

#[tokio::test]
async fn adds_values_to_an_empty_enum() {
    case("CREATE TYPE st AS ENUM ()", "CREATE TYPE st AS ENUM ('a', 'b')")
        .verify(&values_are("st", "{a,b}"))
        .run()
        .await;
}

#[tokio::test]
async fn adds_a_value_and_uses_it_as_a_default_in_the_same_plan() {
    case(
        "CREATE TYPE st AS ENUM ('a', 'b'); CREATE TABLE t (id int, s st DEFAULT 'a')",
        "CREATE TYPE st AS ENUM ('a', 'b', 'new'); CREATE TABLE t (id int, s st DEFAULT 'new')",
    )
    .data("INSERT INTO t VALUES (1, 'b')")
    .verify("SELECT s = 'b' FROM t")
    .verify("WITH i AS (INSERT INTO t (id) VALUES (2) RETURNING s) SELECT s = 'new' FROM i")
    .run()
    .await;
}

#[tokio::test]
async fn adds_a_value_and_a_column_defaulting_to_it() {
    case(
        "CREATE TYPE st AS ENUM ('a'); CREATE TABLE t (id int)",
        "CREATE TYPE st AS ENUM ('a', 'fresh'); CREATE TABLE t (id int, s st NOT NULL DEFAULT 'fresh')",
    )
    .data("INSERT INTO t VALUES (1), (2)")
    .verify("SELECT bool_and(s = 'fresh') FROM t")
    .run()
    .await;
}

#[tokio::test]
async fn adds_a_value_and_a_check_that_names_it() {
    case(
        "CREATE TYPE st AS ENUM ('a'); CREATE TABLE t (id int, s st)",
        "CREATE TYPE st AS ENUM ('a', 'banned');
         CREATE TABLE t (id int, s st CONSTRAINT t_s_allowed CHECK (s <> 'banned'));",
    )
    .data("INSERT INTO t VALUES (1, 'a')")
    .verify("SELECT s = 'a' FROM t")
    .run()
    .await;
}

#[tokio::test]
async fn adds_a_value_with_quotes_to_a_quoted_enum() {
    let plan = case(
        r#"CREATE TYPE "My Status" AS ENUM ('open'); CREATE TABLE t (s "My Status")"#,
        r#"CREATE TYPE "My Status" AS ENUM ('open', 'won''t fix'); CREATE TABLE t (s "My Status")"#,
    )
    .data("INSERT INTO t VALUES ('open')")
    .verify(r#"SELECT s = 'open' FROM t"#)
    .run()
    .await;
    no_rewrite(&plan);
}

// ---- removing and reordering values ----

#[tokio::test]
async fn removes_a_value_no_row_uses() {
    let plan = case(
        "CREATE TYPE st AS ENUM ('a', 'b', 'c'); CREATE TABLE t (id int, s st)",
        "CREATE TYPE st AS ENUM ('a', 'c'); CREATE TABLE t (id int, s st)",
    )
    .data("INSERT INTO t VALUES (1, 'a'), (2, 'c'), (3, NULL)")
    .verify("SELECT string_agg(s::text, ',' ORDER BY id) = 'a,c' AND count(*) = 3 FROM t")
    .verify(&values_are("st", "{a,c}"))
    .expect(Hazard::MayFailOnData)
    .both_ways()
    .run()
    .await;
    assert_eq!(losses(&plan), vec![Some(0)], "{}", plan.to_sql());
}

#[tokio::test]
async fn removes_a_value_of_an_enum_no_column_uses() {
    case("CREATE TYPE st AS ENUM ('a', 'b', 'c')", "CREATE TYPE st AS ENUM ('c', 'a')")
        .verify(&values_are("st", "{c,a}"))
        .run()
        .await;
}

#[tokio::test]
async fn removing_a_value_rows_still_use_is_measured_and_fails_without_changing_anything() {
    let server = shared_server().unwrap_or_else(|e| panic!("no PostgreSQL for the tests: {e}"));
    let (db_a, db_b) = (server.create_database().await.unwrap(), server.create_database().await.unwrap());
    let (mut a, mut b) = (db_a.connect().await.unwrap(), db_b.connect().await.unwrap());
    let setup_a = "CREATE TYPE st AS ENUM ('a', 'b', 'c'); CREATE TABLE t (id int, s st, ss st[]);
                   INSERT INTO t VALUES (1, 'a', '{a}'), (2, 'b', '{b,c}'), (3, 'b', NULL), (4, NULL, '{c}')";
    let setup_b = "CREATE TYPE st AS ENUM ('a', 'c'); CREATE TABLE t (id int, s st, ss st[])";
    sqlx::raw_sql(AssertSqlSafe(setup_a)).execute(&mut a).await.unwrap();
    sqlx::raw_sql(AssertSqlSafe(setup_b)).execute(&mut b).await.unwrap();
    let current = introspect(&mut a, None).await.unwrap();
    let desired = introspect(&mut b, None).await.unwrap();

    let mut planned = plan(&current, &desired, &PlanOptions::default()).unwrap();
    assert!(planned.has(Hazard::MayFailOnData), "{}", planned.to_sql());
    measure_data_loss(&mut a, &mut planned).await.unwrap();
    let mut measured = losses(&planned);
    measured.sort();
    assert_eq!(measured, vec![Some(1), Some(2)], "rows holding 'b' in s, and in ss:\n{}", planned.to_sql());

    assert!(apply_plan(&mut a, &planned).await.is_err(), "casting 'b' to the new type must fail");
    let after = introspect(&mut a, None).await.unwrap();
    assert_eq!(after, current, "a failed plan leaves the schema as it was");
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM t WHERE s = 'b'").fetch_one(&mut a).await.unwrap();
    assert_eq!(rows, 2);

    drop((a, b));
    db_a.drop_database().await.unwrap();
    db_b.drop_database().await.unwrap();
}

#[tokio::test]
async fn reorders_values_keeping_the_rows() {
    let plan = case(
        "CREATE TYPE st AS ENUM ('low', 'high', 'mid'); CREATE TABLE t (id int, s st)",
        "CREATE TYPE st AS ENUM ('low', 'mid', 'high'); CREATE TABLE t (id int, s st)",
    )
    .data("INSERT INTO t VALUES (1, 'high'), (2, 'mid'), (3, 'low')")
    .verify("SELECT string_agg(id::text, ',' ORDER BY s) = '3,2,1' FROM t")
    .verify(&values_are("st", "{low,mid,high}"))
    .expect(Hazard::RewritesTable)
    .both_ways()
    .run()
    .await;
    assert!(!plan.has(Hazard::DeletesData) && !plan.has(Hazard::MayFailOnData), "{}", plan.to_sql());
}

#[tokio::test]
async fn replaces_one_value_by_another() {
    case(
        "CREATE TYPE st AS ENUM ('a', 'old', 'z'); CREATE TABLE t (id int, s st)",
        "CREATE TYPE st AS ENUM ('a', 'new', 'z'); CREATE TABLE t (id int, s st)",
    )
    .data("INSERT INTO t VALUES (1, 'z'), (2, 'a')")
    .verify("SELECT string_agg(s::text, ',' ORDER BY id) = 'z,a' FROM t")
    .verify(&values_are("st", "{a,new,z}"))
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn removes_a_value_from_an_enum_array_column() {
    let plan = case(
        "CREATE TYPE tag AS ENUM ('red', 'green', 'blue'); CREATE TABLE t (id int, tags tag[] NOT NULL DEFAULT '{}')",
        "CREATE TYPE tag AS ENUM ('red', 'blue'); CREATE TABLE t (id int, tags tag[] NOT NULL DEFAULT '{}')",
    )
    .data("INSERT INTO t VALUES (1, '{red,blue}'), (2, '{}')")
    .verify("SELECT tags = '{red,blue}'::tag[] FROM t WHERE id = 1")
    .verify("SELECT cardinality(tags) = 0 FROM t WHERE id = 2")
    .expect(Hazard::MayFailOnData)
    .both_ways()
    .run()
    .await;
    assert_eq!(losses(&plan), vec![Some(0)], "{}", plan.to_sql());
}

#[tokio::test]
async fn adds_a_value_to_an_enum_used_as_an_array() {
    let plan = case(
        "CREATE TYPE tag AS ENUM ('red'); CREATE TABLE t (id int, tags tag[])",
        "CREATE TYPE tag AS ENUM ('red', 'green'); CREATE TABLE t (id int, tags tag[])",
    )
    .data("INSERT INTO t VALUES (1, '{red,red}')")
    .verify("SELECT tags = '{red,red}'::tag[] FROM t")
    .run()
    .await;
    no_rewrite(&plan);
}

#[tokio::test]
async fn removes_the_value_a_default_uses_and_changes_the_default() {
    case(
        "CREATE TYPE st AS ENUM ('draft', 'live', 'gone'); CREATE TABLE t (id int, s st NOT NULL DEFAULT 'draft')",
        "CREATE TYPE st AS ENUM ('live', 'gone'); CREATE TABLE t (id int, s st NOT NULL DEFAULT 'live')",
    )
    .data("INSERT INTO t VALUES (1, 'live'), (2, 'gone')")
    .verify("SELECT string_agg(s::text, ',' ORDER BY id) = 'live,gone' FROM t")
    .verify("WITH i AS (INSERT INTO t (id) VALUES (3) RETURNING s) SELECT s = 'live' FROM i")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn changes_values_of_an_enum_in_another_schema_used_from_public() {
    case(
        "CREATE SCHEMA types; CREATE TYPE types.st AS ENUM ('a', 'b', 'c');
         CREATE TABLE t (id int, s types.st DEFAULT 'a');",
        "CREATE SCHEMA types; CREATE TYPE types.st AS ENUM ('c', 'a', 'd');
         CREATE TABLE t (id int, s types.st DEFAULT 'a');",
    )
    .data("INSERT INTO t VALUES (1, 'a'), (2, 'c')")
    .verify("SELECT string_agg(s::text, ',' ORDER BY id) = 'a,c' FROM t")
    .verify(&values_are("types.st", "{c,a,d}"))
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn adds_a_value_to_an_enum_in_another_schema_used_from_public() {
    let plan = case(
        "CREATE SCHEMA types; CREATE TYPE types.st AS ENUM ('a'); CREATE TABLE t (s types.st)",
        "CREATE SCHEMA types; CREATE TYPE types.st AS ENUM ('a', 'b'); CREATE TABLE t (s types.st)",
    )
    .data("INSERT INTO t VALUES ('a')")
    .verify("SELECT s = 'a' FROM t")
    .run()
    .await;
    no_rewrite(&plan);
}

#[tokio::test]
async fn removes_a_value_of_an_enum_used_in_a_partial_index_predicate() {
    case(
        "CREATE TYPE st AS ENUM ('open', 'closed', 'archived'); CREATE TABLE t (id int, s st);
         CREATE INDEX t_open ON t (id) WHERE s = 'open';",
        "CREATE TYPE st AS ENUM ('open', 'closed'); CREATE TABLE t (id int, s st);
         CREATE INDEX t_open ON t (id) WHERE s = 'open';",
    )
    .data("INSERT INTO t VALUES (1, 'open'), (2, 'closed')")
    .verify("SELECT string_agg(s::text, ',' ORDER BY id) = 'open,closed' FROM t")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn removes_a_value_of_an_enum_used_in_a_check() {
    case(
        "CREATE TYPE st AS ENUM ('a', 'b', 'c'); CREATE TABLE t (id int, s st CONSTRAINT t_not_a CHECK (s <> 'a'))",
        "CREATE TYPE st AS ENUM ('a', 'c'); CREATE TABLE t (id int, s st CONSTRAINT t_not_a CHECK (s <> 'a'))",
    )
    .data("INSERT INTO t VALUES (1, 'c')")
    .verify("SELECT s = 'c' FROM t")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn removes_a_value_of_an_enum_in_an_indexed_column() {
    case(
        "CREATE TYPE st AS ENUM ('a', 'b', 'c'); CREATE TABLE t (id int, s st UNIQUE); CREATE INDEX t_s ON t (s)",
        "CREATE TYPE st AS ENUM ('a', 'c'); CREATE TABLE t (id int, s st UNIQUE); CREATE INDEX t_s ON t (s)",
    )
    .data("INSERT INTO t VALUES (1, 'a'), (2, 'c')")
    .verify("SELECT count(*) = 2 FROM t")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn removes_a_value_of_an_enum_used_by_two_tables() {
    let plan = case(
        "CREATE TYPE st AS ENUM ('a', 'b', 'c'); CREATE TABLE t1 (s st); CREATE TABLE t2 (s st[], other st)",
        "CREATE TYPE st AS ENUM ('a', 'c'); CREATE TABLE t1 (s st); CREATE TABLE t2 (s st[], other st)",
    )
    .data("INSERT INTO t1 VALUES ('a'); INSERT INTO t2 VALUES ('{c}', 'a')")
    .verify("SELECT s = 'a' FROM t1")
    .verify("SELECT s = '{c}'::st[] AND other = 'a' FROM t2")
    .run()
    .await;
    assert_eq!(losses(&plan), vec![Some(0); 3], "{}", plan.to_sql());
}

#[tokio::test]
async fn removes_a_value_of_an_enum_used_by_a_primary_and_a_foreign_key() {
    case(
        "CREATE TYPE kind AS ENUM ('x', 'y', 'z'); CREATE TABLE kinds (k kind PRIMARY KEY);
         CREATE TABLE items (id int, k kind REFERENCES kinds);",
        "CREATE TYPE kind AS ENUM ('x', 'z'); CREATE TABLE kinds (k kind PRIMARY KEY);
         CREATE TABLE items (id int, k kind REFERENCES kinds);",
    )
    .data("INSERT INTO kinds VALUES ('x'), ('z'); INSERT INTO items VALUES (1, 'x'), (2, 'z')")
    .verify("SELECT count(*) = 2 FROM items JOIN kinds USING (k)")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn removes_a_value_while_the_column_using_it_is_dropped() {
    let plan = case(
        "CREATE TYPE st AS ENUM ('a', 'b'); CREATE TABLE t (id int, s st)",
        "CREATE TYPE st AS ENUM ('a'); CREATE TABLE t (id int)",
    )
    .data("INSERT INTO t VALUES (1, 'b')")
    .verify("SELECT count(*) = 1 FROM t")
    .expect(Hazard::DeletesData)
    .run()
    .await;
    assert!(!plan.statements.iter().any(|s| s.sql.contains("USING")), "no cast is needed:\n{}", plan.to_sql());
}

#[tokio::test]
async fn moves_a_column_from_one_enum_to_another() {
    case(
        "CREATE TYPE old_st AS ENUM ('a', 'b'); CREATE TYPE new_st AS ENUM ('a', 'b', 'c');
         CREATE TABLE t (id int, s old_st);",
        "CREATE TYPE old_st AS ENUM ('a', 'b'); CREATE TYPE new_st AS ENUM ('a', 'b', 'c');
         CREATE TABLE t (id int, s new_st);",
    )
    .data("INSERT INTO t VALUES (1, 'b')")
    .verify("SELECT s = 'b'::new_st FROM t")
    .both_ways()
    .run()
    .await;
}

// ---- comments ----

#[tokio::test]
async fn adds_an_enum_comment() {
    case("CREATE TYPE st AS ENUM ('a')", "CREATE TYPE st AS ENUM ('a'); COMMENT ON TYPE st IS 'the states'")
        .verify("SELECT obj_description('st'::regtype, 'pg_type') = 'the states'")
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn changes_an_enum_comment() {
    case(
        "CREATE TYPE st AS ENUM ('a'); COMMENT ON TYPE st IS 'old'",
        "CREATE TYPE st AS ENUM ('a'); COMMENT ON TYPE st IS 'new'",
    )
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn keeps_an_enum_comment_when_the_type_is_recreated() {
    case(
        "CREATE TYPE st AS ENUM ('a', 'b'); COMMENT ON TYPE st IS 'kept'; CREATE TABLE t (s st)",
        "CREATE TYPE st AS ENUM ('b', 'a'); COMMENT ON TYPE st IS 'kept'; CREATE TABLE t (s st)",
    )
    .data("INSERT INTO t VALUES ('a')")
    .verify("SELECT obj_description('st'::regtype, 'pg_type') = 'kept'")
    .run()
    .await;
}
