//! Comments on indexes and constraints: added, changed and removed in place (never a DROP), and set again
//! after an object that is rebuilt or created. A comment on the index a constraint owns is not the
//! constraint's (see `diff::object_comments`).

use crate::harness::{case, has, position};

const TABLES: &str = "CREATE TABLE p (id int PRIMARY KEY);
    CREATE TABLE t (id int CONSTRAINT t_pkey PRIMARY KEY, n int, label text CONSTRAINT t_label_key UNIQUE,
                    p_id int CONSTRAINT t_p_fkey REFERENCES p, r int4range,
                    CONSTRAINT t_n_check CHECK (n > 0), CONSTRAINT t_r_excl EXCLUDE USING gist (r WITH &&));
    CREATE INDEX t_n_idx ON t (n);";

fn with(comments: &str) -> String {
    format!("{TABLES} {comments}")
}

fn assert_in_place(plan: &keel_diff::Plan) {
    let sql = plan.to_sql();
    assert!(!sql.contains("DROP") && !sql.contains("CREATE") && !sql.contains("ADD"), "{sql}");
}

/// Adds (and, reversed, removes) `comment`, then changes its text: each is one `COMMENT ON` statement.
async fn in_place(comment: &str, expected: &str) {
    let plan =
        case(&with(""), &with(&format!("{comment} 'first';"))).data("INSERT INTO p VALUES (1)").both_ways().run().await;
    assert_in_place(&plan);
    assert!(has(&plan, &format!("{expected} IS 'first'")), "{}", plan.to_sql());
    assert_eq!(plan.statements.len(), 1, "{}", plan.to_sql());
    let plan = case(&with(&format!("{comment} 'first';")), &with(&format!("{comment} 'it''s second';"))).run().await;
    assert_in_place(&plan);
    assert!(has(&plan, &format!("{expected} IS 'it''s second'")), "{}", plan.to_sql());
}

#[tokio::test]
async fn an_index_comment_in_place() {
    in_place("COMMENT ON INDEX t_n_idx IS", "COMMENT ON INDEX \"public\".\"t_n_idx\"").await;
}

#[tokio::test]
async fn a_unique_constraint_comment_in_place() {
    let target = "COMMENT ON CONSTRAINT \"t_label_key\" ON \"public\".\"t\"";
    in_place("COMMENT ON CONSTRAINT t_label_key ON t IS", target).await;
}

#[tokio::test]
async fn a_check_comment_in_place() {
    in_place("COMMENT ON CONSTRAINT t_n_check ON t IS", "COMMENT ON CONSTRAINT \"t_n_check\" ON \"public\".\"t\"")
        .await;
}

#[tokio::test]
async fn a_foreign_key_comment_in_place() {
    in_place("COMMENT ON CONSTRAINT t_p_fkey ON t IS", "COMMENT ON CONSTRAINT \"t_p_fkey\" ON \"public\".\"t\"").await;
}

#[tokio::test]
async fn a_primary_key_comment_in_place() {
    in_place("COMMENT ON CONSTRAINT t_pkey ON t IS", "COMMENT ON CONSTRAINT \"t_pkey\" ON \"public\".\"t\"").await;
}

#[tokio::test]
async fn an_exclusion_constraint_comment_in_place() {
    in_place("COMMENT ON CONSTRAINT t_r_excl ON t IS", "COMMENT ON CONSTRAINT \"t_r_excl\" ON \"public\".\"t\"").await;
}

#[tokio::test]
async fn a_removed_comment_is_set_to_null() {
    let plan = case(&with("COMMENT ON CONSTRAINT t_n_check ON t IS 'x';"), &with("")).run().await;
    assert!(has(&plan, "COMMENT ON CONSTRAINT \"t_n_check\" ON \"public\".\"t\" IS NULL"), "{}", plan.to_sql());
    assert_in_place(&plan);
}

#[tokio::test]
async fn a_rebuilt_index_gets_its_comment_back() {
    let plan = case(
        &with("COMMENT ON INDEX t_n_idx IS 'by n';"),
        &(TABLES.replace("ON t (n);", "ON t (n) WHERE n > 10;") + "COMMENT ON INDEX t_n_idx IS 'by n';"),
    )
    .run()
    .await;
    assert!(position(&plan, "CREATE INDEX") < position(&plan, "COMMENT ON INDEX"), "{}", plan.to_sql());
}

