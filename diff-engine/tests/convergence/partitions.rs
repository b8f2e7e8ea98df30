//! Partitioned tables: range, list and hash partitioning created and dropped with their partitions,
//! partitions added, dropped (rows counted) and moved to a new bound (detach and attach: rows kept),
//! indexes and columns of the parent reaching every partition, comments, other schemas, views, and a
//! changed partition key (the table is dropped and created again). Never CASCADE.

use crate::harness::case;
use keel_diff::{Hazard, Plan};

const EVENTS: &str = "CREATE TABLE events (id bigint NOT NULL, created_at date NOT NULL, payload text,
                                          PRIMARY KEY (id, created_at)) PARTITION BY RANGE (created_at);";
const Y2024: &str = "CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');";
const Y2025: &str = "CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');";
const ROWS: &str = "INSERT INTO events VALUES (1, '2024-03-01', 'a'), (2, '2024-07-01', 'b'), (3, '2025-02-01', 'c');";

fn events(partitions: &[&str]) -> String {
    format!("{EVENTS} {}", partitions.join(" "))
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

#[tokio::test]
async fn a_range_partitioned_table_with_its_partitions() {
    let plan = case("", &events(&[Y2024, Y2025])).both_ways().run().await;
    assert!(has(&plan, "PARTITION BY RANGE (created_at)"), "{}", plan.to_sql());
    assert!(
        position(&plan, "CREATE TABLE \"public\".\"events\" (") < position(&plan, "PARTITION OF"),
        "{}",
        plan.to_sql()
    );
    assert!(has(&plan, "CREATE TABLE \"public\".\"events_2024\" PARTITION OF \"public\".\"events\" FOR VALUES FROM"));
}

#[tokio::test]
async fn dropping_a_partitioned_table_takes_its_partitions_in_one_statement() {
    let plan = case(&events(&[Y2024, Y2025]), "").data(ROWS).expect(Hazard::DeletesData).run().await;
    let drops: Vec<_> = plan.statements.iter().filter(|s| s.sql.starts_with("DROP TABLE")).collect();
    assert_eq!(drops.len(), 1, "{}", plan.to_sql());
    assert_eq!(drops[0].data_loss, Some(3), "every partition's rows are counted on the parent");
    assert_no_cascade(&plan);
}

#[tokio::test]
async fn a_list_partitioned_table() {
    let a = "CREATE TABLE orders (id int NOT NULL, region text NOT NULL) PARTITION BY LIST (region);
             CREATE TABLE orders_eu PARTITION OF orders FOR VALUES IN ('de', 'fr');
             CREATE TABLE orders_us PARTITION OF orders FOR VALUES IN ('us');";
    let plan = case("", a).both_ways().run().await;
    assert!(has(&plan, "PARTITION BY LIST (region)"), "{}", plan.to_sql());
    assert!(has(&plan, "FOR VALUES IN ('de', 'fr')"), "{}", plan.to_sql());
}

#[tokio::test]
async fn a_hash_partitioned_table() {
    let a = "CREATE TABLE users (id bigint PRIMARY KEY, name text) PARTITION BY HASH (id);
             CREATE TABLE users_0 PARTITION OF users FOR VALUES WITH (MODULUS 2, REMAINDER 0);
             CREATE TABLE users_1 PARTITION OF users FOR VALUES WITH (MODULUS 2, REMAINDER 1);";
    let plan = case("", a).both_ways().run().await;
    assert!(has(&plan, "FOR VALUES WITH (modulus 2, remainder 1)"), "{}", plan.to_sql());
}

#[tokio::test]
async fn adding_a_partition_keeps_the_rows() {
    let plan = case(&events(&[Y2024]), &events(&[Y2024, Y2025]))
        .data("INSERT INTO events VALUES (1, '2024-03-01', 'a')")
        .verify("SELECT count(*) = 1 FROM events_2024")
        .run()
        .await;
    assert!(!plan.has(Hazard::DeletesData), "{}", plan.to_sql());
    assert_eq!(plan.statements.len(), 1, "{}", plan.to_sql());
}

#[tokio::test]
async fn dropping_a_partition_deletes_its_rows_and_counts_them() {
    let plan = case(&events(&[Y2024, Y2025]), &events(&[Y2024]))
        .data(ROWS)
        .expect(Hazard::DeletesData)
        .verify("SELECT count(*) = 2 FROM events")
        .run()
        .await;
    let drop = &plan.statements[position(&plan, "DROP TABLE")];
    assert_eq!(drop.sql, "DROP TABLE \"public\".\"events_2025\"");
    assert_eq!(drop.data_loss, Some(1));
    assert_no_cascade(&plan);
}

#[tokio::test]
async fn a_default_partition() {
    let plan = case(&events(&[Y2024]), &events(&[Y2024, "CREATE TABLE events_other PARTITION OF events DEFAULT;"]))
        .data("INSERT INTO events VALUES (1, '2024-03-01', 'a')")
        .both_ways()
        .run()
        .await;
    assert!(has(&plan, "PARTITION OF \"public\".\"events\" DEFAULT"), "{}", plan.to_sql());
}

#[tokio::test]
async fn a_new_bound_detaches_and_attaches_keeping_the_rows() {
    let wider = "CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2023-01-01') TO ('2025-01-01');";
    let plan = case(&events(&[Y2024]), &events(&[wider]))
        .data("INSERT INTO events VALUES (1, '2024-03-01', 'a'), (2, '2024-07-01', 'b')")
        .verify("SELECT count(*) = 2 FROM events_2024")
        .expect(Hazard::MayFailOnData)
        .both_ways()
        .run()
        .await;
    assert!(!plan.has(Hazard::DeletesData), "{}", plan.to_sql());
    assert!(position(&plan, "DETACH PARTITION") < position(&plan, "ATTACH PARTITION"), "{}", plan.to_sql());
    assert!(has(&plan, "ATTACH PARTITION \"public\".\"events_2024\" FOR VALUES FROM ('2023-01-01') TO ('2025-01-01')"));
}

#[tokio::test]
async fn a_range_moves_from_one_partition_to_another() {
    let a = events(&[
        "CREATE TABLE p1 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2024-07-01');",
        "CREATE TABLE p2 PARTITION OF events FOR VALUES FROM ('2024-07-01') TO ('2025-01-01');",
    ]);
    let b = events(&[
        "CREATE TABLE p1 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2024-08-01');",
        "CREATE TABLE p2 PARTITION OF events FOR VALUES FROM ('2024-08-01') TO ('2025-01-01');",
    ]);
    let plan = case(&a, &b)
        .data("INSERT INTO events VALUES (1, '2024-03-01', 'a'), (2, '2024-09-01', 'b')")
        .verify("SELECT count(*) = 2 FROM events")
        .both_ways()
        .run()
        .await;
    // Both are detached before either is attached again: the new ranges overlap the old ones.
    let last_detach = plan.statements.iter().rposition(|s| s.sql.contains("DETACH")).expect("a detach");
    let first_attach = position(&plan, "ATTACH PARTITION");
    assert!(last_detach < first_attach, "{}", plan.to_sql());
}

#[tokio::test]
async fn a_partition_replaced_by_two_smaller_ones() {
    let a = events(&[Y2024]);
    let b = events(&[
        "CREATE TABLE events_2024h1 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2024-07-01');",
        "CREATE TABLE events_2024h2 PARTITION OF events FOR VALUES FROM ('2024-07-01') TO ('2025-01-01');",
    ]);
    let plan = case(&a, &b).expect(Hazard::DeletesData).both_ways().run().await;
    assert!(position(&plan, "DROP TABLE") < position(&plan, "PARTITION OF"), "{}", plan.to_sql());
}

#[tokio::test]
async fn an_index_on_the_parent_reaches_every_partition() {
    // Introspection reads it once, on the parent: re-planning is empty.
    let b = format!("{} CREATE INDEX events_payload_partitioned ON events (payload);", events(&[Y2024, Y2025]));
    let plan = case(&events(&[Y2024, Y2025]), &b)
        .data(ROWS)
        .verify(
            "SELECT count(*) = 2 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhparent \
             WHERE c.relname = 'events_payload_partitioned'",
        )
        .both_ways()
        .run()
        .await;
    assert_eq!(plan.statements.len(), 1, "one statement on the parent:\n{}", plan.to_sql());
}

#[tokio::test]
async fn an_index_on_the_parent_online_is_built_concurrently_partition_by_partition() {
    let b = format!(
        "{} CREATE UNIQUE INDEX events_payload_partitioned ON events (payload, created_at);",
        events(&[
            Y2024,
            Y2025,
            "CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');"
        ])
    );
    let plan = case(&events(&[Y2024, Y2025]), &b).data(ROWS).online().both_ways().run().await;
    assert!(
        has(&plan, "CREATE UNIQUE INDEX \"events_payload_partitioned\" ON ONLY \"public\".\"events\""),
        "{}",
        plan.to_sql()
    );
    let concurrent = plan.statements.iter().filter(|s| s.sql.contains("INDEX CONCURRENTLY")).count();
    assert_eq!(concurrent, 3, "one per partition, the new one too:\n{}", plan.to_sql());
    assert!(position(&plan, "PARTITION OF") < position(&plan, "ON ONLY"), "{}", plan.to_sql());
}

#[tokio::test]
async fn a_column_added_to_the_parent_reaches_the_partitions() {
    let b = events(&[Y2024, Y2025]).replace("payload text,", "payload text, source text NOT NULL DEFAULT 'web',");
    let plan = case(&events(&[Y2024, Y2025]), &b)
        .data(ROWS)
        .verify("SELECT count(*) = 1 FROM events_2025 WHERE source = 'web'")
        .both_ways()
        .run()
        .await;
    assert_eq!(plan.statements.len(), 1, "{}", plan.to_sql());
}

#[tokio::test]
async fn a_column_type_change_on_a_partitioned_table() {
    let b = events(&[Y2024, Y2025]).replace("payload text", "payload varchar(20)");
    let plan = case(&events(&[Y2024, Y2025]), &b)
        .data(ROWS)
        .verify("SELECT count(*) = 3 FROM events WHERE payload IN ('a', 'b', 'c')")
        .both_ways()
        .run()
        .await;
    assert!(!has(&plan, "events_2024"), "on the parent only:\n{}", plan.to_sql());
}

#[tokio::test]
async fn comments_on_partitions() {
    let b = format!("{} COMMENT ON TABLE events_2024 IS 'last year';", events(&[Y2024, Y2025]));
    case(&events(&[Y2024, Y2025]), &b).both_ways().run().await;
    let plan = case("", &b).both_ways().run().await;
    assert!(position(&plan, "PARTITION OF") < position(&plan, "COMMENT ON TABLE"), "{}", plan.to_sql());
}

#[tokio::test]
async fn partitions_in_a_schema_of_their_own() {
    let b = "CREATE SCHEMA app; CREATE SCHEMA archive;
             CREATE TABLE app.log (at date NOT NULL, line text) PARTITION BY RANGE (at);
             CREATE TABLE app.log_new PARTITION OF app.log FOR VALUES FROM ('2025-01-01') TO (MAXVALUE);
             CREATE TABLE archive.log_old PARTITION OF app.log FOR VALUES FROM (MINVALUE) TO ('2025-01-01');
             COMMENT ON TABLE archive.log_old IS 'old lines';";
    let plan = case("", b).both_ways().run().await;
    assert!(has(&plan, "CREATE TABLE \"archive\".\"log_old\" PARTITION OF \"app\".\"log\""), "{}", plan.to_sql());
}

#[tokio::test]
async fn a_view_over_a_partitioned_table_whose_column_changes() {
    let view = "CREATE VIEW recent AS SELECT id, payload FROM events WHERE created_at > '2024-06-01';";
    let a = format!("{} {view}", events(&[Y2024, Y2025]));
    let b = a.replace("payload text", "payload varchar(20)");
    let plan = case(&a, &b).data(ROWS).verify("SELECT count(*) = 2 FROM recent").both_ways().run().await;
    assert!(position(&plan, "DROP VIEW") < position(&plan, "ALTER COLUMN"), "{}", plan.to_sql());
    assert_no_cascade(&plan);
}

#[tokio::test]
async fn a_changed_partition_key_drops_and_creates_the_table() {
    let a = format!("{} CREATE VIEW all_events AS SELECT id FROM events;", events(&[Y2024]));
    let b = "CREATE TABLE events (id bigint NOT NULL, created_at date NOT NULL, payload text,
                                  PRIMARY KEY (id, created_at)) PARTITION BY HASH (id);
             CREATE TABLE events_all PARTITION OF events FOR VALUES WITH (MODULUS 1, REMAINDER 0);
             CREATE VIEW all_events AS SELECT id FROM events;";
    let plan = case(&a, b)
        .data("INSERT INTO events VALUES (1, '2024-03-01', 'a')")
        .expect(Hazard::DeletesData)
        .both_ways()
        .run()
        .await;
    assert!(position(&plan, "DROP VIEW") < position(&plan, "DROP TABLE"), "{}", plan.to_sql());
    assert!(position(&plan, "DROP TABLE") < position(&plan, "PARTITION BY HASH"), "{}", plan.to_sql());
    assert!(position(&plan, "PARTITION OF") < position(&plan, "CREATE VIEW"), "{}", plan.to_sql());
    assert_eq!(plan.statements[position(&plan, "DROP TABLE")].data_loss, Some(1));
    assert_no_cascade(&plan);
}

