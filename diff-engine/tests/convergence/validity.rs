//! Checks and foreign keys left NOT VALID: validated in place when declared valid, added NOT VALID when
//! declared so, and left alone when valid but declared NOT VALID (see `diff::validity`).

use crate::harness::{case, database, has, release};
use keel_diff::{Hazard, PlanOptions, apply_plan, introspect, plan};
use sqlx::{AssertSqlSafe, PgConnection};

const TABLES: &str = "CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE t (n int, p_id int);";
const CHECK: &str = "ALTER TABLE t ADD CONSTRAINT t_n_check CHECK (n > 0)";
const FK: &str = "ALTER TABLE t ADD CONSTRAINT t_p_fkey FOREIGN KEY (p_id) REFERENCES p";

fn assert_no_drop(plan: &keel_diff::Plan) {
    let sql = plan.to_sql();
    assert!(!sql.contains("DROP") && !sql.contains("ADD CONSTRAINT"), "{sql}");
}

#[tokio::test]
async fn a_not_valid_check_declared_valid_is_validated() {
    let plan = case(&format!("{TABLES} {CHECK} NOT VALID;"), &format!("{TABLES} {CHECK};"))
        .data("INSERT INTO t (n) VALUES (1)")
        .expect(Hazard::MayFailOnData)
        .run()
        .await;
    assert!(has(&plan, "VALIDATE CONSTRAINT \"t_n_check\""), "{}", plan.to_sql());
    assert_eq!(plan.statements.len(), 1, "{}", plan.to_sql());
    assert!(!plan.has(Hazard::AccessExclusiveLock), "{}", plan.to_sql());
    assert_no_drop(&plan);
}

#[tokio::test]
async fn a_not_valid_foreign_key_declared_valid_is_validated() {
    let plan = case(&format!("{TABLES} {FK} NOT VALID;"), &format!("{TABLES} {FK};"))
        .data("INSERT INTO p VALUES (1); INSERT INTO t (p_id) VALUES (1)")
        .run()
        .await;
    assert!(has(&plan, "VALIDATE CONSTRAINT \"t_p_fkey\""), "{}", plan.to_sql());
    assert_no_drop(&plan);
}

#[tokio::test]
async fn a_constraint_declared_not_valid_is_added_not_valid() {
    // The row breaks the rule: only NOT VALID can add it, and nothing validates it later.
    let plan = case(TABLES, &format!("{TABLES} {CHECK} NOT VALID; {FK} NOT VALID;"))
        .data("INSERT INTO t VALUES (-1, 7)")
        .run()
        .await;
    assert!(has(&plan, "CHECK ((n > 0)) NOT VALID"), "{}", plan.to_sql());
    assert!(!has(&plan, "VALIDATE"), "{}", plan.to_sql());
}

async fn introspected(sql: &str) -> (keel_test_support::ScratchDatabase, PgConnection, keel_core::model::Schema) {
    let (db, mut conn) = database(sql).await;
    let schema = introspect(&mut conn, None).await.expect("introspect");
    (db, conn, schema)
}

#[tokio::test]
async fn a_valid_constraint_satisfies_a_not_valid_declaration() {
    let (db_a, a, current) = introspected(&format!("{TABLES} {CHECK}; {FK};")).await;
    let (db_b, b, desired) = introspected(&format!("{TABLES} {CHECK} NOT VALID; {FK} NOT VALID;")).await;
    assert!(desired.table("public", "t").expect("t").checks["t_n_check"].not_valid);
    let planned = plan(&current, &desired, &PlanOptions::default()).expect("plan");
    assert!(planned.is_empty(), "{}", planned.to_sql());
    drop((a, b));
    release(db_a).await;
    release(db_b).await;
}

#[tokio::test]
async fn a_failed_online_validate_is_validated_by_the_next_plan() {
    let (db_a, mut a, current) = introspected(&format!("{TABLES} INSERT INTO t (n) VALUES (-1);")).await;
    let (db_b, b, desired) = introspected(&format!("{TABLES} {CHECK};")).await;
    let online = PlanOptions { online: true, ..PlanOptions::default() };
    let first = plan(&current, &desired, &online).expect("plan");
    assert!(apply_plan(&mut a, &first).await.is_err(), "the VALIDATE must fail:\n{}", first.to_sql());
    // The NOT VALID constraint was committed before the VALIDATE failed.
    let left = introspect(&mut a, None).await.expect("introspect");
    assert!(left.table("public", "t").expect("t").checks["t_n_check"].not_valid);

    sqlx::raw_sql(AssertSqlSafe("UPDATE t SET n = 1")).execute(&mut a).await.expect("fix the row");
    let second = plan(&left, &desired, &online).expect("plan");
    assert_eq!(second.statements.len(), 1, "{}", second.to_sql());
    assert!(has(&second, "VALIDATE CONSTRAINT \"t_n_check\""), "{}", second.to_sql());
    apply_plan(&mut a, &second).await.expect("validate");
    let after = introspect(&mut a, None).await.expect("introspect");
    assert_eq!(after.table("public", "t"), desired.table("public", "t"));
    assert!(plan(&after, &desired, &online).expect("plan").is_empty());
    drop((a, b));
    release(db_a).await;
    release(db_b).await;
}
