//! Tables as a whole: creating and dropping them (with every kind of column, in several schemas, with
//! names that need quoting, linked by foreign keys), and their comments.

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

const EVERY_KIND: &str = r#"
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TABLE every_kind (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    small smallint NOT NULL DEFAULT 0,
    regular integer,
    big bigint,
    exact numeric(10, 2) CHECK (exact >= 0),
    unbounded numeric,
    approx real,
    precise double precision,
    flag boolean NOT NULL DEFAULT false,
    body text COLLATE "C",
    short varchar(20) UNIQUE,
    unlimited varchar,
    code char(3),
    day date DEFAULT current_date,
    at_time time,
    at_time_tz time with time zone,
    created timestamp(3),
    updated timestamptz NOT NULL DEFAULT now(),
    span interval,
    ident uuid DEFAULT gen_random_uuid(),
    raw json,
    doc jsonb DEFAULT '{}'::jsonb,
    bytes bytea,
    address inet,
    network cidr,
    mac macaddr,
    numbers integer[],
    labels text[] DEFAULT '{}',
    feeling mood DEFAULT 'ok',
    feelings mood[],
    search tsvector,
    doubled bigint GENERATED ALWAYS AS (big * 2) STORED
);
CREATE INDEX every_kind_day_idx ON every_kind (day DESC NULLS LAST);
CREATE INDEX every_kind_lower_idx ON every_kind (lower(body)) WHERE flag;
COMMENT ON TABLE every_kind IS 'one of each';
COMMENT ON COLUMN every_kind.body IS 'the body';
"#;

#[tokio::test]
async fn creates_and_drops_a_table_with_every_kind_of_column() {
    let plan = case("", EVERY_KIND).both_ways().run().await;
    assert!(!plan.has(Hazard::DeletesData), "creating deletes nothing:\n{}", plan.to_sql());
}

#[tokio::test]
async fn drops_a_table_with_every_kind_of_column_and_counts_its_rows() {
    let plan = case(EVERY_KIND, "")
        .data(
            "INSERT INTO every_kind (big, short, feeling, feelings) VALUES
                (1, 'a', 'sad', '{sad,ok}'), (2, 'b', 'happy', NULL), (NULL, NULL, NULL, '{}')",
        )
        .expect(Hazard::DeletesData)
        .expect(Hazard::BreaksClients)
        .run()
        .await;
    assert_eq!(loss(&plan, "DROP TABLE"), Some(3));
}

#[tokio::test]
async fn drops_an_empty_table_measuring_zero_rows() {
    let plan = case("CREATE TABLE t (id int PRIMARY KEY)", "").expect(Hazard::DeletesData).run().await;
    assert_eq!(loss(&plan, "DROP TABLE"), Some(0));
}

