//! PostgreSQL 18's not-null constraints (`pg_constraint`, contype `n`). The names PostgreSQL chooses
//! (`t_total_not_null`, truncated to 63 bytes, a digit added on a collision, kept when the table or column is
//! renamed) never make a difference, on any version; from 18 on, a name of the user's, `NOT VALID` and
//! `NO INHERIT` are kept and planned.

use crate::harness::{case, database, has, release, skip_below};
use keel_diff::{Hazard, PlanOptions, apply_plan, introspect, plan};
use sqlx::{AssertSqlSafe, PgConnection};

const PG18: i32 = 180000;

fn assert_empty(plan: &keel_diff::Plan) {
    assert!(plan.statements.is_empty(), "expected no difference:\n{}", plan.to_sql());
}

// ---------------------------------------------------------------------------------------------------------
// Generated names: no difference, on every version
// ---------------------------------------------------------------------------------------------------------

#[tokio::test]
async fn names_left_behind_by_renames_make_no_difference() {
    // A's constraints keep the names of the table and columns they were created on (t_n_not_null, ...).
    let plan = case(
        "CREATE TABLE t (id int NOT NULL, n int NOT NULL, m text NOT NULL);
         ALTER TABLE t RENAME TO orders; ALTER TABLE orders RENAME COLUMN n TO total",
        "CREATE TABLE orders (id int NOT NULL, total int NOT NULL, m text NOT NULL)",
    )
    .data("INSERT INTO orders VALUES (1, 2, 'x')")
    .both_ways()
    .run()
    .await;
    assert_empty(&plan);
}

/// 63 bytes: PostgreSQL's longest identifier.
fn long(c: char, last: char) -> String {
    format!("{}{last}", c.to_string().repeat(62))
}

