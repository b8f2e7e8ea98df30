//! Generated columns on the versions that change them in place: `SET EXPRESSION` (17) keeps the column's
//! place and what depends on it; virtual generated columns (18) are created, dropped, changed in place,
//! turned stored and back, and refused by older servers. The cases every version runs (stored columns
//! added, dropped, replaced) are in `columns`.

use crate::harness::{case, server_version};
use keel_core::model::{Column, ColumnType, Schema, Table};
use keel_diff::{Hazard, Plan};

/// `t (id int PRIMARY KEY, <definition>)`.
fn table(definition: &str) -> String {
    format!("CREATE TABLE t (id int PRIMARY KEY, {definition})")
}

/// The column's number in `t`: a column dropped and added again comes back last.
fn at(column: &str, attnum: i32) -> String {
    format!("SELECT attnum = {attnum} FROM pg_attribute WHERE attrelid = 't'::regclass AND attname = '{column}'")
}

fn has(plan: &Plan, needle: &str) -> bool {
    plan.statements.iter().any(|s| s.sql.contains(needle))
}

/// The plan changed the column in place: no drop, no add, and the view on it untouched.
fn in_place(plan: &Plan) {
    assert!(has(plan, "SET EXPRESSION AS"), "expected SET EXPRESSION:\n{}", plan.to_sql());
    assert!(!has(plan, "DROP COLUMN") && !has(plan, "ADD COLUMN"), "the column is kept:\n{}", plan.to_sql());
    assert!(!has(plan, "VIEW"), "the view on it survives:\n{}", plan.to_sql());
}

// ---- SET EXPRESSION (17) ----

const STORED_VIEW: &str = "CREATE VIEW totals AS SELECT id, total FROM t";

#[tokio::test]
async fn set_expression_keeps_a_stored_column_its_place_view_and_index() {
    let a = format!(
        "{}; CREATE INDEX t_total ON t (total); {STORED_VIEW}",
        table("price int, total int GENERATED ALWAYS AS (price * 2) STORED, note text")
    );
    let b = format!(
        "{}; CREATE INDEX t_total ON t (total); {STORED_VIEW}",
        table("price int, total int GENERATED ALWAYS AS (price * 3 + 1) STORED, note text")
    );
    let plan = case(&a, &b)
        .min_version(170000)
        .data("INSERT INTO t VALUES (1, 10, DEFAULT, 'x')")
        .verify("SELECT total = 31 FROM totals WHERE id = 1")
        .verify(&at("total", 3))
        // The index was rebuilt with the new values: an index scan finds the row by them.
        .verify("SELECT count(*) = 1 FROM t WHERE total = 31")
        .expect(Hazard::RewritesTable)
        .expect(Hazard::MayFailOnData)
        .both_ways()
        .run()
        .await;
    if server_version().await >= 170000 {
        in_place(&plan);
    }
}

#[tokio::test]
async fn set_expression_reads_a_column_added_by_the_same_plan() {
    // Forward, the new expression reads `qty`, added first; backward, `qty` goes after the expression that
    // reads it is replaced.
    let plan = case(
        &table("price int, total int GENERATED ALWAYS AS (price * 2) STORED"),
        &table("price int, total int GENERATED ALWAYS AS (price * qty) STORED, qty int DEFAULT 3"),
    )
    .min_version(170000)
    .data("INSERT INTO t VALUES (1, 10)")
    .verify("SELECT total = 30 FROM t")
    .verify(&at("total", 3))
    .both_ways()
    .run()
    .await;
    if server_version().await >= 170000 {
        assert!(has(&plan, "SET EXPRESSION AS"), "{}", plan.to_sql());
    }
}

