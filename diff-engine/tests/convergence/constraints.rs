//! Table constraints: primary keys, unique constraints, checks and exclusion constraints, added, dropped
//! and changed on tables that hold rows.

use crate::harness::case;
use keel_diff::Hazard;

#[tokio::test]
async fn adds_a_primary_key_to_a_table_with_rows() {
    case("CREATE TABLE t (id int NOT NULL, name text)", "CREATE TABLE t (id int PRIMARY KEY, name text)")
        .data("INSERT INTO t VALUES (1, 'a'), (2, 'b')")
        .verify("SELECT count(*) = 2 FROM t")
        .expect(Hazard::MayFailOnData)
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn drops_a_primary_key_and_the_column_becomes_nullable() {
    case("CREATE TABLE t (id int PRIMARY KEY, name text)", "CREATE TABLE t (id int, name text)")
        .data("INSERT INTO t VALUES (1, 'a'), (2, 'b')")
        .verify("SELECT count(*) = 2 FROM t")
        .verify(
            "SELECT is_nullable = 'YES' FROM information_schema.columns WHERE table_name = 't' AND column_name = 'id'",
        )
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn adds_a_primary_key_on_a_nullable_column_holding_no_nulls() {
    case("CREATE TABLE t (id int, name text)", "CREATE TABLE t (id int PRIMARY KEY, name text)")
        .data("INSERT INTO t VALUES (1, 'a'), (2, 'b')")
        .verify("SELECT count(*) = 2 FROM t")
        .run()
        .await;
}

#[tokio::test]
async fn adds_a_composite_primary_key() {
    case(
        "CREATE TABLE t (a int NOT NULL, b int NOT NULL, v text)",
        "CREATE TABLE t (a int NOT NULL, b int NOT NULL, v text, PRIMARY KEY (a, b))",
    )
    .data("INSERT INTO t VALUES (1, 1, 'x'), (1, 2, 'y'), (2, 1, 'z')")
    .verify("SELECT count(*) = 3 FROM t")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn widens_a_primary_key_to_a_second_column() {
    case(
        "CREATE TABLE t (a int NOT NULL, b int NOT NULL, v text, PRIMARY KEY (a))",
        "CREATE TABLE t (a int NOT NULL, b int NOT NULL, v text, PRIMARY KEY (a, b))",
    )
    .data("INSERT INTO t VALUES (1, 1, 'x'), (2, 1, 'y')")
    .verify("SELECT count(*) = 2 FROM t")
    .verify("SELECT array_length(conkey, 1) = 2 FROM pg_constraint WHERE conrelid = 't'::regclass AND contype = 'p'")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn moves_a_primary_key_to_another_column() {
    case(
        "CREATE TABLE t (id int PRIMARY KEY, code text NOT NULL)",
        "CREATE TABLE t (id int NOT NULL, code text PRIMARY KEY)",
    )
    .data("INSERT INTO t VALUES (1, 'a'), (2, 'b')")
    .verify("SELECT count(*) = 2 FROM t")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn renames_a_primary_key_constraint() {
    case(
        "CREATE TABLE t (id int NOT NULL, CONSTRAINT t_pkey PRIMARY KEY (id))",
        "CREATE TABLE t (id int NOT NULL, CONSTRAINT t_id_pk PRIMARY KEY (id))",
    )
    .data("INSERT INTO t VALUES (1), (2)")
    .verify("SELECT count(*) = 2 FROM t")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn adds_a_unique_constraint_to_a_table_with_rows() {
    case("CREATE TABLE t (id int PRIMARY KEY, email text)", "CREATE TABLE t (id int PRIMARY KEY, email text UNIQUE)")
        .data("INSERT INTO t VALUES (1, 'a@x'), (2, 'b@x'), (3, NULL)")
        .verify("SELECT count(*) = 3 FROM t")
        .expect(Hazard::MayFailOnData)
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn adds_a_composite_unique_constraint() {
    case(
        "CREATE TABLE t (id int PRIMARY KEY, region text, code text)",
        "CREATE TABLE t (id int PRIMARY KEY, region text, code text,
                         CONSTRAINT t_region_code_key UNIQUE (region, code))",
    )
    .data("INSERT INTO t VALUES (1, 'eu', 'a'), (2, 'us', 'a'), (3, 'eu', 'b')")
    .verify("SELECT count(*) = 3 FROM t")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn changes_the_columns_of_a_unique_constraint_keeping_its_name() {
    case(
        "CREATE TABLE t (id int PRIMARY KEY, region text, code text, CONSTRAINT uq UNIQUE (code))",
        "CREATE TABLE t (id int PRIMARY KEY, region text, code text, CONSTRAINT uq UNIQUE (region, code))",
    )
    .data("INSERT INTO t VALUES (1, 'eu', 'a'), (2, 'us', 'b')")
    .verify("SELECT count(*) = 2 FROM t")
    .verify("SELECT array_length(conkey, 1) = 2 FROM pg_constraint WHERE conname = 'uq'")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn replaces_a_unique_constraint_by_one_with_another_name() {
    case(
        "CREATE TABLE t (id int PRIMARY KEY, code text, CONSTRAINT old_uq UNIQUE (code))",
        "CREATE TABLE t (id int PRIMARY KEY, code text, CONSTRAINT new_uq UNIQUE (code))",
    )
    .data("INSERT INTO t VALUES (1, 'a'), (2, 'b')")
    .verify("SELECT count(*) = 2 FROM t")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn adds_a_column_check_to_a_table_with_satisfying_rows() {
    case(
        "CREATE TABLE t (id int PRIMARY KEY, price numeric)",
        "CREATE TABLE t (id int PRIMARY KEY, price numeric CHECK (price > 0))",
    )
    .data("INSERT INTO t VALUES (1, 10), (2, 0.5), (3, NULL)")
    .verify("SELECT count(*) = 3 FROM t")
    .expect(Hazard::MayFailOnData)
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn adds_a_table_check_over_two_columns() {
    case(
        "CREATE TABLE t (id int PRIMARY KEY, lo int NOT NULL, hi int NOT NULL)",
        "CREATE TABLE t (id int PRIMARY KEY, lo int NOT NULL, hi int NOT NULL,
                         CONSTRAINT lo_below_hi CHECK (lo <= hi))",
    )
    .data("INSERT INTO t VALUES (1, 1, 2), (2, 5, 5)")
    .verify("SELECT count(*) = 2 FROM t")
    .expect(Hazard::MayFailOnData)
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn changes_the_expression_of_a_check_keeping_its_name() {
    case(
        "CREATE TABLE t (id int PRIMARY KEY, qty int, CONSTRAINT qty_ok CHECK (qty >= 0))",
        "CREATE TABLE t (id int PRIMARY KEY, qty int, CONSTRAINT qty_ok CHECK (qty >= 0 AND qty < 1000))",
    )
    .data("INSERT INTO t VALUES (1, 0), (2, 999)")
    .verify("SELECT count(*) = 2 FROM t")
    .verify("SELECT pg_get_constraintdef(oid) LIKE '%1000%' FROM pg_constraint WHERE conname = 'qty_ok'")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn renames_a_check_by_replacing_it() {
    case(
        "CREATE TABLE t (id int PRIMARY KEY, qty int, CONSTRAINT qty_positive CHECK (qty > 0))",
        "CREATE TABLE t (id int PRIMARY KEY, qty int, CONSTRAINT qty_gt_zero CHECK (qty > 0))",
    )
    .data("INSERT INTO t VALUES (1, 1)")
    .verify("SELECT count(*) = 1 FROM t")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn adds_a_check_with_a_function_call_and_in_list() {
    case(
        "CREATE TABLE t (id int PRIMARY KEY, code text, status text)",
        "CREATE TABLE t (id int PRIMARY KEY, code text CHECK (length(code) BETWEEN 2 AND 8),
                         status text CHECK (status IN ('new', 'done')))",
    )
    .data("INSERT INTO t VALUES (1, 'ab', 'new'), (2, 'abcdefgh', 'done')")
    .verify("SELECT count(*) = 2 FROM t")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn adds_a_check_together_with_a_new_column() {
    case(
        "CREATE TABLE t (id int PRIMARY KEY)",
        "CREATE TABLE t (id int PRIMARY KEY, score int DEFAULT 0 CHECK (score >= 0))",
    )
    .data("INSERT INTO t VALUES (1), (2)")
    .verify("SELECT count(*) = 2 AND bool_and(score = 0) FROM t")
    .run()
    .await;
}

#[tokio::test]
async fn creates_a_table_with_every_kind_of_constraint() {
    case(
        "CREATE EXTENSION btree_gist",
        "CREATE EXTENSION btree_gist;
         CREATE TABLE booking (
             id int PRIMARY KEY,
             code text NOT NULL UNIQUE,
             room int NOT NULL CHECK (room > 0),
             during tsrange NOT NULL,
             EXCLUDE USING gist (room WITH =, during WITH &&)
         )",
    )
    .both_ways()
    .run()
    .await;
}

const NO_OVERLAP: &str = "CONSTRAINT no_overlap EXCLUDE USING gist (room WITH =, during WITH &&)";

#[tokio::test]
async fn adds_an_exclusion_constraint_to_a_table_with_rows() {
    let table = "CREATE TABLE booking (id int PRIMARY KEY, room int NOT NULL, during tsrange NOT NULL";
    case(
        &format!("CREATE EXTENSION btree_gist; {table})"),
        &format!("CREATE EXTENSION btree_gist; {table}, {NO_OVERLAP})"),
    )
    .data(
        "INSERT INTO booking VALUES
            (1, 1, '[2024-01-01 10:00, 2024-01-01 11:00)'),
            (2, 1, '[2024-01-01 11:00, 2024-01-01 12:00)'),
            (3, 2, '[2024-01-01 10:00, 2024-01-01 12:00)')",
    )
    .verify("SELECT count(*) = 3 FROM booking")
    .verify("SELECT EXISTS (SELECT FROM pg_constraint WHERE conname = 'no_overlap' AND contype = 'x')")
    .expect(Hazard::MayFailOnData)
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn changes_an_exclusion_constraint_keeping_its_name() {
    let table = "CREATE EXTENSION btree_gist;
                 CREATE TABLE booking (id int PRIMARY KEY, room int NOT NULL, desk int NOT NULL,
                                       during tsrange NOT NULL,";
    case(
        &format!("{table} CONSTRAINT no_overlap EXCLUDE USING gist (room WITH =, during WITH &&))"),
        &format!("{table} CONSTRAINT no_overlap EXCLUDE USING gist (room WITH =, desk WITH =, during WITH &&))"),
    )
    .data("INSERT INTO booking VALUES (1, 1, 1, '[2024-01-01, 2024-01-02)'), (2, 2, 1, '[2024-01-01, 2024-01-02)')")
    .verify("SELECT count(*) = 2 FROM booking")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn adds_a_partial_exclusion_constraint() {
    let table = "CREATE EXTENSION btree_gist;
                 CREATE TABLE booking (id int PRIMARY KEY, room int NOT NULL, during tsrange NOT NULL,
                                       cancelled bool NOT NULL DEFAULT false";
    case(&format!("{table})"), &format!("{table}, {NO_OVERLAP} WHERE (NOT cancelled))"))
        .data(
            "INSERT INTO booking VALUES
                (1, 1, '[2024-01-01, 2024-01-03)', true),
                (2, 1, '[2024-01-02, 2024-01-04)', false)",
        )
        .verify("SELECT count(*) = 2 FROM booking")
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn constraint_names_that_need_quoting() {
    case(
        "CREATE TABLE t (id int NOT NULL, email text, qty int)",
        r#"CREATE TABLE t (
               id int NOT NULL, email text, qty int,
               CONSTRAINT "T Primary" PRIMARY KEY (id),
               CONSTRAINT "UQ-Email" UNIQUE (email),
               CONSTRAINT "Qty ""positive""" CHECK (qty > 0)
           )"#,
    )
    .data("INSERT INTO t VALUES (1, 'a@x', 1), (2, 'b@x', 2)")
    .verify("SELECT count(*) = 2 FROM t")
    .verify(r#"SELECT count(*) = 3 FROM pg_constraint WHERE conname IN ('T Primary', 'UQ-Email', 'Qty "positive"')"#)
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn constraints_on_quoted_columns_of_a_quoted_table() {
    case(
        r#"CREATE TABLE "Order Lines" ("Line Id" int NOT NULL, "Unit Price" numeric, "SKU" text)"#,
        r#"CREATE TABLE "Order Lines" ("Line Id" int PRIMARY KEY, "Unit Price" numeric CHECK ("Unit Price" >= 0),
                                       "SKU" text UNIQUE)"#,
    )
    .data(r#"INSERT INTO "Order Lines" VALUES (1, 2.5, 'A-1'), (2, 0, 'B-2')"#)
    .verify(r#"SELECT count(*) = 2 FROM "Order Lines""#)
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn swaps_a_unique_constraint_for_a_primary_key_on_the_same_column() {
    case("CREATE TABLE t (id int NOT NULL UNIQUE, v text)", "CREATE TABLE t (id int PRIMARY KEY, v text)")
        .data("INSERT INTO t VALUES (1, 'a'), (2, 'b')")
        .verify("SELECT count(*) = 2 FROM t")
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn drops_a_column_of_a_composite_primary_key() {
    case("CREATE TABLE t (a int, b int, v text, PRIMARY KEY (a, b))", "CREATE TABLE t (a int PRIMARY KEY, v text)")
        .data("INSERT INTO t VALUES (1, 1, 'x'), (2, 1, 'y')")
        .verify("SELECT count(*) = 2 FROM t")
        .expect(Hazard::DeletesData)
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn drops_a_column_a_unique_constraint_and_a_check_cover() {
    case(
        "CREATE TABLE t (id int PRIMARY KEY, region text, code text, CONSTRAINT t_uq UNIQUE (region, code),
                         CONSTRAINT code_short CHECK (length(code) < 10))",
        "CREATE TABLE t (id int PRIMARY KEY, region text)",
    )
    .data("INSERT INTO t VALUES (1, 'eu', 'a')")
    .verify("SELECT count(*) = 1 FROM t")
    .expect(Hazard::DeletesData)
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn changes_the_type_of_a_column_under_a_check_and_a_unique_constraint() {
    case(
        "CREATE TABLE t (id int PRIMARY KEY, qty int UNIQUE CHECK (qty > 0))",
        "CREATE TABLE t (id int PRIMARY KEY, qty bigint UNIQUE CHECK (qty > 0))",
    )
    .data("INSERT INTO t VALUES (1, 5), (2, 6)")
    .verify("SELECT count(*) = 2 FROM t")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn creates_an_exclusion_constraint_together_with_btree_gist() {
    let table = "CREATE TABLE booking (id int PRIMARY KEY, room int NOT NULL, during tsrange NOT NULL";
    case(
        &format!("{table})"),
        &format!("CREATE EXTENSION btree_gist; {table}, EXCLUDE USING gist (room WITH =, during WITH &&))"),
    )
    .data("INSERT INTO booking VALUES (1, 1, '[2024-01-01, 2024-01-02)')")
    .verify("SELECT count(*) = 1 FROM booking")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn makes_a_unique_constraint_deferrable() {
    case(
        "CREATE TABLE t (id int PRIMARY KEY, pos int, CONSTRAINT t_pos_key UNIQUE (pos))",
        "CREATE TABLE t (id int PRIMARY KEY, pos int, CONSTRAINT t_pos_key UNIQUE (pos) DEFERRABLE INITIALLY DEFERRED)",
    )
    .data("INSERT INTO t VALUES (1, 1), (2, 2)")
    .verify("SELECT condeferrable AND condeferred FROM pg_constraint WHERE conname = 't_pos_key'")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn makes_a_unique_constraint_nulls_not_distinct() {
    case(
        "CREATE TABLE t (id int PRIMARY KEY, code text, CONSTRAINT t_code_key UNIQUE (code))",
        "CREATE TABLE t (id int PRIMARY KEY, code text, CONSTRAINT t_code_key UNIQUE NULLS NOT DISTINCT (code))",
    )
    .min_version(150000)
    .data("INSERT INTO t VALUES (1, 'a'), (2, NULL)")
    .verify("SELECT indnullsnotdistinct FROM pg_index WHERE indexrelid = 't_code_key'::regclass")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn exclusion_constraint_with_a_name_that_needs_quoting() {
    let table = "CREATE EXTENSION btree_gist; CREATE TABLE booking (id int PRIMARY KEY, room int, during tsrange";
    case(
        &format!("{table})"),
        &format!(r#"{table}, CONSTRAINT "No Overlap!" EXCLUDE USING gist (room WITH =, during WITH &&))"#),
    )
    .data("INSERT INTO booking VALUES (1, 1, '[2024-01-01, 2024-01-02)')")
    .verify("SELECT EXISTS (SELECT FROM pg_constraint WHERE conname = 'No Overlap!')")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn check_with_quotes_and_operators_in_its_expression() {
    case(
        r#"CREATE TABLE t (id int PRIMARY KEY, "Status" text, note text)"#,
        r#"CREATE TABLE t (id int PRIMARY KEY, "Status" text, note text,
                           CONSTRAINT status_ok CHECK ("Status" <> 'it''s' AND note !~ '^\s*$' OR note IS NULL))"#,
    )
    .data(r#"INSERT INTO t VALUES (1, 'fine', 'x'), (2, 'ok', NULL)"#)
    .verify("SELECT count(*) = 2 FROM t")
    .both_ways()
    .run()
    .await;
}

/// A check that holds a column's name in a string literal does not read that column: retyping the column
/// leaves the check alone (it was dropped and added again, which scans every row under the lock).
#[tokio::test]
async fn a_column_named_in_a_checks_string_literal_is_not_read_by_it() {
    let table = |ty: &str| {
        format!(
            "CREATE TABLE t (id int PRIMARY KEY, name text CONSTRAINT t_name_check CHECK (name <> 'other_col'), other_col {ty})"
        )
    };
    let plan = case(&table("int"), &table("bigint"))
        .data("INSERT INTO t VALUES (1, 'a', 1)")
        .verify("SELECT count(*) = 1 FROM t")
        .run()
        .await;
    assert!(!crate::harness::has(&plan, "t_name_check"), "the check was rebuilt:\n{}", plan.to_sql());
}
