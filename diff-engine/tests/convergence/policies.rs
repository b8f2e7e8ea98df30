//! Row level security: the table's switches (enable, force) and its policies, created, dropped, altered in
//! place (`ALTER POLICY`: roles, USING, WITH CHECK) or dropped and created again (command, kind, a removed
//! clause), and dropped before (created again after) changes to what they read. Never CASCADE.

use crate::direct::Pair;
use crate::harness::{assert_no_cascade, case, has, position};
use keel_diff::{Hazard, Plan, PlanOptions};
use sqlx::{AssertSqlSafe, Connection};

const TABLE: &str = "CREATE TABLE t (id int PRIMARY KEY, owner text NOT NULL, n int, label text);";
const ROWS: &str = "INSERT INTO t VALUES (1, 'alice', 10, 'a'), (2, 'bob', 20, 'b'), (3, 'alice', 30, 'c')";
const RLS: &str = "ALTER TABLE t ENABLE ROW LEVEL SECURITY;";

/// Roles are cluster-wide: created once, under names no other test uses, and never dropped. Two tests may
/// create them at once; the loser of the race ignores the error.
const ROLES: &str = "
DO $$
DECLARE r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['keel_rls_reader', 'keel_rls_writer'] LOOP
        BEGIN
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = r) THEN
                EXECUTE format('CREATE ROLE %I', r);
            END IF;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
        END;
    END LOOP;
END $$;";

fn rls(sql: &str) -> String {
    format!("{TABLE} {RLS} {sql}")
}

fn roles(sql: &str) -> String {
    format!("{ROLES} {sql}")
}

/// Altered in place: an ALTER POLICY, and no policy dropped.
fn assert_altered_in_place(plan: &Plan) {
    assert!(has(plan, "ALTER POLICY") && !has(plan, "DROP POLICY"), "{}", plan.to_sql());
}

// ---- the table's switches ----

#[tokio::test]
async fn enables_and_disables_row_level_security() {
    let plan = case(TABLE, &rls(""))
        .data(ROWS)
        .verify("SELECT relrowsecurity AND NOT relforcerowsecurity FROM pg_class WHERE oid = 't'::regclass")
        .expect(Hazard::ChangesAccess)
        .both_ways()
        .run()
        .await;
    assert!(has(&plan, "ENABLE ROW LEVEL SECURITY"), "{}", plan.to_sql());
    // No policy: the summary says what that means.
    assert!(plan.statements[0].summary.contains("no policy"), "{:?}", plan.statements[0].summary);
}

#[tokio::test]
async fn forces_row_level_security() {
    let plan = case(&rls(""), &rls("ALTER TABLE t FORCE ROW LEVEL SECURITY;"))
        .verify("SELECT relrowsecurity AND relforcerowsecurity FROM pg_class WHERE oid = 't'::regclass")
        .expect(Hazard::ChangesAccess)
        .both_ways()
        .run()
        .await;
    assert_eq!(plan.statements.len(), 1, "{}", plan.to_sql());
    assert!(plan.statements[0].summary.contains("owner"), "{:?}", plan.statements[0].summary);
}

#[tokio::test]
async fn enables_and_forces_at_once_on_a_new_table_with_its_policy() {
    let plan =
        case("", &rls("ALTER TABLE t FORCE ROW LEVEL SECURITY; CREATE POLICY own ON t USING (owner = current_user);"))
            .both_ways()
            .run()
            .await;
    // Created, then given its policy, then switched on: no moment without the policy.
    let (create, policy, enable) =
        (position(&plan, "CREATE TABLE"), position(&plan, "CREATE POLICY"), position(&plan, "ENABLE ROW LEVEL"));
    assert!(create < policy && policy < enable, "{}", plan.to_sql());
    assert!(!plan.statements[enable].summary.contains("no policy"), "{}", plan.statements[enable].summary);
}

#[tokio::test]
async fn disabling_switches_off_before_the_policies_go() {
    let plan = case(&rls("CREATE POLICY own ON t USING (owner = current_user);"), TABLE)
        .data(ROWS)
        .verify("SELECT NOT relrowsecurity FROM pg_class WHERE oid = 't'::regclass")
        .expect(Hazard::ChangesAccess)
        .run()
        .await;
    assert!(position(&plan, "DISABLE ROW LEVEL SECURITY") < position(&plan, "DROP POLICY"), "{}", plan.to_sql());
}

