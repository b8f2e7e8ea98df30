//! Domains: created and dropped with what uses them, changed in place with ALTER DOMAIN (default, NOT NULL,
//! checks, online checks, comments), recreated when the base type changes (columns cast, data kept), in a
//! schema of their own and under arrays and views. Never CASCADE.

use crate::direct::Pair;
use crate::harness::{case, has};
use keel_diff::{Hazard, Plan, PlanOptions, introspect, plan};

const EMAIL: &str = "CREATE DOMAIN email AS text CHECK (VALUE ~ '@');";

fn assert_in_place(plan: &Plan) {
    let sql = plan.to_sql();
    assert!(has(plan, "ALTER DOMAIN"), "{sql}");
    assert!(!sql.contains("DROP DOMAIN") && !sql.contains("CREATE DOMAIN"), "{sql}");
    assert!(!sql.contains("CASCADE"), "{sql}");
}

/// The A→B plan's error.
pub(crate) async fn plan_error(a: &str, b: &str) -> String {
    let mut pair = Pair::new(a, b).await;
    let current = introspect(&mut pair.a, None).await.expect("introspect A");
    let desired = introspect(&mut pair.b, None).await.expect("introspect B");
    let result = plan(&current, &desired, &PlanOptions::default());
    pair.drop().await;
    match result {
        Ok(planned) => panic!("expected a refusal, got:\n{}", planned.to_sql()),
        Err(e) => e.to_string(),
    }
}

// ---- create and drop ----

