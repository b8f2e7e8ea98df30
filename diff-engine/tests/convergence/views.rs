//! Views and materialized views: created, dropped, replaced in place when the columns allow it, rebuilt
//! otherwise, and dropped before (and created again after) changes to what they read, views over views
//! included. Never CASCADE: every drop is a statement of its own.

use crate::harness::{assert_no_cascade, case, has};
use keel_diff::Hazard;

const TABLE: &str = "CREATE TABLE t (id int PRIMARY KEY, n int, label text);";
const ROWS: &str = "INSERT INTO t VALUES (1, 10, 'a'), (2, 20, 'b')";

fn with(sql: &str) -> String {
    format!("{TABLE} {sql}")
}

// ---- creating, dropping, replacing ----

#[tokio::test]
async fn creates_and_drops_a_view() {
    let plan = case(TABLE, &with("CREATE VIEW v AS SELECT id, n FROM t"))
        .data(ROWS)
        .verify("SELECT count(*) = 2 FROM v")
        .both_ways()
        .run()
        .await;
    assert!(has(&plan, "CREATE VIEW"), "{}", plan.to_sql());
}

#[tokio::test]
async fn creates_and_drops_a_materialized_view() {
    case(TABLE, &with("CREATE MATERIALIZED VIEW totals AS SELECT sum(n) AS total FROM t"))
        .data(ROWS)
        .verify("SELECT total = 30 FROM totals")
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn dropping_a_view_breaks_its_clients_and_deletes_nothing() {
    let plan = case(&with("CREATE VIEW v AS SELECT id FROM t"), TABLE).data(ROWS).run().await;
    assert!(plan.has(Hazard::BreaksClients), "{}", plan.to_sql());
    assert!(!plan.has(Hazard::DeletesData), "{}", plan.to_sql());
}

#[tokio::test]
async fn replaces_a_query_in_place_when_the_columns_stay() {
    let plan =
        case(&with("CREATE VIEW v AS SELECT id, n FROM t"), &with("CREATE VIEW v AS SELECT id, n FROM t WHERE n > 10"))
            .data(ROWS)
            .verify("SELECT count(*) = 1 FROM v")
            .both_ways()
            .run()
            .await;
    assert!(has(&plan, "CREATE OR REPLACE VIEW") && !has(&plan, "DROP VIEW"), "{}", plan.to_sql());
}

#[tokio::test]
async fn appends_a_column_in_place() {
    let plan = case(&with("CREATE VIEW v AS SELECT id FROM t"), &with("CREATE VIEW v AS SELECT id, label FROM t"))
        .data(ROWS)
        .verify("SELECT label = 'a' FROM v WHERE id = 1")
        .run()
        .await;
    assert!(has(&plan, "CREATE OR REPLACE VIEW") && !has(&plan, "DROP VIEW"), "{}", plan.to_sql());
}

#[tokio::test]
async fn removing_a_column_rebuilds_the_view() {
    let plan = case(&with("CREATE VIEW v AS SELECT id, label FROM t"), &with("CREATE VIEW v AS SELECT id FROM t"))
        .data(ROWS)
        .run()
        .await;
    assert!(has(&plan, "DROP VIEW") && has(&plan, "CREATE VIEW"), "{}", plan.to_sql());
}

#[tokio::test]
async fn renaming_an_output_column_rebuilds_the_view() {
    case(&with("CREATE VIEW v AS SELECT id, n FROM t"), &with("CREATE VIEW v AS SELECT id, n AS amount FROM t"))
        .data(ROWS)
        .verify("SELECT sum(amount) = 30 FROM v")
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn changing_an_output_type_rebuilds_the_view() {
    case(&with("CREATE VIEW v AS SELECT id, n FROM t"), &with("CREATE VIEW v AS SELECT id, n::bigint AS n FROM t"))
        .data(ROWS)
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn reordering_columns_rebuilds_the_view() {
    case(&with("CREATE VIEW v AS SELECT id, n FROM t"), &with("CREATE VIEW v AS SELECT n, id FROM t"))
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn changes_a_materialized_views_query() {
    case(
        &with("CREATE MATERIALIZED VIEW totals AS SELECT sum(n) AS total FROM t"),
        &with("CREATE MATERIALIZED VIEW totals AS SELECT sum(n) AS total FROM t WHERE n > 10"),
    )
    .data(ROWS)
    .verify("SELECT total = 20 FROM totals")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn turns_a_view_into_a_materialized_view() {
    case(&with("CREATE VIEW v AS SELECT id, n FROM t"), &with("CREATE MATERIALIZED VIEW v AS SELECT id, n FROM t"))
        .data(ROWS)
        .verify("SELECT count(*) = 2 FROM v")
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn comments_on_a_view() {
    case(
        &with("CREATE VIEW v AS SELECT id FROM t"),
        &with("CREATE VIEW v AS SELECT id FROM t; COMMENT ON VIEW v IS 'ids'"),
    )
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn comments_on_a_materialized_view() {
    case(TABLE, &with("CREATE MATERIALIZED VIEW m AS SELECT id FROM t; COMMENT ON MATERIALIZED VIEW m IS 'snapshot'"))
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn view_options_security_barrier_and_check_option() {
    case(
        &with("CREATE VIEW v AS SELECT id, n FROM t WHERE n > 0"),
        &with("CREATE VIEW v WITH (security_barrier = true, check_option = local) AS SELECT id, n FROM t WHERE n > 0"),
    )
    .data(ROWS)
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn a_view_in_another_schema() {
    case(
        "CREATE SCHEMA reports; CREATE TABLE reports.t (id int PRIMARY KEY, label text);",
        "CREATE SCHEMA reports; CREATE TABLE reports.t (id int PRIMARY KEY, label text);
         CREATE VIEW reports.labels AS SELECT label FROM reports.t",
    )
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn a_view_and_its_schema_come_and_go_together() {
    let plan = case(TABLE, &with("CREATE SCHEMA reports; CREATE VIEW reports.ids AS SELECT id FROM public.t"))
        .both_ways()
        .run()
        .await;
    assert_no_cascade(&plan);
}

#[tokio::test]
async fn the_guidelines_active_files_view() {
    let files = "CREATE TABLE files (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), user_id text NOT NULL,
                 name varchar(500) NOT NULL, is_deleted boolean NOT NULL DEFAULT false, deleted_at timestamptz);";
    case(
        files,
        &format!("{files} CREATE VIEW active_files AS SELECT * FROM files WHERE is_deleted = false;"),
    )
    .data("INSERT INTO files (user_id, name) VALUES ('u', 'a'); INSERT INTO files (user_id, name, is_deleted) VALUES ('u', 'b', true)")
    .verify("SELECT count(*) = 1 FROM active_files")
    .both_ways()
    .run()
    .await;
}

// ---- what views read changes ----

#[tokio::test]
async fn a_column_type_change_under_a_view() {
    let plan = case(
        &with("CREATE VIEW v AS SELECT id, n FROM t"),
        &format!("{} CREATE VIEW v AS SELECT id, n FROM t", TABLE.replace("n int", "n bigint")),
    )
    .data(ROWS)
    .verify("SELECT sum(n) = 30 FROM v")
    .both_ways()
    .run()
    .await;
    assert_no_cascade(&plan);
    let sql = plan.to_sql();
    let (drop, alter, create) = (sql.find("DROP VIEW"), sql.find("ALTER COLUMN \"n\" TYPE"), sql.rfind("CREATE VIEW"));
    assert!(drop < alter && alter < create, "drop the view, change the column, create the view:\n{sql}");
}

#[tokio::test]
async fn a_dropped_column_under_a_view_that_stops_reading_it() {
    case(
        &with("CREATE VIEW v AS SELECT id, label FROM t"),
        &format!("{} CREATE VIEW v AS SELECT id FROM t", TABLE.replace(", label text", "")),
    )
    .data(ROWS)
    .run()
    .await;
}

#[tokio::test]
async fn a_dropped_table_and_the_materialized_view_over_it() {
    let other = "CREATE TABLE other (id int PRIMARY KEY);";
    let plan = case(&format!("{TABLE} {other} CREATE MATERIALIZED VIEW totals AS SELECT sum(n) FROM t"), other)
        .data(ROWS)
        .run()
        .await;
    assert_no_cascade(&plan);
}

#[tokio::test]
async fn a_view_over_a_view_when_the_base_column_changes_type() {
    let views = "CREATE VIEW base AS SELECT id, n FROM t; CREATE VIEW top AS SELECT n FROM base WHERE id > 0;";
    case(&with(views), &format!("{} {views}", TABLE.replace("n int", "n numeric")))
        .data(ROWS)
        .verify("SELECT sum(n) = 30 FROM top")
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn a_view_over_a_view_that_is_rebuilt() {
    case(
        &with("CREATE VIEW base AS SELECT id, n FROM t; CREATE VIEW top AS SELECT id FROM base;"),
        &with("CREATE VIEW base AS SELECT n, id FROM t; CREATE VIEW top AS SELECT id FROM base;"),
    )
    .data(ROWS)
    .verify("SELECT count(*) = 2 FROM top")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn a_materialized_view_over_a_view() {
    case(
        &with("CREATE VIEW base AS SELECT id, n FROM t; CREATE MATERIALIZED VIEW m AS SELECT sum(n) AS s FROM base;"),
        &format!(
            "{} CREATE VIEW base AS SELECT id, n FROM t; CREATE MATERIALIZED VIEW m AS SELECT sum(n) AS s FROM base;",
            TABLE.replace("n int", "n bigint")
        ),
    )
    .data(ROWS)
    .verify("SELECT s = 30 FROM m")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn a_view_joining_two_tables_when_one_changes() {
    let users = "CREATE TABLE users (id int PRIMARY KEY, name text);";
    let view = "CREATE VIEW labelled AS SELECT t.id, u.name FROM t JOIN users u ON u.id = t.n;";
    case(
        &format!("{TABLE} {users} {view}"),
        &format!("{TABLE} {} {view}", users.replace("name text", "name varchar(50)")),
    )
    .data("INSERT INTO users VALUES (10, 'ann'); INSERT INTO t VALUES (1, 10, 'a')")
    .verify("SELECT name = 'ann' FROM labelled")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn a_view_reading_an_enum_column_when_the_enum_loses_a_value() {
    let ty = "CREATE TYPE state AS ENUM ('new', 'done', 'gone');";
    let table = "CREATE TABLE jobs (id int PRIMARY KEY, state state NOT NULL);";
    let view = "CREATE VIEW open_jobs AS SELECT id, state FROM jobs WHERE state = 'new';";
    case(&format!("{ty} {table} {view}"), &format!("{} {table} {view}", ty.replace(", 'gone'", "")))
        .data("INSERT INTO jobs VALUES (1, 'new'), (2, 'done')")
        .verify("SELECT count(*) = 1 FROM open_jobs")
        .run()
        .await;
}

#[tokio::test]
async fn a_view_survives_changes_to_columns_it_does_not_read() {
    let view = "CREATE VIEW v AS SELECT id, n FROM t;";
    let plan = case(&with(view), &format!("{} {view}", TABLE.replace("label text", "label varchar(20)")))
        .data(ROWS)
        .verify("SELECT count(*) = 2 FROM v")
        .run()
        .await;
    assert!(!plan.is_empty());
    assert!(!has(&plan, "VIEW"), "the view stays as it is:\n{}", plan.to_sql());
}

#[tokio::test]
async fn a_view_over_star_survives_a_new_column_and_index() {
    let view = "CREATE VIEW v AS SELECT * FROM t;";
    let plan =
        case(&with(view), &format!("{TABLE} {view} ALTER TABLE t ADD COLUMN extra int; CREATE INDEX t_n ON t (n);"))
            .data(ROWS)
            .verify("SELECT count(*) = 2 FROM v")
            .run()
            .await;
    assert!(!has(&plan, "VIEW"), "`*` was expanded when the view was made:\n{}", plan.to_sql());
}

#[tokio::test]
async fn a_view_on_a_table_that_is_created_in_the_same_plan() {
    case("", &with("CREATE VIEW v AS SELECT id, label FROM t")).both_ways().run().await;
}

#[tokio::test]
async fn a_view_over_a_new_column() {
    case(TABLE, &format!("{TABLE} ALTER TABLE t ADD COLUMN extra int; CREATE VIEW v AS SELECT id, extra FROM t;"))
        .data(ROWS)
        .both_ways()
        .run()
        .await;
}

// ---- materialized view indexes ----

const TOTALS: &str = "CREATE MATERIALIZED VIEW totals AS SELECT label, sum(n) AS total FROM t GROUP BY label;";

#[tokio::test]
async fn a_materialized_view_with_its_indexes() {
    case(
        TABLE,
        &with(&format!(
            "{TOTALS} CREATE UNIQUE INDEX totals_label ON totals (label); CREATE INDEX totals_big ON totals (total) WHERE total > 10;"
        )),
    )
    .data(ROWS)
    .verify("SELECT count(*) = 2 FROM pg_indexes WHERE tablename = 'totals'")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn adds_and_drops_an_index_on_a_kept_materialized_view() {
    let plan = case(&with(TOTALS), &with(&format!("{TOTALS} CREATE UNIQUE INDEX totals_label ON totals (label);")))
        .data(ROWS)
        .both_ways()
        .run()
        .await;
    assert!(!has(&plan, "MATERIALIZED VIEW"), "the view itself stays:\n{}", plan.to_sql());
}

#[tokio::test]
async fn changes_an_index_of_a_materialized_view() {
    case(
        &with(&format!("{TOTALS} CREATE INDEX totals_total ON totals (total);")),
        &with(&format!("{TOTALS} CREATE INDEX totals_total ON totals (total DESC);")),
    )
    .data(ROWS)
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn a_rebuilt_materialized_view_gets_its_indexes_back() {
    let index = "CREATE UNIQUE INDEX totals_label ON totals (label);";
    case(&with(&format!("{TOTALS} {index}")), &format!("{} {TOTALS} {index}", TABLE.replace("n int", "n bigint")))
        .data(ROWS)
        .verify("SELECT count(*) = 1 FROM pg_indexes WHERE indexname = 'totals_label'")
        .both_ways()
        .run()
        .await;
}
