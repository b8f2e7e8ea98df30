//! Type changes that could change or reject stored values, and sequence drops that reset numbering
//! (issue 14): a narrowing that does not fit fails loudly instead of truncating, a lossy cast is tagged
//! `alters_data` and measured, a used sequence's drop is measured like data loss.

use crate::harness::{case, database, release};
use keel_diff::{Hazard, Plan, PlanOptions, Statement, apply_plan, introspect, measure_data_loss, plan};
use sqlx::{AssertSqlSafe, PgConnection};

/// A one-column table `t (id int PRIMARY KEY, <definition>)`.
fn table(definition: &str) -> String {
    format!("CREATE TABLE t (id int PRIMARY KEY, {definition})")
}

/// The statement whose SQL contains `needle`.
fn statement<'a>(plan: &'a Plan, needle: &str) -> &'a Statement {
    plan.statements
        .iter()
        .find(|s| s.sql.contains(needle))
        .unwrap_or_else(|| panic!("no statement with {needle:?} in:\n{}", plan.to_sql()))
}

/// Plans A→B (A with `data`) and measures the plan on A, without applying it.
async fn measured(a: &str, data: &str, b: &str) -> (keel_test_support::ScratchDatabase, PgConnection, Plan) {
    let (db_a, mut conn_a) = database(&format!("{a};\n{data}")).await;
    let (db_b, mut conn_b) = database(b).await;
    let current = introspect(&mut conn_a, None).await.expect("introspect A");
    let desired = introspect(&mut conn_b, None).await.expect("introspect B");
    drop(conn_b);
    release(db_b).await;
    let mut planned = plan(&current, &desired, &PlanOptions::default()).expect("plan A→B");
    measure_data_loss(&mut conn_a, &mut planned).await.expect("measure");
    (db_a, conn_a, planned)
}

