//! Online plans: `CONCURRENTLY` indexes in their own non-transactional units, constraints added
//! `NOT VALID` and validated after, `SET NOT NULL` through a validated check, unique keys attached from a
//! concurrently built index, and `SET lock_timeout`.

use crate::direct::Pair;
use crate::harness::{case, position};
use keel_diff::{Hazard, Plan, PlanOptions, Statement};
use std::time::Duration;

const USERS: &str = "CREATE TABLE users (id int PRIMARY KEY, email text, name text, age int);";
const USER_ROWS: &str = "INSERT INTO users VALUES (1, 'a@x', 'Ann', 30), (2, 'b@x', 'Bob', 40), (3, 'c@x', NULL, NULL)";

/// The only statement whose SQL contains `needle`.
fn statement<'p>(plan: &'p Plan, needle: &str) -> &'p Statement {
    let found: Vec<&Statement> = plan.statements.iter().filter(|s| s.sql.contains(needle)).collect();
    assert_eq!(found.len(), 1, "one statement with {needle:?} expected in:\n{}", plan.to_sql());
    found[0]
}

/// Units cover every statement once, in order, and each unit only holds statements of its kind.
fn assert_units_consistent(plan: &Plan) {
    let units = plan.units();
    let flat: Vec<usize> = units.iter().flat_map(|u| u.statements.iter().copied()).collect();
    assert_eq!(flat, (0..plan.statements.len()).collect::<Vec<_>>(), "units out of order:\n{}", plan.to_sql());
    for unit in &units {
        for &i in &unit.statements {
            assert_eq!(plan.statements[i].transactional, unit.transactional, "unit mixes kinds:\n{}", plan.to_sql());
        }
    }
    for pair in units.windows(2) {
        if pair[0].transactional != pair[1].transactional {
            continue;
        }
        // Two units of the same kind in a row only when the first must commit (enum values).
        assert!(pair[0].transactional, "two non-transactional units in a row:\n{}", plan.to_sql());
    }
}

#[tokio::test]
async fn creates_an_index_concurrently_on_an_existing_table() {
    let plan = case(USERS, &format!("{USERS} CREATE INDEX users_name_idx ON users (name)"))
        .data(USER_ROWS)
        .verify("SELECT count(*) = 3 FROM users")
        .online()
        .both_ways()
        .run()
        .await;
    let create = statement(&plan, "CREATE INDEX");
    assert!(create.sql.contains("CONCURRENTLY"), "{}", plan.to_sql());
    assert!(!create.transactional, "{}", plan.to_sql());
    let units = plan.units();
    assert_eq!(units.len(), 1, "{}", plan.to_sql());
    assert!(!units[0].transactional, "{}", plan.to_sql());
    assert_units_consistent(&plan);
}

#[tokio::test]
async fn drops_an_index_concurrently() {
    let plan = case(&format!("{USERS} CREATE INDEX users_name_idx ON users (name)"), USERS)
        .data(USER_ROWS)
        .verify("SELECT count(*) = 3 FROM users")
        .online()
        .run()
        .await;
    let drop = statement(&plan, "DROP INDEX");
    assert!(drop.sql.contains("DROP INDEX CONCURRENTLY"), "{}", plan.to_sql());
    assert!(!drop.transactional, "{}", plan.to_sql());
    assert!(!drop.hazards.contains(&Hazard::AccessExclusiveLock), "{}", plan.to_sql());
}

#[tokio::test]
async fn creates_a_unique_partial_expression_index_concurrently() {
    let plan = case(
        USERS,
        &format!("{USERS} CREATE UNIQUE INDEX users_email_lower ON users (lower(email)) WHERE email IS NOT NULL"),
    )
    .data(USER_ROWS)
    .online()
    .both_ways()
    .run()
    .await;
    let create = statement(&plan, "CREATE UNIQUE INDEX");
    assert!(create.sql.contains("CONCURRENTLY") && !create.transactional, "{}", plan.to_sql());
    assert!(create.hazards.contains(&Hazard::MayFailOnData), "{}", plan.to_sql());
}