#[tokio::test]
async fn creates_and_drops_several_tables_at_once() {
    case(
        "CREATE TABLE kept (id int PRIMARY KEY)",
        "CREATE TABLE kept (id int PRIMARY KEY);
         CREATE TABLE one (id int PRIMARY KEY, name text NOT NULL);
         CREATE TABLE two (id bigint PRIMARY KEY, one_id int REFERENCES one);
         CREATE TABLE three (key text PRIMARY KEY, value jsonb);",
    )
    .data("INSERT INTO kept VALUES (1), (2)")
    .verify("SELECT count(*) = 2 FROM kept")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn creates_a_table_without_columns() {
    case("", "CREATE TABLE nothing ()").both_ways().run().await;
}

#[tokio::test]
async fn creates_a_table_with_a_composite_primary_key() {
    case("", "CREATE TABLE pairs (a int, b text, weight real, PRIMARY KEY (a, b))").both_ways().run().await;
}

#[tokio::test]
async fn creates_a_table_in_a_new_schema() {
    case("", "CREATE SCHEMA app; CREATE TABLE app.accounts (id uuid PRIMARY KEY, email text NOT NULL UNIQUE)")
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn adds_a_table_to_an_existing_non_public_schema() {
    case(
        "CREATE SCHEMA app; CREATE TABLE app.accounts (id int PRIMARY KEY)",
        "CREATE SCHEMA app; CREATE TABLE app.accounts (id int PRIMARY KEY);
         CREATE TABLE app.sessions (id int PRIMARY KEY, account_id int NOT NULL REFERENCES app.accounts);",
    )
    .data("INSERT INTO app.accounts VALUES (1), (2), (3)")
    .verify("SELECT count(*) = 3 FROM app.accounts")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn drops_a_table_in_a_non_public_schema_and_keeps_the_schema() {
    let plan = case("CREATE SCHEMA app; CREATE TABLE app.logs (id int PRIMARY KEY, line text)", "CREATE SCHEMA app")
        .data("INSERT INTO app.logs VALUES (1, 'x'), (2, 'y')")
        .expect(Hazard::DeletesData)
        .run()
        .await;
    assert_eq!(loss(&plan, "DROP TABLE"), Some(2));
    assert!(!plan.statements.iter().any(|s| s.sql.starts_with("DROP SCHEMA")), "{}", plan.to_sql());
}

#[tokio::test]
async fn tables_of_the_same_name_in_two_schemas_are_separate() {
    case(
        "CREATE SCHEMA other; CREATE TABLE items (id int PRIMARY KEY)",
        "CREATE SCHEMA other; CREATE TABLE items (id int PRIMARY KEY); CREATE TABLE other.items (code text)",
    )
    .data("INSERT INTO items VALUES (1)")
    .verify("SELECT count(*) = 1 FROM public.items")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn creates_and_drops_a_table_whose_names_have_spaces_and_capitals() {
    case(
        "",
        r#"CREATE TABLE "My Table" ("Some Column" text, "ID" int PRIMARY KEY, "lower case" int);
           CREATE INDEX "My Index" ON "My Table" ("Some Column");"#,
    )
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn creates_and_drops_a_table_whose_names_have_double_quotes() {
    case("", r#"CREATE TABLE "a""b" ("x""y" int PRIMARY KEY, "it's" text CHECK ("it's" <> ''));"#)
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn a_quoted_capitalized_table_is_not_its_lower_case_namesake() {
    case(
        "CREATE TABLE users (id int PRIMARY KEY)",
        r#"CREATE TABLE users (id int PRIMARY KEY); CREATE TABLE "Users" ("Id" int PRIMARY KEY)"#,
    )
    .data("INSERT INTO users VALUES (1), (2)")
    .verify("SELECT count(*) = 2 FROM users")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn creates_tables_named_like_keywords() {
    case(
        "",
        r#"CREATE TABLE "user" (id int PRIMARY KEY, "select" text, "from" int);
           CREATE TABLE "order" (id int PRIMARY KEY, "user" int REFERENCES "user", "group" text);"#,
    )
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn adds_a_table_comment() {
    case("CREATE TABLE t (id int)", "CREATE TABLE t (id int); COMMENT ON TABLE t IS 'the table'")
        .data("INSERT INTO t VALUES (1)")
        .verify("SELECT obj_description('t'::regclass, 'pg_class') = 'the table'")
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn changes_a_table_comment() {
    case(
        "CREATE TABLE t (id int); COMMENT ON TABLE t IS 'old'",
        "CREATE TABLE t (id int); COMMENT ON TABLE t IS 'it''s new'",
    )
    .data("INSERT INTO t VALUES (1)")
    .verify("SELECT obj_description('t'::regclass, 'pg_class') = 'it''s new'")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn removes_a_table_comment() {
    let plan = case("CREATE TABLE t (id int); COMMENT ON TABLE t IS 'going'", "CREATE TABLE t (id int)")
        .data("INSERT INTO t VALUES (1)")
        .verify("SELECT obj_description('t'::regclass, 'pg_class') IS NULL")
        .run()
        .await;
    assert!(plan.statements.iter().all(|s| s.hazards.is_empty()), "a comment is harmless:\n{}", plan.to_sql());
}

#[tokio::test]
async fn comments_on_a_quoted_table_in_another_schema() {
    case(
        r#"CREATE SCHEMA "Sales"; CREATE TABLE "Sales"."Big Deals" (id int)"#,
        r#"CREATE SCHEMA "Sales"; CREATE TABLE "Sales"."Big Deals" (id int);
           COMMENT ON TABLE "Sales"."Big Deals" IS 'deals > 1M'"#,
    )
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn drops_tables_that_reference_each_other_together() {
    let plan = case(
        "CREATE TABLE parent (id int PRIMARY KEY);
         CREATE TABLE child (id int PRIMARY KEY, parent_id int NOT NULL REFERENCES parent);",
        "",
    )
    .data("INSERT INTO parent VALUES (1), (2); INSERT INTO child VALUES (10, 1), (11, 1), (12, 2)")
    .expect(Hazard::DeletesData)
    .run()
    .await;
    let mut counts: Vec<Option<i64>> =
        plan.statements.iter().filter(|s| s.sql.starts_with("DROP TABLE")).map(|s| s.data_loss).collect();
    counts.sort();
    assert_eq!(counts, vec![Some(2), Some(3)], "{}", plan.to_sql());
}

#[tokio::test]
async fn drops_a_chain_of_three_referencing_tables() {
    case(
        "",
        "CREATE TABLE a (id int PRIMARY KEY);
         CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a ON DELETE CASCADE);
         CREATE TABLE c (id int PRIMARY KEY, b_id int REFERENCES b ON DELETE SET NULL);",
    )
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn drops_tables_in_a_foreign_key_cycle_together() {
    let plan = case(
        "CREATE TABLE a (id int PRIMARY KEY, b_id int); CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a);
         ALTER TABLE a ADD FOREIGN KEY (b_id) REFERENCES b;",
        "",
    )
    .data("INSERT INTO a VALUES (1, NULL); INSERT INTO b VALUES (1, 1); UPDATE a SET b_id = 1")
    .expect(Hazard::DeletesData)
    .run()
    .await;
    assert!(plan.statements.iter().filter(|s| s.sql.starts_with("DROP TABLE")).all(|s| s.data_loss == Some(1)));
}

#[tokio::test]
async fn drops_a_referenced_table_and_the_foreign_key_of_the_table_that_stays() {
    case(
        "CREATE TABLE parent (id int PRIMARY KEY);
         CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent);",
        "CREATE TABLE child (id int PRIMARY KEY, parent_id int);",
    )
    .data("INSERT INTO parent VALUES (1); INSERT INTO child VALUES (1, 1), (2, NULL)")
    .verify("SELECT count(*) = 2 AND sum(parent_id) = 1 FROM child")
    .expect(Hazard::DeletesData)
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn creates_and_drops_a_self_referencing_table() {
    case("", "CREATE TABLE node (id int PRIMARY KEY, parent_id int REFERENCES node ON DELETE CASCADE, name text)")
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn drops_a_self_referencing_table_holding_a_tree() {
    let plan = case("CREATE TABLE node (id int PRIMARY KEY, parent_id int REFERENCES node)", "")
        .data("INSERT INTO node VALUES (1, NULL), (2, 1), (3, 2), (4, 1)")
        .expect(Hazard::DeletesData)
        .run()
        .await;
    assert_eq!(loss(&plan, "DROP TABLE"), Some(4));
}

#[tokio::test]
async fn adds_a_self_reference_to_a_table_with_rows() {
    case(
        "CREATE TABLE node (id int PRIMARY KEY, parent_id int)",
        "CREATE TABLE node (id int PRIMARY KEY, parent_id int REFERENCES node)",
    )
    .data("INSERT INTO node VALUES (1, NULL), (2, 1)")
    .verify("SELECT count(*) = 2 FROM node WHERE parent_id IS NULL OR parent_id = 1")
    .expect(Hazard::MayFailOnData)
    .both_ways()
    .run()
    .await;
}
