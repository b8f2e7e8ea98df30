//! Triggers: created with their table and function, dropped before either goes, changed by dropping and
//! creating again in one transaction, enabled and disabled in place, and rebuilt around a type change of
//! a column they name. Never CASCADE.

use crate::harness::case;
use keel_diff::{Plan, Rename};

const TABLE: &str = "CREATE TABLE t (id int PRIMARY KEY, n int NOT NULL DEFAULT 0, label text,
                                     updated_at timestamptz);";
const STAMP: &str = "CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$
                         BEGIN NEW.updated_at := '2000-01-01'; RETURN NEW; END $$;";
const COUNT: &str = "CREATE TABLE log (n bigint); CREATE FUNCTION log_count() RETURNS trigger LANGUAGE plpgsql AS $$
                         BEGIN INSERT INTO log SELECT count(*) FROM new_rows; RETURN NULL; END $$;";

fn with(sql: &str) -> String {
    format!("{TABLE} {STAMP} {sql}")
}

fn has(plan: &Plan, fragment: &str) -> bool {
    plan.statements.iter().any(|s| s.sql.contains(fragment))
}

fn position(plan: &Plan, fragment: &str) -> usize {
    plan.statements
        .iter()
        .position(|s| s.sql.contains(fragment))
        .unwrap_or_else(|| panic!("no statement with {fragment:?} in:\n{}", plan.to_sql()))
}

fn assert_no_cascade(plan: &Plan) {
    assert!(!plan.to_sql().contains("CASCADE"), "{}", plan.to_sql());
}


async fn stamped_after_update(verify_sql: &str) -> String {
    // The verify queries run one SELECT each: the update happens in a data-modifying CTE.
    format!("WITH u AS (UPDATE t SET n = n + 1 WHERE id = 1 RETURNING updated_at) {verify_sql}")
}

#[tokio::test]
async fn creates_and_drops_a_trigger() {
    let b = with("CREATE TRIGGER t_stamp BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION stamp();");
    let verify = stamped_after_update("SELECT updated_at = '2000-01-01' FROM u").await;
    let plan = case(&with(""), &b).data("INSERT INTO t (id) VALUES (1)").verify(&verify).both_ways().run().await;
    assert!(has(&plan, "CREATE TRIGGER \"t_stamp\" BEFORE UPDATE ON \"public\".\"t\" FOR EACH ROW"), "{}", plan.to_sql());
}

#[tokio::test]
async fn a_trigger_with_its_table_and_function() {
    let plan = case("", &with("CREATE TRIGGER t_stamp BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION stamp();"))
        .both_ways()
        .run()
        .await;
    assert!(position(&plan, "CREATE TABLE") < position(&plan, "CREATE TRIGGER"), "{}", plan.to_sql());
    assert!(position(&plan, "FUNCTION public.stamp") < position(&plan, "CREATE TRIGGER"), "{}", plan.to_sql());
}

#[tokio::test]
async fn dropping_the_table_and_function_of_a_trigger() {
    let plan = case(&with("CREATE TRIGGER t_stamp BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION stamp();"), "")
        .run()
        .await;
    assert!(position(&plan, "DROP TABLE") < position(&plan, "DROP FUNCTION"), "{}", plan.to_sql());
    assert_no_cascade(&plan);
}

#[tokio::test]
async fn changing_the_timing_drops_and_creates() {
    let plan = case(
        &with("CREATE TRIGGER t_stamp BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION stamp();"),
        &with("CREATE TRIGGER t_stamp BEFORE INSERT OR UPDATE ON t FOR EACH ROW EXECUTE FUNCTION stamp();"),
    )
    .both_ways()
    .run()
    .await;
    assert!(position(&plan, "DROP TRIGGER") < position(&plan, "CREATE TRIGGER"), "{}", plan.to_sql());
    let units = plan.units();
    assert_eq!(units.len(), 1, "drop and create in one transaction:\n{}", plan.to_sql());
}