#[tokio::test]
async fn replaces_an_index_of_the_same_name_concurrently() {
    let plan = case(
        &format!("{USERS} CREATE INDEX users_lookup ON users (name)"),
        &format!("{USERS} CREATE INDEX users_lookup ON users (name, age)"),
    )
    .data(USER_ROWS)
    .online()
    .both_ways()
    .run()
    .await;
    assert!(
        position(&plan, "DROP INDEX CONCURRENTLY") < position(&plan, "CREATE INDEX CONCURRENTLY"),
        "{}",
        plan.to_sql()
    );
    assert!(plan.statements.iter().all(|s| !s.transactional), "{}", plan.to_sql());
    assert_units_consistent(&plan);
}

#[tokio::test]
async fn adds_a_check_not_valid_then_validates_it() {
    let plan = case(USERS, &format!("{USERS} ALTER TABLE users ADD CONSTRAINT adult CHECK (age >= 18)"))
        .data(USER_ROWS)
        .verify("SELECT convalidated FROM pg_constraint WHERE conname = 'adult'")
        .online()
        .both_ways()
        .run()
        .await;
    assert_eq!(plan.statements.len(), 2, "{}", plan.to_sql());
    assert!(plan.statements[0].sql.ends_with("NOT VALID"), "{}", plan.to_sql());
    assert!(plan.statements[1].sql.contains("VALIDATE CONSTRAINT"), "{}", plan.to_sql());
    assert!(plan.statements[1].hazards.contains(&Hazard::MayFailOnData), "{}", plan.to_sql());
    assert!(!plan.statements[0].hazards.contains(&Hazard::MayFailOnData), "{}", plan.to_sql());
}

#[tokio::test]
async fn adds_a_foreign_key_not_valid_then_validates_it() {
    let tables = "CREATE TABLE parent (id int PRIMARY KEY);";
    let plan = case(
        &format!("{tables} CREATE TABLE child (id int PRIMARY KEY, parent_id int)"),
        &format!("{tables} CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent)"),
    )
    .data("INSERT INTO parent VALUES (1); INSERT INTO child VALUES (1, 1), (2, NULL)")
    .verify("SELECT bool_and(convalidated) FROM pg_constraint WHERE conrelid = 'child'::regclass AND contype = 'f'")
    .online()
    .both_ways()
    .run()
    .await;
    assert_eq!(plan.statements.len(), 2, "{}", plan.to_sql());
    assert!(plan.statements[0].sql.contains("FOREIGN KEY") && plan.statements[0].sql.ends_with("NOT VALID"));
    assert!(plan.statements[1].sql.contains("VALIDATE CONSTRAINT"), "{}", plan.to_sql());
    assert!(plan.statements.iter().all(|s| s.transactional), "{}", plan.to_sql());
}

#[tokio::test]
async fn sets_not_null_through_a_validated_check() {
    let plan = case(USERS, &USERS.replace("email text", "email text NOT NULL"))
        .data(USER_ROWS)
        .verify("SELECT NOT EXISTS (SELECT FROM pg_constraint WHERE conrelid = 'users'::regclass AND contype = 'c')")
        .online()
        .both_ways()
        .run()
        .await;
    let order = ["CHECK", "VALIDATE CONSTRAINT", "SET NOT NULL", "DROP CONSTRAINT"].map(|n| position(&plan, n));
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{}", plan.to_sql());
    assert!(statement(&plan, "CHECK").sql.ends_with("NOT VALID"), "{}", plan.to_sql());
}

