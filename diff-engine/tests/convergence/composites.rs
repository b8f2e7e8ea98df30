//! Composite types (`CREATE TYPE ... AS (...)`): created and dropped with the tables that use them,
//! attributes added, dropped and retyped in place where PostgreSQL allows it, the type recreated (columns
//! cast, data kept) where it does not, comments, other schemas. Never CASCADE.

use crate::domains::plan_error;
use crate::harness::{case, has};
use keel_diff::{Hazard, Plan};

const PAIR: &str = "CREATE TYPE pair AS (a int, b text);";

fn assert_in_place(plan: &Plan) {
    let sql = plan.to_sql();
    assert!(!sql.contains("CREATE TYPE") && !sql.contains("DROP TYPE") && !sql.contains("CASCADE"), "{sql}");
}

#[tokio::test]
async fn creates_and_drops_a_composite_type() {
    case("", r#"CREATE TYPE "Point 3" AS (x float8, y float8, "Z" float8, label text COLLATE "C", tags text[])"#)
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn a_table_column_of_a_composite_type() {
    let plan =
        case("", &format!("{PAIR} CREATE TABLE t (id int PRIMARY KEY, p pair, ps pair[])")).both_ways().run().await;
    let position = |fragment: &str| plan.statements.iter().position(|s| s.sql.contains(fragment)).expect(fragment);
    assert!(position("CREATE TYPE") < position("CREATE TABLE"), "{}", plan.to_sql());
}

#[tokio::test]
async fn a_composite_of_domains_and_composites_in_another_schema() {
    case(
        "",
        "CREATE SCHEMA geo; CREATE DOMAIN geo.lat AS float8 CHECK (VALUE BETWEEN -90 AND 90);
         CREATE TYPE geo.point AS (lat geo.lat, lon float8);
         CREATE TYPE geo.segment AS (a geo.point, b geo.point);
         CREATE TABLE geo.roads (id int PRIMARY KEY, s geo.segment);",
    )
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn adds_an_attribute_in_place_while_a_column_uses_the_type() {
    let plan = case(
        &format!("{PAIR} CREATE TABLE t (id int, p pair)"),
        "CREATE TYPE pair AS (a int, b text, c date); CREATE TABLE t (id int, p pair)",
    )
    .data("INSERT INTO t VALUES (1, ROW(1, 'x'))")
    .verify("SELECT (p).a = 1 AND (p).b = 'x' AND (p).c IS NULL FROM t")
    .run()
    .await;
    assert_in_place(&plan);
    assert!(has(&plan, r#"ADD ATTRIBUTE "c" date"#), "{}", plan.to_sql());
}

#[tokio::test]
async fn drops_an_attribute_in_place_and_says_it_deletes_data() {
    let plan = case(
        &format!("{PAIR} CREATE TABLE t (id int, p pair)"),
        "CREATE TYPE pair AS (a int); CREATE TABLE t (id int, p pair)",
    )
    .data("INSERT INTO t VALUES (1, ROW(1, 'x'))")
    .verify("SELECT (p).a = 1 FROM t")
    .expect(Hazard::DeletesData)
    .run()
    .await;
    assert_in_place(&plan);
}

#[tokio::test]
async fn retypes_an_attribute_in_place_when_no_column_uses_the_type() {
    let plan = case(PAIR, "CREATE TYPE pair AS (a bigint, b varchar(5) COLLATE \"C\")").both_ways().run().await;
    assert_in_place(&plan);
    assert!(has(&plan, r#"ALTER ATTRIBUTE "a" TYPE bigint"#), "{}", plan.to_sql());
}

#[tokio::test]
async fn retyping_an_attribute_under_a_column_recreates_the_type_and_keeps_the_data() {
    let plan = case(
        &format!("{PAIR} CREATE TABLE t (id int PRIMARY KEY, p pair, ps pair[])"),
        "CREATE TYPE pair AS (a bigint, c int); CREATE TABLE t (id int PRIMARY KEY, p pair, ps pair[])",
    )
    .data("INSERT INTO t VALUES (1, ROW(1, 'x'), ARRAY[ROW(2, 'y')::pair]), (2, NULL, NULL)")
    .verify("SELECT (p).a = 1 AND (p).c IS NULL AND (ps[1]).a = 2 FROM t WHERE id = 1")
    .verify("SELECT p IS NULL AND ps IS NULL FROM t WHERE id = 2")
    .both_ways()
    .run()
    .await;
    assert!(has(&plan, "RENAME TO"), "{}", plan.to_sql());
    assert!(!plan.to_sql().contains("CASCADE"), "{}", plan.to_sql());
}

#[tokio::test]
async fn reorders_the_attributes_of_an_unused_type_by_recreating_it() {
    let plan = case(PAIR, "CREATE TYPE pair AS (b text, a int)").run().await;
    assert!(has(&plan, "DROP TYPE") && has(&plan, "CREATE TYPE"), "{}", plan.to_sql());
}

#[tokio::test]
async fn refuses_to_reorder_the_attributes_of_a_used_type() {
    let error = plan_error(
        &format!("{PAIR} CREATE TABLE t (p pair)"),
        "CREATE TYPE pair AS (b text, a int); CREATE TABLE t (p pair)",
    )
    .await;
    assert!(error.contains("change order") && error.contains("public.t.p"), "{error}");
}

#[tokio::test]
async fn comments_on_a_composite_type() {
    let plan = case(PAIR, &format!("{PAIR} COMMENT ON TYPE pair IS 'two things'")).both_ways().run().await;
    assert!(has(&plan, "COMMENT ON TYPE"), "{}", plan.to_sql());
}

#[tokio::test]
async fn a_view_over_a_composite_column_is_rebuilt_when_the_type_is() {
    let plan = case(
        &format!("{PAIR} CREATE TABLE t (id int, p pair); CREATE VIEW v AS SELECT id, (p).a FROM t;"),
        "CREATE TYPE pair AS (a bigint, b text); CREATE TABLE t (id int, p pair);
         CREATE VIEW v AS SELECT id, (p).a FROM t;",
    )
    .data("INSERT INTO t VALUES (1, ROW(4, 'x'))")
    .verify("SELECT a = 4 FROM v")
    .run()
    .await;
    let sql = plan.to_sql();
    let drop = sql.find("DROP VIEW").expect("the view is dropped");
    assert!(drop < sql.find("RENAME TO").expect("the type is recreated"), "{sql}");
}

#[tokio::test]
async fn a_table_row_type_is_not_a_composite_type() {
    let plan = case("CREATE TABLE t (id int)", "CREATE TABLE t (id int); CREATE TABLE u (id int, row_of_t t)")
        .both_ways()
        .run()
        .await;
    assert!(!has(&plan, "CREATE TYPE"), "{}", plan.to_sql());
}