#[tokio::test]
async fn update_of_columns() {
    case(
        &with(""),
        &with("CREATE TRIGGER t_stamp BEFORE UPDATE OF n, label ON t FOR EACH ROW EXECUTE FUNCTION stamp();"),
    )
    .data("INSERT INTO t (id) VALUES (1)")
    .verify(&format!(
        "WITH u AS (UPDATE t SET label = 'x' WHERE id = 1 RETURNING updated_at) \
         SELECT updated_at = '2000-01-01' FROM u"
    ))
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn a_when_condition() {
    case(
        &with("CREATE TRIGGER t_stamp BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION stamp();"),
        &with(
            "CREATE TRIGGER t_stamp BEFORE UPDATE ON t FOR EACH ROW
             WHEN (OLD.* IS DISTINCT FROM NEW.* AND NEW.n > 5) EXECUTE FUNCTION stamp();",
        ),
    )
    .data("INSERT INTO t (id) VALUES (1)")
    .verify("WITH u AS (UPDATE t SET n = 1 WHERE id = 1 RETURNING updated_at) SELECT updated_at IS NULL FROM u")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn a_statement_trigger_with_a_transition_table() {
    case(
        &format!("{TABLE} {COUNT}"),
        &format!(
            "{TABLE} {COUNT} CREATE TRIGGER t_count AFTER INSERT ON t REFERENCING NEW TABLE AS new_rows
             FOR EACH STATEMENT EXECUTE FUNCTION log_count();"
        ),
    )
    .verify("WITH i AS (INSERT INTO t (id) VALUES (7), (8) RETURNING id) SELECT count(*) = 2 FROM i")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn arguments_of_the_function() {
    let plan = case(
        &with(""),
        &with(
            "CREATE FUNCTION tag() RETURNS trigger LANGUAGE plpgsql AS $$
                 BEGIN NEW.label := TG_ARGV[0] || '/' || TG_ARGV[1]; RETURN NEW; END $$;
             CREATE TRIGGER t_tag BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION tag('it''s', 'two words');",
        ),
    )
    .verify("WITH i AS (INSERT INTO t (id) VALUES (9) RETURNING label) SELECT label = 'it''s/two words' FROM i")
    .both_ways()
    .run()
    .await;
    assert!(has(&plan, "('it''s', 'two words')"), "{}", plan.to_sql());
}

#[tokio::test]
async fn disabling_and_enabling_in_place() {
    let trigger = "CREATE TRIGGER t_stamp BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION stamp();";
    for (state, tgenabled) in [("DISABLE TRIGGER", "D"), ("ENABLE REPLICA TRIGGER", "R"), ("ENABLE ALWAYS TRIGGER", "A")] {
        let plan = case(&with(trigger), &with(&format!("{trigger} ALTER TABLE t {state} t_stamp;")))
            .verify(&format!("SELECT tgenabled = '{tgenabled}' FROM pg_trigger WHERE tgname = 't_stamp'"))
            .both_ways()
            .run()
            .await;
        assert!(has(&plan, state) && !has(&plan, "DROP TRIGGER"), "{}", plan.to_sql());
    }
}

#[tokio::test]
async fn a_new_disabled_trigger() {
    case(
        &with(""),
        &with(
            "CREATE TRIGGER t_stamp BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION stamp();
             ALTER TABLE t DISABLE TRIGGER t_stamp;",
        ),
    )
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn comments_on_a_trigger() {
    let trigger = "CREATE TRIGGER t_stamp BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION stamp();";
    let plan = case(&with(trigger), &with(&format!("{trigger} COMMENT ON TRIGGER t_stamp ON t IS 'keeps time';")))
        .verify("SELECT obj_description(oid, 'pg_trigger') = 'keeps time' FROM pg_trigger WHERE tgname = 't_stamp'")
        .both_ways()
        .run()
        .await;
    assert!(!has(&plan, "DROP TRIGGER"), "{}", plan.to_sql());
}

#[tokio::test]
async fn replacing_the_function_keeps_the_trigger() {
    let trigger = "CREATE TRIGGER t_stamp BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION stamp();";
    let b = format!(
        "{TABLE} CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN NEW.updated_at := '2001-01-01'; RETURN NEW; END $$; {trigger}"
    );
    let plan = case(&with(trigger), &b)
        .data("INSERT INTO t (id) VALUES (1)")
        .verify(&stamped_after_update("SELECT updated_at = '2001-01-01' FROM u").await)
        .run()
        .await;
    assert!(!has(&plan, "DROP TRIGGER") && has(&plan, "CREATE OR REPLACE FUNCTION"), "{}", plan.to_sql());
}

#[tokio::test]
async fn pointing_a_trigger_at_another_function() {
    let plan = case(
        &with("CREATE TRIGGER t_stamp BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION stamp();"),
        &format!(
            "{TABLE} CREATE FUNCTION stamp2() RETURNS trigger LANGUAGE plpgsql AS $$
                 BEGIN NEW.updated_at := '2002-01-01'; RETURN NEW; END $$;
             CREATE TRIGGER t_stamp BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION stamp2();"
        ),
    )
    .data("INSERT INTO t (id) VALUES (1)")
    .verify(&stamped_after_update("SELECT updated_at = '2002-01-01' FROM u").await)
    .both_ways()
    .run()
    .await;
    assert!(position(&plan, "DROP TRIGGER") < position(&plan, "DROP FUNCTION"), "{}", plan.to_sql());
    assert!(position(&plan, "FUNCTION public.stamp2") < position(&plan, "CREATE TRIGGER"), "{}", plan.to_sql());
}

#[tokio::test]
async fn a_type_change_under_an_update_of_column() {
    let trigger = "CREATE TRIGGER t_stamp BEFORE UPDATE OF n ON t FOR EACH ROW EXECUTE FUNCTION stamp();";
    let plan = case(&with(trigger), &with(trigger).replace("n int NOT NULL DEFAULT 0", "n bigint NOT NULL DEFAULT 0"))
        .data("INSERT INTO t (id, n) VALUES (1, 3)")
        .verify(&stamped_after_update("SELECT updated_at = '2000-01-01' FROM u").await)
        .both_ways()
        .run()
        .await;
    assert!(position(&plan, "DROP TRIGGER") < position(&plan, "TYPE bigint"), "{}", plan.to_sql());
    assert!(position(&plan, "TYPE bigint") < position(&plan, "CREATE TRIGGER"), "{}", plan.to_sql());
    assert_no_cascade(&plan);
}

#[tokio::test]
async fn a_type_change_under_a_when_condition() {
    let trigger =
        "CREATE TRIGGER t_stamp BEFORE UPDATE ON t FOR EACH ROW WHEN (NEW.label <> 'x') EXECUTE FUNCTION stamp();";
    let plan = case(&with(trigger), &with(trigger).replace("label text", "label varchar(20)"))
        .data("INSERT INTO t (id, label) VALUES (1, 'a')")
        .both_ways()
        .run()
        .await;
    assert!(position(&plan, "DROP TRIGGER") < position(&plan, "TYPE character varying"), "{}", plan.to_sql());
}

#[tokio::test]
async fn dropping_a_column_a_trigger_names() {
    let plan = case(
        &with("CREATE TRIGGER t_stamp BEFORE UPDATE OF label ON t FOR EACH ROW EXECUTE FUNCTION stamp();"),
        &with("CREATE TRIGGER t_stamp BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION stamp();")
            .replace("label text,", ""),
    )
    .both_ways()
    .run()
    .await;
    assert!(position(&plan, "DROP TRIGGER") < position(&plan, "DROP COLUMN"), "{}", plan.to_sql());
}

#[tokio::test]
async fn a_renamed_table_keeps_its_trigger() {
    let trigger = |table: &str| {
        format!(
            "CREATE TABLE {table} (id int PRIMARY KEY, updated_at timestamptz); {STAMP}
             CREATE TRIGGER stamp BEFORE UPDATE ON {table} FOR EACH ROW EXECUTE FUNCTION stamp();"
        )
    };
    let plan = case(&trigger("old_t"), &trigger("new_t"))
        .hint(Rename::Table { schema: "public".into(), from: "old_t".into(), to: "new_t".into() })
        .run()
        .await;
    assert!(!has(&plan, "TRIGGER"), "{}", plan.to_sql());
}

#[tokio::test]
async fn tables_and_functions_in_other_schemas() {
    case(
        "",
        "CREATE SCHEMA app; CREATE SCHEMA util;
         CREATE TABLE app.\"Items\" (id int PRIMARY KEY, updated_at timestamptz);
         CREATE FUNCTION util.stamp() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN NEW.updated_at := now(); RETURN NEW; END $$;
         CREATE TRIGGER \"Stamp It\" BEFORE UPDATE ON app.\"Items\" FOR EACH ROW EXECUTE FUNCTION util.stamp();",
    )
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn a_trigger_on_a_view_stays_unmanaged() {
    let view = format!(
        "{TABLE} {STAMP} CREATE VIEW v AS SELECT id, n FROM t;
         CREATE FUNCTION v_insert() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN INSERT INTO t (id, n) VALUES (NEW.id, NEW.n); RETURN NEW; END $$;"
    );
    let plan = case(&format!("{view} CREATE TRIGGER v_ins INSTEAD OF INSERT ON v FOR EACH ROW EXECUTE FUNCTION v_insert();"), &view)
        .verify("SELECT EXISTS (SELECT FROM pg_trigger WHERE tgname = 'v_ins')")
        .run()
        .await;
    assert!(plan.is_empty(), "{}", plan.to_sql());
}
