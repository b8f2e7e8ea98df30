//! Extended statistics (`CREATE STATISTICS`): created and dropped in every shape (kinds, expressions, another
//! schema, quoted names), redefined under the same name, retargeted and commented in place, and kept in step
//! with the table and columns they cover.

use crate::harness::{case, has, position, skip_below};
use keel_diff::{Plan, Rename};

const USERS: &str = "CREATE TABLE users (id int PRIMARY KEY, email text, name text, zip text, city text);";
const USER_ROWS: &str =
    "INSERT INTO users VALUES (1, 'a@x.org', 'Ann', '10115', 'Berlin'), (2, NULL, NULL, NULL, NULL)";

/// A `users` table with rows in A, and `statistics` (SQL) only in B; run both ways.
async fn statistics_on_users(statistics: &str) -> Plan {
    case(USERS, &format!("{USERS} {statistics}"))
        .data(USER_ROWS)
        .verify("SELECT count(*) = 2 FROM users")
        .both_ways()
        .run()
        .await
}

#[tokio::test]
async fn creates_and_drops_statistics_of_every_kind() {
    let plan = statistics_on_users("CREATE STATISTICS users_zip_city ON zip, city FROM users").await;
    assert_eq!(plan.statements.len(), 1, "{}", plan.to_sql());
    assert!(plan.statements.iter().all(|s| s.hazards.is_empty()), "statistics hold no values:\n{}", plan.to_sql());
}

#[tokio::test]
async fn creates_and_drops_statistics_of_some_kinds() {
    statistics_on_users("CREATE STATISTICS users_zip_city (ndistinct, dependencies) ON zip, city FROM users").await;
    statistics_on_users("CREATE STATISTICS users_zip_city (mcv) ON city, zip, name FROM users").await;
}

#[tokio::test]
async fn creates_and_drops_statistics_on_expressions() {
    // Statistics on expressions are PostgreSQL 14's.
    if skip_below(140000).await {
        return;
    }
    statistics_on_users("CREATE STATISTICS users_email_lower ON (lower(email)) FROM users").await;
    statistics_on_users("CREATE STATISTICS users_mixed (ndistinct) ON (lower(email)), zip, (id % 10) FROM users").await;
}

#[tokio::test]
async fn creates_statistics_in_another_schema_than_their_table() {
    case(
        &format!("{USERS} CREATE SCHEMA stats;"),
        &format!("{USERS} CREATE SCHEMA stats; CREATE STATISTICS stats.users_zip_city ON zip, city FROM users"),
    )
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn creates_statistics_with_quoted_and_unicode_names() {
    let table = r#"CREATE TABLE "Üsers ""x""" ("Zip Code" text, "city;--" text, "ort" text);"#;
    case(
        table,
        &format!(
            r#"{table} CREATE STATISTICS "stat ""ü"" ; drop" (dependencies) ON "Zip Code", "city;--" FROM "Üsers ""x""""#
        ),
    )
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn redefined_statistics_are_dropped_then_created() {
    let plan = case(
        &format!("{USERS} CREATE STATISTICS users_geo ON zip, city FROM users"),
        &format!("{USERS} CREATE STATISTICS users_geo (mcv) ON zip, city, name FROM users"),
    )
    .data(USER_ROWS)
    .both_ways()
    .run()
    .await;
    assert!(position(&plan, "DROP STATISTICS") < position(&plan, "CREATE STATISTICS"), "{}", plan.to_sql());
}

#[tokio::test]
async fn retargets_and_comments_statistics_in_place() {
    let plan = case(
        &format!("{USERS} CREATE STATISTICS users_geo ON zip, city FROM users"),
        &format!(
            "{USERS} CREATE STATISTICS users_geo ON zip, city FROM users; \
             ALTER STATISTICS users_geo SET STATISTICS 500; COMMENT ON STATISTICS users_geo IS 'it''s geo'"
        ),
    )
    .both_ways()
    .run()
    .await;
    assert!(!has(&plan, "DROP STATISTICS"), "a target or comment is changed in place:\n{}", plan.to_sql());
}

#[tokio::test]
async fn statistics_go_with_their_table() {
    case(&format!("{USERS} CREATE STATISTICS users_geo ON zip, city FROM users"), "").both_ways().run().await;
}

#[tokio::test]
async fn statistics_follow_a_dropped_column() {
    // PostgreSQL keeps statistics that still cover two columns after one is dropped; keel recreates them
    // as declared either way.
    case(
        &format!("{USERS} CREATE STATISTICS users_geo ON zip, city, name FROM users"),
        "CREATE TABLE users (id int PRIMARY KEY, email text, zip text, city text);
         CREATE STATISTICS users_geo ON zip, city FROM users",
    )
    .data(USER_ROWS)
    .run()
    .await;
    case(
        &format!("{USERS} CREATE STATISTICS users_geo ON zip, city FROM users"),
        "CREATE TABLE users (id int PRIMARY KEY, email text, name text);",
    )
    .data(USER_ROWS)
    .run()
    .await;
}

#[tokio::test]
async fn statistics_survive_a_column_type_change() {
    case(
        &format!("{USERS} CREATE STATISTICS users_geo ON zip, city FROM users"),
        "CREATE TABLE users (id int PRIMARY KEY, email text, name text, zip varchar(10), city text);
         CREATE STATISTICS users_geo ON zip, city FROM users",
    )
    .data(USER_ROWS)
    .verify("SELECT zip = '10115' FROM users WHERE id = 1")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn statistics_on_a_new_column_come_after_it() {
    let plan = case(
        "CREATE TABLE users (id int PRIMARY KEY, zip text);",
        "CREATE TABLE users (id int PRIMARY KEY, zip text, city text);
         CREATE STATISTICS users_geo ON zip, city FROM users",
    )
    .both_ways()
    .run()
    .await;
    assert!(position(&plan, "ADD COLUMN") < position(&plan, "CREATE STATISTICS"), "{}", plan.to_sql());
}

#[tokio::test]
async fn statistics_follow_a_renamed_table_and_column() {
    case(
        &format!("{USERS} CREATE STATISTICS users_geo ON zip, city FROM users"),
        "CREATE TABLE people (id int PRIMARY KEY, email text, name text, postcode text, city text);
         CREATE STATISTICS users_geo ON postcode, city FROM people",
    )
    .data(USER_ROWS)
    .hint(Rename::Table { schema: "public".into(), from: "users".into(), to: "people".into() })
    .hint(Rename::Column { schema: "public".into(), table: "people".into(), from: "zip".into(), to: "postcode".into() })
    .verify("SELECT count(*) = 2 FROM people")
    .run()
    .await;
}