#[tokio::test]
async fn truncated_names_make_no_difference() {
    // `<27 a>_<26 b>_not_null` for each column; the second takes a digit (`..._not_null1`). B declares the
    // columns the other way round, so the digit lands on the other column.
    let (t, b1, b2) = (long('a', 'a'), long('b', '1'), long('b', '2'));
    let plan = case(
        &format!(r#"CREATE TABLE "{t}" ("{b1}" int NOT NULL, "{b2}" int NOT NULL, c int)"#),
        &format!(r#"CREATE TABLE "{t}" (c int, "{b2}" int NOT NULL, "{b1}" int NOT NULL)"#),
    )
    .data(&format!(r#"INSERT INTO "{t}" VALUES (1, 2, 3)"#))
    .run()
    .await;
    assert_empty(&plan);
}

#[tokio::test]
async fn a_name_taken_elsewhere_in_the_schema_makes_no_difference() {
    // In A, t_n_not_null is a check's name, so t.n's not-null constraint is t_n_not_null1 (on 18).
    let plan = case(
        "CREATE TABLE u (x int CONSTRAINT t_n_not_null CHECK (x > 0)); CREATE TABLE t (n int NOT NULL);
         ALTER TABLE u DROP CONSTRAINT t_n_not_null",
        "CREATE TABLE u (x int); CREATE TABLE t (n int NOT NULL)",
    )
    .both_ways()
    .run()
    .await;
    assert_empty(&plan);
}

#[tokio::test]
async fn a_long_table_gains_a_not_null_column() {
    let t = long('t', 't');
    case(
        &format!(r#"CREATE TABLE "{t}" (id int PRIMARY KEY, n int)"#),
        &format!(
            r#"CREATE TABLE "{t}" (id int PRIMARY KEY, n int NOT NULL, "{}" int NOT NULL DEFAULT 0)"#,
            long('c', 'c')
        ),
    )
    .data(&format!(r#"INSERT INTO "{t}" VALUES (1, 1)"#))
    .both_ways()
    .run()
    .await;
}

// ---------------------------------------------------------------------------------------------------------
// Names of the user's (18)
// ---------------------------------------------------------------------------------------------------------

const NAMED: &str = "CREATE TABLE t (id int PRIMARY KEY, total int CONSTRAINT total_required NOT NULL)";

#[tokio::test]
async fn renames_a_named_not_null() {
    let plan = case(NAMED, "CREATE TABLE t (id int PRIMARY KEY, total int CONSTRAINT \"Total present\" NOT NULL)")
        .min_version(PG18)
        .data("INSERT INTO t VALUES (1, 2)")
        .verify("SELECT EXISTS (SELECT FROM pg_constraint WHERE conname = 'Total present' AND contype = 'n')")
        .both_ways()
        .run()
        .await;
    if !plan.statements.is_empty() {
        assert!(has(&plan, r#"RENAME CONSTRAINT "total_required" TO "Total present""#), "{}", plan.to_sql());
        assert_eq!(plan.statements.len(), 1, "{}", plan.to_sql());
    }
}

#[tokio::test]
async fn names_a_not_null_and_gives_the_name_back() {
    // A named one declared plain is renamed to PostgreSQL's name; a plain one named is added again.
    let plan = case("CREATE TABLE t (id int PRIMARY KEY, total int NOT NULL)", NAMED)
        .min_version(PG18)
        .data("INSERT INTO t VALUES (1, 2)")
        .verify("SELECT EXISTS (SELECT FROM pg_constraint WHERE conname = 'total_required' AND contype = 'n')")
        .both_ways()
        .run()
        .await;
    if !plan.statements.is_empty() {
        assert!(has(&plan, r#"ADD CONSTRAINT "total_required" NOT NULL "total""#), "{}", plan.to_sql());
    }
}

#[tokio::test]
async fn names_the_not_null_of_a_primary_key_column() {
    // A primary key column cannot drop its NOT NULL: the constraint is renamed from PostgreSQL's name.
    let plan = case(
        "CREATE TABLE t (id int PRIMARY KEY)",
        "CREATE TABLE t (id int CONSTRAINT id_required NOT NULL, CONSTRAINT t_pkey PRIMARY KEY (id))",
    )
    .min_version(PG18)
    .data("INSERT INTO t VALUES (1)")
    .both_ways()
    .run()
    .await;
    if !plan.statements.is_empty() {
        assert!(has(&plan, r#"RENAME CONSTRAINT "t_id_not_null" TO "id_required""#), "{}", plan.to_sql());
        assert_eq!(plan.statements.len(), 1, "{}", plan.to_sql());
    }
}

#[tokio::test]
async fn adds_a_named_not_null() {
    let plan = case("CREATE TABLE t (id int PRIMARY KEY, total int)", NAMED)
        .min_version(PG18)
        .data("INSERT INTO t VALUES (1, 2)")
        .expect(Hazard::MayFailOnData)
        .both_ways()
        .run()
        .await;
    if !plan.statements.is_empty() {
        assert!(has(&plan, r#"ADD CONSTRAINT "total_required" NOT NULL "total""#), "{}", plan.to_sql());
    }
}

#[tokio::test]
async fn creates_a_table_and_a_column_with_named_not_nulls() {
    case(
        "CREATE TABLE u (id int)",
        r#"CREATE TABLE u (id int, "Note" text CONSTRAINT "note required" NOT NULL DEFAULT '');
           CREATE TABLE t (id int PRIMARY KEY, total int CONSTRAINT total_required NOT NULL NO INHERIT)"#,
    )
    .min_version(PG18)
    .data("INSERT INTO u VALUES (1)")
    .both_ways()
    .run()
    .await;
}

// ---------------------------------------------------------------------------------------------------------
// NOT VALID (18)
// ---------------------------------------------------------------------------------------------------------

const TOTAL: &str = "CREATE TABLE t (id int PRIMARY KEY, total int)";

#[tokio::test]
async fn adds_a_not_valid_not_null_over_nulls() {
    let plan = case(TOTAL, &format!("{TOTAL}; ALTER TABLE t ADD CONSTRAINT total_required NOT NULL total NOT VALID"))
        .min_version(PG18)
        .data("INSERT INTO t VALUES (1, NULL)")
        .verify("SELECT NOT convalidated FROM pg_constraint WHERE conname = 'total_required'")
        .run()
        .await;
    if !plan.statements.is_empty() {
        assert!(has(&plan, r#"NOT NULL "total" NOT VALID"#), "{}", plan.to_sql());
        assert!(!plan.has(Hazard::MayFailOnData), "{}", plan.to_sql());
    }
}

#[tokio::test]
async fn adds_a_column_with_a_not_valid_not_null() {
    case(
        "CREATE TABLE t (id int PRIMARY KEY)",
        "CREATE TABLE t (id int PRIMARY KEY, total int); ALTER TABLE t ADD NOT NULL total NOT VALID",
    )
    .min_version(PG18)
    .data("INSERT INTO t VALUES (1)")
    .run()
    .await;
}

#[tokio::test]
async fn validates_a_named_not_valid_not_null() {
    let plan = case(&format!("{TOTAL}; ALTER TABLE t ADD CONSTRAINT total_required NOT NULL total NOT VALID"), NAMED)
        .min_version(PG18)
        .data("INSERT INTO t VALUES (1, 2)")
        .verify("SELECT convalidated FROM pg_constraint WHERE conname = 'total_required'")
        .run()
        .await;
    if !plan.statements.is_empty() {
        assert!(has(&plan, r#"VALIDATE CONSTRAINT "total_required""#), "{}", plan.to_sql());
        assert_eq!(plan.statements.len(), 1, "{}", plan.to_sql());
        assert!(!plan.has(Hazard::AccessExclusiveLock), "{}", plan.to_sql());
    }
}

#[tokio::test]
async fn validates_a_not_valid_not_null_named_by_postgres() {
    let plan = case(
        &format!("{TOTAL}; ALTER TABLE t ADD NOT NULL total NOT VALID"),
        "CREATE TABLE t (id int PRIMARY KEY, total int NOT NULL)",
    )
    .min_version(PG18)
    .data("INSERT INTO t VALUES (1, 2)")
    .expect(Hazard::MayFailOnData)
    .run()
    .await;
    if !plan.statements.is_empty() {
        assert!(has(&plan, "SET NOT NULL"), "{}", plan.to_sql());
    }
}

// ---------------------------------------------------------------------------------------------------------
// NO INHERIT (18)
// ---------------------------------------------------------------------------------------------------------

#[tokio::test]
async fn makes_a_not_null_no_inherit_and_back() {
    case(
        "CREATE TABLE t (id int PRIMARY KEY, total int NOT NULL)",
        "CREATE TABLE t (id int PRIMARY KEY, total int NOT NULL NO INHERIT)",
    )
    .min_version(PG18)
    .data("INSERT INTO t VALUES (1, 2)")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn makes_a_named_not_null_no_inherit_in_place() {
    let plan =
        case(NAMED, "CREATE TABLE t (id int PRIMARY KEY, total int CONSTRAINT total_required NOT NULL NO INHERIT)")
            .min_version(PG18)
            .data("INSERT INTO t VALUES (1, 2)")
            .both_ways()
            .run()
            .await;
    if !plan.statements.is_empty() {
        assert!(has(&plan, r#"ALTER CONSTRAINT "total_required" NO INHERIT"#), "{}", plan.to_sql());
        assert_eq!(plan.statements.len(), 1, "{}", plan.to_sql());
    }
}

// ---------------------------------------------------------------------------------------------------------
// Validity, as for checks (`validity.rs`)
// ---------------------------------------------------------------------------------------------------------

async fn introspected(sql: &str) -> (keel_test_support::ScratchDatabase, PgConnection, keel_core::model::Schema) {
    let (db, mut conn) = database(sql).await;
    let schema = introspect(&mut conn, None).await.expect("introspect");
    (db, conn, schema)
}

#[tokio::test]
async fn a_valid_not_null_satisfies_a_not_valid_declaration() {
    if skip_below(PG18).await {
        return;
    }
    let (db_a, a, current) = introspected(NAMED).await;
    let (db_b, b, desired) =
        introspected(&format!("{TOTAL}; ALTER TABLE t ADD CONSTRAINT total_required NOT NULL total NOT VALID")).await;
    let column = desired.table("public", "t").and_then(|t| t.column("total")).expect("t.total");
    assert!(column.not_null.not_valid && !column.nullable, "{column:?}");
    let planned = plan(&current, &desired, &PlanOptions::default()).expect("plan");
    assert!(planned.is_empty(), "{}", planned.to_sql());
    drop((a, b));
    release(db_a).await;
    release(db_b).await;
}

#[tokio::test]
async fn a_failed_online_validate_is_validated_by_the_next_plan() {
    if skip_below(PG18).await {
        return;
    }
    let (db_a, mut a, current) = introspected(&format!("{TOTAL}; INSERT INTO t VALUES (1, NULL)")).await;
    let (db_b, b, desired) = introspected(NAMED).await;
    let online = PlanOptions { online: true, ..PlanOptions::default() };
    let first = plan(&current, &desired, &online).expect("plan");
    assert!(apply_plan(&mut a, &first).await.is_err(), "the VALIDATE must fail:\n{}", first.to_sql());
    // The NOT VALID constraint was committed before the VALIDATE failed.
    let left = introspect(&mut a, None).await.expect("introspect");
    let column = left.table("public", "t").and_then(|t| t.column("total")).expect("t.total");
    assert!(column.not_null.not_valid, "{column:?}");

    sqlx::raw_sql(AssertSqlSafe("UPDATE t SET total = 0")).execute(&mut a).await.expect("fix the row");
    let second = plan(&left, &desired, &online).expect("plan");
    assert_eq!(second.statements.len(), 1, "{}", second.to_sql());
    assert!(has(&second, r#"VALIDATE CONSTRAINT "total_required""#), "{}", second.to_sql());
    apply_plan(&mut a, &second).await.expect("validate");
    let after = introspect(&mut a, None).await.expect("introspect");
    assert_eq!(after.table("public", "t"), desired.table("public", "t"));
    assert!(plan(&after, &desired, &online).expect("plan").is_empty());
    drop((a, b));
    release(db_a).await;
    release(db_b).await;
}