// ---- commands, kinds, roles ----

#[tokio::test]
async fn a_select_policy() {
    case(&rls(""), &rls("CREATE POLICY readable ON t FOR SELECT USING (n > 10);")).data(ROWS).both_ways().run().await;
}

#[tokio::test]
async fn an_insert_policy() {
    case(&rls(""), &rls("CREATE POLICY insertable ON t FOR INSERT WITH CHECK (n >= 0);")).both_ways().run().await;
}

#[tokio::test]
async fn an_update_policy_with_both_clauses() {
    case(
        &rls(""),
        &rls("CREATE POLICY updatable ON t FOR UPDATE USING (n > 0) WITH CHECK (n > 0 AND label IS NOT NULL);"),
    )
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn a_delete_policy() {
    case(&rls(""), &rls("CREATE POLICY deletable ON t FOR DELETE USING (label = 'old');")).both_ways().run().await;
}

#[tokio::test]
async fn a_policy_for_all_commands() {
    let plan = case(&rls(""), &rls("CREATE POLICY everything ON t FOR ALL USING (true) WITH CHECK (n IS NOT NULL);"))
        .data(ROWS)
        .both_ways()
        .run()
        .await;
    assert!(!plan.has(Hazard::ChangesAccess), "creating a policy is the declaration itself:\n{}", plan.to_sql());
}

#[tokio::test]
async fn a_restrictive_policy() {
    case(
        &rls("CREATE POLICY all_rows ON t USING (true);"),
        &rls("CREATE POLICY all_rows ON t USING (true); CREATE POLICY positive ON t AS RESTRICTIVE USING (n > 0);"),
    )
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn permissive_to_restrictive_drops_and_creates() {
    let plan = case(
        &rls("CREATE POLICY positive ON t USING (n > 0);"),
        &rls("CREATE POLICY positive ON t AS RESTRICTIVE USING (n > 0);"),
    )
    .data(ROWS)
    .expect(Hazard::ChangesAccess)
    .both_ways()
    .run()
    .await;
    assert!(position(&plan, "DROP POLICY") < position(&plan, "CREATE POLICY"), "{}", plan.to_sql());
}

#[tokio::test]
async fn a_command_change_drops_and_creates() {
    let plan = case(
        &rls("CREATE POLICY p ON t FOR SELECT USING (n > 0);"),
        &rls("CREATE POLICY p ON t FOR DELETE USING (n > 0);"),
    )
    .data(ROWS)
    .verify("SELECT polcmd = 'd' FROM pg_policy WHERE polname = 'p'")
    .both_ways()
    .run()
    .await;
    assert!(position(&plan, "DROP POLICY") < position(&plan, "CREATE POLICY"), "{}", plan.to_sql());
    assert!(!has(&plan, "ALTER POLICY"), "{}", plan.to_sql());
}

#[tokio::test]
async fn policies_for_roles() {
    case(
        &roles(&rls("")),
        &roles(&rls("CREATE POLICY readers ON t FOR SELECT TO keel_rls_reader, keel_rls_writer USING (true);")),
    )
    .verify(
        "SELECT array_agg(r.rolname::text ORDER BY r.rolname) = ARRAY['keel_rls_reader', 'keel_rls_writer'] \
         FROM pg_policy p JOIN pg_roles r ON r.oid = ANY(p.polroles) WHERE p.polname = 'readers'",
    )
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn changes_roles_in_place() {
    let plan = case(
        &roles(&rls("CREATE POLICY readers ON t FOR SELECT USING (true);")),
        &roles(&rls("CREATE POLICY readers ON t FOR SELECT TO keel_rls_reader USING (true);")),
    )
    .expect(Hazard::ChangesAccess)
    .both_ways()
    .run()
    .await;
    assert_altered_in_place(&plan);
    assert!(has(&plan, "TO \"keel_rls_reader\""), "{}", plan.to_sql());
}

// ---- expressions changed in place ----

#[tokio::test]
async fn changes_using_in_place() {
    let plan = case(
        &rls("CREATE POLICY positive ON t USING (n > 0);"),
        &rls("CREATE POLICY positive ON t USING (n > 10 AND label IS NOT NULL);"),
    )
    .data(ROWS)
    .verify(
        "SELECT pg_get_expr(polqual, polrelid) LIKE '%label IS NOT NULL%' FROM pg_policy WHERE polname = 'positive'",
    )
    .both_ways()
    .run()
    .await;
    assert_altered_in_place(&plan);
}

#[tokio::test]
async fn changes_with_check_in_place() {
    let plan = case(
        &rls("CREATE POLICY writes ON t FOR INSERT WITH CHECK (n > 0);"),
        &rls("CREATE POLICY writes ON t FOR INSERT WITH CHECK (n > 0 AND n < 1000);"),
    )
    .both_ways()
    .run()
    .await;
    assert_altered_in_place(&plan);
}

#[tokio::test]
async fn adds_a_with_check_in_place_and_removing_it_recreates() {
    let (using, both) =
        (rls("CREATE POLICY p ON t USING (n > 0);"), rls("CREATE POLICY p ON t USING (n > 0) WITH CHECK (n < 100);"));
    let plan = case(&using, &both).run().await;
    assert_altered_in_place(&plan);
    // ALTER POLICY cannot remove a clause.
    let plan = case(&both, &using).run().await;
    assert!(position(&plan, "DROP POLICY") < position(&plan, "CREATE POLICY"), "{}", plan.to_sql());
}

// ---- comments, schemas ----

#[tokio::test]
async fn comments_on_a_policy() {
    let policy = "CREATE POLICY own ON t USING (owner = current_user);";
    let plan = case(&rls(policy), &rls(&format!("{policy} COMMENT ON POLICY own ON t IS 'each user''s rows';")))
        .both_ways()
        .run()
        .await;
    assert_eq!(plan.statements.len(), 1, "{}", plan.to_sql());
    assert!(has(&plan, "COMMENT ON POLICY \"own\" ON \"public\".\"t\" IS 'each user''s rows'"), "{}", plan.to_sql());
}

#[tokio::test]
async fn a_new_policy_with_its_comment() {
    case(&rls(""), &rls("CREATE POLICY own ON t USING (owner = current_user); COMMENT ON POLICY own ON t IS 'mine';"))
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn a_policy_in_another_schema_reading_a_table_there() {
    let app = "CREATE SCHEMA app; CREATE TABLE app.members (team int, member text);
               CREATE TABLE app.docs (id int PRIMARY KEY, team int NOT NULL);
               ALTER TABLE app.docs ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;";
    let plan = case(
        app,
        &format!(
            "{app} CREATE POLICY \"team's docs\" ON app.docs
                 USING (team IN (SELECT m.team FROM app.members m WHERE m.member = current_user));"
        ),
    )
    .both_ways()
    .run()
    .await;
    // The subquery's table is schema-qualified: the statement means the same under any search_path.
    assert!(has(&plan, "app.members"), "{}", plan.to_sql());
}

#[tokio::test]
async fn a_schema_with_its_tables_and_policies_comes_and_goes() {
    let plan = case(
        "",
        "CREATE SCHEMA app; CREATE TABLE app.docs (id int PRIMARY KEY, owner text);
         ALTER TABLE app.docs ENABLE ROW LEVEL SECURITY;
         CREATE POLICY own ON app.docs USING (owner = current_user);",
    )
    .both_ways()
    .run()
    .await;
    assert!(has(&plan, "CREATE POLICY \"own\" ON \"app\".\"docs\""), "{}", plan.to_sql());
}

// ---- what policies read changes ----

#[tokio::test]
async fn a_column_type_change_under_a_policy() {
    let policy = "CREATE POLICY positive ON t USING (n > 0);";
    let plan = case(&rls(policy), &format!("{} {RLS} {policy}", TABLE.replace("n int", "n bigint")))
        .data(ROWS)
        .both_ways()
        .run()
        .await;
    assert_no_cascade(&plan);
    let (drop, alter, create) =
        (position(&plan, "DROP POLICY"), position(&plan, "ALTER COLUMN \"n\" TYPE"), position(&plan, "CREATE POLICY"));
    assert!(
        drop < alter && alter < create,
        "drop the policy, change the column, create the policy:\n{}",
        plan.to_sql()
    );
    // The same policy again, in the same transaction: nobody's access changes.
    assert!(!plan.has(Hazard::ChangesAccess), "{}", plan.to_sql());
}

#[tokio::test]
async fn a_column_change_the_policy_does_not_read_leaves_it() {
    let policy = "CREATE POLICY positive ON t USING (n > 0);";
    let plan = case(&rls(policy), &format!("{} {RLS} {policy}", TABLE.replace("label text", "label varchar(10)")))
        .data(ROWS)
        .run()
        .await;
    assert!(!has(&plan, "POLICY"), "{}", plan.to_sql());
}

#[tokio::test]
async fn adding_a_column_next_to_a_policy_keeps_it() {
    let policy = "CREATE POLICY positive ON t USING (n > 0);";
    let plan =
        case(&rls(policy), &rls(&format!("{policy} ALTER TABLE t ADD COLUMN extra int;"))).data(ROWS).run().await;
    assert!(has(&plan, "ADD COLUMN") && !has(&plan, "POLICY"), "{}", plan.to_sql());
}

#[tokio::test]
async fn a_dropped_column_under_a_policy_that_stops_reading_it() {
    let plan = case(
        &rls("CREATE POLICY labelled ON t USING (label IS NOT NULL AND n > 0);"),
        &format!("{} {RLS} CREATE POLICY labelled ON t USING (n > 0);", TABLE.replace(", label text", "")),
    )
    .data(ROWS)
    .run()
    .await;
    assert_no_cascade(&plan);
    // The new policy does not read the column: only the old one must go first.
    assert!(position(&plan, "DROP POLICY") < position(&plan, "DROP COLUMN"), "{}", plan.to_sql());
}

#[tokio::test]
async fn a_dropped_column_and_its_policy_go_together() {
    let plan = case(
        &rls("CREATE POLICY labelled ON t USING (label IS NOT NULL);"),
        &format!("{} {RLS}", TABLE.replace(", label text", "")),
    )
    .data(ROWS)
    .expect(Hazard::ChangesAccess)
    .run()
    .await;
    assert!(position(&plan, "DROP POLICY") < position(&plan, "DROP COLUMN"), "{}", plan.to_sql());
}

#[tokio::test]
async fn a_dropped_table_takes_its_policies() {
    let other = "CREATE TABLE other (id int PRIMARY KEY);";
    let plan = case(
        &format!("{other} {}", rls("ALTER TABLE t FORCE ROW LEVEL SECURITY; CREATE POLICY a ON t USING (n > 0); CREATE POLICY b ON t FOR INSERT WITH CHECK (owner = current_user);")),
        other,
    )
    .data(ROWS)
    .run()
    .await;
    assert_no_cascade(&plan);
    assert!(has(&plan, "DROP TABLE") && !has(&plan, "POLICY"), "{}", plan.to_sql());
}

#[tokio::test]
async fn a_policy_over_a_table_that_is_dropped() {
    let teams = "CREATE TABLE teams (id int PRIMARY KEY, member text);";
    let plan = case(
        &rls(&format!("{teams} CREATE POLICY team ON t USING (owner IN (SELECT member FROM teams));")),
        &rls("CREATE POLICY team ON t USING (owner = current_user);"),
    )
    .data(ROWS)
    .run()
    .await;
    assert_no_cascade(&plan);
    assert!(position(&plan, "DROP POLICY") < position(&plan, "DROP TABLE"), "{}", plan.to_sql());
}

#[tokio::test]
async fn a_policy_on_a_dropped_table_over_a_retyped_column() {
    let (teams, retyped) = (
        "CREATE TABLE teams (id int PRIMARY KEY, member text);",
        "CREATE TABLE teams (id int PRIMARY KEY, member varchar(50));",
    );
    let plan =
        case(&rls(&format!("{teams} CREATE POLICY team ON t USING (owner IN (SELECT member FROM teams));")), retyped)
            .data(ROWS)
            .run()
            .await;
    assert_no_cascade(&plan);
    assert!(position(&plan, "DROP POLICY") < position(&plan, "ALTER COLUMN \"member\" TYPE"), "{}", plan.to_sql());
}

#[tokio::test]
async fn a_policy_over_a_view_that_is_rebuilt() {
    let (view, rebuilt) = (
        "CREATE VIEW teams AS SELECT 1 AS team, 'alice'::text AS member;",
        "CREATE VIEW teams AS SELECT 'alice'::text AS member, 1 AS team;",
    );
    let policy = "CREATE POLICY team ON t USING (owner IN (SELECT member FROM teams));";
    let plan = case(&rls(&format!("{view} {policy}")), &rls(&format!("{rebuilt} {policy}")))
        .data(ROWS)
        .both_ways()
        .run()
        .await;
    let (drop_policy, drop_view) = (position(&plan, "DROP POLICY"), position(&plan, "DROP VIEW"));
    let (create_view, create_policy) = (position(&plan, "CREATE VIEW"), position(&plan, "CREATE POLICY"));
    assert!(drop_policy < drop_view && create_view < create_policy, "{}", plan.to_sql());
}

#[tokio::test]
async fn a_policy_reading_an_enum_column_when_the_enum_loses_a_value() {
    let table = |values: &str| {
        format!(
            "CREATE TYPE state AS ENUM ({values}); CREATE TABLE t (id int PRIMARY KEY, state state NOT NULL);
             ALTER TABLE t ENABLE ROW LEVEL SECURITY; CREATE POLICY visible ON t USING (state = 'open');"
        )
    };
    let plan = case(&table("'open', 'closed', 'gone'"), &table("'open', 'closed'"))
        .data("INSERT INTO t VALUES (1, 'open'), (2, 'closed')")
        .run()
        .await;
    assert_no_cascade(&plan);
}

#[tokio::test]
async fn a_policy_over_a_new_column_of_a_new_table() {
    let plan = case(
        TABLE,
        "CREATE TABLE t (id int PRIMARY KEY, owner text NOT NULL, n int, label text, tenant text);
         CREATE TABLE tenants (id text PRIMARY KEY);
         ALTER TABLE t ENABLE ROW LEVEL SECURITY;
         CREATE POLICY tenant ON t USING (tenant IN (SELECT id FROM tenants));",
    )
    .data(ROWS)
    .run()
    .await;
    assert!(position(&plan, "ADD COLUMN") < position(&plan, "CREATE POLICY"), "{}", plan.to_sql());
    assert!(position(&plan, "CREATE TABLE") < position(&plan, "CREATE POLICY"), "{}", plan.to_sql());
}

#[tokio::test]
async fn a_renamed_table_keeps_its_policies() {
    use keel_diff::Rename;
    let plan = case(
        &rls("CREATE POLICY positive ON t USING (n > 0);"),
        "CREATE TABLE u (id int PRIMARY KEY, owner text NOT NULL, n int, label text);
         ALTER TABLE u ENABLE ROW LEVEL SECURITY; CREATE POLICY positive ON u USING (n > 0);",
    )
    .hint(Rename::Table { schema: "public".into(), from: "t".into(), to: "u".into() })
    .data(ROWS)
    .run()
    .await;
    assert!(has(&plan, "RENAME TO") && !has(&plan, "POLICY"), "{}", plan.to_sql());
}

#[tokio::test]
async fn a_renamed_table_whose_column_changes_type_under_a_policy() {
    use keel_diff::Rename;
    let plan = case(
        &rls("CREATE POLICY positive ON t USING (n > 0);"),
        "CREATE TABLE u (id int PRIMARY KEY, owner text NOT NULL, n bigint, label text);
         ALTER TABLE u ENABLE ROW LEVEL SECURITY; CREATE POLICY positive ON u USING (n > 0);",
    )
    .hint(Rename::Table { schema: "public".into(), from: "t".into(), to: "u".into() })
    .data(ROWS)
    .run()
    .await;
    let (drop, alter) = (position(&plan, "DROP POLICY"), position(&plan, "ALTER COLUMN \"n\" TYPE"));
    assert!(drop < alter && alter < position(&plan, "CREATE POLICY"), "{}", plan.to_sql());
}

// ---- what a role sees ----

/// The rows `role` sees in `table` with `app.user_id` set to `user`, counted on `conn` under that role.
async fn visible_rows(conn: &mut sqlx::PgConnection, role: &str, user: &str, table: &str) -> i64 {
    let mut tx = conn.begin().await.expect("begin");
    let setup = format!("SET LOCAL ROLE {role}; SELECT set_config('app.user_id', '{user}', true);");
    sqlx::raw_sql(AssertSqlSafe(setup)).execute(&mut *tx).await.expect("become the role");
    let count = sqlx::query_scalar(AssertSqlSafe(format!("SELECT count(*) FROM {table}")))
        .fetch_one(&mut *tx)
        .await
        .expect("count visible rows");
    tx.rollback().await.expect("rollback");
    count
}

#[tokio::test]
async fn a_role_sees_only_its_rows_through_current_setting() {
    let policy = "CREATE POLICY own ON t FOR SELECT TO keel_rls_reader
                      USING (owner = current_setting('app.user_id', true));";
    let mut pair =
        Pair::new(&roles(&format!("{TABLE} {ROWS}; GRANT SELECT ON t TO keel_rls_reader;")), &roles(&rls(policy)))
            .await;
    assert_eq!(visible_rows(&mut pair.a, "keel_rls_reader", "alice", "t").await, 3, "no row level security yet");
    let plan = pair.plan(PlanOptions::default()).await;
    assert!(has(&plan, "current_setting('app.user_id'"), "{}", plan.to_sql());
    pair.apply_and_converge(&plan).await;
    assert_eq!(visible_rows(&mut pair.a, "keel_rls_reader", "alice", "t").await, 2);
    assert_eq!(visible_rows(&mut pair.a, "keel_rls_reader", "bob", "t").await, 1);
    assert_eq!(visible_rows(&mut pair.a, "keel_rls_reader", "carol", "t").await, 0);
    pair.drop().await;
}

#[tokio::test]
async fn enabling_without_a_policy_hides_every_row_from_other_roles() {
    let mut pair = Pair::new(&roles(&format!("{TABLE} {ROWS}; GRANT SELECT ON t TO keel_rls_reader;")), &rls("")).await;
    let plan = pair.plan(PlanOptions::default()).await;
    assert!(plan.statements[0].summary.contains("no policy"), "{}", plan.statements[0].summary);
    pair.apply_and_converge(&plan).await;
    assert_eq!(visible_rows(&mut pair.a, "keel_rls_reader", "alice", "t").await, 0);
    pair.drop().await;
}

// ---- declared in SQL files ----

#[tokio::test]
async fn policies_in_sql_files_are_declared_not_refused() {
    use keel_core::model::{Column, ColumnType, QualifiedName, RowLevelSecurity, Schema, Table};
    let server = keel_test_support::shared_server().expect("a PostgreSQL server");
    let mut declared = Schema::default();
    let table = Table {
        columns: vec![Column::new("id", ColumnType::Integer), Column::new("owner", ColumnType::Text)],
        row_level_security: RowLevelSecurity::FORCED,
        ..Table::default()
    };
    declared.schemas.entry("public".into()).or_default().tables.insert("docs".into(), table);
    let file = keel_diff::normalize::SqlFile {
        name: "schema/policies.sql".into(),
        sql: "CREATE POLICY own ON docs USING (owner = current_setting('app.user_id'));\
              COMMENT ON POLICY own ON docs IS 'each user''s documents';"
            .into(),
    };
    let normalized = keel_diff::normalize::normalize_with_sql(server, &declared, &[file]).await.expect("normalize");
    let docs = normalized.table("public", "docs").expect("the table");
    assert_eq!(docs.row_level_security, RowLevelSecurity::FORCED);
    let own = &docs.policies["own"];
    assert_eq!(own.roles, ["public"]);
    assert_eq!(own.using.as_deref(), Some("(owner = current_setting('app.user_id'::text))"));
    assert_eq!(own.comment.as_deref(), Some("each user's documents"));
    assert_eq!(
        own.reads.iter().map(|d| (&d.relation, d.column.as_deref())).collect::<Vec<_>>(),
        [(&QualifiedName::new("public", "docs"), Some("owner"))]
    );

    // And what render writes for that schema builds the same one.
    let (database, mut conn) = crate::harness::database("").await;
    keel_diff::apply_in_transaction(&mut conn, &keel_diff::render::create_schema(&normalized)).await.expect("apply");
    let built = keel_diff::introspect(&mut conn, None).await.expect("introspect");
    assert_eq!(built, normalized);
    drop(conn);
    database.drop_database().await.expect("drop");
}