#[tokio::test]
async fn a_new_expression_of_another_type_replaces_the_column() {
    // ALTER TYPE cannot go first (the old expression does not cast to the new type), nor SET EXPRESSION (the
    // new expression does not cast to the old one): the column is dropped and added again on every version.
    case(
        &table("price int, total text GENERATED ALWAYS AS (price::text || ' EUR') STORED"),
        &table("price int, total int GENERATED ALWAYS AS (price + 1) STORED"),
    )
    .data("INSERT INTO t VALUES (1, 10)")
    .verify("SELECT total = 11 FROM t")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn a_generated_column_changes_type_keeping_its_expression() {
    // PostgreSQL refuses USING on a generated column: int → text (an assignment cast) is ALTER TYPE, which
    // keeps the column's place; text → int (none) drops and adds it.
    case(
        &table("price int, total int GENERATED ALWAYS AS (price * 2) STORED, note text"),
        &table("price int, total text GENERATED ALWAYS AS (price * 2) STORED, note text"),
    )
    .data("INSERT INTO t (id, price) VALUES (1, 10)")
    .verify("SELECT total = '20' FROM t")
    .verify(&at("total", 3))
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn a_virtual_column_changes_type_keeping_its_expression() {
    case(
        &table("price int, total int GENERATED ALWAYS AS (price * 2) VIRTUAL, note text"),
        &table("price int, total bigint GENERATED ALWAYS AS (price * 2) VIRTUAL, note text"),
    )
    .min_version(180000)
    .data("INSERT INTO t (id, price) VALUES (1, 10)")
    .verify("SELECT total = 20 FROM t")
    .verify(&at("total", 3))
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn a_stored_expression_change_is_dropped_and_added_before_17() {
    let (a, b) = (
        table("price int, total int GENERATED ALWAYS AS (price * 2) STORED"),
        table("price int, total int GENERATED ALWAYS AS (price * 3) STORED"),
    );
    let plan = case(&a, &b).data("INSERT INTO t VALUES (1, 10)").verify("SELECT total = 30 FROM t").run().await;
    let in_place = server_version().await >= 170000;
    assert_eq!(has(&plan, "SET EXPRESSION"), in_place, "{}", plan.to_sql());
    assert_eq!(has(&plan, "DROP COLUMN"), !in_place, "{}", plan.to_sql());
}

// ---- virtual generated columns (18) ----

const VIRTUAL: &str = "price int, doubled int GENERATED ALWAYS AS (price * 2) VIRTUAL";

#[tokio::test]
async fn creates_a_table_with_a_virtual_column() {
    case("", &table(VIRTUAL))
        .min_version(180000)
        .verify("SELECT attgenerated = 'v' FROM pg_attribute WHERE attrelid = 't'::regclass AND attname = 'doubled'")
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn adds_and_drops_a_virtual_column_without_a_rewrite() {
    let plan = case(&table("price int"), &table(VIRTUAL))
        .min_version(180000)
        .data("INSERT INTO t VALUES (1, 10)")
        .verify("SELECT doubled = 20 FROM t")
        .run()
        .await;
    assert!(!plan.has(Hazard::RewritesTable), "a virtual column stores nothing:\n{}", plan.to_sql());
    let plan = case(&table(VIRTUAL), &table("price int"))
        .min_version(180000)
        .data("INSERT INTO t VALUES (1, 10)")
        .verify("SELECT price = 10 FROM t")
        .run()
        .await;
    assert!(!plan.has(Hazard::DeletesData), "its values are derived:\n{}", plan.to_sql());
}

#[tokio::test]
async fn set_expression_of_a_virtual_column_read_by_a_view() {
    let view = "CREATE VIEW doubles AS SELECT id, doubled FROM t";
    let plan = case(
        &format!("{}; {view}", table(&format!("{VIRTUAL}, note text"))),
        &format!("{}; {view}", table("price int, doubled int GENERATED ALWAYS AS (price * 4) VIRTUAL, note text")),
    )
    .min_version(180000)
    .data("INSERT INTO t (id, price, note) VALUES (1, 10, 'x')")
    .verify("SELECT doubled = 40 FROM doubles")
    .verify(&at("doubled", 3))
    .both_ways()
    .run()
    .await;
    if server_version().await >= 180000 {
        in_place(&plan);
        assert!(!plan.has(Hazard::RewritesTable), "nothing stored, nothing rewritten:\n{}", plan.to_sql());
    }
}

#[tokio::test]
async fn a_virtual_expression_in_a_table_with_checks_is_dropped_and_added() {
    // PostgreSQL 18 refuses SET EXPRESSION on a virtual column of a table with check constraints.
    let check = "CONSTRAINT t_price_check CHECK (price >= 0)";
    let plan = case(
        &table(&format!("{VIRTUAL}, {check}")),
        &table(&format!("price int, doubled int GENERATED ALWAYS AS (price * 5) VIRTUAL, {check}")),
    )
    .min_version(180000)
    .data("INSERT INTO t VALUES (1, 10)")
    .verify("SELECT doubled = 50 FROM t")
    .both_ways()
    .run()
    .await;
    if server_version().await >= 180000 {
        assert!(has(&plan, "DROP COLUMN") && !has(&plan, "SET EXPRESSION"), "{}", plan.to_sql());
    }
}

#[tokio::test]
async fn a_stored_column_becomes_virtual_and_back() {
    let view = "CREATE VIEW doubles AS SELECT id, doubled FROM t";
    case(
        &format!("{}; {view}", table("price int, doubled int GENERATED ALWAYS AS (price * 2) STORED")),
        &format!("{}; {view}", table(VIRTUAL)),
    )
    .min_version(180000)
    .data("INSERT INTO t VALUES (1, 10)")
    .verify("SELECT doubled = 20 FROM doubles")
    .verify("SELECT attgenerated = 'v' FROM pg_attribute WHERE attrelid = 't'::regclass AND attname = 'doubled'")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn a_virtual_column_becomes_plain_with_consent() {
    // PostgreSQL 18 has no DROP EXPRESSION for a virtual column: the plain column that takes its place
    // starts empty, and the plan says what it loses.
    let plan = case(&table(VIRTUAL), &table("price int, doubled int"))
        .min_version(180000)
        .data("INSERT INTO t VALUES (1, 10)")
        .verify("SELECT doubled IS NULL FROM t")
        .expect(Hazard::DeletesData)
        .run()
        .await;
    if server_version().await >= 180000 {
        let dropped = plan.statements.iter().find(|s| s.sql.contains("DROP COLUMN")).expect("a drop");
        assert_eq!(dropped.data_loss, Some(1), "the one computed value:\n{}", plan.to_sql());
    }
}

#[tokio::test]
async fn a_virtual_column_is_refused_before_18() {
    let mut t = Table::default();
    t.columns.push(Column::new("price", ColumnType::Integer).nullable());
    t.columns.push(Column::new("doubled", ColumnType::Integer).nullable().with_virtual_generated("price * 2"));
    let mut schema = Schema::default();
    schema.schemas.entry("public".into()).or_default().tables.insert("t".into(), t);
    let version = server_version().await;
    let server = keel_test_support::shared_server().expect("the test server");
    let normalized = keel_diff::normalize::normalize(server, &schema).await;
    if version >= 180000 {
        let normalized = normalized.expect("18 holds a virtual column");
        let column = normalized.table("public", "t").and_then(|t| t.column("doubled")).expect("the column");
        assert!(column.is_virtual(), "{column:?}");
    } else {
        let error = normalized.expect_err("a server before 18 has no virtual columns").to_string();
        let major = keel_diff::version::major(version);
        let expected =
            format!("the virtual generated column public.t.doubled needs PostgreSQL 18 (the server is {major})");
        assert!(error.contains(&expected), "{error}");
    }
}
