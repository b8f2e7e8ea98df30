//! Objects keel does not manage (triggers on views, constraint triggers, aggregates, grants): never
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
async fn warns_about_a_constraint_trigger_on_a_table_that_changes() {
    let function = "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;";
    let plan = case(
        &format!(
            "{TABLE} {function}
             CREATE CONSTRAINT TRIGGER t_touch AFTER UPDATE ON t DEFERRABLE FOR EACH ROW EXECUTE FUNCTION touch();"
        ),
        &format!("{} {function}", TABLE.replace(", label text", "")),
    )
    .data("INSERT INTO t VALUES (1, 1, 'a')")
    .verify("SELECT EXISTS (SELECT FROM pg_trigger WHERE tgname = 't_touch')")
    .run()
    .await;
    assert_warns(&plan, "trigger public.t_touch");
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
    let plan = case(TABLE, &format!("{TABLE} CREATE AGGREGATE f(int) (sfunc = int4pl, stype = int);"))
        .verify("SELECT NOT EXISTS (SELECT FROM pg_proc WHERE proname = 'f')")
        .run()
        .await;
    assert!(plan.is_empty(), "{}", plan.to_sql());
}

#[tokio::test]
async fn warns_about_an_aggregate_in_a_schema_that_is_dropped() {
    let plan = plan_only("CREATE SCHEMA app; CREATE AGGREGATE app.f(int) (sfunc = int4pl, stype = int)", "").await;
    assert!(plan.statements.iter().any(|s| s.sql.contains("DROP SCHEMA")), "{}", plan.to_sql());
    assert_warns(&plan, "aggregate app.f");
}