#[tokio::test]
async fn creates_and_drops_a_domain() {
    let plan = case("", "CREATE DOMAIN posint AS integer NOT NULL DEFAULT 1 CONSTRAINT positive CHECK (VALUE > 0)")
        .both_ways()
        .run()
        .await;
    assert!(has(&plan, r#"CREATE DOMAIN "public"."posint" AS integer DEFAULT 1 NOT NULL"#), "{}", plan.to_sql());
}

#[tokio::test]
async fn creates_a_domain_before_the_table_that_uses_it_and_drops_it_after() {
    let plan = case("", &format!("{EMAIL} CREATE TABLE users (id int PRIMARY KEY, address email NOT NULL)"))
        .both_ways()
        .run()
        .await;
    let position = |fragment: &str| plan.statements.iter().position(|s| s.sql.contains(fragment)).expect(fragment);
    assert!(position("CREATE DOMAIN") < position("CREATE TABLE"), "{}", plan.to_sql());
}

#[tokio::test]
async fn drops_a_column_and_its_domain_together() {
    let plan = case(
        &format!("{EMAIL} CREATE TABLE users (id int PRIMARY KEY, address email)"),
        "CREATE TABLE users (id int PRIMARY KEY)",
    )
    .data("INSERT INTO users VALUES (1, 'a@b')")
    .verify("SELECT count(*) = 1 FROM users")
    .expect(Hazard::DeletesData)
    .run()
    .await;
    let position = |fragment: &str| plan.statements.iter().position(|s| s.sql.contains(fragment)).expect(fragment);
    assert!(position("DROP COLUMN") < position("DROP DOMAIN"), "{}", plan.to_sql());
}

#[tokio::test]
async fn a_domain_over_a_domain_an_enum_and_an_array() {
    case(
        "",
        "CREATE TYPE mood AS ENUM ('ok', 'sad');
         CREATE DOMAIN known_mood AS mood NOT NULL;
         CREATE DOMAIN posint AS int CHECK (VALUE > 0);
         CREATE DOMAIN small_posint AS posint CHECK (VALUE < 100);
         CREATE DOMAIN short_list AS int[] CHECK (cardinality(VALUE) < 4);
         CREATE TABLE t (id int PRIMARY KEY, m known_mood, s small_posint, l short_list);",
    )
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn a_domain_with_a_collation_and_names_that_need_quoting() {
    case("", r#"CREATE DOMAIN "Code Name" AS varchar(20) COLLATE "C" CONSTRAINT "it's ok" CHECK (VALUE <> '')"#)
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn a_domain_in_a_schema_of_its_own() {
    case(
        "CREATE SCHEMA billing;",
        "CREATE SCHEMA billing;
         CREATE DOMAIN billing.amount AS numeric(12,2) CHECK (VALUE >= 0);
         CREATE TABLE billing.invoices (id int PRIMARY KEY, total billing.amount, lines billing.amount[]);",
    )
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn an_array_of_a_domain_column() {
    case(
        &format!("{EMAIL} CREATE TABLE users (id int PRIMARY KEY)"),
        &format!("{EMAIL} CREATE TABLE users (id int PRIMARY KEY, addresses email[] NOT NULL DEFAULT '{{}}')"),
    )
    .data("INSERT INTO users VALUES (1)")
    .verify("SELECT addresses = '{}' FROM users")
    .both_ways()
    .run()
    .await;
}

// ---- in place ----

#[tokio::test]
async fn sets_and_drops_a_default_in_place() {
    let plan = case("CREATE DOMAIN posint AS int", "CREATE DOMAIN posint AS int DEFAULT 7").both_ways().run().await;
    assert_in_place(&plan);
}

#[tokio::test]
async fn sets_not_null_in_place_and_says_it_checks_every_column() {
    let plan = case(
        "CREATE DOMAIN posint AS int; CREATE TABLE t (id int, n posint)",
        "CREATE DOMAIN posint AS int NOT NULL; CREATE TABLE t (id int, n posint)",
    )
    .data("INSERT INTO t VALUES (1, 5)")
    .expect(Hazard::MayFailOnData)
    .verify("SELECT n = 5 FROM t")
    .both_ways()
    .run()
    .await;
    assert_in_place(&plan);
    let summary = &plan.statements.iter().find(|s| s.sql.contains("SET NOT NULL")).expect("SET NOT NULL").summary;
    assert!(summary.contains("public.t.n"), "{summary}");
}

#[tokio::test]
async fn adds_drops_and_changes_checks_in_place() {
    let plan = case(
        "CREATE DOMAIN posint AS int CONSTRAINT positive CHECK (VALUE > 0) CONSTRAINT old CHECK (VALUE <> 13);
         CREATE TABLE t (id int, n posint)",
        "CREATE DOMAIN posint AS int CONSTRAINT positive CHECK (VALUE >= 1) CONSTRAINT small CHECK (VALUE < 1000);
         CREATE TABLE t (id int, n posint)",
    )
    .data("INSERT INTO t VALUES (1, 5)")
    .verify("SELECT n = 5 FROM t")
    .both_ways()
    .run()
    .await;
    assert_in_place(&plan);
    let sql = plan.to_sql();
    let drop = sql.find(r#"DROP CONSTRAINT "positive""#).expect("drop positive");
    let add = sql.find(r#"ADD CONSTRAINT "positive""#).expect("add positive");
    assert!(drop < add, "{sql}");
}

#[tokio::test]
async fn a_check_added_online_is_validated_separately() {
    let plan = case(
        "CREATE DOMAIN posint AS int; CREATE TABLE t (id int, n posint)",
        "CREATE DOMAIN posint AS int CONSTRAINT positive CHECK (VALUE > 0); CREATE TABLE t (id int, n posint)",
    )
    .data("INSERT INTO t VALUES (1, 5)")
    .online()
    .run()
    .await;
    assert!(has(&plan, "NOT VALID"), "{}", plan.to_sql());
    assert!(has(&plan, r#"VALIDATE CONSTRAINT "positive""#), "{}", plan.to_sql());
}

#[tokio::test]
async fn validates_a_not_valid_check() {
    let plan = case(
        "CREATE DOMAIN posint AS int; ALTER DOMAIN posint ADD CONSTRAINT positive CHECK (VALUE > 0) NOT VALID;",
        "CREATE DOMAIN posint AS int CONSTRAINT positive CHECK (VALUE > 0)",
    )
    .run()
    .await;
    assert_in_place(&plan);
    assert!(has(&plan, "VALIDATE CONSTRAINT"), "{}", plan.to_sql());
}

#[tokio::test]
async fn comments_on_a_domain() {
    let plan =
        case("CREATE DOMAIN posint AS int", "CREATE DOMAIN posint AS int; COMMENT ON DOMAIN posint IS 'it''s > 0'")
            .both_ways()
            .run()
            .await;
    assert!(has(&plan, "COMMENT ON DOMAIN"), "{}", plan.to_sql());
}

// ---- recreated ----

#[tokio::test]
async fn a_new_base_type_recreates_the_domain_and_keeps_the_data() {
    let plan = case(
        "CREATE DOMAIN amount AS int CHECK (VALUE >= 0);
         CREATE TABLE t (id int PRIMARY KEY, a amount DEFAULT 0, b amount[]);
         CREATE INDEX t_a ON t (a);",
        "CREATE DOMAIN amount AS bigint CHECK (VALUE >= 0);
         CREATE TABLE t (id int PRIMARY KEY, a amount DEFAULT 0, b amount[]);
         CREATE INDEX t_a ON t (a);",
    )
    .data("INSERT INTO t VALUES (1, 5, '{1,2}'), (2, NULL, NULL)")
    .verify("SELECT a = 5 AND b = '{1,2}' FROM t WHERE id = 1")
    .verify("SELECT a IS NULL AND b IS NULL FROM t WHERE id = 2")
    .verify("SELECT format_type(typbasetype, typtypmod) = 'bigint' FROM pg_type WHERE typname = 'amount'")
    .both_ways()
    .run()
    .await;
    assert!(!plan.to_sql().contains("CASCADE"), "{}", plan.to_sql());
    assert!(plan.has(Hazard::RewritesTable), "{}", plan.to_sql());
}

#[tokio::test]
async fn a_view_over_a_domain_column_is_rebuilt_when_the_domain_is() {
    let plan = case(
        "CREATE DOMAIN label AS varchar(10); CREATE TABLE t (id int, l label);
         CREATE VIEW v AS SELECT id, l FROM t;",
        "CREATE DOMAIN label AS varchar(20); CREATE TABLE t (id int, l label);
         CREATE VIEW v AS SELECT id, l FROM t;",
    )
    .data("INSERT INTO t VALUES (1, 'x')")
    .verify("SELECT l = 'x' FROM v")
    .run()
    .await;
    let sql = plan.to_sql();
    let drop = sql.find("DROP VIEW").expect("the view is dropped");
    assert!(drop < sql.find("ALTER TABLE").expect("the column is cast"), "{sql}");
    assert!(sql.find("CREATE VIEW").expect("the view is created again") > drop, "{sql}");
    assert!(!sql.contains("CASCADE"), "{sql}");
}

#[tokio::test]
async fn a_check_on_a_domain_held_by_an_array_column_recreates_it() {
    // PostgreSQL refuses ALTER DOMAIN ADD CONSTRAINT while an array column holds the domain.
    let plan = case(
        "CREATE DOMAIN posint AS int; CREATE TABLE t (id int, ns posint[]);",
        "CREATE DOMAIN posint AS int CHECK (VALUE > 0); CREATE TABLE t (id int, ns posint[]);",
    )
    .data("INSERT INTO t VALUES (1, '{1,2}')")
    .verify("SELECT ns = '{1,2}' FROM t")
    .run()
    .await;
    assert!(has(&plan, "RENAME TO") && has(&plan, "USING"), "{}", plan.to_sql());
}

#[tokio::test]
async fn a_domain_under_another_domain_cannot_be_recreated() {
    let error =
        plan_error("CREATE DOMAIN a AS int; CREATE DOMAIN b AS a;", "CREATE DOMAIN a AS bigint; CREATE DOMAIN b AS a;")
            .await;
    assert!(error.contains("type public.a must be recreated") && error.contains("domain public.b"), "{error}");
}
