//! Sequences: standalone ones (created, dropped, altered, commented, in other schemas), sequences owned by
//! a column, serial columns, and defaults that draw from a sequence with `nextval()`.

use crate::harness::case;
use keel_diff::Hazard;

/// A standalone sequence `s` whose last value is 42 (already called).
const AT_42: &str = "SELECT setval('s', 42)";

// ---- standalone ----

#[tokio::test]
async fn creates_and_drops_a_standalone_sequence() {
    let plan = case("", "CREATE SEQUENCE s").both_ways().run().await;
    assert!(!plan.has(Hazard::DeletesData));
}

#[tokio::test]
async fn creates_and_drops_a_sequence_with_every_option() {
    case("", "CREATE SEQUENCE s AS integer INCREMENT BY 5 MINVALUE 10 MAXVALUE 1000 START WITH 20 CACHE 3 CYCLE")
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn creates_and_drops_a_descending_sequence() {
    case("", "CREATE SEQUENCE s INCREMENT BY -2").both_ways().run().await;
}

#[tokio::test]
async fn changes_the_increment_keeping_the_current_value() {
    case("CREATE SEQUENCE s", "CREATE SEQUENCE s INCREMENT BY 5")
        .data(AT_42)
        .verify("SELECT nextval('s') = 47")
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn changes_the_start_without_restarting() {
    case("CREATE SEQUENCE s", "CREATE SEQUENCE s START WITH 100")
        .data(AT_42)
        .verify("SELECT nextval('s') = 43")
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn changes_the_bounds_around_the_current_value() {
    case("CREATE SEQUENCE s", "CREATE SEQUENCE s MINVALUE 1 MAXVALUE 100000 START WITH 1")
        .data(AT_42)
        .verify("SELECT nextval('s') = 43")
        .verify("SELECT max_value = 100000 FROM pg_sequences WHERE sequencename = 's'")
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn raises_the_minimum_of_a_sequence_never_used() {
    case("CREATE SEQUENCE s", "CREATE SEQUENCE s MINVALUE 10")
        .verify("SELECT nextval('s') >= 10")
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn changes_the_cache() {
    case("CREATE SEQUENCE s", "CREATE SEQUENCE s CACHE 50")
        .data(AT_42)
        .verify("SELECT nextval('s') = 43")
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn makes_a_sequence_cycle() {
    case("CREATE SEQUENCE s MAXVALUE 100", "CREATE SEQUENCE s MAXVALUE 100 CYCLE")
        .data(AT_42)
        .verify("SELECT cycle FROM pg_sequences WHERE sequencename = 's'")
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn changes_the_data_type_of_a_sequence() {
    case("CREATE SEQUENCE s", "CREATE SEQUENCE s AS integer")
        .data(AT_42)
        .verify("SELECT nextval('s') = 43")
        .verify("SELECT data_type = 'integer'::regtype FROM pg_sequences WHERE sequencename = 's'")
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn makes_an_unused_sequence_descending() {
    case("CREATE SEQUENCE s", "CREATE SEQUENCE s INCREMENT BY -1").verify("SELECT nextval('s') = -1").run().await;
}

#[tokio::test]
async fn creates_and_drops_a_sequence_in_another_schema() {
    case("", "CREATE SCHEMA counters; CREATE SEQUENCE counters.invoices START WITH 1000").both_ways().run().await;
}

#[tokio::test]
async fn alters_a_sequence_in_another_schema() {
    case(
        "CREATE SCHEMA counters; CREATE SEQUENCE counters.s",
        "CREATE SCHEMA counters; CREATE SEQUENCE counters.s INCREMENT BY 10",
    )
    .data("SELECT setval('counters.s', 42)")
    .verify("SELECT nextval('counters.s') = 52")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn creates_and_drops_a_sequence_whose_name_needs_quoting() {
    case("", r#"CREATE SEQUENCE "My ""Seq""" INCREMENT BY 3"#).both_ways().run().await;
}

#[tokio::test]
async fn adds_a_sequence_comment_and_removes_it() {
    case("CREATE SEQUENCE s", "CREATE SEQUENCE s; COMMENT ON SEQUENCE s IS 'invoice numbers'")
        .data(AT_42)
        .verify("SELECT obj_description('s'::regclass, 'pg_class') = 'invoice numbers'")
        .verify("SELECT nextval('s') = 43")
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn changes_a_sequence_comment() {
    case("CREATE SEQUENCE s; COMMENT ON SEQUENCE s IS 'old'", "CREATE SEQUENCE s; COMMENT ON SEQUENCE s IS 'new'")
        .verify("SELECT obj_description('s'::regclass, 'pg_class') = 'new'")
        .run()
        .await;
}

// ---- owned by a column ----

#[tokio::test]
async fn makes_a_sequence_owned_by_a_column_and_back() {
    case("CREATE TABLE t (id int); CREATE SEQUENCE s", "CREATE TABLE t (id int); CREATE SEQUENCE s OWNED BY t.id")
        .data("INSERT INTO t VALUES (1); SELECT setval('s', 42)")
        .verify("SELECT nextval('s') = 43")
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn moves_the_owner_of_a_sequence_to_another_column() {
    case(
        "CREATE TABLE t (a int, b int); CREATE SEQUENCE s OWNED BY t.a",
        "CREATE TABLE t (a int, b int); CREATE SEQUENCE s OWNED BY t.b",
    )
    .data("INSERT INTO t VALUES (1, 2); SELECT setval('s', 42)")
    .verify("SELECT nextval('s') = 43")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn drops_the_column_owning_a_sequence_together_with_it() {
    case("CREATE TABLE t (id int, n int); CREATE SEQUENCE s OWNED BY t.n", "CREATE TABLE t (id int)")
        .data("INSERT INTO t VALUES (1, 1)")
        .verify("SELECT to_regclass('s') IS NULL")
        .expect(Hazard::DeletesData)
        .both_ways()
        .run()
        .await;
}

// ---- serial columns ----

#[tokio::test]
async fn adds_a_serial_column_numbering_existing_rows() {
    case("CREATE TABLE t (name text)", "CREATE TABLE t (name text, n serial)")
        .data("INSERT INTO t VALUES ('a'), ('b'), ('c')")
        .verify("SELECT count(DISTINCT n) = 3 AND min(n) = 1 FROM t")
        .expect(Hazard::RewritesTable)
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn adds_a_bigserial_primary_key() {
    case("CREATE TABLE t (name text)", "CREATE TABLE t (id bigserial PRIMARY KEY, name text)")
        .data("INSERT INTO t VALUES ('a'), ('b')")
        .verify("SELECT count(DISTINCT id) = 2 FROM t")
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn drops_a_serial_column_and_its_sequence() {
    let plan = case("CREATE TABLE t (id serial, name text)", "CREATE TABLE t (name text)")
        .data("INSERT INTO t (name) VALUES ('a'), ('b')")
        .verify("SELECT to_regclass('t_id_seq') IS NULL AND count(*) = 2 FROM t")
        .expect(Hazard::DeletesData)
        .run()
        .await;
    let drop = plan.statements.iter().find(|s| s.sql.contains("DROP COLUMN")).expect("a DROP COLUMN");
    assert_eq!(drop.data_loss, Some(2), "{}", plan.to_sql());
}

#[tokio::test]
async fn creates_and_drops_a_table_with_serial_columns() {
    case("", "CREATE TABLE t (id serial PRIMARY KEY, small smallserial, big bigserial)").both_ways().run().await;
}

#[tokio::test]
async fn a_serial_column_becomes_bigserial_and_its_sequence_as_bigint() {
    // `serial` makes an `AS integer` sequence: widening the column alone would leave ids capped at 2^31.
    let plan = case("CREATE TABLE t (id serial PRIMARY KEY, name text)", "CREATE TABLE t (id bigserial PRIMARY KEY, name text)")
        .data("INSERT INTO t (name) VALUES ('a'), ('b')")
        .verify("SELECT seqtypid = 'bigint'::regtype AND seqmax = 9223372036854775807 FROM pg_sequence")
        .verify("WITH i AS (INSERT INTO t (name) VALUES ('c') RETURNING id) SELECT id = 3 FROM i")
        .both_ways()
        .run()
        .await;
    assert!(plan.statements.iter().any(|s| s.sql.contains("AS bigint")), "{}", plan.to_sql());
}

#[tokio::test]
async fn turns_a_serial_column_into_an_identity_column() {
    case(
        "CREATE TABLE t (id serial PRIMARY KEY, name text)",
        "CREATE TABLE t (id int GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, name text)",
    )
    .data("INSERT INTO t (name) VALUES ('a'), ('b')")
    .verify("SELECT sum(id) = 3 FROM t")
    .both_ways()
    .run()
    .await;
}

// ---- defaults drawing from a sequence ----

#[tokio::test]
async fn adds_a_sequence_and_a_default_drawing_from_it() {
    case("CREATE TABLE t (id bigint)", "CREATE SEQUENCE s; CREATE TABLE t (id bigint DEFAULT nextval('s'))")
        .data("INSERT INTO t VALUES (100)")
        .verify("SELECT id = 100 FROM t")
        .verify("WITH i AS (INSERT INTO t DEFAULT VALUES RETURNING id) SELECT id = 1 FROM i")
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn adds_a_column_drawing_from_an_existing_sequence() {
    case(
        "CREATE SEQUENCE s; CREATE TABLE t (a text)",
        "CREATE SEQUENCE s; CREATE TABLE t (a text, n bigint DEFAULT nextval('s'))",
    )
    .data("INSERT INTO t VALUES ('x'), ('y'); SELECT setval('s', 42)")
    .verify("SELECT min(n) = 43 AND max(n) = 44 FROM t")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn two_columns_draw_from_one_sequence_and_one_stops() {
    case(
        "CREATE SEQUENCE s; CREATE TABLE a (id bigint DEFAULT nextval('s'));
         CREATE TABLE b (id bigint DEFAULT nextval('s'));",
        "CREATE SEQUENCE s; CREATE TABLE a (id bigint DEFAULT nextval('s')); CREATE TABLE b (id bigint)",
    )
    .data("INSERT INTO a DEFAULT VALUES; INSERT INTO b DEFAULT VALUES")
    .verify("SELECT nextval('s') = 3")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn a_default_draws_from_a_sequence_in_another_schema() {
    case(
        "CREATE TABLE t (id bigint)",
        "CREATE SCHEMA counters; CREATE SEQUENCE counters.ids START WITH 500;
         CREATE TABLE t (id bigint NOT NULL DEFAULT nextval('counters.ids'));",
    )
    .data("INSERT INTO t VALUES (1)")
    .verify("WITH i AS (INSERT INTO t DEFAULT VALUES RETURNING id) SELECT id = 500 FROM i")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn a_default_draws_from_a_sequence_whose_name_needs_quoting() {
    case(
        "CREATE TABLE t (id bigint)",
        r#"CREATE SCHEMA "Counters"; CREATE SEQUENCE "Counters"."Id ""Seq""";
           CREATE TABLE t (id bigint DEFAULT nextval('"Counters"."Id ""Seq"""'));"#,
    )
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn changes_a_sequence_and_the_default_drawing_from_it_together() {
    case(
        "CREATE SEQUENCE s; CREATE TABLE t (id bigint DEFAULT nextval('s'))",
        "CREATE SEQUENCE s INCREMENT BY 10; CREATE SEQUENCE s2; CREATE TABLE t (id bigint DEFAULT nextval('s2'))",
    )
    .data("INSERT INTO t DEFAULT VALUES")
    .verify("SELECT id = 1 FROM t")
    .verify("SELECT nextval('s') = 11")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn drops_a_default_and_the_sequence_it_draws_from() {
    case("CREATE SEQUENCE s; CREATE TABLE t (id bigint DEFAULT nextval('s'))", "CREATE TABLE t (id bigint)")
        .data("INSERT INTO t DEFAULT VALUES")
        .verify("SELECT id = 1 FROM t")
        .run()
        .await;
}
