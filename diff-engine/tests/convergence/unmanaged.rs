//! Objects keel does not manage (triggers, functions, grants): never
//! dropped, and named in the plan's warnings when a change touches what they read.

use crate::direct::Pair;
use crate::harness::case;
use keel_diff::{Plan, PlanOptions};

const TABLE: &str = "CREATE TABLE t (id int PRIMARY KEY, n int, label text);";

/// The A→B plan, without applying it (PostgreSQL refuses some of them while the view exists).
async fn plan_only(a: &str, b: &str) -> Plan {
    let mut pair = Pair::new(a, b).await;
    let plan = pair.plan(PlanOptions::default()).await;
    pair.drop().await;
    plan
}

fn assert_warns(plan: &Plan, object: &str) {
    assert!(
        plan.warnings.iter().any(|w| w.contains(object)),
        "no warning about {object}: {:#?}\n-- plan:\n{}",
        plan.warnings,
        plan.to_sql()
    );
}

#[tokio::test]
async fn a_trigger_is_not_dropped() {
    let plan = case(
        &format!(
            "{TABLE} CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql
                 AS $$ BEGIN NEW.n := 0; RETURN NEW; END $$;
             CREATE TRIGGER t_touch BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION touch();"
        ),
        TABLE,
    )
    .verify("SELECT EXISTS (SELECT FROM pg_trigger WHERE tgname = 't_touch')")
    .run()
    .await;
    assert!(plan.is_empty(), "{}", plan.to_sql());
}

#[tokio::test]
async fn warns_about_a_trigger_on_a_table_that_changes() {
    let plan = case(
        &format!(
            "{TABLE} CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
             CREATE TRIGGER t_touch BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch();"
        ),
        &TABLE.replace(", label text", ""),
    )
    .data("INSERT INTO t VALUES (1, 1, 'a')")
    .verify("SELECT EXISTS (SELECT FROM pg_trigger WHERE tgname = 't_touch')")
    .run()
    .await;
    assert_warns(&plan, "trigger public.t_touch");
}

#[tokio::test]
async fn a_function_is_not_dropped() {
    let plan = case(
        &format!("{TABLE} CREATE FUNCTION double_it(x int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT x * 2';"),
        TABLE,
    )
    .verify("SELECT double_it(2) = 4")
    .run()
    .await;
    assert!(plan.is_empty(), "{}", plan.to_sql());
}

#[tokio::test]
async fn a_function_survives_dropping_the_table_it_reads() {
    let plan =
        case(&format!("{TABLE} CREATE FUNCTION total() RETURNS bigint LANGUAGE sql AS 'SELECT sum(n) FROM t';"), "")
            .verify("SELECT EXISTS (SELECT FROM pg_proc WHERE proname = 'total')")
            .run()
            .await;
    assert!(!plan.is_empty());
}

#[tokio::test]
async fn grants_are_not_revoked() {
    let plan = case(&format!("{TABLE} GRANT SELECT ON t TO PUBLIC;"), TABLE)
        .verify("SELECT has_table_privilege('public', 't', 'SELECT')")
        .run()
        .await;
    assert!(plan.is_empty(), "{}", plan.to_sql());
}

#[tokio::test]
async fn unmanaged_objects_in_b_are_not_created() {
    let plan = case(TABLE, &format!("{TABLE} CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';"))
        .verify("SELECT NOT EXISTS (SELECT FROM pg_proc WHERE proname = 'f')")
        .run()
        .await;
    assert!(plan.is_empty(), "{}", plan.to_sql());
}

#[tokio::test]
async fn warns_about_a_function_in_a_schema_that_is_dropped() {
    let plan = plan_only("CREATE SCHEMA app; CREATE FUNCTION app.f() RETURNS int LANGUAGE sql AS 'SELECT 1'", "").await;
    assert!(plan.statements.iter().any(|s| s.sql.contains("DROP SCHEMA")), "{}", plan.to_sql());
    assert_warns(&plan, "function app.f");
}
