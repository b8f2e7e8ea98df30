//! Functions and procedures: created, dropped, replaced in place when `CREATE OR REPLACE` can do it, dropped
//! and created again when it cannot (another result type, renamed arguments), and everything that calls a
//! function dropped and created again around it: defaults, checks, indexes, views. Never CASCADE.

use crate::harness::{assert_no_cascade, case, has, position};
use keel_diff::Hazard;

const TABLE: &str = "CREATE TABLE t (id int PRIMARY KEY, n int NOT NULL DEFAULT 0);";
const ROWS: &str = "INSERT INTO t VALUES (1, 10), (2, 20)";

fn with(sql: &str) -> String {
    format!("{TABLE} {sql}")
}

const DOUBLE: &str = "CREATE FUNCTION double_it(x int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT x * 2';";

// ---- creating, dropping, replacing ----

#[tokio::test]
async fn creates_and_drops_a_sql_function() {
    let plan = case(TABLE, &with(DOUBLE)).verify("SELECT double_it(21) = 42").both_ways().run().await;
    assert!(has(&plan, "CREATE OR REPLACE FUNCTION public.double_it(x integer)"), "{}", plan.to_sql());
}

#[tokio::test]
async fn dropping_a_function_breaks_its_callers() {
    let plan = case(&with(DOUBLE), TABLE).run().await;
    assert!(has(&plan, "DROP FUNCTION \"public\".\"double_it\"(x integer)"), "{}", plan.to_sql());
    assert!(plan.has(Hazard::BreaksClients), "{}", plan.to_sql());
    assert!(!plan.has(Hazard::DeletesData), "{}", plan.to_sql());
}

