//! Renames, which come only from hints: tables, columns, indexes, enums and enum values, alone or with
//! other changes; hints that were already applied; and hints the engine must refuse.

use crate::harness::case;
use keel_core::model::Schema;
use keel_diff::{Hazard, Hints, Plan, PlanError, PlanOptions, Rename, introspect, plan};
use keel_test_support::shared_server;
use sqlx::AssertSqlSafe;

fn table(from: &str, to: &str) -> Rename {
    Rename::Table { schema: "public".into(), from: from.into(), to: to.into() }
}

fn column(table: &str, from: &str, to: &str) -> Rename {
    Rename::Column { schema: "public".into(), table: table.into(), from: from.into(), to: to.into() }
}

fn index(table: &str, from: &str, to: &str) -> Rename {
    Rename::Index { schema: "public".into(), table: table.into(), from: from.into(), to: to.into() }
}

fn enum_type(from: &str, to: &str) -> Rename {
    Rename::Enum { schema: "public".into(), from: from.into(), to: to.into() }
}

fn enum_value(enum_name: &str, from: &str, to: &str) -> Rename {
    Rename::EnumValue { schema: "public".into(), enum_name: enum_name.into(), from: from.into(), to: to.into() }
}

fn keeps_data(plan: &Plan) {
    assert!(!plan.has(Hazard::DeletesData), "a rename deletes nothing:\n{}", plan.to_sql());
}

fn renames_only(plan: &Plan) {
    keeps_data(plan);
    assert!(!plan.has(Hazard::RewritesTable) && !plan.has(Hazard::IndexBuild), "a rename is cheap:\n{}", plan.to_sql());
}

/// The schema a database built from `sql` introspects to.
async fn introspected(sql: &str) -> Schema {
    let server = shared_server().unwrap_or_else(|e| panic!("no PostgreSQL for the tests: {e}"));
    let database = server.create_database().await.expect("create a scratch database");
    let mut conn = database.connect().await.expect("connect to the scratch database");
    sqlx::raw_sql(AssertSqlSafe(sql.to_string())).execute(&mut conn).await.expect("build the database");
    let schema = introspect(&mut conn, None).await.expect("introspect");
    drop(conn);
    database.drop_database().await.expect("drop the scratch database");
    schema
}

/// Plans `a` → `b` with one hint, without applying anything.
async fn plan_with(a: &str, b: &str, rename: Rename) -> Result<Plan, PlanError> {
    let (current, desired) = (introspected(a).await, introspected(b).await);
    let options = PlanOptions { hints: Hints { renames: vec![rename], ..Hints::default() }, ..PlanOptions::default() };
    plan(&current, &desired, &options)
}

// ---- tables ----

#[tokio::test]
async fn renames_a_table_with_its_keys_indexes_and_rows() {
    let plan = case(
        "CREATE TABLE old (id int PRIMARY KEY, email text UNIQUE, n int CHECK (n > 0));
         CREATE INDEX old_n_idx ON old (n);",
        "CREATE TABLE new (id int PRIMARY KEY, email text UNIQUE, n int CHECK (n > 0));
         CREATE INDEX old_n_idx ON new (n);",
    )
    .data("INSERT INTO old VALUES (1, 'a@x', 1), (2, 'b@x', 2)")
    .hint(table("old", "new"))
    .verify("SELECT count(*) = 2 AND sum(n) = 3 FROM new")
    .expect(Hazard::BreaksClients)
    .run()
    .await;
    keeps_data(&plan);
}

#[tokio::test]
async fn renames_a_table_in_a_non_public_schema() {
    let plan = case(
        "CREATE SCHEMA app; CREATE TABLE app.people (id int PRIMARY KEY)",
        "CREATE SCHEMA app; CREATE TABLE app.persons (id int PRIMARY KEY)",
    )
    .data("INSERT INTO app.people VALUES (1), (2), (3)")
    .hint(Rename::Table { schema: "app".into(), from: "people".into(), to: "persons".into() })
    .verify("SELECT count(*) = 3 FROM app.persons")
    .run()
    .await;
    keeps_data(&plan);
}