#[tokio::test]
async fn a_plain_table_becomes_partitioned_with_a_foreign_key_pointing_at_it() {
    let a = "CREATE TABLE accounts (id int NOT NULL, region text NOT NULL, PRIMARY KEY (id, region));
             CREATE TABLE notes (account int, region text, FOREIGN KEY (account, region) REFERENCES accounts);";
    let b = "CREATE TABLE accounts (id int NOT NULL, region text NOT NULL, PRIMARY KEY (id, region))
                 PARTITION BY LIST (region);
             CREATE TABLE accounts_eu PARTITION OF accounts FOR VALUES IN ('eu');
             CREATE TABLE notes (account int, region text, FOREIGN KEY (account, region) REFERENCES accounts);";
    let plan = case(a, b).expect(Hazard::DeletesData).both_ways().run().await;
    assert!(position(&plan, "DROP CONSTRAINT") < position(&plan, "DROP TABLE"), "{}", plan.to_sql());
    assert!(position(&plan, "PARTITION BY LIST") < position(&plan, "ADD CONSTRAINT"), "{}", plan.to_sql());
    assert_no_cascade(&plan);
}

#[tokio::test]
async fn a_foreign_key_to_a_partitioned_table_is_read_once() {
    let b = format!(
        "{} CREATE TABLE refs (id bigint, at date, FOREIGN KEY (id, at) REFERENCES events (id, created_at));",
        events(&[Y2024, Y2025])
    );
    case(&events(&[Y2024, Y2025]), &b).both_ways().run().await;
}

#[tokio::test]
async fn partitions_of_a_new_table_lock_no_one_out() {
    let plan = case("", &events(&[Y2024])).run().await;
    assert!(!plan.has(Hazard::AccessExclusiveLock), "{}", plan.to_sql());
    let plan = case(&events(&[]), &events(&[Y2024])).run().await;
    assert!(
        plan.has(Hazard::AccessExclusiveLock),
        "the parent is locked while a partition is added:\n{}",
        plan.to_sql()
    );
}