#[tokio::test]
async fn creates_a_plpgsql_function() {
    case(
        "",
        "CREATE FUNCTION clamp(v int, lo int, hi int) RETURNS int LANGUAGE plpgsql IMMUTABLE STRICT AS $$
         BEGIN RETURN greatest(lo, least(hi, v)); END $$;",
    )
    .verify("SELECT clamp(15, 0, 10) = 10 AND clamp(NULL, 0, 10) IS NULL")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn creates_and_drops_a_procedure() {
    let plan = case(
        TABLE,
        &with(
            "CREATE PROCEDURE bump(by int) LANGUAGE sql AS $$ UPDATE t SET n = n + by $$;
             COMMENT ON PROCEDURE bump(int) IS 'adds to every n';",
        ),
    )
    .verify("SELECT EXISTS (SELECT FROM pg_proc WHERE proname = 'bump' AND prokind = 'p')")
    .verify("SELECT obj_description('bump(int)'::regprocedure, 'pg_proc') = 'adds to every n'")
    .both_ways()
    .run()
    .await;
    assert!(has(&plan, "COMMENT ON PROCEDURE"), "{}", plan.to_sql());
}

#[tokio::test]
async fn replaces_a_body_in_place() {
    let plan = case(
        &with(DOUBLE),
        &with("CREATE FUNCTION double_it(x int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT x + x';"),
    )
    .verify("SELECT double_it(4) = 8 AND prosrc = 'SELECT x + x' FROM pg_proc WHERE proname = 'double_it'")
    .both_ways()
    .run()
    .await;
    assert!(has(&plan, "CREATE OR REPLACE FUNCTION") && !has(&plan, "DROP FUNCTION"), "{}", plan.to_sql());
}

#[tokio::test]
async fn changes_volatility_strictness_and_security_in_place() {
    let plan = case(
        &with(DOUBLE),
        &with(
            "CREATE FUNCTION double_it(x int) RETURNS int LANGUAGE sql STABLE STRICT SECURITY DEFINER
             SET search_path = pg_catalog, public AS 'SELECT x * 2';",
        ),
    )
    .verify(
        "SELECT provolatile = 's' AND proisstrict AND prosecdef \
                AND proconfig = ARRAY['search_path=pg_catalog, public'] \
         FROM pg_proc WHERE proname = 'double_it'",
    )
    .both_ways()
    .run()
    .await;
    assert!(!has(&plan, "DROP FUNCTION"), "{}", plan.to_sql());
}

#[tokio::test]
async fn a_function_kept_as_it_is_plans_nothing() {
    let plan = case(&with(DOUBLE), &with(DOUBLE)).run().await;
    assert!(plan.is_empty(), "{}", plan.to_sql());
}

#[tokio::test]
async fn another_result_type_drops_and_creates() {
    let plan = case(
        &with(DOUBLE),
        &with("CREATE FUNCTION double_it(x int) RETURNS bigint LANGUAGE sql IMMUTABLE AS 'SELECT x * 2::bigint';"),
    )
    .verify("SELECT pg_typeof(double_it(1)) = 'bigint'::regtype")
    .both_ways()
    .run()
    .await;
    assert!(position(&plan, "DROP FUNCTION") < position(&plan, "CREATE OR REPLACE FUNCTION"), "{}", plan.to_sql());
}

#[tokio::test]
async fn renaming_an_argument_drops_and_creates() {
    let plan = case(
        &with(DOUBLE),
        &with("CREATE FUNCTION double_it(v int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT v * 2';"),
    )
    .verify("SELECT double_it(v => 3) = 6")
    .run()
    .await;
    assert!(has(&plan, "DROP FUNCTION"), "{}", plan.to_sql());
}

#[tokio::test]
async fn an_argument_default_drops_and_creates() {
    case(
        &with(DOUBLE),
        &with("CREATE FUNCTION double_it(x int DEFAULT 1) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT x * 2';"),
    )
    .verify("SELECT double_it() = 2")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn overloads_are_different_functions() {
    let plan = case(
        &with(DOUBLE),
        &with(&format!(
            "{DOUBLE} CREATE FUNCTION double_it(x text) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT x || x';"
        )),
    )
    .verify("SELECT double_it(2) = 4 AND double_it('ab'::text) = 'abab'")
    .both_ways()
    .run()
    .await;
    assert!(!has(&plan, "DROP FUNCTION \"public\".\"double_it\"(x integer)"), "{}", plan.to_sql());
}

#[tokio::test]
async fn returns_a_table() {
    case(
        TABLE,
        &with(
            "CREATE FUNCTION big_ones(min int) RETURNS TABLE (id int, n int) LANGUAGE sql STABLE
               AS 'SELECT id, n FROM t WHERE n >= min';",
        ),
    )
    .data(ROWS)
    .verify("SELECT count(*) = 1 FROM big_ones(15)")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn a_sql_standard_body() {
    case(
        TABLE,
        &with("CREATE FUNCTION total() RETURNS bigint LANGUAGE sql STABLE BEGIN ATOMIC SELECT sum(n) FROM t; END;"),
    )
    .min_version(140000)
    .data(ROWS)
    .verify("SELECT total() = 30")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn comments_on_a_function() {
    let plan = case(&with(DOUBLE), &with(&format!("{DOUBLE} COMMENT ON FUNCTION double_it(int) IS 'twice x';")))
        .verify("SELECT obj_description('double_it(int)'::regprocedure, 'pg_proc') = 'twice x'")
        .both_ways()
        .run()
        .await;
    assert!(!has(&plan, "CREATE OR REPLACE"), "{}", plan.to_sql());
}

#[tokio::test]
async fn a_function_in_another_schema() {
    case("", "CREATE SCHEMA app; CREATE FUNCTION app.\"Next Id\"() RETURNS bigint LANGUAGE sql AS 'SELECT 7::bigint';")
        .verify("SELECT app.\"Next Id\"() = 7")
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn a_function_over_an_enum_comes_after_it_and_goes_before_it() {
    let plan = case(
        "",
        "CREATE TYPE mood AS ENUM ('sad', 'happy');
         CREATE FUNCTION cheer(m mood) RETURNS mood LANGUAGE sql IMMUTABLE AS $$ SELECT 'happy'::mood $$;",
    )
    .verify("SELECT cheer('sad') = 'happy'")
    .both_ways()
    .run()
    .await;
    assert!(position(&plan, "CREATE TYPE") < position(&plan, "FUNCTION"), "{}", plan.to_sql());
}

#[tokio::test]
async fn a_sql_function_calling_another_comes_after_it() {
    // `a_outer` sorts first, but its body is checked when it is created: `z_inner` must exist by then.
    let plan = case(
        "",
        "CREATE FUNCTION z_inner() RETURNS int LANGUAGE sql AS 'SELECT 1';
         CREATE FUNCTION a_outer() RETURNS int LANGUAGE sql AS 'SELECT z_inner() + 1';",
    )
    .verify("SELECT a_outer() = 2")
    .run()
    .await;
    assert!(position(&plan, "z_inner()\n") < position(&plan, "a_outer()\n"), "{}", plan.to_sql());
}

#[tokio::test]
async fn a_sql_function_reading_a_new_table_comes_after_it() {
    case("", "CREATE TABLE a_t (n int); CREATE FUNCTION a_count() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM a_t';")
        .verify("SELECT a_count() = 0")
        .both_ways()
        .run()
        .await;
}

// ---- what calls a function ----

const NEXT_CODE: &str = "CREATE FUNCTION next_code() RETURNS int LANGUAGE sql AS 'SELECT 42';";
const NEXT_CODE_BIG: &str = "CREATE FUNCTION next_code() RETURNS bigint LANGUAGE sql AS 'SELECT 42::bigint';";

#[tokio::test]
async fn a_new_table_whose_default_calls_a_new_function() {
    let plan = case("", &format!("{NEXT_CODE} CREATE TABLE codes (id int PRIMARY KEY, code int DEFAULT next_code());"))
        .verify("SELECT column_default = 'next_code()' FROM information_schema.columns WHERE column_name = 'code'")
        .both_ways()
        .run()
        .await;
    assert!(position(&plan, "FUNCTION") < position(&plan, "CREATE TABLE"), "{}", plan.to_sql());
}

#[tokio::test]
async fn a_default_calling_a_function_that_is_rebuilt() {
    let a = format!("{NEXT_CODE} CREATE TABLE codes (id int PRIMARY KEY, code bigint DEFAULT next_code());");
    let b = format!("{NEXT_CODE_BIG} CREATE TABLE codes (id int PRIMARY KEY, code bigint DEFAULT next_code());");
    let plan = case(&a, &b)
        .data("INSERT INTO codes (id) VALUES (1)")
        .verify("SELECT code = 42 FROM codes")
        .verify("SELECT pg_typeof(next_code()) = 'bigint'::regtype")
        .both_ways()
        .run()
        .await;
    assert!(position(&plan, "DROP DEFAULT") < position(&plan, "DROP FUNCTION"), "{}", plan.to_sql());
    assert!(position(&plan, "CREATE OR REPLACE FUNCTION") < position(&plan, "SET DEFAULT"), "{}", plan.to_sql());
    assert_no_cascade(&plan);
}

#[tokio::test]
async fn a_check_calling_a_function_that_is_rebuilt() {
    let check = "CREATE TABLE m (id int PRIMARY KEY, n int, CONSTRAINT positive CHECK (is_positive(n)));";
    let a =
        format!("CREATE FUNCTION is_positive(x int) RETURNS bool LANGUAGE sql IMMUTABLE AS 'SELECT x > 0'; {check}");
    let b =
        format!("CREATE FUNCTION is_positive(v int) RETURNS bool LANGUAGE sql IMMUTABLE AS 'SELECT v > 0'; {check}");
    let plan = case(&a, &b).data("INSERT INTO m VALUES (1, 5)").both_ways().run().await;
    assert!(position(&plan, "DROP CONSTRAINT") < position(&plan, "DROP FUNCTION"), "{}", plan.to_sql());
    assert!(position(&plan, "CREATE OR REPLACE FUNCTION") < position(&plan, "ADD CONSTRAINT"), "{}", plan.to_sql());
    assert_no_cascade(&plan);
}

#[tokio::test]
async fn an_index_predicate_calling_a_function_that_is_rebuilt() {
    let index = "CREATE TABLE m (id int PRIMARY KEY, n int); CREATE INDEX m_big ON m (id) WHERE is_big(n);";
    let a = format!("CREATE FUNCTION is_big(x int) RETURNS bool LANGUAGE sql IMMUTABLE AS 'SELECT x > 100'; {index}");
    let b = format!("CREATE FUNCTION is_big(v int) RETURNS bool LANGUAGE sql IMMUTABLE AS 'SELECT v > 100'; {index}");
    let plan = case(&a, &b).data("INSERT INTO m VALUES (1, 500)").run().await;
    assert!(position(&plan, "DROP INDEX") < position(&plan, "DROP FUNCTION"), "{}", plan.to_sql());
    assert!(position(&plan, "CREATE OR REPLACE FUNCTION") < position(&plan, "CREATE INDEX"), "{}", plan.to_sql());
}

#[tokio::test]
async fn an_index_expression_calling_a_function_that_is_rebuilt() {
    let index = "CREATE TABLE m (id int PRIMARY KEY, label text); CREATE INDEX m_norm ON m (norm(label));";
    let a = format!("CREATE FUNCTION norm(x text) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT lower(x)'; {index}");
    let b = format!("CREATE FUNCTION norm(v text) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT lower(v)'; {index}");
    let plan = case(&a, &b).data("INSERT INTO m VALUES (1, 'A')").both_ways().run().await;
    assert_no_cascade(&plan);
}

#[tokio::test]
async fn a_replaced_body_keeps_what_calls_it() {
    let index = "CREATE TABLE m (id int PRIMARY KEY, label text); CREATE INDEX m_norm ON m (norm(label));";
    let a = format!("CREATE FUNCTION norm(x text) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT lower(x)'; {index}");
    let b = format!("CREATE FUNCTION norm(x text) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT upper(x)'; {index}");
    let plan = case(&a, &b).run().await;
    assert!(!has(&plan, "DROP INDEX") && !has(&plan, "DROP FUNCTION"), "{}", plan.to_sql());
}

#[tokio::test]
async fn a_view_calling_a_function_that_is_rebuilt() {
    let view = "CREATE VIEW doubled AS SELECT id, twice(n) AS n2 FROM t;";
    let a = with(&format!("CREATE FUNCTION twice(x int) RETURNS int LANGUAGE sql AS 'SELECT x * 2'; {view}"));
    let b = with(&format!("CREATE FUNCTION twice(v int) RETURNS int LANGUAGE sql AS 'SELECT v * 2'; {view}"));
    let plan = case(&a, &b).data(ROWS).verify("SELECT n2 = 20 FROM doubled WHERE id = 1").both_ways().run().await;
    assert!(position(&plan, "DROP VIEW") < position(&plan, "DROP FUNCTION"), "{}", plan.to_sql());
    assert!(position(&plan, "CREATE OR REPLACE FUNCTION") < position(&plan, "CREATE VIEW"), "{}", plan.to_sql());
    assert_no_cascade(&plan);
}

#[tokio::test]
async fn a_new_view_calling_a_new_function() {
    case(
        TABLE,
        &with(
            "CREATE FUNCTION twice(x int) RETURNS int LANGUAGE sql AS 'SELECT x * 2';
               CREATE VIEW doubled AS SELECT id, twice(n) AS n2 FROM t;",
        ),
    )
    .data(ROWS)
    .verify("SELECT n2 = 40 FROM doubled WHERE id = 2")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn a_policy_calling_a_function_that_is_rebuilt() {
    let policy = "CREATE TABLE docs (id int PRIMARY KEY, owner text);
                  ALTER TABLE docs ENABLE ROW LEVEL SECURITY;
                  CREATE POLICY own ON docs USING (owner = current_owner());";
    let a = format!(
        "CREATE FUNCTION current_owner() RETURNS text LANGUAGE sql STABLE AS 'SELECT current_user::text'; {policy}"
    );
    let b = format!(
        "CREATE FUNCTION current_owner() RETURNS name LANGUAGE sql STABLE AS 'SELECT current_user'; {}",
        policy.replace("owner = current_owner()", "owner = current_owner()::text")
    );
    let plan = case(&a, &b).data("INSERT INTO docs VALUES (1, 'x')").both_ways().run().await;
    assert!(position(&plan, "DROP POLICY") < position(&plan, "DROP FUNCTION"), "{}", plan.to_sql());
    assert!(position(&plan, "CREATE OR REPLACE FUNCTION") < position(&plan, "CREATE POLICY"), "{}", plan.to_sql());
    assert_no_cascade(&plan);
}

#[tokio::test]
async fn a_policy_calling_a_function_whose_arguments_are_renamed() {
    let policy = "CREATE TABLE docs (id int PRIMARY KEY, n int);
                  ALTER TABLE docs ENABLE ROW LEVEL SECURITY;
                  CREATE POLICY visible ON docs USING (is_visible(n));";
    let a = format!("CREATE FUNCTION is_visible(x int) RETURNS bool LANGUAGE sql STABLE AS 'SELECT x > 0'; {policy}");
    let b = format!("CREATE FUNCTION is_visible(v int) RETURNS bool LANGUAGE sql STABLE AS 'SELECT v > 0'; {policy}");
    let plan = case(&a, &b).both_ways().run().await;
    assert!(position(&plan, "DROP POLICY") < position(&plan, "DROP FUNCTION"), "{}", plan.to_sql());
}

#[tokio::test]
async fn dropping_a_function_with_the_table_whose_default_calls_it() {
    let plan = case(&format!("{NEXT_CODE} CREATE TABLE codes (id int PRIMARY KEY, code int DEFAULT next_code());"), "")
        .run()
        .await;
    assert!(position(&plan, "DROP TABLE") < position(&plan, "DROP FUNCTION"), "{}", plan.to_sql());
}

#[tokio::test]
async fn an_aggregate_stays_unmanaged() {
    let plan = case("CREATE AGGREGATE my_sum(int) (sfunc = int4pl, stype = int);", "")
        .verify("SELECT EXISTS (SELECT FROM pg_proc WHERE proname = 'my_sum')")
        .run()
        .await;
    assert!(plan.is_empty(), "{}", plan.to_sql());
}

#[tokio::test]
async fn functions_that_need_each_other_first_are_reported_as_a_cycle() {
    // Two SQL-language bodies calling each other: each must exist before the other is created. PostgreSQL
    // accepts them only with body checks off; keel names the statements instead of guessing an order.
    let b = "SET check_function_bodies = off;
             CREATE FUNCTION ping(n int) RETURNS int LANGUAGE sql AS 'SELECT CASE WHEN n > 0 THEN pong(n - 1) ELSE 0 END';
             CREATE FUNCTION pong(n int) RETURNS int LANGUAGE sql AS 'SELECT CASE WHEN n > 0 THEN ping(n - 1) ELSE 0 END';
             CREATE TABLE bystander (id int PRIMARY KEY);";
    let mut pair = crate::direct::Pair::new("", b).await;
    let current = keel_diff::introspect(&mut pair.a, None).await.expect("introspect A");
    let desired = keel_diff::introspect(&mut pair.b, None).await.expect("introspect B");
    let error = keel_diff::plan(&current, &desired, &Default::default()).expect_err("a cycle");
    let message = error.to_string();
    assert!(message.contains("depend on each other in a cycle"), "{message}");
    assert!(message.contains("create function public.ping(n integer)"), "{message}");
    assert!(message.contains("create function public.pong(n integer)"), "{message}");
    assert!(!message.contains("bystander"), "only the cycle is named: {message}");
    pair.drop().await;
}

#[tokio::test]
async fn a_function_over_an_enum_that_loses_a_value() {
    // The enum is recreated (renamed away, created again, columns cast, old one dropped): the function's
    // signature holds the old type, so it is dropped before and created again over the new one.
    let function = "CREATE FUNCTION cheerful(m mood) RETURNS bool LANGUAGE sql IMMUTABLE AS $$ SELECT m = 'happy' $$;";
    let plan = case(
        &format!("CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy'); {function}"),
        &format!("CREATE TYPE mood AS ENUM ('sad', 'happy'); {function}"),
    )
    .verify("SELECT cheerful('happy')")
    .run()
    .await;
    assert_no_cascade(&plan);
}

#[tokio::test]
async fn a_function_over_a_domain_whose_base_type_changes() {
    let function = "CREATE FUNCTION shout(c code) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT upper(c) $$;";
    let plan = case(
        &format!("CREATE DOMAIN code AS varchar(10); {function}"),
        &format!("CREATE DOMAIN code AS text; {function}"),
    )
    .verify("SELECT shout('a') = 'A'")
    .both_ways()
    .run()
    .await;
    assert_no_cascade(&plan);
}