#[tokio::test]
async fn renames_a_table_whose_names_need_quoting() {
    let plan = case(r#"CREATE TABLE "Old Name" ("Value" int)"#, r#"CREATE TABLE "New ""Name""" ("Value" int)"#)
        .data(r#"INSERT INTO "Old Name" VALUES (7)"#)
        .hint(table("Old Name", "New \"Name\""))
        .verify(r#"SELECT "Value" = 7 FROM "New ""Name""""#)
        .run()
        .await;
    renames_only(&plan);
}

#[tokio::test]
async fn renames_a_table_that_other_tables_reference() {
    let plan = case(
        "CREATE TABLE parent (id int PRIMARY KEY);
         CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent);",
        "CREATE TABLE owner (id int PRIMARY KEY);
         CREATE TABLE child (id int PRIMARY KEY, parent_id int CONSTRAINT child_parent_id_fkey REFERENCES owner);",
    )
    .data("INSERT INTO parent VALUES (1), (2); INSERT INTO child VALUES (1, 1), (2, 2), (3, NULL)")
    .hint(table("parent", "owner"))
    .verify("SELECT count(*) = 2 FROM child JOIN owner ON owner.id = child.parent_id")
    .run()
    .await;
    keeps_data(&plan);
    assert!(!plan.has(Hazard::MayFailOnData), "the foreign key need not be checked again:\n{}", plan.to_sql());
}

#[tokio::test]
async fn renames_a_table_that_references_another() {
    let plan = case(
        "CREATE TABLE parent (id int PRIMARY KEY);
         CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent);",
        "CREATE TABLE parent (id int PRIMARY KEY);
         CREATE TABLE item (id int PRIMARY KEY, parent_id int REFERENCES parent);",
    )
    .data("INSERT INTO parent VALUES (1); INSERT INTO child VALUES (1, 1), (2, 1)")
    .hint(table("child", "item"))
    .verify("SELECT count(*) = 2 FROM item JOIN parent ON parent.id = item.parent_id")
    .run()
    .await;
    keeps_data(&plan);
}

#[tokio::test]
async fn renames_a_self_referencing_table() {
    let plan = case(
        "CREATE TABLE node (id int PRIMARY KEY, parent_id int REFERENCES node)",
        "CREATE TABLE tree (id int PRIMARY KEY, parent_id int REFERENCES tree)",
    )
    .data("INSERT INTO node VALUES (1, NULL), (2, 1)")
    .hint(table("node", "tree"))
    .verify("SELECT count(*) = 1 FROM tree c JOIN tree p ON p.id = c.parent_id")
    .run()
    .await;
    keeps_data(&plan);
}

#[tokio::test]
async fn renames_a_table_with_a_serial_column_keeping_its_sequence_going() {
    let plan = case("CREATE TABLE a (id serial PRIMARY KEY, v text)", "CREATE TABLE b (id serial PRIMARY KEY, v text)")
        .data("INSERT INTO a (v) VALUES ('x'), ('y')")
        .hint(table("a", "b"))
        .verify("WITH i AS (INSERT INTO b (v) VALUES ('z') RETURNING id) SELECT id = 3 FROM i")
        .run()
        .await;
    keeps_data(&plan);
}

#[tokio::test]
async fn renames_a_table_and_adds_a_column() {
    let plan =
        case("CREATE TABLE a (id int PRIMARY KEY)", "CREATE TABLE b (id int PRIMARY KEY, note text DEFAULT 'n')")
            .data("INSERT INTO a VALUES (1), (2)")
            .hint(table("a", "b"))
            .verify("SELECT count(*) = 2 AND bool_and(note = 'n') FROM b")
            .run()
            .await;
    keeps_data(&plan);
}

#[tokio::test]
async fn renames_a_table_and_one_of_its_columns() {
    let plan = case("CREATE TABLE a (id int PRIMARY KEY, nm text)", "CREATE TABLE b (id int PRIMARY KEY, name text)")
        .data("INSERT INTO a VALUES (1, 'one')")
        .hint(table("a", "b"))
        .hint(column("b", "nm", "name"))
        .verify("SELECT name = 'one' FROM b")
        .run()
        .await;
    renames_only(&plan);
}

#[tokio::test]
async fn without_a_hint_a_renamed_table_is_dropped_and_created() {
    let plan = case("CREATE TABLE a (id int PRIMARY KEY)", "CREATE TABLE b (id int PRIMARY KEY)")
        .data("INSERT INTO a VALUES (1)")
        .expect(Hazard::DeletesData)
        .run()
        .await;
    assert!(!plan.statements.iter().any(|s| s.sql.contains("RENAME")), "keel never guesses:\n{}", plan.to_sql());
}

// ---- columns ----

#[tokio::test]
async fn renames_a_column_keeping_its_values() {
    let plan = case("CREATE TABLE t (id int PRIMARY KEY, nm text)", "CREATE TABLE t (id int PRIMARY KEY, name text)")
        .data("INSERT INTO t VALUES (1, 'one'), (2, 'two'), (3, NULL)")
        .hint(column("t", "nm", "name"))
        .verify("SELECT string_agg(name, ',' ORDER BY id) = 'one,two' AND count(*) = 3 FROM t")
        .expect(Hazard::BreaksClients)
        .run()
        .await;
    renames_only(&plan);
}

#[tokio::test]
async fn renames_an_indexed_column() {
    let plan = case(
        "CREATE TABLE t (id int PRIMARY KEY, code text); CREATE INDEX t_code ON t (code)",
        "CREATE TABLE t (id int PRIMARY KEY, ref text); CREATE INDEX t_code ON t (ref)",
    )
    .data("INSERT INTO t VALUES (1, 'a')")
    .hint(column("t", "code", "ref"))
    .verify("SELECT ref = 'a' FROM t")
    .run()
    .await;
    renames_only(&plan);
}

#[tokio::test]
async fn renames_a_column_and_its_index_together() {
    let plan = case(
        "CREATE TABLE t (id int PRIMARY KEY, code text); CREATE INDEX t_code_idx ON t (code)",
        "CREATE TABLE t (id int PRIMARY KEY, ref text); CREATE INDEX t_ref_idx ON t (ref)",
    )
    .data("INSERT INTO t VALUES (1, 'a')")
    .hint(column("t", "code", "ref"))
    .hint(index("t", "t_code_idx", "t_ref_idx"))
    .verify("SELECT ref = 'a' FROM t")
    .run()
    .await;
    renames_only(&plan);
}

#[tokio::test]
async fn renames_a_column_used_in_an_expression_index() {
    case(
        "CREATE TABLE t (id int PRIMARY KEY, email text); CREATE INDEX t_lower ON t (lower(email))",
        "CREATE TABLE t (id int PRIMARY KEY, mail text); CREATE INDEX t_lower ON t (lower(mail))",
    )
    .data("INSERT INTO t VALUES (1, 'A@X')")
    .hint(column("t", "email", "mail"))
    .verify("SELECT mail = 'A@X' FROM t")
    .run()
    .await;
}

#[tokio::test]
async fn renames_a_primary_key_column() {
    let plan = case("CREATE TABLE t (id int PRIMARY KEY, v text)", "CREATE TABLE t (key int PRIMARY KEY, v text)")
        .data("INSERT INTO t VALUES (1, 'a'), (2, 'b')")
        .hint(column("t", "id", "key"))
        .verify("SELECT sum(key) = 3 FROM t")
        .run()
        .await;
    renames_only(&plan);
}

#[tokio::test]
async fn renames_a_column_that_a_foreign_key_references() {
    let plan = case(
        "CREATE TABLE parent (id int PRIMARY KEY);
         CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent (id));",
        "CREATE TABLE parent (uid int PRIMARY KEY);
         CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent (uid));",
    )
    .data("INSERT INTO parent VALUES (1), (2); INSERT INTO child VALUES (1, 1), (2, 2)")
    .hint(column("parent", "id", "uid"))
    .verify("SELECT count(*) = 2 FROM child JOIN parent ON parent.uid = child.parent_id")
    .run()
    .await;
    renames_only(&plan);
}

