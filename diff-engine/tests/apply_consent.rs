//! Applying a measured plan against a real PostgreSQL: the consent is for the measured counts. Values
//! committed by another session between measuring and applying make the apply stop with nothing changed;
//! a statement that cannot get its lock within the lock timeout names the session holding it.

use keel_diff::{Plan, PlanOptions, apply_plan, introspect, measure_data_loss, plan};
use keel_test_support::{ScratchDatabase, shared_server};
use sqlx::{AssertSqlSafe, Connection, PgConnection};
use std::time::Duration;

async fn database(sql: &str) -> (ScratchDatabase, PgConnection) {
    let server = shared_server().unwrap_or_else(|e| panic!("no PostgreSQL: {e}"));
    let database = server.create_database().await.expect("create a scratch database");
    let mut conn = database.connect().await.expect("connect");
    sqlx::raw_sql(AssertSqlSafe(sql.to_string())).execute(&mut conn).await.expect("set up");
    (database, conn)
}

async fn exec(conn: &mut PgConnection, sql: &str) {
    sqlx::raw_sql(AssertSqlSafe(sql.to_string())).execute(conn).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
}

async fn int(conn: &mut PgConnection, sql: &str) -> i64 {
    sqlx::query_scalar(AssertSqlSafe(sql.to_string())).fetch_one(conn).await.unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// The plan turning the database `a` into the schema `b_sql`, measured on `a`.
async fn measured_plan(a: &mut PgConnection, b_sql: &str) -> Plan {
    let (b_db, mut b) = database(b_sql).await;
    let current = introspect(a, None).await.expect("introspect A");
    let desired = introspect(&mut b, None).await.expect("introspect B");
    b.close().await.expect("close B");
    b_db.drop_database().await.expect("drop B");
    let mut planned = plan(&current, &desired, &PlanOptions::default()).expect("plan");
    measure_data_loss(a, &mut planned).await.expect("measure");
    planned
}

/// A second session on the same database.
async fn other_session(database: &ScratchDatabase, application: &str) -> PgConnection {
    let mut conn = database.connect().await.expect("connect a second session");
    exec(&mut conn, &format!("SET application_name = '{application}'")).await;
    conn
}

/// Waits (bounded) until some session of this database waits for a lock.
async fn until_someone_waits_for_a_lock(conn: &mut PgConnection) {
    for _ in 0..500 {
        let waiting = int(
            conn,
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
        )
        .await;
        if waiting > 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("nobody started waiting for a lock within 10 seconds");
}

const TABLE_WITH_C: &str = "CREATE TABLE t (id int PRIMARY KEY, c text)";
const TABLE_WITHOUT_C: &str = "CREATE TABLE t (id int PRIMARY KEY)";
const FILL_C: &str = "INSERT INTO t SELECT i, 'value ' || i FROM generate_series(1, 100) i";

#[tokio::test]
async fn values_committed_after_measuring_stop_the_apply() {
    let (database, mut a) = database(TABLE_WITH_C).await;
    let planned = measured_plan(&mut a, TABLE_WITHOUT_C).await;
    let measured: Vec<_> = planned.statements.iter().filter_map(|s| s.data_loss).collect();
    assert_eq!(measured, [0], "the drop is measured, empty:\n{}", planned.to_sql());

    let mut other = other_session(&database, "filler").await;
    exec(&mut other, FILL_C).await;

    let error = apply_plan(&mut a, &planned).await.expect_err("the count grew: the apply must stop");
    let message = error.to_string();
    assert!(message.contains("drop column public.t.c: 100 non-null values now, 0 when you agreed"), "{message}");
    assert_eq!(int(&mut a, "SELECT count(c) FROM t").await, 100, "the column and its values stay");
    other.close().await.expect("close");
    a.close().await.expect("close");
    database.drop_database().await.expect("drop");
}

#[tokio::test]
async fn a_count_that_did_not_grow_applies() {
    let (database, mut a) = database(&format!("{TABLE_WITH_C}; {FILL_C}")).await;
    let planned = measured_plan(&mut a, TABLE_WITHOUT_C).await;
    let mut other = other_session(&database, "emptier").await;
    exec(&mut other, "UPDATE t SET c = NULL WHERE id <= 50").await;

    apply_plan(&mut a, &planned).await.expect("fewer values than agreed to: applies");
    assert_eq!(int(&mut a, "SELECT count(*) FROM information_schema.columns WHERE column_name = 'c'").await, 0);
    assert_eq!(int(&mut a, "SELECT count(*) FROM t").await, 100, "dropping a column keeps the rows");
    other.close().await.expect("close");
    a.close().await.expect("close");
    database.drop_database().await.expect("drop");
}

/// The reported race: another transaction fills the column while the apply waits for its lock, and
/// commits just before the apply gets it.
#[tokio::test]
async fn values_committed_while_the_apply_waits_for_its_lock_stop_it() {
    let (database, mut a) = database(TABLE_WITH_C).await;
    let planned = measured_plan(&mut a, TABLE_WITHOUT_C).await;
    let mut other = other_session(&database, "filler").await;
    exec(&mut other, "BEGIN").await;
    exec(&mut other, FILL_C).await;

    let apply = tokio::spawn(async move {
        let result = apply_plan(&mut a, &planned).await;
        (result, a)
    });
    until_someone_waits_for_a_lock(&mut other_session(&database, "watcher").await).await;
    exec(&mut other, "COMMIT").await;
    let (result, mut a) = apply.await.expect("the apply task");

    let error = result.expect_err("values were committed before the drop got its lock: the apply must stop");
    assert!(error.to_string().contains("100 non-null values now, 0 when you agreed"), "{error}");
    assert_eq!(int(&mut a, "SELECT count(c) FROM t").await, 100, "the column and its values stay");
    other.close().await.expect("close");
    a.close().await.expect("close");
    database.drop_database().await.expect("drop");
}

/// A plan of two units (an enum value must be committed before use): the counts of every unit are taken
/// again in the first one, so a grown count stops the apply before anything is committed.
#[tokio::test]
async fn a_grown_count_in_a_later_unit_stops_the_apply_before_the_first_commits() {
    let before = "CREATE TYPE mood AS ENUM ('a'); CREATE TABLE t (id int PRIMARY KEY, c text, m mood)";
    let after = "CREATE TYPE mood AS ENUM ('a', 'b'); CREATE TABLE t (id int PRIMARY KEY, m mood)";
    let (database, mut a) = database(before).await;
    let planned = measured_plan(&mut a, after).await;
    assert!(planned.units().len() > 1, "two units:\n{}", planned.to_sql());

    let mut other = other_session(&database, "filler").await;
    exec(&mut other, FILL_C).await;

    let error = apply_plan(&mut a, &planned).await.expect_err("the count grew: the apply must stop");
    assert!(error.to_string().contains("100 non-null values now, 0 when you agreed"), "{error}");
    assert_eq!(int(&mut a, "SELECT count(c) FROM t").await, 100, "the column and its values stay");
    assert_eq!(int(&mut a, "SELECT count(*) FROM unnest(enum_range(NULL::mood))").await, 1, "no value added");
    other.close().await.expect("close");
    a.close().await.expect("close");
    database.drop_database().await.expect("drop");
}

#[tokio::test]
async fn a_grown_count_stops_the_apply_before_a_first_unit_without_a_transaction() {
    let before = "CREATE TABLE t (id int PRIMARY KEY, c text, n int)";
    let after = "CREATE TABLE t (id int PRIMARY KEY, n int); CREATE INDEX idx_t_n ON t (n)";
    let (database, mut a) = database(before).await;
    let (b_db, mut b) = self::database(after).await;
    let current = introspect(&mut a, None).await.expect("introspect A");
    let desired = introspect(&mut b, None).await.expect("introspect B");
    b.close().await.expect("close B");
    b_db.drop_database().await.expect("drop B");
    let mut planned = plan(&current, &desired, &PlanOptions { online: true, ..PlanOptions::default() }).expect("plan");
    measure_data_loss(&mut a, &mut planned).await.expect("measure");
    assert!(!planned.units()[0].transactional, "CONCURRENTLY first:\n{}", planned.to_sql());

    let mut other = other_session(&database, "filler").await;
    exec(&mut other, FILL_C).await;

    let error = apply_plan(&mut a, &planned).await.expect_err("the count grew: the apply must stop");
    assert!(error.to_string().contains("100 non-null values now, 0 when you agreed"), "{error}");
    assert_eq!(int(&mut a, "SELECT count(*) FROM pg_indexes WHERE indexname = 'idx_t_n'").await, 0, "no index built");
    assert_eq!(int(&mut a, "SELECT count(c) FROM t").await, 100, "the column and its values stay");
    other.close().await.expect("close");
    a.close().await.expect("close");
    database.drop_database().await.expect("drop");
}

#[tokio::test]
async fn a_lock_timeout_names_the_session_holding_the_lock() {
    let (database, mut a) = database(TABLE_WITH_C).await;
    let mut planned = measured_plan(&mut a, TABLE_WITHOUT_C).await;
    planned.lock_timeout_ms = Some(200);
    let mut holder = other_session(&database, "lock-holder").await;
    let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()").fetch_one(&mut holder).await.expect("pid");
    exec(&mut holder, "BEGIN; LOCK TABLE t IN ACCESS SHARE MODE").await;

    let error = apply_plan(&mut a, &planned).await.expect_err("the lock is held: the apply must time out");
    let message = error.to_string();
    assert!(message.contains(&format!("pid {pid}")), "{message}");
    assert!(message.contains("lock-holder"), "{message}");
    exec(&mut holder, "ROLLBACK").await;
    assert_eq!(int(&mut a, "SELECT count(*) FROM information_schema.columns WHERE column_name = 'c'").await, 1);
    holder.close().await.expect("close");
    a.close().await.expect("close");
    database.drop_database().await.expect("drop");
}

#[tokio::test]
async fn a_lock_timeout_of_a_statement_that_deletes_nothing_names_the_holder() {
    let (database, mut a) = database(TABLE_WITHOUT_C).await;
    let mut planned = measured_plan(&mut a, TABLE_WITH_C).await;
    planned.lock_timeout_ms = Some(200);
    let mut holder = other_session(&database, "reader").await;
    let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()").fetch_one(&mut holder).await.expect("pid");
    exec(&mut holder, "BEGIN; SELECT count(*) FROM t").await;

    let error = apply_plan(&mut a, &planned).await.expect_err("the lock is held: the apply must time out");
    let message = error.to_string();
    assert!(message.contains(&format!("held by pid {pid} (application \"reader\")")), "{message}");
    exec(&mut holder, "ROLLBACK").await;
    holder.close().await.expect("close");
    a.close().await.expect("close");
    database.drop_database().await.expect("drop");
}
