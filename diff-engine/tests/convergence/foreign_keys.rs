//! Foreign keys: added and dropped, their actions and deferrability, composite, self-referencing, cyclic
//! and cross-schema keys, keys over unique constraints and unique indexes, and the ordering around drops
//! of what they reference.

use crate::harness::case;
use keel_diff::Hazard;

const PARENT: &str = "CREATE TABLE parent (id int PRIMARY KEY, name text);";
const PARENT_ROWS: &str = "INSERT INTO parent VALUES (1, 'one'), (2, 'two');";

/// Parent and child, the child's `parent_id` declared as `column`.
fn child(column: &str) -> String {
    format!("{PARENT} CREATE TABLE child (id int PRIMARY KEY, {column});")
}

fn rows() -> String {
    format!("{PARENT_ROWS} INSERT INTO child VALUES (10, 1), (11, 2), (12, NULL);")
}

#[tokio::test]
async fn adds_a_foreign_key_between_tables_with_rows() {
    case(&child("parent_id int"), &child("parent_id int REFERENCES parent"))
        .data(&rows())
        .verify("SELECT count(*) = 3 FROM child")
        .expect(Hazard::MayFailOnData)
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn adds_a_foreign_key_with_on_delete_cascade() {
    case(&child("parent_id int"), &child("parent_id int REFERENCES parent ON DELETE CASCADE"))
        .data(&rows())
        .verify("SELECT confdeltype = 'c' FROM pg_constraint WHERE conrelid = 'child'::regclass AND contype = 'f'")
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn adds_a_foreign_key_with_on_delete_set_null() {
    case(&child("parent_id int"), &child("parent_id int REFERENCES parent ON DELETE SET NULL"))
        .data(&rows())
        .verify("SELECT confdeltype = 'n' FROM pg_constraint WHERE conrelid = 'child'::regclass AND contype = 'f'")
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn adds_a_foreign_key_with_on_delete_set_default() {
    case(&child("parent_id int DEFAULT 1"), &child("parent_id int DEFAULT 1 REFERENCES parent ON DELETE SET DEFAULT"))
        .data(&rows())
        .verify("SELECT confdeltype = 'd' FROM pg_constraint WHERE conrelid = 'child'::regclass AND contype = 'f'")
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn adds_a_foreign_key_with_on_delete_restrict_and_on_update_cascade() {
    case(&child("parent_id int"), &child("parent_id int REFERENCES parent ON DELETE RESTRICT ON UPDATE CASCADE"))
        .data(&rows())
        .verify(
            "SELECT confdeltype = 'r' AND confupdtype = 'c' FROM pg_constraint
             WHERE conrelid = 'child'::regclass AND contype = 'f'",
        )
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn changes_the_on_delete_action_of_a_foreign_key() {
    case(
        &child("parent_id int REFERENCES parent ON DELETE CASCADE"),
        &child("parent_id int REFERENCES parent ON DELETE SET NULL"),
    )
    .data(&rows())
    .verify("SELECT count(*) = 3 FROM child")
    .verify("SELECT confdeltype = 'n' FROM pg_constraint WHERE conrelid = 'child'::regclass AND contype = 'f'")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn changes_the_on_update_action_of_a_foreign_key() {
    case(
        &child("parent_id int REFERENCES parent ON UPDATE NO ACTION"),
        &child("parent_id int REFERENCES parent ON UPDATE CASCADE"),
    )
    .data(&rows())
    .verify("SELECT confupdtype = 'c' FROM pg_constraint WHERE conrelid = 'child'::regclass AND contype = 'f'")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn makes_a_foreign_key_deferrable_initially_deferred() {
    case(
        &child("parent_id int REFERENCES parent"),
        &child("parent_id int REFERENCES parent DEFERRABLE INITIALLY DEFERRED"),
    )
    .data(&rows())
    .verify(
        "SELECT condeferrable AND condeferred FROM pg_constraint WHERE conrelid = 'child'::regclass AND contype = 'f'",
    )
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn makes_a_foreign_key_deferrable_initially_immediate() {
    case(
        &child("parent_id int REFERENCES parent DEFERRABLE INITIALLY DEFERRED"),
        &child("parent_id int REFERENCES parent DEFERRABLE"),
    )
    .data(&rows())
    .verify(
        "SELECT condeferrable AND NOT condeferred FROM pg_constraint
         WHERE conrelid = 'child'::regclass AND contype = 'f'",
    )
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn points_a_foreign_key_at_another_table() {
    let tables = "CREATE TABLE a (id int PRIMARY KEY); CREATE TABLE b (id int PRIMARY KEY);
                  CREATE TABLE c (id int PRIMARY KEY, ref int, CONSTRAINT c_ref_fkey FOREIGN KEY (ref) REFERENCES";
    case(&format!("{tables} a)"), &format!("{tables} b)"))
        .data("INSERT INTO a VALUES (1); INSERT INTO b VALUES (1); INSERT INTO c VALUES (1, 1)")
        .verify("SELECT confrelid = 'b'::regclass FROM pg_constraint WHERE conname = 'c_ref_fkey'")
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn adds_a_composite_foreign_key() {
    let parent = "CREATE TABLE parent (region text, code text, PRIMARY KEY (region, code));";
    case(
        &format!("{parent} CREATE TABLE child (id int PRIMARY KEY, region text, code text)"),
        &format!(
            "{parent} CREATE TABLE child (id int PRIMARY KEY, region text, code text,
                                          FOREIGN KEY (region, code) REFERENCES parent ON DELETE CASCADE)"
        ),
    )
    .data("INSERT INTO parent VALUES ('eu', 'a'), ('us', 'a'); INSERT INTO child VALUES (1, 'eu', 'a'), (2, 'us', 'a')")
    .verify("SELECT count(*) = 2 FROM child")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn composite_foreign_key_with_columns_in_another_order_than_the_key() {
    let parent = "CREATE TABLE parent (a int, b int, PRIMARY KEY (a, b));";
    case(
        &format!("{parent} CREATE TABLE child (id int PRIMARY KEY, x int, y int)"),
        &format!(
            "{parent} CREATE TABLE child (id int PRIMARY KEY, x int, y int,
                                          CONSTRAINT child_fk FOREIGN KEY (y, x) REFERENCES parent (b, a))"
        ),
    )
    .data("INSERT INTO parent VALUES (1, 2); INSERT INTO child VALUES (1, 1, 2)")
    .verify("SELECT count(*) = 1 FROM child")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn creates_a_self_referencing_table() {
    case("", "CREATE TABLE node (id int PRIMARY KEY, parent_id int REFERENCES node ON DELETE CASCADE)")
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn adds_a_self_reference_to_a_table_with_rows() {
    case(
        "CREATE TABLE node (id int PRIMARY KEY, parent_id int)",
        "CREATE TABLE node (id int PRIMARY KEY, parent_id int REFERENCES node)",
    )
    .data("INSERT INTO node VALUES (1, NULL), (2, 1), (3, 2)")
    .verify("SELECT count(*) = 3 FROM node")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn adds_a_self_referencing_column_with_its_key() {
    case(
        "CREATE TABLE node (id int PRIMARY KEY)",
        "CREATE TABLE node (id int PRIMARY KEY, parent_id int REFERENCES node)",
    )
    .data("INSERT INTO node VALUES (1), (2)")
    .verify("SELECT count(*) = 2 FROM node")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn creates_and_drops_a_cycle_of_two_tables() {
    case(
        "",
        "CREATE TABLE author (id int PRIMARY KEY, favourite_book int);
         CREATE TABLE book (id int PRIMARY KEY, author_id int NOT NULL REFERENCES author);
         ALTER TABLE author ADD CONSTRAINT author_favourite_fkey FOREIGN KEY (favourite_book) REFERENCES book;",
    )
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn creates_and_drops_a_cycle_of_three_tables() {
    case(
        "",
        "CREATE TABLE a (id int PRIMARY KEY, c_id int);
         CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a);
         CREATE TABLE c (id int PRIMARY KEY, b_id int REFERENCES b);
         ALTER TABLE a ADD FOREIGN KEY (c_id) REFERENCES c;",
    )
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn closes_a_cycle_between_existing_tables_with_rows() {
    let tables =
        "CREATE TABLE a (id int PRIMARY KEY, b_id int); CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a);";
    case(tables, &format!("{tables} ALTER TABLE a ADD FOREIGN KEY (b_id) REFERENCES b;"))
        .data("INSERT INTO a VALUES (1, NULL); INSERT INTO b VALUES (1, 1); UPDATE a SET b_id = 1")
        .verify("SELECT count(*) = 1 FROM a WHERE b_id = 1")
        .both_ways()
        .run()
        .await;
}

#[tokio::test]
async fn drops_one_table_of_a_cycle() {
    case(
        "CREATE TABLE a (id int PRIMARY KEY, b_id int);
         CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a);
         ALTER TABLE a ADD FOREIGN KEY (b_id) REFERENCES b;",
        "CREATE TABLE a (id int PRIMARY KEY, b_id int);",
    )
    .data("INSERT INTO a VALUES (1, NULL); INSERT INTO b VALUES (1, 1); UPDATE a SET b_id = 1")
    .expect(Hazard::DeletesData)
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn creates_a_foreign_key_across_schemas() {
    case(
        "",
        "CREATE SCHEMA a; CREATE SCHEMA b;
         CREATE TABLE b.parent (id int PRIMARY KEY);
         CREATE TABLE a.child (id int PRIMARY KEY, parent_id int REFERENCES b.parent);",
    )
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn adds_a_foreign_key_across_existing_schemas() {
    let schemas = "CREATE SCHEMA a; CREATE SCHEMA b; CREATE TABLE b.parent (id int PRIMARY KEY);";
    case(
        &format!("{schemas} CREATE TABLE a.child (id int PRIMARY KEY, parent_id int);"),
        &format!("{schemas} CREATE TABLE a.child (id int PRIMARY KEY, parent_id int REFERENCES b.parent);"),
    )
    .data("INSERT INTO b.parent VALUES (1); INSERT INTO a.child VALUES (1, 1), (2, NULL)")
    .verify("SELECT count(*) = 2 FROM a.child")
    .verify(
        "SELECT confrelid = 'b.parent'::regclass FROM pg_constraint
         WHERE conrelid = 'a.child'::regclass AND contype = 'f'",
    )
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn foreign_key_referencing_a_unique_constraint() {
    let parent = "CREATE TABLE parent (id int PRIMARY KEY, code text NOT NULL UNIQUE);";
    case(
        &format!("{parent} CREATE TABLE child (id int PRIMARY KEY, parent_code text)"),
        &format!("{parent} CREATE TABLE child (id int PRIMARY KEY, parent_code text REFERENCES parent (code))"),
    )
    .data("INSERT INTO parent VALUES (1, 'a'), (2, 'b'); INSERT INTO child VALUES (1, 'a'), (2, 'b')")
    .verify("SELECT count(*) = 2 FROM child")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn adds_a_unique_constraint_and_a_foreign_key_that_needs_it() {
    case(
        "CREATE TABLE parent (id int PRIMARY KEY, code text NOT NULL);
         CREATE TABLE child (id int PRIMARY KEY, parent_code text);",
        "CREATE TABLE parent (id int PRIMARY KEY, code text NOT NULL UNIQUE);
         CREATE TABLE child (id int PRIMARY KEY, parent_code text REFERENCES parent (code));",
    )
    .data("INSERT INTO parent VALUES (1, 'a'), (2, 'b'); INSERT INTO child VALUES (1, 'a'), (2, NULL)")
    .verify("SELECT count(*) = 2 FROM child")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn foreign_key_referencing_a_unique_index() {
    let parent = "CREATE TABLE parent (id int PRIMARY KEY, code text NOT NULL);
                  CREATE UNIQUE INDEX parent_code_idx ON parent (code);";
    case(
        &format!("{parent} CREATE TABLE child (id int PRIMARY KEY, parent_code text)"),
        &format!("{parent} CREATE TABLE child (id int PRIMARY KEY, parent_code text REFERENCES parent (code))"),
    )
    .data("INSERT INTO parent VALUES (1, 'a'); INSERT INTO child VALUES (1, 'a')")
    .verify("SELECT count(*) = 1 FROM child")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn creates_a_unique_index_and_a_foreign_key_that_needs_it() {
    case(
        "CREATE TABLE parent (id int PRIMARY KEY, code text NOT NULL);
         CREATE TABLE child (id int PRIMARY KEY, parent_code text);",
        "CREATE TABLE parent (id int PRIMARY KEY, code text NOT NULL);
         CREATE UNIQUE INDEX parent_code_idx ON parent (code);
         CREATE TABLE child (id int PRIMARY KEY, parent_code text REFERENCES parent (code));",
    )
    .data("INSERT INTO parent VALUES (1, 'a'); INSERT INTO child VALUES (1, 'a')")
    .verify("SELECT count(*) = 1 FROM child")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn drops_a_referenced_table_after_the_foreign_key_of_the_surviving_table() {
    case(
        "CREATE TABLE parent (id int PRIMARY KEY);
         CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent);",
        "CREATE TABLE child (id int PRIMARY KEY, parent_id int);",
    )
    .data("INSERT INTO parent VALUES (1); INSERT INTO child VALUES (1, 1), (2, NULL)")
    .verify("SELECT count(*) = 2 FROM child")
    .expect(Hazard::DeletesData)
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn drops_a_table_referenced_by_two_others() {
    case(
        "CREATE TABLE parent (id int PRIMARY KEY);
         CREATE TABLE c1 (id int PRIMARY KEY, parent_id int REFERENCES parent);
         CREATE TABLE c2 (id int PRIMARY KEY, parent_id int REFERENCES parent ON DELETE CASCADE);",
        "CREATE TABLE c1 (id int PRIMARY KEY, parent_id int);
         CREATE TABLE c2 (id int PRIMARY KEY, parent_id int);",
    )
    .data("INSERT INTO parent VALUES (1); INSERT INTO c1 VALUES (1, 1); INSERT INTO c2 VALUES (1, 1)")
    .verify("SELECT (SELECT count(*) FROM c1) + (SELECT count(*) FROM c2) = 2")
    .expect(Hazard::DeletesData)
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn drops_a_referenced_unique_constraint_together_with_the_foreign_key() {
    case(
        "CREATE TABLE parent (id int PRIMARY KEY, code text NOT NULL UNIQUE);
         CREATE TABLE child (id int PRIMARY KEY, parent_code text REFERENCES parent (code));",
        "CREATE TABLE parent (id int PRIMARY KEY, code text NOT NULL);
         CREATE TABLE child (id int PRIMARY KEY, parent_code text);",
    )
    .data("INSERT INTO parent VALUES (1, 'a'); INSERT INTO child VALUES (1, 'a')")
    .verify("SELECT count(*) = 1 FROM child")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn drops_a_referenced_unique_index_together_with_the_foreign_key() {
    case(
        "CREATE TABLE parent (id int PRIMARY KEY, code text NOT NULL);
         CREATE UNIQUE INDEX parent_code_idx ON parent (code);
         CREATE TABLE child (id int PRIMARY KEY, parent_code text REFERENCES parent (code));",
        "CREATE TABLE parent (id int PRIMARY KEY, code text NOT NULL);
         CREATE TABLE child (id int PRIMARY KEY, parent_code text);",
    )
    .data("INSERT INTO parent VALUES (1, 'a'); INSERT INTO child VALUES (1, 'a')")
    .verify("SELECT count(*) = 1 FROM child")
    .run()
    .await;
}

#[tokio::test]
async fn drops_a_referenced_column_with_its_foreign_key() {
    case(
        "CREATE TABLE parent (id int PRIMARY KEY, code text NOT NULL UNIQUE);
         CREATE TABLE child (id int PRIMARY KEY, parent_code text REFERENCES parent (code));",
        "CREATE TABLE parent (id int PRIMARY KEY);
         CREATE TABLE child (id int PRIMARY KEY, parent_code text);",
    )
    .data("INSERT INTO parent VALUES (1, 'a'); INSERT INTO child VALUES (1, 'a')")
    .verify("SELECT count(*) = 1 FROM child")
    .expect(Hazard::DeletesData)
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn changes_the_type_of_both_sides_of_a_foreign_key() {
    case(
        "CREATE TABLE parent (id int PRIMARY KEY);
         CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent);",
        "CREATE TABLE parent (id bigint PRIMARY KEY);
         CREATE TABLE child (id int PRIMARY KEY, parent_id bigint REFERENCES parent);",
    )
    .data("INSERT INTO parent VALUES (1), (2); INSERT INTO child VALUES (1, 1), (2, 2)")
    .verify("SELECT count(*) = 2 FROM child WHERE pg_typeof(parent_id) = 'bigint'::regtype")
    .expect(Hazard::RewritesTable)
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn changes_the_type_of_a_referenced_key_to_text() {
    case(
        "CREATE TABLE parent (code varchar(10) PRIMARY KEY);
         CREATE TABLE child (id int PRIMARY KEY, parent_code varchar(10) REFERENCES parent);",
        "CREATE TABLE parent (code text PRIMARY KEY);
         CREATE TABLE child (id int PRIMARY KEY, parent_code text REFERENCES parent);",
    )
    .data("INSERT INTO parent VALUES ('a'); INSERT INTO child VALUES (1, 'a')")
    .verify("SELECT count(*) = 1 FROM child")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn drops_a_foreign_key_and_its_table_column_pair() {
    case(
        "CREATE TABLE parent (id int PRIMARY KEY);
         CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent);",
        "CREATE TABLE parent (id int PRIMARY KEY);
         CREATE TABLE child (id int PRIMARY KEY);",
    )
    .data("INSERT INTO parent VALUES (1); INSERT INTO child VALUES (1, 1)")
    .verify("SELECT count(*) = 1 FROM parent")
    .expect(Hazard::DeletesData)
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn foreign_key_with_a_name_that_needs_quoting() {
    case(
        &child("parent_id int"),
        &format!(
            r#"{PARENT} CREATE TABLE child (id int PRIMARY KEY, parent_id int,
                                           CONSTRAINT "Child -> Parent" FOREIGN KEY (parent_id) REFERENCES parent)"#
        ),
    )
    .data(&rows())
    .verify(r#"SELECT EXISTS (SELECT FROM pg_constraint WHERE conname = 'Child -> Parent')"#)
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn foreign_key_between_quoted_tables_and_columns() {
    let parent = r#"CREATE TABLE "Parent Table" ("Parent Id" int PRIMARY KEY);"#;
    case(
        &format!(r#"{parent} CREATE TABLE "Child" ("Id" int PRIMARY KEY, "Parent Id" int)"#),
        &format!(r#"{parent} CREATE TABLE "Child" ("Id" int PRIMARY KEY, "Parent Id" int REFERENCES "Parent Table")"#),
    )
    .data(r#"INSERT INTO "Parent Table" VALUES (1); INSERT INTO "Child" VALUES (1, 1)"#)
    .verify(r#"SELECT count(*) = 1 FROM "Child""#)
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn renames_a_referenced_primary_key_constraint() {
    let child = "CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent);";
    case(
        &format!("CREATE TABLE parent (id int, CONSTRAINT parent_pkey PRIMARY KEY (id)); {child}"),
        &format!("CREATE TABLE parent (id int, CONSTRAINT parent_id_pk PRIMARY KEY (id)); {child}"),
    )
    .data("INSERT INTO parent VALUES (1); INSERT INTO child VALUES (1, 1)")
    .verify("SELECT count(*) = 1 FROM child")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn drops_a_referenced_primary_key_together_with_the_foreign_key() {
    case(
        "CREATE TABLE parent (id int PRIMARY KEY);
         CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent);",
        "CREATE TABLE parent (id int NOT NULL); CREATE TABLE child (id int PRIMARY KEY, parent_id int);",
    )
    .data("INSERT INTO parent VALUES (1); INSERT INTO child VALUES (1, 1)")
    .verify("SELECT count(*) = 1 FROM child")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn widens_only_the_referenced_key() {
    let child = "CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent);";
    case(
        &format!("CREATE TABLE parent (id int PRIMARY KEY); {child}"),
        &format!("CREATE TABLE parent (id bigint PRIMARY KEY); {child}"),
    )
    .data("INSERT INTO parent VALUES (1); INSERT INTO child VALUES (1, 1)")
    .verify("SELECT count(*) = 1 FROM child")
    .both_ways()
    .run()
    .await;
}

#[tokio::test]
async fn makes_a_composite_foreign_key_match_full() {
    let parent = "CREATE TABLE parent (a int, b int, PRIMARY KEY (a, b));";
    let child = "CREATE TABLE child (id int PRIMARY KEY, a int, b int, CONSTRAINT child_fk FOREIGN KEY (a, b) REFERENCES parent";
    case(&format!("{parent} {child})"), &format!("{parent} {child} MATCH FULL)"))
        .data("INSERT INTO parent VALUES (1, 1); INSERT INTO child VALUES (1, 1, 1), (2, NULL, NULL)")
        .verify("SELECT confmatchtype = 'f' FROM pg_constraint WHERE conname = 'child_fk'")
        .both_ways()
        .run()
        .await;
}