#[tokio::test]
async fn renames_a_foreign_key_column() {
    let plan = case(
        "CREATE TABLE parent (id int PRIMARY KEY);
         CREATE TABLE child (id int PRIMARY KEY, parent_id int CONSTRAINT child_parent REFERENCES parent);",
        "CREATE TABLE parent (id int PRIMARY KEY);
         CREATE TABLE child (id int PRIMARY KEY, owner_id int CONSTRAINT child_parent REFERENCES parent);",
    )
    .data("INSERT INTO parent VALUES (1); INSERT INTO child VALUES (1, 1)")
    .hint(column("child", "parent_id", "owner_id"))
    .verify("SELECT owner_id = 1 FROM child")
    .run()
    .await;
    renames_only(&plan);
}

#[tokio::test]
async fn renames_a_column_used_by_a_check() {
    case(
        "CREATE TABLE t (id int PRIMARY KEY, qty int CONSTRAINT t_positive CHECK (qty > 0))",
        "CREATE TABLE t (id int PRIMARY KEY, quantity int CONSTRAINT t_positive CHECK (quantity > 0))",
    )
    .data("INSERT INTO t VALUES (1, 4)")
    .hint(column("t", "qty", "quantity"))
    .verify("SELECT quantity = 4 FROM t")
    .run()
    .await;
}

