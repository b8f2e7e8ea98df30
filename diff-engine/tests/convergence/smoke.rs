use crate::harness::case;
use keel_diff::{Hazard, Rename};

#[tokio::test]
async fn creates_a_table_from_nothing_and_drops_it_again() {
    case("", "CREATE TABLE t (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), name text NOT NULL)")
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn adds_a_column_keeping_rows() {
    case("CREATE TABLE t (id int PRIMARY KEY)", "CREATE TABLE t (id int PRIMARY KEY, note text)")
        .data("INSERT INTO t VALUES (1), (2)")
        .verify("SELECT count(*) = 2 FROM t")
        .run()
        .await;
}

#[tokio::test]
async fn renames_a_table_from_a_hint() {
    let plan = case("CREATE TABLE a (id int PRIMARY KEY)", "CREATE TABLE b (id int PRIMARY KEY)")
        .data("INSERT INTO a VALUES (1)")
        .hint(Rename::Table { schema: "public".into(), from: "a".into(), to: "b".into() })
        .verify("SELECT count(*) = 1 FROM b")
        .expect(Hazard::BreaksClients)
        .run()
        .await;
    assert!(!plan.has(Hazard::DeletesData));
}

#[tokio::test]
async fn foreign_key_cycle() {
    case(
        "",
        "CREATE TABLE a (id int PRIMARY KEY, b_id int); CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a);
         ALTER TABLE a ADD FOREIGN KEY (b_id) REFERENCES b;",
    )
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn enum_value_removed_with_dependent_default() {
    case(
        "CREATE TYPE s AS ENUM ('a', 'b', 'c'); CREATE TABLE t (id int PRIMARY KEY, st s NOT NULL DEFAULT 'a');",
        "CREATE TYPE s AS ENUM ('a', 'c'); CREATE TABLE t (id int PRIMARY KEY, st s NOT NULL DEFAULT 'a');",
    )
    .data("INSERT INTO t VALUES (1, 'a'), (2, 'c')")
    .verify("SELECT count(*) = 2 FROM t")
    .both_ways()
    .run()
    .await;
}
