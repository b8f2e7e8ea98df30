//! Columns of an existing table: adding and dropping them, type changes with data present, nullability,
//! defaults, collations, identity, generated columns, comments, arrays and names that need quoting.

use crate::harness::case;
use keel_diff::{Hazard, Plan};

/// What the first statement whose SQL contains `needle` would delete, as measured on A.
fn loss(plan: &Plan, needle: &str) -> Option<i64> {
    let statement = plan
        .statements
        .iter()
        .find(|s| s.sql.contains(needle))
        .unwrap_or_else(|| panic!("no statement with {needle:?} in:\n{}", plan.to_sql()));
    assert!(statement.measure.is_some(), "{needle:?} has nothing to measure:\n{}", plan.to_sql());
    statement.data_loss
}

fn no_rewrite(plan: &Plan) {
    assert!(!plan.has(Hazard::RewritesTable), "this change must not rewrite the table:\n{}", plan.to_sql());
}

/// A one-column table `t (id int PRIMARY KEY, <definition>)`.
fn table(definition: &str) -> String {
    format!("CREATE TABLE t (id int PRIMARY KEY, {definition})")
}

// ---- adding and dropping ----

#[tokio::test]
async fn adds_a_nullable_column_and_drops_it_again() {
    let plan = case(&table("a text"), &table("a text, b int"))
        .data("INSERT INTO t VALUES (1, 'x'), (2, 'y')")
        .verify("SELECT count(*) = 2 FROM t WHERE b IS NULL")
        .both_ways()
        .run()
        .await;
    no_rewrite(&plan);
    assert!(!plan.has(Hazard::DeletesData));
}

#[tokio::test]
async fn drops_a_nullable_column_counting_its_values() {
    let plan = case(&table("a text"), "CREATE TABLE t (id int PRIMARY KEY)")
        .data("INSERT INTO t VALUES (1, 'x'), (2, 'y'), (3, NULL)")
        .verify("SELECT count(*) = 3 FROM t")
        .expect(Hazard::DeletesData)
        .expect(Hazard::BreaksClients)
        .run()
        .await;
    assert_eq!(loss(&plan, "DROP COLUMN"), Some(2));
}

#[tokio::test]
async fn adds_a_not_null_column_with_a_default_to_a_table_with_rows() {
    let plan = case(&table("a text"), &table("a text, n int NOT NULL DEFAULT 7"))
        .data("INSERT INTO t VALUES (1, 'x'), (2, 'y')")
        .verify("SELECT bool_and(n = 7) AND count(*) = 2 FROM t")
        .both_ways()
        .run()
        .await;
    no_rewrite(&plan);
    assert!(!plan.has(Hazard::MayFailOnData), "the default fills every row:\n{}", plan.to_sql());
}

#[tokio::test]
async fn adds_a_not_null_column_without_a_default_to_an_empty_table() {
    case(&table("a text"), &table("a text, n int NOT NULL")).expect(Hazard::MayFailOnData).both_ways().run().await;
}

#[tokio::test]
async fn adds_a_column_with_a_volatile_default_rewriting_the_table() {
    case(&table("a text"), &table("a text, token uuid NOT NULL DEFAULT gen_random_uuid()"))
        .data("INSERT INTO t VALUES (1, 'x'), (2, 'y')")
        .verify("SELECT count(DISTINCT token) = 2 FROM t")
        .expect(Hazard::RewritesTable)
        .run()
        .await;
}

#[tokio::test]
async fn adds_a_column_with_a_stable_default_without_rewriting() {
    let plan = case(&table("a text"), &table("a text, seen timestamptz NOT NULL DEFAULT now()"))
        .data("INSERT INTO t VALUES (1, 'x')")
        .verify("SELECT bool_and(seen IS NOT NULL) FROM t")
        .run()
        .await;
    no_rewrite(&plan);
}

#[tokio::test]
async fn drops_a_column_that_has_an_index_and_a_check() {
    case(
        "CREATE TABLE t (id int PRIMARY KEY, a int CHECK (a > 0)); CREATE INDEX t_a_idx ON t (a)",
        "CREATE TABLE t (id int PRIMARY KEY)",
    )
    .data("INSERT INTO t VALUES (1, 1)")
    .expect(Hazard::DeletesData)
    .both_ways()
    .run()
    .await;
}

