//! `keel::collect()` on a schema whose tables do not fit together. `collect()` sees every table registered in
//! the test binary, so this broken schema lives in its own test file, away from `derive.rs`.

#![allow(dead_code)]

use keel::{ColumnType, PgEnum, QualifiedName, Table};
use keel_core::registry::{Problem, assemble};

#[derive(PgEnum, Debug, Clone)]
enum Mood {
    Happy,
    Sad,
}

#[derive(Table)]
struct Author {
    id: i64,
    mood: Mood,
}

#[derive(Table)]
struct Comment {
    id: i64,
    /// `posts` is not a registered table.
    #[keel(references = "posts(id)", on_delete = "cascade")]
    post_id: i64,
    /// `authors` exists but has no `handle` column.
    #[keel(references = "authors(handle)")]
    author_handle: String,
    /// A schema-qualified type that no `#[derive(PgEnum)]` declares: a domain of the schema folder, say.
    /// The registry cannot know; normalization checks it against the database.
    #[keel(sql_type = "public.feeling")]
    feeling: String,
    /// Fine: the table exists in another schema.
    #[keel(references = "archive.comments(id)")]
    archived_id: Option<i64>,
}

mod archive {
    use keel::Table;

    #[derive(Table)]
    #[keel(schema = "archive")]
    pub struct Comment {
        pub id: i64,
    }

    /// A second table named `public.authors`.
    #[derive(Table)]
    #[keel(table = "authors")]
    pub struct Writer {
        id: i64,
        mood: super::Mood,
    }
}

#[test]
fn collect_reports_every_problem() {
    let error = keel::collect().expect_err("the registered tables are inconsistent");
    let public = |name: &str| QualifiedName::new("public", name);
    assert_eq!(
        error.problems,
        [
            Problem::DuplicateTable(public("authors")),
            Problem::UnknownColumn {
                table: public("authors"),
                what: "foreign key comments_author_handle_fkey of public.comments".into(),
                column: "handle".into(),
            },
            Problem::UnknownTable {
                table: public("comments"),
                foreign_key: "comments_post_id_fkey".into(),
                references: public("posts"),
            },
        ]
    );
    let message = error.to_string();
    assert!(message.starts_with("the registered tables do not form a valid schema:\n  - "), "{message}");
    for expected in [
        "table public.authors is declared twice",
        // The referenced side reads awkwardly ("... of public.comments of public.authors"), but says it all.
        "foreign key comments_author_handle_fkey of public.comments of public.authors names column `handle`",
        "foreign key comments_post_id_fkey of public.comments references public.posts, which is not a registered table",
    ] {
        assert!(message.contains(expected), "missing {expected:?} in:\n{message}");
    }
}

#[test]
fn the_definitions_themselves_are_fine() {
    // Each derive is consistent on its own; only the registry sees the cross-table problems.
    let comments = Comment::definition();
    assert_eq!(comments.table.foreign_keys.len(), 3);
    assert_eq!(comments.table.column("feeling").map(|c| &c.ty), Some(&ColumnType::named("public", "feeling")));
    assert_eq!(<archive::Comment as Table>::SCHEMA, "archive");
}

#[test]
fn assemble_accepts_the_consistent_subset() {
    let schema = assemble(vec![Author::definition(), archive::Comment::definition()], vec![Mood::definition()])
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(schema.table("public", "authors").is_some());
    assert!(schema.table("archive", "comments").is_some());
    assert_eq!(
        schema.enum_type("public", "mood").map(|e| e.values.clone()),
        Some(vec!["happy".to_string(), "sad".to_string()])
    );
}

#[test]
fn assemble_reports_duplicate_enums_and_leaves_named_types_to_the_database() {
    let error = assemble(vec![Author::definition()], vec![Mood::definition(), Mood::definition()])
        .expect_err("the enum is declared twice");
    assert_eq!(error.problems, [Problem::DuplicateEnum(QualifiedName::new("public", "mood"))]);

    // `mood` may be a domain or composite type declared in SQL: only the database can tell.
    let schema = assemble(vec![Author::definition()], Vec::new()).unwrap_or_else(|e| panic!("{e}"));
    let column = schema.table("public", "authors").and_then(|t| t.column("mood")).map(|c| c.ty.clone());
    assert_eq!(column, Some(ColumnType::named("public", "mood")));
}