#[tokio::test]
async fn adds_a_unique_constraint_through_a_concurrent_index() {
    let plan = case(USERS, &format!("{USERS} ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email)"))
        .data(USER_ROWS)
        .verify("SELECT count(*) = 3 FROM users")
        .online()
        .both_ways()
        .run()
        .await;
    let build = position(&plan, "CREATE UNIQUE INDEX CONCURRENTLY");
    let attach = position(&plan, "UNIQUE USING INDEX");
    assert!(build < attach, "{}", plan.to_sql());
    assert!(!plan.statements[build].transactional && plan.statements[attach].transactional, "{}", plan.to_sql());
    assert_units_consistent(&plan);
}

#[tokio::test]
async fn adds_a_primary_key_through_a_concurrent_index() {
    let table = "CREATE TABLE t (id int NOT NULL, v text);";
    let plan = case(table, &format!("{table} ALTER TABLE t ADD PRIMARY KEY (id)"))
        .data("INSERT INTO t VALUES (1, 'a'), (2, 'b')")
        .verify("SELECT count(*) = 2 FROM t")
        .online()
        .both_ways()
        .run()
        .await;
    let build = position(&plan, "CREATE UNIQUE INDEX CONCURRENTLY");
    let attach = position(&plan, "PRIMARY KEY USING INDEX");
    assert!(build < attach, "{}", plan.to_sql());
    assert!(!plan.statements[build].transactional, "{}", plan.to_sql());
}

/// A key replaced by one of the same name: the new index is built under a temporary name while the old key
/// still holds, and the old key is dropped in the transaction that attaches the new one, so the table is
/// never without its key.
#[tokio::test]
async fn replaces_a_primary_key_without_a_window_without_it() {
    let plan = case(
        "CREATE TABLE t (a int NOT NULL, b int NOT NULL, v text, PRIMARY KEY (a))",
        "CREATE TABLE t (a int NOT NULL, b int NOT NULL, v text, PRIMARY KEY (a, b))",
    )
    .data("INSERT INTO t VALUES (1, 1, 'x'), (2, 1, 'y')")
    .verify("SELECT count(*) = 2 FROM t")
    .verify("SELECT array_length(conkey, 1) = 2 FROM pg_constraint WHERE conrelid = 't'::regclass AND contype = 'p'")
    .online()
    .both_ways()
    .run()
    .await;
    let build = position(&plan, "CREATE UNIQUE INDEX CONCURRENTLY \"t_pkey_new\"");
    let drop = position(&plan, "DROP CONSTRAINT \"t_pkey\"");
    let attach = position(&plan, "PRIMARY KEY USING INDEX \"t_pkey_new\"");
    assert!(build < drop && drop < attach, "{}", plan.to_sql());
    let units = plan.units();
    let unit_of = |i: usize| units.iter().position(|u| u.statements.contains(&i));
    assert_eq!(unit_of(drop), unit_of(attach), "drop and attach commit together:\n{}", plan.to_sql());
    assert_units_consistent(&plan);
}

#[tokio::test]
async fn replaces_a_primary_key_when_the_temporary_name_is_taken() {
    let other = "CREATE INDEX t_pkey_new ON t (v);";
    let plan = case(
        &format!("CREATE TABLE t (a int NOT NULL, b int NOT NULL, v text, PRIMARY KEY (a)); {other}"),
        &format!("CREATE TABLE t (a int NOT NULL, b int NOT NULL, v text, PRIMARY KEY (a, b)); {other}"),
    )
    .data("INSERT INTO t VALUES (1, 1, 'x'), (2, 1, 'y')")
    .verify("SELECT count(*) = 2 FROM t")
    .online()
    .run()
    .await;
    statement(&plan, "CREATE UNIQUE INDEX CONCURRENTLY \"t_pkey_new2\"");
}

#[tokio::test]
async fn adds_a_primary_key_on_a_nullable_column_online() {
    let plan = case("CREATE TABLE t (id int, v text)", "CREATE TABLE t (id int PRIMARY KEY, v text)")
        .data("INSERT INTO t VALUES (1, 'a'), (2, 'b')")
        .verify("SELECT count(*) = 2 FROM t")
        .online()
        .both_ways()
        .run()
        .await;
    assert!(plan.statements.iter().any(|s| s.sql.contains("CONCURRENTLY")), "{}", plan.to_sql());
    assert_units_consistent(&plan);
}