// ---- type changes with data present ----

#[tokio::test]
async fn integer_to_bigint_keeps_the_values() {
    case(&table("n int"), &table("n bigint"))
        .data("INSERT INTO t VALUES (1, 2147483647), (2, -5), (3, NULL)")
        .verify("SELECT n = 2147483647 FROM t WHERE id = 1")
        .verify("SELECT n = -5 AND pg_typeof(n) = 'bigint'::regtype FROM t WHERE id = 2")
        .verify("SELECT n IS NULL FROM t WHERE id = 3")
        .expect(Hazard::RewritesTable)
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn bigint_to_integer_with_small_values() {
    case(&table("n bigint"), &table("n int"))
        .data("INSERT INTO t VALUES (1, 42), (2, -42)")
        .verify("SELECT sum(n) = 0 AND min(n) = -42 FROM t")
        .expect(Hazard::MayFailOnData)
        .expect(Hazard::RewritesTable)
        .run()
        .await;
}

#[tokio::test]
async fn smallint_to_integer_keeps_the_values() {
    let plan = case(&table("n smallint"), &table("n int"))
        .data("INSERT INTO t VALUES (1, 32767)")
        .verify("SELECT n = 32767 FROM t")
        .both_ways()
        .run()
        .await;
    assert!(!plan.has(Hazard::MayFailOnData), "widening cannot fail:\n{}", plan.to_sql());
}

#[tokio::test]
async fn integer_to_text_rewrites_and_keeps_the_values() {
    let plan = case(&table("n int"), &table("n text"))
        .data("INSERT INTO t VALUES (1, 10), (2, -3)")
        .verify("SELECT string_agg(n, ',' ORDER BY id) = '10,-3' FROM t")
        .expect(Hazard::RewritesTable)
        .run()
        .await;
    assert!(!plan.has(Hazard::MayFailOnData), "everything casts to text:\n{}", plan.to_sql());
}

#[tokio::test]
async fn text_with_numeric_strings_to_integer() {
    case(&table("n text"), &table("n int"))
        .data("INSERT INTO t VALUES (1, '10'), (2, '-3'), (3, NULL)")
        .verify("SELECT sum(n) = 7 AND count(n) = 2 FROM t")
        .expect(Hazard::MayFailOnData)
        .expect(Hazard::RewritesTable)
        .run()
        .await;
}

#[tokio::test]
async fn widening_a_varchar_does_not_rewrite() {
    let plan = case(&table("s varchar(10)"), &table("s varchar(50)"))
        .data("INSERT INTO t VALUES (1, 'ten chars!')")
        .verify("SELECT s = 'ten chars!' FROM t")
        .run()
        .await;
    no_rewrite(&plan);
    assert!(!plan.has(Hazard::MayFailOnData), "{}", plan.to_sql());
}

#[tokio::test]
async fn narrowing_a_varchar_with_short_values() {
    case(&table("s varchar(50)"), &table("s varchar(10)"))
        .data("INSERT INTO t VALUES (1, 'short'), (2, '')")
        .verify("SELECT string_agg(s, '|' ORDER BY id) = 'short|' FROM t")
        .expect(Hazard::MayFailOnData)
        .run()
        .await;
}

#[tokio::test]
async fn text_to_varchar_with_a_length() {
    case(&table("s text"), &table("s varchar(20)"))
        .data("INSERT INTO t VALUES (1, 'hello')")
        .verify("SELECT s = 'hello' FROM t")
        .expect(Hazard::MayFailOnData)
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn varchar_to_text_does_not_rewrite() {
    let plan = case(&table("s varchar(20)"), &table("s text"))
        .data("INSERT INTO t VALUES (1, 'hello')")
        .verify("SELECT s = 'hello' FROM t")
        .run()
        .await;
    no_rewrite(&plan);
}

#[tokio::test]
async fn char_length_change_keeps_the_values() {
    case(&table("c char(3)"), &table("c char(5)"))
        .data("INSERT INTO t VALUES (1, 'ab')")
        .verify("SELECT c = 'ab' AND octet_length(c::text) = 2 FROM t")
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn more_numeric_precision_at_the_same_scale_does_not_rewrite() {
    let plan = case(&table("amount numeric(10, 2)"), &table("amount numeric(12, 2)"))
        .data("INSERT INTO t VALUES (1, 12345678.91)")
        .verify("SELECT amount = 12345678.91 FROM t")
        .both_ways()
        .run()
        .await;
    no_rewrite(&plan);
}

#[tokio::test]
async fn numeric_scale_change_rewrites() {
    case(&table("amount numeric(10, 2)"), &table("amount numeric(10, 4)"))
        .data("INSERT INTO t VALUES (1, 3.25)")
        .verify("SELECT amount = 3.25 AND scale(amount) = 4 FROM t")
        .expect(Hazard::RewritesTable)
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn timestamp_to_timestamptz_keeps_the_instant() {
    case(&table("at timestamp"), &table("at timestamptz"))
        .data("INSERT INTO t VALUES (1, '2024-02-29 12:34:56.789')")
        .verify("SELECT at::timestamp = '2024-02-29 12:34:56.789' FROM t")
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn date_to_timestamp_keeps_the_day() {
    case(&table("d date"), &table("d timestamp"))
        .data("INSERT INTO t VALUES (1, '2020-01-31')")
        .verify("SELECT d = '2020-01-31 00:00' FROM t")
        .expect(Hazard::RewritesTable)
        .run()
        .await;
}

#[tokio::test]
async fn json_to_jsonb_keeps_the_documents() {
    case(&table("doc json"), &table("doc jsonb"))
        .data(r#"INSERT INTO t VALUES (1, '{"a": 1, "b": [true, null]}'), (2, 'null'), (3, NULL)"#)
        .verify(r#"SELECT doc = '{"b": [true, null], "a": 1}'::jsonb FROM t WHERE id = 1"#)
        .verify("SELECT doc = 'null'::jsonb FROM t WHERE id = 2")
        .expect(Hazard::RewritesTable)
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn text_holding_json_to_jsonb() {
    case(&table("doc text"), &table("doc jsonb"))
        .data(r#"INSERT INTO t VALUES (1, '[1, 2]')"#)
        .verify("SELECT doc = '[1,2]'::jsonb FROM t")
        .expect(Hazard::MayFailOnData)
        .run()
        .await;
}

#[tokio::test]
async fn text_to_uuid() {
    case(&table("u text"), &table("u uuid"))
        .data("INSERT INTO t VALUES (1, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11')")
        .verify("SELECT u = 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid FROM t")
        .expect(Hazard::MayFailOnData)
        .run()
        .await;
}

#[tokio::test]
async fn uuid_to_text() {
    let plan = case(&table("u uuid"), &table("u text"))
        .data("INSERT INTO t VALUES (1, 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11')")
        .verify("SELECT u = 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11' FROM t")
        .expect(Hazard::RewritesTable)
        .run()
        .await;
    assert!(!plan.has(Hazard::MayFailOnData), "{}", plan.to_sql());
}

#[tokio::test]
async fn integer_array_to_bigint_array() {
    case(&table("ns int[]"), &table("ns bigint[]"))
        .data("INSERT INTO t VALUES (1, '{1,2,3}'), (2, '{}'), (3, NULL)")
        .verify("SELECT ns = '{1,2,3}'::bigint[] FROM t WHERE id = 1")
        .verify("SELECT cardinality(ns) = 0 FROM t WHERE id = 2")
        .expect(Hazard::RewritesTable)
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn text_to_an_enum() {
    case(
        "CREATE TYPE status AS ENUM ('new', 'done'); CREATE TABLE t (id int PRIMARY KEY, st text)",
        "CREATE TYPE status AS ENUM ('new', 'done'); CREATE TABLE t (id int PRIMARY KEY, st status)",
    )
    .data("INSERT INTO t VALUES (1, 'new'), (2, 'done'), (3, NULL)")
    .verify("SELECT st = 'done'::status FROM t WHERE id = 2")
    .verify("SELECT count(st) = 2 FROM t")
    .expect(Hazard::MayFailOnData)
    .run()
    .await;
}

#[tokio::test]
async fn an_enum_to_text() {
    case(
        "CREATE TYPE status AS ENUM ('new', 'done'); CREATE TABLE t (id int PRIMARY KEY, st status)",
        "CREATE TYPE status AS ENUM ('new', 'done'); CREATE TABLE t (id int PRIMARY KEY, st text)",
    )
    .data("INSERT INTO t VALUES (1, 'new'), (2, 'done')")
    .verify("SELECT string_agg(st, ',' ORDER BY id) = 'new,done' FROM t")
    .run()
    .await;
}

#[tokio::test]
async fn text_to_a_new_enum_dropping_nothing() {
    case(
        "CREATE TABLE t (id int PRIMARY KEY, st text)",
        "CREATE TYPE status AS ENUM ('new', 'done'); CREATE TABLE t (id int PRIMARY KEY, st status)",
    )
    .data("INSERT INTO t VALUES (1, 'new')")
    .verify("SELECT st = 'new' FROM t")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn type_change_keeps_an_equal_default() {
    case(&table("n int NOT NULL DEFAULT 5"), &table("n bigint NOT NULL DEFAULT 5"))
        .data("INSERT INTO t VALUES (1, 1)")
        .verify("SELECT n = 1 FROM t")
        .verify("WITH i AS (INSERT INTO t (id) VALUES (9) RETURNING n) SELECT n = 5 FROM i")
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn type_change_replaces_a_default_that_does_not_cast() {
    case(&table("s text DEFAULT 'none'"), &table("s int DEFAULT 0"))
        .data("INSERT INTO t VALUES (1, '12')")
        .verify("SELECT s = 12 FROM t")
        .verify("WITH i AS (INSERT INTO t (id) VALUES (9) RETURNING s) SELECT s = 0 FROM i")
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn varchar_to_text_with_a_string_default() {
    case(&table("s varchar(10) NOT NULL DEFAULT 'a'"), &table("s text NOT NULL DEFAULT 'a'"))
        .data("INSERT INTO t VALUES (1, 'b')")
        .verify("SELECT s = 'b' FROM t")
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn uuid_to_text_on_both_sides_of_a_foreign_key() {
    case(
        "CREATE TABLE parent (id uuid PRIMARY KEY);
         CREATE TABLE child (id int PRIMARY KEY, parent_id uuid REFERENCES parent);",
        "CREATE TABLE parent (id text PRIMARY KEY);
         CREATE TABLE child (id int PRIMARY KEY, parent_id text REFERENCES parent);",
    )
    .data(
        "INSERT INTO parent VALUES ('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
         INSERT INTO child VALUES (1, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'), (2, NULL)",
    )
    .verify("SELECT count(*) = 1 FROM child JOIN parent ON parent.id = child.parent_id")
    .verify("SELECT id = 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11' FROM parent")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn integer_to_bigint_on_both_sides_of_a_foreign_key() {
    case(
        "CREATE TABLE parent (id int PRIMARY KEY);
         CREATE TABLE child (id int PRIMARY KEY, parent_id int NOT NULL REFERENCES parent ON DELETE CASCADE);",
        "CREATE TABLE parent (id bigint PRIMARY KEY);
         CREATE TABLE child (id int PRIMARY KEY, parent_id bigint NOT NULL REFERENCES parent ON DELETE CASCADE);",
    )
    .data("INSERT INTO parent VALUES (1), (2); INSERT INTO child VALUES (1, 1), (2, 2), (3, 2)")
    .verify("SELECT count(*) = 3 FROM child JOIN parent ON parent.id = child.parent_id")
    .expect(Hazard::RewritesTable)
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn type_change_of_a_column_in_a_partial_index_predicate() {
    case(
        "CREATE TABLE t (id int PRIMARY KEY, n int); CREATE INDEX t_positive ON t (id) WHERE n > 0",
        "CREATE TABLE t (id int PRIMARY KEY, n bigint); CREATE INDEX t_positive ON t (id) WHERE n > 0",
    )
    .data("INSERT INTO t VALUES (1, 5), (2, -5)")
    .verify("SELECT sum(n) = 0 FROM t")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn type_change_of_a_text_column_in_a_partial_index_predicate() {
    case(
        "CREATE TABLE t (id int PRIMARY KEY, s varchar(10)); CREATE INDEX t_named ON t (id) WHERE s <> ''",
        "CREATE TABLE t (id int PRIMARY KEY, s text); CREATE INDEX t_named ON t (id) WHERE s <> ''",
    )
    .data("INSERT INTO t VALUES (1, 'x'), (2, '')")
    .verify("SELECT count(*) = 2 FROM t")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn type_change_of_a_column_in_a_check() {
    case(
        "CREATE TABLE t (id int PRIMARY KEY, n int CONSTRAINT t_n_positive CHECK (n > 0))",
        "CREATE TABLE t (id int PRIMARY KEY, n bigint CONSTRAINT t_n_positive CHECK (n > 0))",
    )
    .data("INSERT INTO t VALUES (1, 3)")
    .verify("SELECT n = 3 FROM t")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn type_change_of_an_indexed_column() {
    case(
        "CREATE TABLE t (id int PRIMARY KEY, code int UNIQUE); CREATE INDEX t_code_idx ON t (code DESC)",
        "CREATE TABLE t (id int PRIMARY KEY, code text UNIQUE); CREATE INDEX t_code_idx ON t (code DESC)",
    )
    .data("INSERT INTO t VALUES (1, 100), (2, 200)")
    .verify("SELECT string_agg(code, ',' ORDER BY id) = '100,200' FROM t")
    .run()
    .await;
}

// ---- nullability ----

#[tokio::test]
async fn sets_not_null_on_a_column_without_nulls() {
    let plan = case(&table("a text"), &table("a text NOT NULL"))
        .data("INSERT INTO t VALUES (1, 'x'), (2, 'y')")
        .verify("SELECT count(*) = 2 FROM t")
        .expect(Hazard::MayFailOnData)
        .both_ways()
        .run()
        .await;
    no_rewrite(&plan);
}

#[tokio::test]
async fn sets_not_null_online_through_a_validated_check() {
    let plan = case(&table("a text"), &table("a text NOT NULL"))
        .data("INSERT INTO t VALUES (1, 'x')")
        .online()
        .expect(Hazard::MayFailOnData)
        .run()
        .await;
    assert!(plan.statements.iter().any(|s| s.sql.contains("VALIDATE CONSTRAINT")), "{}", plan.to_sql());
}

#[tokio::test]
async fn drops_not_null_without_any_risk() {
    let plan = case(&table("a text NOT NULL"), &table("a text"))
        .data("INSERT INTO t VALUES (1, 'x')")
        .verify("SELECT a = 'x' FROM t")
        .run()
        .await;
    assert!(!plan.has(Hazard::MayFailOnData) && !plan.has(Hazard::RewritesTable), "{}", plan.to_sql());
}

#[tokio::test]
async fn drops_a_primary_key_and_the_not_null_it_implied() {
    case("CREATE TABLE t (id int PRIMARY KEY, a text)", "CREATE TABLE t (id int, a text)")
        .data("INSERT INTO t VALUES (1, 'x')")
        .verify("SELECT id = 1 FROM t")
        .both_ways()
        .run()
        .await;
}

// ---- defaults ----

#[tokio::test]
async fn sets_a_literal_default_leaving_existing_rows_alone() {
    case(&table("n int"), &table("n int DEFAULT 42"))
        .data("INSERT INTO t VALUES (1, NULL), (2, 3)")
        .verify("SELECT n IS NULL FROM t WHERE id = 1")
        .verify("WITH i AS (INSERT INTO t (id) VALUES (9) RETURNING n) SELECT n = 42 FROM i")
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn changes_a_literal_default() {
    case(&table("s text DEFAULT 'old'"), &table("s text DEFAULT 'it''s new'"))
        .data("INSERT INTO t VALUES (1, 'kept')")
        .verify("SELECT s = 'kept' FROM t")
        .verify("WITH i AS (INSERT INTO t (id) VALUES (9) RETURNING s) SELECT s = 'it''s new' FROM i")
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn drops_a_default() {
    case(&table("flag boolean NOT NULL DEFAULT true"), &table("flag boolean NOT NULL"))
        .data("INSERT INTO t VALUES (1, false)")
        .verify("SELECT NOT flag FROM t")
        .run()
        .await;
}

#[tokio::test]
async fn sets_a_now_default() {
    case(&table("at timestamptz"), &table("at timestamptz DEFAULT now()"))
        .data("INSERT INTO t VALUES (1, NULL)")
        .verify("SELECT at IS NULL FROM t")
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn sets_a_random_uuid_default() {
    case(&table("u uuid NOT NULL"), &table("u uuid NOT NULL DEFAULT gen_random_uuid()"))
        .data("INSERT INTO t VALUES (1, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11')")
        .verify("SELECT u = 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11' FROM t")
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn sets_an_empty_jsonb_default() {
    case(&table("doc jsonb"), &table("doc jsonb NOT NULL DEFAULT '{}'::jsonb"))
        .data(r#"INSERT INTO t VALUES (1, '{"a": 1}')"#)
        .verify("SELECT doc ->> 'a' = '1' FROM t")
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn changes_a_default_between_expressions() {
    case(&table("label text DEFAULT lower('ABC')"), &table("label text DEFAULT (upper('x') || '-' || (1 + 2)::text)"))
        .data("INSERT INTO t VALUES (1, 'kept')")
        .verify("WITH i AS (INSERT INTO t (id) VALUES (9) RETURNING label) SELECT label = 'X-3' FROM i")
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn changes_a_default_from_a_literal_to_a_function() {
    case(&table("d date DEFAULT '2000-01-01'"), &table("d date DEFAULT current_date"))
        .data("INSERT INTO t VALUES (1, '1999-12-31')")
        .verify("SELECT d = '1999-12-31' FROM t")
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn sets_an_array_default() {
    case(&table("tags text[]"), &table("tags text[] NOT NULL DEFAULT '{}'::text[]"))
        .data("INSERT INTO t VALUES (1, '{a,b}')")
        .verify("SELECT tags = '{a,b}' FROM t")
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn sets_a_default_and_not_null_together() {
    case(&table("n int"), &table("n int NOT NULL DEFAULT 0"))
        .data("INSERT INTO t VALUES (1, 5)")
        .verify("SELECT n = 5 FROM t")
        .expect(Hazard::MayFailOnData)
        .both_ways()
        .run()
        .await;
}

// ---- collation ----

#[tokio::test]
async fn changes_a_collation_to_c_and_back() {
    case(&table("s text"), &table(r#"s text COLLATE "C""#))
        .data("INSERT INTO t VALUES (1, 'b'), (2, 'B'), (3, 'a')")
        .verify("SELECT string_agg(s, '' ORDER BY s) = 'Bab' FROM t")
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn changes_a_collation_of_an_indexed_column() {
    case(
        r#"CREATE TABLE t (id int PRIMARY KEY, s varchar(20) COLLATE "C"); CREATE INDEX t_s_idx ON t (s)"#,
        r#"CREATE TABLE t (id int PRIMARY KEY, s varchar(20) COLLATE "POSIX"); CREATE INDEX t_s_idx ON t (s)"#,
    )
    .data("INSERT INTO t VALUES (1, 'x')")
    .verify("SELECT s = 'x' FROM t")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn changes_type_and_collation_together() {
    case(&table("s varchar(5)"), &table(r#"s text COLLATE "C""#))
        .data("INSERT INTO t VALUES (1, 'abc')")
        .verify("SELECT s = 'abc' FROM t")
        .both_ways()
        .run()
        .await;
}

// ---- identity ----

#[tokio::test]
async fn makes_a_column_an_identity_and_back() {
    case(
        "CREATE TABLE t (id int NOT NULL, a text)",
        "CREATE TABLE t (id int GENERATED BY DEFAULT AS IDENTITY, a text)",
    )
    .data("INSERT INTO t VALUES (1, 'x'), (2, 'y')")
    .verify("SELECT sum(id) = 3 FROM t")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn switches_identity_generation_between_always_and_by_default() {
    case(
        "CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY, a text)",
        "CREATE TABLE t (id int GENERATED BY DEFAULT AS IDENTITY, a text)",
    )
    .data("INSERT INTO t (a) VALUES ('x'), ('y')")
    .verify("SELECT sum(id) = 3 FROM t")
    .verify("WITH i AS (INSERT INTO t (id, a) VALUES (100, 'z') RETURNING id) SELECT id = 100 FROM i")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn changes_identity_start_and_increment() {
    case(
        "CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY, a text)",
        "CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY (START WITH 1000 INCREMENT BY 10), a text)",
    )
    .data("INSERT INTO t (a) VALUES ('x')")
    .verify("SELECT id = 1 FROM t")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn changes_identity_bounds_cache_and_cycle() {
    case(
        "CREATE TABLE t (id int GENERATED BY DEFAULT AS IDENTITY, a text)",
        "CREATE TABLE t (id int GENERATED BY DEFAULT AS IDENTITY (MINVALUE 5 MAXVALUE 500 CACHE 20 CYCLE), a text)",
    )
    .data("INSERT INTO t (id, a) VALUES (7, 'x')")
    .verify("SELECT id = 7 FROM t")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn narrows_the_bounds_of_an_identity_in_use_keeping_its_numbering() {
    case(
        "CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, a text)",
        "CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY (MAXVALUE 1000000) PRIMARY KEY, a text)",
    )
    .data("INSERT INTO t (a) VALUES ('x'), ('y'), ('z')")
    .verify("WITH i AS (INSERT INTO t (a) VALUES ('w') RETURNING id) SELECT id = 4 FROM i")
    .run()
    .await;
}

#[tokio::test]
async fn changes_identity_to_a_descending_sequence() {
    case(
        "CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY, a text)",
        "CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY (INCREMENT BY -1), a text)",
    )
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn integer_identity_to_bigint_identity() {
    case(
        "CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, a text)",
        "CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, a text)",
    )
    .data("INSERT INTO t (a) VALUES ('x'), ('y')")
    .verify("SELECT sum(id) = 3 FROM t")
    .expect(Hazard::RewritesTable)
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn adds_an_identity_column_to_a_table_with_rows() {
    case("CREATE TABLE t (a text)", "CREATE TABLE t (a text, id bigint GENERATED ALWAYS AS IDENTITY)")
        .data("INSERT INTO t VALUES ('x'), ('y'), ('z')")
        .verify("SELECT count(DISTINCT id) = 3 FROM t")
        .expect(Hazard::RewritesTable)
        .both_ways()
        .run()
        .await;
}

// ---- serial-like columns ----

#[tokio::test]
async fn turns_an_integer_column_into_a_serial_like_column() {
    case("CREATE TABLE t (id int NOT NULL, a text)", "CREATE TABLE t (id serial, a text)")
        .data("INSERT INTO t VALUES (1, 'x'), (2, 'y')")
        .verify("SELECT sum(id) = 3 FROM t")
        .verify("WITH i AS (INSERT INTO t (a) VALUES ('z') RETURNING id) SELECT id = 1 FROM i")
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn serial_column_to_bigserial() {
    case("CREATE TABLE t (id serial PRIMARY KEY, a text)", "CREATE TABLE t (id bigserial PRIMARY KEY, a text)")
        .data("INSERT INTO t (a) VALUES ('x'), ('y')")
        .verify("SELECT sum(id) = 3 FROM t")
        .verify("SELECT last_value = 2 FROM t_id_seq")
        .both_ways()
        .run()
        .await;
}

// ---- generated columns ----

#[tokio::test]
async fn adds_a_generated_column_computed_for_existing_rows() {
    case(&table("price int"), &table("price int, doubled int GENERATED ALWAYS AS (price * 2) STORED"))
        .data("INSERT INTO t VALUES (1, 10), (2, NULL)")
        .verify("SELECT doubled = 20 FROM t WHERE id = 1")
        .verify("SELECT doubled IS NULL FROM t WHERE id = 2")
        .expect(Hazard::RewritesTable)
        .run()
        .await;
}

#[tokio::test]
async fn drops_a_generated_column_without_losing_data() {
    let plan = case(&table("price int, doubled int GENERATED ALWAYS AS (price * 2) STORED"), &table("price int"))
        .data("INSERT INTO t VALUES (1, 10)")
        .verify("SELECT price = 10 FROM t")
        .run()
        .await;
    assert!(!plan.has(Hazard::DeletesData), "generated values are derived:\n{}", plan.to_sql());
}

#[tokio::test]
async fn changes_a_generated_expression_recomputing_the_values() {
    case(
        &table("price int, total int GENERATED ALWAYS AS (price * 2) STORED"),
        &table("price int, total int GENERATED ALWAYS AS (price * 3 + 1) STORED"),
    )
    .data("INSERT INTO t VALUES (1, 10)")
    .verify("SELECT total = 31 FROM t")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn a_generated_column_becomes_plain_keeping_its_values() {
    let plan = case(
        &table("first text, last text, full_name text GENERATED ALWAYS AS (first || ' ' || last) STORED"),
        &table("first text, last text, full_name text"),
    )
    .data("INSERT INTO t VALUES (1, 'Ada', 'Lovelace')")
    .verify("SELECT full_name = 'Ada Lovelace' FROM t")
    .run()
    .await;
    assert!(!plan.has(Hazard::DeletesData), "DROP EXPRESSION keeps the values:\n{}", plan.to_sql());
    assert!(plan.statements.iter().any(|s| s.sql.contains("DROP EXPRESSION")), "{}", plan.to_sql());
}

#[tokio::test]
async fn a_plain_column_becomes_generated_replacing_its_values() {
    case(&table("price int, doubled int"), &table("price int, doubled int GENERATED ALWAYS AS (price * 2) STORED"))
        .data("INSERT INTO t VALUES (1, 10, 7)")
        .verify("SELECT doubled = 20 FROM t")
        .expect(Hazard::DeletesData)
        .run()
        .await;
}

// ---- comments ----

#[tokio::test]
async fn adds_a_column_comment() {
    case(&table("a text"), &format!("{}; COMMENT ON COLUMN t.a IS 'the a'", table("a text")))
        .data("INSERT INTO t VALUES (1, 'x')")
        .verify("SELECT col_description('t'::regclass, 2) = 'the a'")
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn changes_a_column_comment() {
    case(
        &format!("{}; COMMENT ON COLUMN t.a IS 'old'", table("a text")),
        &format!("{}; COMMENT ON COLUMN t.a IS 'new, with ''quotes'''", table("a text")),
    )
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn comments_on_a_quoted_column() {
    case(
        r#"CREATE TABLE t ("Full Name" text)"#,
        r#"CREATE TABLE t ("Full Name" text); COMMENT ON COLUMN t."Full Name" IS 'given and family'"#,
    )
    .both_ways()
    .run()
    .await;
}

// ---- arrays ----

#[tokio::test]
async fn adds_and_drops_array_columns() {
    case(&table("a int"), &table("a int, tags text[], matrix int[][], stamps timestamptz[]"))
        .data("INSERT INTO t VALUES (1, 1)")
        .verify("SELECT tags IS NULL FROM t")
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn text_array_to_varchar_array() {
    case(&table("tags text[]"), &table("tags varchar(10)[]"))
        .data("INSERT INTO t VALUES (1, '{a,bc}')")
        .verify("SELECT tags = '{a,bc}'::varchar[] FROM t")
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn text_holding_array_literals_to_a_text_array() {
    case(&table("tag text"), &table("tag text[]"))
        .data("INSERT INTO t VALUES (1, NULL), (2, '{a,b}')")
        .verify("SELECT tag IS NULL FROM t WHERE id = 1")
        .verify("SELECT tag = '{a,b}' FROM t WHERE id = 2")
        .expect(Hazard::MayFailOnData)
        .run()
        .await;
}

// ---- names that need quoting ----

#[tokio::test]
async fn adds_and_drops_columns_whose_names_need_quoting() {
    case(
        &table("a int"),
        &table(r#"a int, "Full Name" text, "select" int, "a""b" text, "CamelCase" boolean, "with space" int"#),
    )
    .data("INSERT INTO t VALUES (1, 1)")
    .verify("SELECT a = 1 FROM t")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn changes_type_default_and_nullability_of_a_quoted_column() {
    case(
        r#"CREATE TABLE "My Table" ("Amount ""x""" int)"#,
        r#"CREATE TABLE "My Table" ("Amount ""x""" bigint NOT NULL DEFAULT 1)"#,
    )
    .data(r#"INSERT INTO "My Table" VALUES (5)"#)
    .verify(r#"SELECT "Amount ""x""" = 5 FROM "My Table""#)
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn drops_a_quoted_column_counting_its_values() {
    let plan = case(r#"CREATE TABLE t (id int, "Old Data" text)"#, "CREATE TABLE t (id int)")
        .data(r#"INSERT INTO t VALUES (1, 'a'), (2, NULL), (3, 'c'), (4, 'd')"#)
        .expect(Hazard::DeletesData)
        .run()
        .await;
    assert_eq!(loss(&plan, "DROP COLUMN"), Some(3));
}