#[tokio::test]
async fn a_rebuilt_check_gets_its_comment_back_and_changed() {
    let plan = case(
        &with("COMMENT ON CONSTRAINT t_n_check ON t IS 'positive';"),
        &(TABLES.replace("CHECK (n > 0)", "CHECK (n > 1)") + "COMMENT ON CONSTRAINT t_n_check ON t IS 'above one';"),
    )
    .run()
    .await;
    assert!(position(&plan, "ADD CONSTRAINT \"t_n_check\"") < position(&plan, "IS 'above one'"), "{}", plan.to_sql());
}

#[tokio::test]
async fn a_retyped_column_keeps_the_comments_of_its_index_and_constraints() {
    // ALTER COLUMN TYPE rebuilds the index and the key in place; PostgreSQL keeps their comments.
    let comments = "COMMENT ON INDEX t_n_idx IS 'by n'; COMMENT ON CONSTRAINT t_pkey ON t IS 'key';";
    case(&with(comments), &(TABLES.replace("n int,", "n bigint,").replace("id int C", "id bigint C") + comments))
        .data("INSERT INTO p VALUES (1); INSERT INTO t (id, n) VALUES (1, 5)")
        .run()
        .await;
}

#[tokio::test]
async fn a_new_table_with_commented_constraints_and_indexes() {
    let comments = "COMMENT ON INDEX t_n_idx IS 'i'; COMMENT ON CONSTRAINT t_pkey ON t IS 'pk';
        COMMENT ON CONSTRAINT t_label_key ON t IS 'u'; COMMENT ON CONSTRAINT t_n_check ON t IS 'c';
        COMMENT ON CONSTRAINT t_p_fkey ON t IS 'f'; COMMENT ON CONSTRAINT t_r_excl ON t IS 'x';";
    let plan = case("", &with(comments)).both_ways().run().await;
    assert!(position(&plan, "ADD CONSTRAINT \"t_p_fkey\"") < position(&plan, "IS 'f'"), "{}", plan.to_sql());
}

#[tokio::test]
async fn quoted_names_in_another_schema() {
    let table =
        "CREATE SCHEMA \"App\"; CREATE TABLE \"App\".\"T t\" (id int CONSTRAINT \"Odd key\" PRIMARY KEY, n int);
                 CREATE INDEX \"N idx\" ON \"App\".\"T t\" (n);";
    let comments =
        "COMMENT ON CONSTRAINT \"Odd key\" ON \"App\".\"T t\" IS 'k'; COMMENT ON INDEX \"App\".\"N idx\" IS 'n';";
    let plan = case(table, &format!("{table} {comments}")).both_ways().run().await;
    assert!(has(&plan, "COMMENT ON CONSTRAINT \"Odd key\" ON \"App\".\"T t\" IS 'k'"), "{}", plan.to_sql());
    assert_in_place(&plan);
}

#[tokio::test]
async fn a_comment_on_a_materialized_view_index() {
    let view = "CREATE TABLE t (n int); CREATE MATERIALIZED VIEW m AS SELECT n FROM t; CREATE INDEX m_n ON m (n);";
    let plan = case(view, &format!("{view} COMMENT ON INDEX m_n IS 'by n';")).both_ways().run().await;
    assert_in_place(&plan);
}

#[tokio::test]
async fn a_unique_constraint_added_online_gets_its_comment() {
    let b = with("ALTER TABLE t ADD CONSTRAINT t_n_key UNIQUE (n); COMMENT ON CONSTRAINT t_n_key ON t IS 'one n';");
    let plan = case(&with(""), &b).online().run().await;
    assert!(position(&plan, "USING INDEX") < position(&plan, "IS 'one n'"), "{}", plan.to_sql());
}

#[tokio::test]
async fn a_comment_on_the_index_a_constraint_owns_is_not_the_constraints() {
    // `COMMENT ON INDEX t_pkey` writes pg_class; the constraint's comment lives in pg_constraint.
    let plan = case(&with("COMMENT ON INDEX t_pkey IS 'index';"), &with("")).run().await;
    assert!(plan.statements.is_empty(), "{}", plan.to_sql());
}