#[tokio::test]
async fn a_new_table_gets_no_concurrent_index_and_no_not_valid() {
    let plan = case(
        "CREATE TABLE parent (id int PRIMARY KEY)",
        "CREATE TABLE parent (id int PRIMARY KEY);
         CREATE TABLE child (id int PRIMARY KEY, parent_id int NOT NULL REFERENCES parent, n int CHECK (n > 0),
                             code text UNIQUE);
         CREATE INDEX child_parent ON child (parent_id);",
    )
    .data("INSERT INTO parent VALUES (1)")
    .online()
    .both_ways()
    .run()
    .await;
    for s in &plan.statements {
        assert!(!s.sql.contains("CONCURRENTLY") && !s.sql.contains("NOT VALID"), "{}", plan.to_sql());
        assert!(s.transactional, "{}", plan.to_sql());
    }
    assert_eq!(plan.units().len(), 1, "{}", plan.to_sql());
}

#[tokio::test]
async fn an_index_on_a_new_column_comes_after_the_column() {
    let plan =
        case(USERS, &format!("{USERS} ALTER TABLE users ADD COLUMN team int; CREATE INDEX users_team ON users (team)"))
            .data(USER_ROWS)
            .verify("SELECT count(*) = 3 FROM users")
            .online()
            .both_ways()
            .run()
            .await;
    let units = plan.units();
    assert_eq!(units.len(), 2, "{}", plan.to_sql());
    assert!(units[0].transactional && !units[1].transactional, "{}", plan.to_sql());
    assert!(position(&plan, "ADD COLUMN") < position(&plan, "CREATE INDEX CONCURRENTLY"), "{}", plan.to_sql());
}

#[tokio::test]
async fn a_mixed_plan_groups_statements_into_ordered_units() {
    let plan = case(
        USERS,
        &format!(
            "{USERS} ALTER TABLE users ADD COLUMN team int;
             ALTER TABLE users ADD CONSTRAINT age_ok CHECK (age > 0);
             CREATE INDEX users_name ON users (name); CREATE INDEX users_email ON users (email);
             CREATE TABLE team (id int PRIMARY KEY);"
        ),
    )
    .data(USER_ROWS)
    .verify("SELECT count(*) = 3 FROM users")
    .online()
    .both_ways()
    .run()
    .await;
    assert_units_consistent(&plan);
    let units = plan.units();
    assert!(units.iter().any(|u| u.transactional), "{}", plan.to_sql());
    assert!(units.iter().any(|u| !u.transactional), "{}", plan.to_sql());
    let concurrent = plan.statements.iter().filter(|s| s.sql.contains("CONCURRENTLY")).count();
    assert_eq!(concurrent, 2, "{}", plan.to_sql());
}

#[tokio::test]
async fn a_unique_constraint_and_a_foreign_key_using_it_online() {
    let plan = case(
        "CREATE TABLE parent (id int PRIMARY KEY, code text NOT NULL);
         CREATE TABLE child (id int PRIMARY KEY, parent_code text);",
        "CREATE TABLE parent (id int PRIMARY KEY, code text NOT NULL UNIQUE);
         CREATE TABLE child (id int PRIMARY KEY, parent_code text REFERENCES parent (code));",
    )
    .data("INSERT INTO parent VALUES (1, 'a'); INSERT INTO child VALUES (1, 'a')")
    .verify("SELECT count(*) = 1 FROM child")
    .online()
    .both_ways()
    .run()
    .await;
    assert!(position(&plan, "USING INDEX") < position(&plan, "FOREIGN KEY"), "{}", plan.to_sql());
    assert_units_consistent(&plan);
}