async fn query_bool(conn: &mut PgConnection, sql: &str) -> bool {
    sqlx::query_scalar(AssertSqlSafe(sql.to_string())).fetch_one(conn).await.unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// A narrowing that a value does not fit: the plan is checked (no `USING` that would truncate), the
/// measure counts the value, and applying it fails, leaving the value and the type as they were.
async fn narrowing_fails_without_changing(from: &str, to: &str, value: &str, fits: &str, cuts_spaces: bool) {
    let (db, mut conn, planned) = measured(
        &table(&format!("s {from}")),
        &format!("INSERT INTO t VALUES (1, {value}), (2, {fits})"),
        &table(&format!("s {to}")),
    )
    .await;
    let retype = statement(&planned, "TYPE");
    assert!(!retype.sql.contains("USING"), "an explicit cast truncates:\n{}", planned.to_sql());
    assert!(retype.hazards.contains(&Hazard::MayFailOnData), "{}", planned.to_sql());
    // A string too long only by trailing spaces is cut without an error (consent is asked once counted); a
    // `char`'s padding is no part of its value.
    assert_eq!(retype.hazards.contains(&Hazard::AltersData), cuts_spaces, "{}", planned.to_sql());
    assert_eq!(retype.data_loss, Some(1), "one value does not fit:\n{}", planned.to_sql());
    assert!(apply_plan(&mut conn, &planned).await.is_err(), "must fail:\n{}", planned.to_sql());
    assert!(query_bool(&mut conn, &format!("SELECT s = {value} FROM t WHERE id = 1")).await, "the value was changed");
    let ty: String = sqlx::query_scalar(
        "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 't'::regclass AND attname = 's'",
    )
    .fetch_one(&mut conn)
    .await
    .expect("read the column type");
    assert_eq!(ty, from_sql_name(from));
    drop(conn);
    release(db).await;
}

fn from_sql_name(ty: &str) -> String {
    ty.replace("varchar", "character varying").replace("char(", "character(")
}

#[tokio::test]
async fn narrowing_a_varchar_fails_on_a_long_value_without_truncating() {
    narrowing_fails_without_changing("varchar(100)", "varchar(5)", "'hello world'", "'hi'", true).await;
}

#[tokio::test]
async fn narrowing_a_char_fails_on_a_long_value_without_truncating() {
    narrowing_fails_without_changing("char(10)", "char(2)", "'abcdef'", "'ab'", false).await;
}

#[tokio::test]
async fn text_to_a_short_varchar_fails_on_a_long_value_without_truncating() {
    let (db, mut conn, planned) =
        measured(&table("s text"), "INSERT INTO t VALUES (1, 'hello world'), (2, 'hi')", &table("s varchar(5)")).await;
    let retype = statement(&planned, "TYPE");
    assert!(!retype.sql.contains("USING"), "{}", planned.to_sql());
    assert_eq!(retype.data_loss, Some(1), "{}", planned.to_sql());
    assert!(apply_plan(&mut conn, &planned).await.is_err(), "must fail:\n{}", planned.to_sql());
    assert!(
        query_bool(&mut conn, "SELECT s = 'hello world' AND pg_typeof(s) = 'text'::regtype FROM t WHERE id = 1").await
    );
    drop(conn);
    release(db).await;
}

/// Plans A→B over `data`, checks the retype is tagged `alters_data` and counts `changed` values, applies
/// it (the consent given) and checks `after` holds.
async fn alters_counted_values(a: &str, data: &str, b: &str, changed: i64, after: &str) {
    let (db, mut conn, planned) = measured(a, data, b).await;
    let retype = statement(&planned, "TYPE");
    assert!(retype.hazards.contains(&Hazard::AltersData), "{}", planned.to_sql());
    assert_eq!(retype.data_loss, Some(changed), "{}", planned.to_sql());
    apply_plan(&mut conn, &planned).await.unwrap_or_else(|e| panic!("{e}\n{}", planned.to_sql()));
    assert!(query_bool(&mut conn, after).await, "{after}");
    drop(conn);
    release(db).await;
}

#[tokio::test]
async fn narrowing_cuts_trailing_spaces_only_with_consent() {
    let data = "INSERT INTO t VALUES (1, 'abc' || repeat(' ', 10)), (2, 'hi')";
    let after = "SELECT s = 'abc  ' AND octet_length(s) = 5 FROM t WHERE id = 1";
    alters_counted_values(&table("s varchar(20)"), data, &table("s varchar(5)"), 1, after).await;
}

#[tokio::test]
async fn varchar_to_char_drops_trailing_spaces_only_with_consent() {
    let data = "INSERT INTO t VALUES (1, 'ab '), (2, 'cd')";
    alters_counted_values(
        &table("s varchar(5)"),
        data,
        &table("s char(5)"),
        1,
        "SELECT s::text = 'ab' FROM t WHERE id = 1",
    )
    .await;
}

#[tokio::test]
async fn parsing_text_alters_data_and_counts_values_that_change() {
    let data = "INSERT INTO t VALUES (1, '02134'), (2, '12')";
    alters_counted_values(&table("s text"), data, &table("s int"), 1, "SELECT s = 2134 FROM t WHERE id = 1").await;
}

#[tokio::test]
async fn bigint_to_integer_out_of_range_is_reported_and_fails() {
    let (db, mut conn, planned) =
        measured(&table("n bigint"), "INSERT INTO t VALUES (1, 10000000000), (2, 5)", &table("n int")).await;
    let retype = statement(&planned, "TYPE");
    assert!(!retype.sql.contains("USING"), "{}", planned.to_sql());
    assert!(retype.hazards.contains(&Hazard::MayFailOnData), "{}", planned.to_sql());
    assert!(!retype.hazards.contains(&Hazard::AltersData), "{}", planned.to_sql());
    let unfit = retype.measure_failed.as_deref().unwrap_or_default();
    assert!(unfit.contains("out of range"), "the measure says why it could not count: {unfit:?}");
    assert!(apply_plan(&mut conn, &planned).await.is_err(), "must fail:\n{}", planned.to_sql());
    assert!(query_bool(&mut conn, "SELECT n = 10000000000 FROM t WHERE id = 1").await);
    drop(conn);
    release(db).await;
}

#[tokio::test]
async fn reducing_numeric_scale_alters_data_and_counts_the_values_that_change() {
    let plan = case(&table("price numeric(10, 2)"), &table("price numeric(10, 0)"))
        .data("INSERT INTO t VALUES (1, 12.34), (2, 5.00), (3, NULL), (4, 7.5)")
        .verify("SELECT string_agg(price::text, ',' ORDER BY id) = '12,5,8' FROM t")
        .expect(Hazard::AltersData)
        .run()
        .await;
    let retype = statement(&plan, "TYPE");
    assert!(!retype.sql.contains("USING"), "numeric has an assignment cast:\n{}", plan.to_sql());
    assert_eq!(retype.data_loss, Some(2), "12.34 and 7.5 change:\n{}", plan.to_sql());
    let report = retype.data_loss_report().expect("a report");
    assert!(report.ends_with("public.t.price from numeric(10,2) to numeric(10,0): 2 values change"), "{report}");
}

#[tokio::test]
async fn lossy_change_measured_as_changing_nothing() {
    let plan = case(&table("price numeric(10, 2)"), &table("price numeric(10, 0)"))
        .data("INSERT INTO t VALUES (1, 12), (2, NULL)")
        .expect(Hazard::AltersData)
        .run()
        .await;
    assert_eq!(statement(&plan, "TYPE").data_loss, Some(0), "{}", plan.to_sql());
}

#[tokio::test]
async fn double_to_real_alters_data_and_counts() {
    let plan = case(&table("x float8"), &table("x float4"))
        .data("INSERT INTO t VALUES (1, 0.1), (2, 0.5), (3, 1)")
        .verify("SELECT x = 0.5::real FROM t WHERE id = 2")
        .expect(Hazard::AltersData)
        .run()
        .await;
    assert_eq!(statement(&plan, "TYPE").data_loss, Some(1), "0.1 changes:\n{}", plan.to_sql());
}

#[tokio::test]
async fn timestamptz_to_date_alters_data_and_counts() {
    let plan = case(&table("at timestamptz"), &table("at date"))
        .data("SET TIME ZONE 'UTC'; INSERT INTO t VALUES (1, '2024-05-01 12:30+00'), (2, '2024-05-02 00:00+00')")
        .expect(Hazard::AltersData)
        .run()
        .await;
    assert_eq!(statement(&plan, "TYPE").data_loss, Some(1), "{}", plan.to_sql());
}

#[tokio::test]
async fn less_timestamp_precision_alters_data_and_counts() {
    let plan = case(&table("at timestamp(6)"), &table("at timestamp(0)"))
        .data("INSERT INTO t VALUES (1, '2020-01-01 00:00:00.123456'), (2, '2020-01-01 00:00:01')")
        .expect(Hazard::AltersData)
        .run()
        .await;
    assert_eq!(statement(&plan, "TYPE").data_loss, Some(1), "{}", plan.to_sql());
}

#[tokio::test]
async fn inet_to_cidr_alters_data_and_counts() {
    let plan = case(&table("a inet"), &table("a cidr"))
        .data("INSERT INTO t VALUES (1, '10.1.2.3/8'), (2, '10.0.0.0/8')")
        .verify("SELECT a = '10.0.0.0/8'::cidr FROM t WHERE id = 1")
        .expect(Hazard::AltersData)
        .run()
        .await;
    assert_eq!(statement(&plan, "TYPE").data_loss, Some(1), "{}", plan.to_sql());
}

#[tokio::test]
async fn widening_changes_are_neither_lossy_nor_measured() {
    for (from, to) in [
        ("varchar(5)", "varchar(100)"),
        ("numeric(10, 2)", "numeric(12, 4)"),
        ("int", "bigint"),
        ("real", "float8"),
        ("date", "timestamp"),
        ("varchar(5)", "text"),
    ] {
        let plan = case(&table(&format!("x {from}")), &table(&format!("x {to}"))).run().await;
        let retype = statement(&plan, "TYPE");
        assert!(
            !retype.hazards.contains(&Hazard::AltersData) && !retype.hazards.contains(&Hazard::MayFailOnData),
            "{from} to {to}:\n{}",
            plan.to_sql()
        );
        assert!(retype.measure.is_none(), "{from} to {to}: nothing to measure:\n{}", plan.to_sql());
        assert!(!retype.sql.contains("USING"), "{from} to {to}:\n{}", plan.to_sql());
    }
}

// ---- sequences ----

#[tokio::test]
async fn dropping_a_used_sequence_is_data_loss_measured() {
    let plan = case("CREATE SEQUENCE s", "").data("SELECT setval('s', 100000)").expect(Hazard::DeletesData).run().await;
    let drop = statement(&plan, "DROP SEQUENCE");
    assert_eq!(drop.data_loss, Some(100000), "{}", plan.to_sql());
    let report = drop.data_loss_report().expect("a report");
    assert!(report.contains("100,000"), "{report}");
}

#[tokio::test]
async fn dropping_an_unused_sequence_is_measured_as_losing_nothing() {
    let plan = case("CREATE SEQUENCE s START WITH 10", "").run().await;
    assert_eq!(statement(&plan, "DROP SEQUENCE").data_loss, Some(0), "{}", plan.to_sql());
}

#[tokio::test]
async fn dropping_a_sequence_whose_name_needs_quoting_is_measured() {
    let plan =
        case(r#"CREATE SCHEMA "S x"; CREATE SEQUENCE "S x"."My ""Seq""" INCREMENT BY 10"#, r#"CREATE SCHEMA "S x""#)
            .data(r#"SELECT nextval('"S x"."My ""Seq"""'), nextval('"S x"."My ""Seq"""')"#)
            .run()
            .await;
    assert_eq!(statement(&plan, "DROP SEQUENCE").data_loss, Some(2), "{}", plan.to_sql());
}

#[tokio::test]
async fn dropping_a_used_identity_is_data_loss_measured() {
    let plan = case(
        "CREATE TABLE t (id int GENERATED BY DEFAULT AS IDENTITY, a text)",
        "CREATE TABLE t (id int NOT NULL, a text)",
    )
    .data("INSERT INTO t (a) VALUES ('x'), ('y'), ('z')")
    .verify("SELECT sum(id) = 6 FROM t")
    .expect(Hazard::DeletesData)
    .run()
    .await;
    assert_eq!(statement(&plan, "DROP IDENTITY").data_loss, Some(3), "{}", plan.to_sql());
}

// ---- domains recreated for a new base type ----

#[tokio::test]
async fn a_domain_narrowed_under_a_long_value_fails_without_truncating() {
    let (db, mut conn, planned) = measured(
        "CREATE DOMAIN code AS varchar(100); CREATE TABLE t (id int PRIMARY KEY, c code)",
        "INSERT INTO t VALUES (1, 'hello world'), (2, 'hi')",
        "CREATE DOMAIN code AS varchar(5); CREATE TABLE t (id int PRIMARY KEY, c code)",
    )
    .await;
    let cast = statement(&planned, "ALTER COLUMN \"c\" TYPE");
    assert!(cast.hazards.contains(&Hazard::MayFailOnData), "{}", planned.to_sql());
    // Too long only by trailing spaces would be cut: consent once counted.
    assert!(cast.hazards.contains(&Hazard::AltersData), "{}", planned.to_sql());
    assert_eq!(cast.data_loss, Some(1), "one value does not fit:\n{}", planned.to_sql());
    assert!(apply_plan(&mut conn, &planned).await.is_err(), "must fail:\n{}", planned.to_sql());
    assert!(query_bool(&mut conn, "SELECT c = 'hello world' FROM t WHERE id = 1").await, "the value was cut");
    drop(conn);
    release(db).await;
}

#[tokio::test]
async fn a_domain_losing_scale_alters_data_and_counts() {
    let plan = case(
        "CREATE DOMAIN price AS numeric(10, 2); CREATE TABLE t (id int PRIMARY KEY, p price)",
        "CREATE DOMAIN price AS numeric(10, 0); CREATE TABLE t (id int PRIMARY KEY, p price)",
    )
    .data("INSERT INTO t VALUES (1, 12.34), (2, 5), (3, NULL)")
    .verify("SELECT p = 12 FROM t WHERE id = 1")
    .expect(Hazard::AltersData)
    .run()
    .await;
    assert_eq!(statement(&plan, "ALTER COLUMN \"p\" TYPE").data_loss, Some(1), "{}", plan.to_sql());
}

#[tokio::test]
async fn restarting_a_used_sequence_is_data_loss_measured() {
    let plan = case("CREATE SEQUENCE s", "CREATE SEQUENCE s INCREMENT BY -1")
        .data("SELECT setval('s', 42)")
        .expect(Hazard::DeletesData)
        .run()
        .await;
    assert_eq!(statement(&plan, "RESTART").data_loss, Some(42), "{}", plan.to_sql());
}

#[tokio::test]
async fn restarting_a_used_identity_is_data_loss_measured() {
    let plan = case(
        "CREATE TABLE t (id int GENERATED BY DEFAULT AS IDENTITY, a text)",
        "CREATE TABLE t (id int GENERATED BY DEFAULT AS IDENTITY (INCREMENT BY -1), a text)",
    )
    .data("INSERT INTO t (a) VALUES ('x'), ('y')")
    .expect(Hazard::DeletesData)
    .run()
    .await;
    assert_eq!(statement(&plan, "RESTART").data_loss, Some(2), "{}", plan.to_sql());
}

#[tokio::test]
async fn a_column_retyped_to_a_short_domain_fails_on_a_long_value_without_truncating() {
    let (db, mut conn, planned) = measured(
        "CREATE DOMAIN code AS varchar(5); CREATE TABLE t (id int PRIMARY KEY, c varchar(100))",
        "INSERT INTO t VALUES (1, 'hello world'), (2, 'hi')",
        "CREATE DOMAIN code AS varchar(5); CREATE TABLE t (id int PRIMARY KEY, c code)",
    )
    .await;
    let retype = statement(&planned, "TYPE");
    assert!(retype.hazards.contains(&Hazard::MayFailOnData), "{}", planned.to_sql());
    assert_eq!(retype.data_loss, Some(1), "one value does not fit:\n{}", planned.to_sql());
    assert!(apply_plan(&mut conn, &planned).await.is_err(), "must fail:\n{}", planned.to_sql());
    assert!(query_bool(&mut conn, "SELECT c = 'hello world' FROM t WHERE id = 1").await, "the value was cut");
    drop(conn);
    release(db).await;
}

#[tokio::test]
async fn a_column_retyped_to_a_domain_keeps_fitting_values() {
    case(
        "CREATE DOMAIN code AS varchar(5); CREATE DOMAIN amount AS numeric(10, 2) CHECK (VALUE >= 0);
         CREATE TABLE t (id int PRIMARY KEY, c varchar(100), a text)",
        "CREATE DOMAIN code AS varchar(5); CREATE DOMAIN amount AS numeric(10, 2) CHECK (VALUE >= 0);
         CREATE TABLE t (id int PRIMARY KEY, c code, a amount)",
    )
    .data("INSERT INTO t VALUES (1, 'hi', '12.5')")
    .verify("SELECT c = 'hi' AND a = 12.5 FROM t")
    .both_ways()
    .run()
    .await;
}

// ---- composite types recreated for a new attribute type ----

/// The columns' values are cast through their text form into the new type: an attribute that loses scale
/// rounds them, so the cast asks consent like a column's would.
#[tokio::test]
async fn a_composite_attribute_losing_scale_alters_data() {
    let plan = case(
        "CREATE TYPE price AS (amount numeric(10, 2), currency text); CREATE TABLE t (id int PRIMARY KEY, p price)",
        "CREATE TYPE price AS (amount numeric(10, 0), currency text); CREATE TABLE t (id int PRIMARY KEY, p price)",
    )
    .data("INSERT INTO t VALUES (1, ROW(12.34, 'EUR')), (2, ROW(5, 'USD')), (3, NULL)")
    .verify("SELECT (p).amount = 12 FROM t WHERE id = 1")
    .expect(Hazard::AltersData)
    .run()
    .await;
    assert!(statement(&plan, "ALTER COLUMN \"p\" TYPE").hazards.contains(&Hazard::AltersData), "{}", plan.to_sql());
}

#[tokio::test]
async fn a_composite_attribute_widened_keeps_values_without_consent() {
    let plan = case(
        "CREATE TYPE price AS (amount numeric(10, 2), currency text); CREATE TABLE t (id int PRIMARY KEY, p price)",
        "CREATE TYPE price AS (amount numeric(12, 2), currency text); CREATE TABLE t (id int PRIMARY KEY, p price)",
    )
    .data("INSERT INTO t VALUES (1, ROW(12.34, 'EUR'))")
    .verify("SELECT (p).amount = 12.34 FROM t WHERE id = 1")
    .run()
    .await;
    assert!(!statement(&plan, "ALTER COLUMN \"p\" TYPE").hazards.contains(&Hazard::AltersData), "{}", plan.to_sql());
}