#[tokio::test]
async fn renames_a_column_and_changes_its_type() {
    let plan = case("CREATE TABLE t (id int PRIMARY KEY, n int)", "CREATE TABLE t (id int PRIMARY KEY, total bigint)")
        .data("INSERT INTO t VALUES (1, 2147483647)")
        .hint(column("t", "n", "total"))
        .verify("SELECT total = 2147483647 FROM t")
        .expect(Hazard::RewritesTable)
        .run()
        .await;
    keeps_data(&plan);
}

#[tokio::test]
async fn renames_a_column_whose_names_need_quoting() {
    let plan = case(r#"CREATE TABLE t ("Old Name" text, "x" int)"#, r#"CREATE TABLE t ("new ""name""" text, "x" int)"#)
        .data(r#"INSERT INTO t VALUES ('v', 1)"#)
        .hint(column("t", "Old Name", "new \"name\""))
        .verify(r#"SELECT "new ""name""" = 'v' FROM t"#)
        .run()
        .await;
    renames_only(&plan);
}

#[tokio::test]
async fn renames_two_columns_of_one_table() {
    let plan = case("CREATE TABLE t (a int, b int)", "CREATE TABLE t (c int, d int)")
        .data("INSERT INTO t VALUES (1, 2)")
        .hint(column("t", "a", "c"))
        .hint(column("t", "b", "d"))
        .verify("SELECT c = 1 AND d = 2 FROM t")
        .run()
        .await;
    renames_only(&plan);
}

// ---- indexes ----

#[tokio::test]
async fn renames_an_index_without_building_it() {
    let plan = case(
        "CREATE TABLE t (id int, v text); CREATE INDEX t_old ON t (v)",
        "CREATE TABLE t (id int, v text); CREATE INDEX t_new ON t (v)",
    )
    .data("INSERT INTO t VALUES (1, 'a')")
    .hint(index("t", "t_old", "t_new"))
    .run()
    .await;
    renames_only(&plan);
    assert_eq!(plan.statements.len(), 1, "{}", plan.to_sql());
}

#[tokio::test]
async fn renames_a_unique_partial_index() {
    let plan = case(
        "CREATE TABLE t (id int, v text); CREATE UNIQUE INDEX t_old ON t (v) WHERE id > 0",
        "CREATE TABLE t (id int, v text); CREATE UNIQUE INDEX t_new ON t (v) WHERE id > 0",
    )
    .data("INSERT INTO t VALUES (1, 'a'), (2, 'b')")
    .hint(index("t", "t_old", "t_new"))
    .run()
    .await;
    renames_only(&plan);
}

// ---- enums ----

#[tokio::test]
async fn renames_an_enum_used_by_columns() {
    let plan = case(
        "CREATE TYPE st AS ENUM ('a', 'b'); CREATE TABLE t (id int, s st DEFAULT 'a', ss st[])",
        "CREATE TYPE status AS ENUM ('a', 'b'); CREATE TABLE t (id int, s status DEFAULT 'a', ss status[])",
    )
    .data("INSERT INTO t VALUES (1, 'b', '{a,b}')")
    .hint(enum_type("st", "status"))
    .verify("SELECT s = 'b'::status AND ss = '{a,b}'::status[] FROM t")
    .expect(Hazard::BreaksClients)
    .run()
    .await;
    renames_only(&plan);
}

#[tokio::test]
async fn renames_an_enum_value_in_existing_rows() {
    let plan = case(
        "CREATE TYPE st AS ENUM ('todo', 'done'); CREATE TABLE t (id int, s st)",
        "CREATE TYPE st AS ENUM ('open', 'done'); CREATE TABLE t (id int, s st)",
    )
    .data("INSERT INTO t VALUES (1, 'todo'), (2, 'done'), (3, 'todo')")
    .hint(enum_value("st", "todo", "open"))
    .verify("SELECT count(*) = 2 FROM t WHERE s = 'open'")
    .run()
    .await;
    renames_only(&plan);
}

#[tokio::test]
async fn renames_an_enum_value_used_in_a_default() {
    case(
        "CREATE TYPE st AS ENUM ('todo', 'done'); CREATE TABLE t (id int, s st NOT NULL DEFAULT 'todo')",
        "CREATE TYPE st AS ENUM ('open', 'done'); CREATE TABLE t (id int, s st NOT NULL DEFAULT 'open')",
    )
    .data("INSERT INTO t VALUES (1, DEFAULT)")
    .hint(enum_value("st", "todo", "open"))
    .verify("SELECT s = 'open' FROM t")
    .run()
    .await;
}

#[tokio::test]
async fn renames_an_enum_and_one_of_its_values() {
    let plan = case(
        "CREATE TYPE st AS ENUM ('todo', 'done'); CREATE TABLE t (id int, s st)",
        "CREATE TYPE status AS ENUM ('open', 'done'); CREATE TABLE t (id int, s status)",
    )
    .data("INSERT INTO t VALUES (1, 'todo')")
    .hint(enum_type("st", "status"))
    .hint(enum_value("status", "todo", "open"))
    .verify("SELECT s = 'open'::status FROM t")
    .run()
    .await;
    renames_only(&plan);
}

#[tokio::test]
async fn renames_an_enum_value_and_adds_another() {
    let plan = case(
        "CREATE TYPE st AS ENUM ('todo', 'done'); CREATE TABLE t (id int, s st)",
        "CREATE TYPE st AS ENUM ('open', 'doing', 'done'); CREATE TABLE t (id int, s st)",
    )
    .data("INSERT INTO t VALUES (1, 'todo'), (2, 'done')")
    .hint(enum_value("st", "todo", "open"))
    .verify("SELECT string_agg(s::text, ',' ORDER BY s) = 'open,done' FROM t")
    .run()
    .await;
    renames_only(&plan);
}

// ---- hints already applied ----

#[tokio::test]
async fn a_table_hint_already_applied_plans_nothing() {
    let plan = case("CREATE TABLE b (id int PRIMARY KEY)", "CREATE TABLE b (id int PRIMARY KEY)")
        .hint(table("a", "b"))
        .run()
        .await;
    assert!(plan.is_empty(), "{}", plan.to_sql());
}

#[tokio::test]
async fn a_column_hint_already_applied_leaves_only_the_other_changes() {
    let plan = case("CREATE TABLE t (id int, name text)", "CREATE TABLE t (id int, name text, age int)")
        .data("INSERT INTO t VALUES (1, 'x')")
        .hint(column("t", "nm", "name"))
        .verify("SELECT name = 'x' FROM t")
        .run()
        .await;
    assert_eq!(plan.statements.len(), 1, "{}", plan.to_sql());
    assert!(plan.statements[0].sql.contains("ADD COLUMN"), "{}", plan.to_sql());
}

#[tokio::test]
async fn enum_and_value_hints_already_applied_plan_nothing() {
    let schema = "CREATE TYPE status AS ENUM ('open', 'done'); CREATE TABLE t (s status)";
    let plan = case(schema, schema)
        .hint(enum_type("st", "status"))
        .hint(enum_value("status", "todo", "open"))
        .hint(index("t", "t_old", "t_new"))
        .run()
        .await;
    assert!(plan.is_empty(), "{}", plan.to_sql());
}

// ---- hints that cannot be applied ----

#[tokio::test]
async fn a_table_hint_onto_an_existing_table_is_refused() {
    let both = "CREATE TABLE a (id int); CREATE TABLE b (id int)";
    let result = plan_with(both, "CREATE TABLE b (id int)", table("a", "b")).await;
    assert!(matches!(result, Err(PlanError::Diff(_))), "{result:?}");
}

#[tokio::test]
async fn a_table_hint_onto_an_undeclared_table_is_refused() {
    let result = plan_with("CREATE TABLE a (id int)", "CREATE TABLE c (id int)", table("a", "b")).await;
    assert!(matches!(result, Err(PlanError::Diff(_))), "{result:?}");
}

#[tokio::test]
async fn a_column_hint_onto_an_existing_column_is_refused() {
    let result = plan_with("CREATE TABLE t (a int, b int)", "CREATE TABLE t (b int)", column("t", "a", "b")).await;
    assert!(matches!(result, Err(PlanError::Diff(_))), "{result:?}");
}

#[tokio::test]
async fn an_enum_value_hint_onto_an_existing_value_is_refused() {
    let result =
        plan_with("CREATE TYPE st AS ENUM ('a', 'b')", "CREATE TYPE st AS ENUM ('b')", enum_value("st", "a", "b"))
            .await;
    assert!(matches!(result, Err(PlanError::Diff(_))), "{result:?}");
}

#[tokio::test]
async fn an_enum_hint_onto_an_existing_enum_is_refused() {
    let result = plan_with(
        "CREATE TYPE a AS ENUM ('x'); CREATE TYPE b AS ENUM ('x')",
        "CREATE TYPE b AS ENUM ('x')",
        enum_type("a", "b"),
    )
    .await;
    assert!(matches!(result, Err(PlanError::Diff(_))), "{result:?}");
}