#[tokio::test]
async fn online_is_ignored_for_statements_that_have_no_online_form() {
    let plan = case(USERS, &USERS.replace("name text", "name varchar(100)").replace("age int", "age bigint"))
        .data(USER_ROWS)
        .verify("SELECT count(*) = 3 FROM users")
        .online()
        .both_ways()
        .run()
        .await;
    assert!(plan.statements.iter().all(|s| s.transactional), "{}", plan.to_sql());
}

#[tokio::test]
async fn lock_timeout_is_set_at_the_start_of_each_unit() {
    let b = format!("{USERS} CREATE INDEX users_name ON users (name); ALTER TABLE users ADD COLUMN team int;");
    let mut pair = Pair::new(&format!("{USERS} {USER_ROWS}"), &b).await;
    let options =
        PlanOptions { online: true, lock_timeout: Some(Duration::from_millis(2500)), ..PlanOptions::default() };
    let plan = pair.plan(options).await;
    assert_eq!(plan.lock_timeout_ms, Some(2500));
    assert_eq!(plan.lock_timeout_sql().as_deref(), Some("SET lock_timeout = '2500ms'"));
    let sql = plan.to_sql();
    assert!(sql.contains("SET lock_timeout"), "{sql}");
    assert_eq!(sql.matches("SET lock_timeout = '2500ms';").count(), plan.units().len(), "{sql}");
    assert_eq!(plan.units().len(), 2, "{sql}");
    pair.apply_and_converge(&plan).await;
    assert!(pair.check_a("SELECT count(*) = 3 FROM users").await);
    pair.drop().await;
}

#[tokio::test]
async fn no_lock_timeout_unless_asked() {
    let mut pair = Pair::new(USERS, &format!("{USERS} CREATE INDEX users_name ON users (name)")).await;
    let plan = pair.plan(PlanOptions::default()).await;
    assert_eq!(plan.lock_timeout_ms, None);
    assert!(!plan.to_sql().contains("lock_timeout"), "{}", plan.to_sql());
    pair.apply_and_converge(&plan).await;
    pair.drop().await;
}

#[tokio::test]
async fn dropping_a_table_online_drops_its_indexes_with_it() {
    let plan = case(&format!("{USERS} CREATE INDEX users_name ON users (name)"), "")
        .data(USER_ROWS)
        .expect(Hazard::DeletesData)
        .online()
        .both_ways()
        .run()
        .await;
    assert!(!plan.to_sql().contains("DROP INDEX"), "{}", plan.to_sql());
}

#[tokio::test]
async fn drops_a_foreign_key_and_then_its_unique_index_concurrently() {
    let parent = "CREATE TABLE parent (id int PRIMARY KEY, code text NOT NULL);";
    let plan = case(
        &format!(
            "{parent} CREATE UNIQUE INDEX parent_code_idx ON parent (code);
             CREATE TABLE child (id int PRIMARY KEY, parent_code text REFERENCES parent (code));"
        ),
        &format!("{parent} CREATE TABLE child (id int PRIMARY KEY, parent_code text);"),
    )
    .data("INSERT INTO parent VALUES (1, 'a'); INSERT INTO child VALUES (1, 'a')")
    .verify("SELECT count(*) = 1 FROM child")
    .online()
    .both_ways()
    .run()
    .await;
    assert!(position(&plan, "DROP CONSTRAINT") < position(&plan, "DROP INDEX CONCURRENTLY"), "{}", plan.to_sql());
    assert_units_consistent(&plan);
}

#[tokio::test]
async fn an_exclusion_constraint_online_converges() {
    let table = "CREATE EXTENSION btree_gist; CREATE TABLE booking (id int PRIMARY KEY, room int, during tsrange";
    case(&format!("{table})"), &format!("{table}, EXCLUDE USING gist (room WITH =, during WITH &&))"))
        .data("INSERT INTO booking VALUES (1, 1, '[2024-01-01, 2024-01-02)')")
        .verify("SELECT count(*) = 1 FROM booking")
        .online()
        .both_ways()
        .run()
        .await;
}
