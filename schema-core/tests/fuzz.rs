//! Fuzz-style properties of the parsers in the model crate: the attribute grammar (column lists, index
//! keys, references), SQL type names and the schema JSON loader get random text and damaged valid inputs.
//! Each returns `Ok` or `Err`, never panics; what they accept reads back as written.

use keel_core::grammar::{self, KeyOn};
use keel_core::model::{
    Check, Column, ColumnType, Enum, ForeignKey, ForeignKeyAction, Index, IndexKey, IndexMethod, Namespace, PrimaryKey,
    QualifiedName, Schema, Table, UniqueConstraint,
};
use keel_core::sql::quote_ident;
use proptest::prelude::*;

#[path = "support/mutate.rs"]
mod mutate;

const COLUMN_LISTS: &[&str] = &["a", "a, b", "user_id, created_at", "\"Odd Col\", b", "a, \"b, c\"", "\"a\"\"b\""];
const INDEX_KEYS: &[&str] = &[
    "user_id",
    "user_id, (lower(name)) text_pattern_ops, created_at DESC NULLS LAST, \"Odd Col\"",
    "(a = ')') DESC",
    "a ASC NULLS FIRST",
    "(coalesce(a, (b + 1))) int4_ops",
];
const REFERENCES: &[&str] =
    &["folders(id)", "auth.users(id, tenant_id)", "folders", "auth.\"Users\"(id, \"tenant id\")"];
const TYPES: &[&str] = &[
    "int4",
    "varchar(20)",
    "numeric(10, 2)",
    "timestamp(3) with time zone",
    "text[]",
    "character varying(500)[]",
    "public.mood",
    "\"My Schema\".\"My \"\"Type\"\"\"",
    "time(6) without time zone",
    "bit varying(8)",
];

proptest! {
    #![proptest_config(mutate::config())]

    #[test]
    fn column_lists_never_panic(text in mutate::input(COLUMN_LISTS)) {
        if let Ok(columns) = grammar::columns(&text) {
            prop_assert!(!columns.is_empty() && columns.iter().all(|c| !c.is_empty()), "{columns:?}");
        }
    }

    #[test]
    fn index_keys_never_panic(text in mutate::input(INDEX_KEYS)) {
        if let Ok(keys) = grammar::index_keys(&text) {
            for key in keys {
                let on = match &key.on { KeyOn::Column(c) | KeyOn::Expression(c) => c };
                prop_assert!(!on.is_empty(), "{key:?}");
            }
        }
    }

    #[test]
    fn references_never_panic(text in mutate::input(REFERENCES)) {
        if let Ok(reference) = grammar::reference(&text) {
            prop_assert!(!reference.table.is_empty() && !reference.columns.is_empty(), "{reference:?}");
        }
    }

    #[test]
    fn type_names_never_panic(text in mutate::input(TYPES)) {
        let _ = ColumnType::parse(&text);
        let _ = ForeignKeyAction::parse(&text);
        let _ = IndexMethod::parse(&text);
    }

    /// What `keel pull` writes (every name quoted) reads back as the same names, whatever they hold.
    #[test]
    fn quoted_names_read_back(names in prop::collection::vec(name(), 1..4), table in name(), schema in name()) {
        let list = names.iter().map(|n| quote_ident(n)).collect::<Vec<_>>().join(", ");
        prop_assert_eq!(grammar::columns(&list).ok(), Some(names.clone()));
        let keys = grammar::index_keys(&list).map_err(|e| TestCaseError::fail(format!("{list}: {e}")))?;
        let read: Vec<KeyOn> = keys.into_iter().map(|k| k.on).collect();
        prop_assert_eq!(read, names.iter().cloned().map(KeyOn::Column).collect::<Vec<_>>());
        let text = format!("{}.{}({list})", quote_ident(&schema), quote_ident(&table));
        let reference = grammar::reference(&text).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
        prop_assert_eq!(
            (reference.schema, reference.table, reference.columns),
            (Some(schema), table, names)
        );
    }

    #[test]
    fn schema_json_never_panics(text in mutate::input(&[&sample_json()])) {
        if let Ok(schema) = Schema::from_json(&text) {
            // What loads writes again and reads back the same.
            prop_assert_eq!(Schema::from_json(&schema.to_json()).ok(), Some(schema));
        }
    }
}

/// Names PostgreSQL accepts quoted: anything but NUL, hostile characters likely.
fn name() -> impl Strategy<Value = String> {
    let hostile = prop::sample::select(vec![
        "\"",
        "\"\"",
        "'",
        "(",
        ")",
        ",",
        ".",
        " ",
        "\t",
        "é",
        "日本",
        "😀",
        "$",
        "-",
        "--",
        ";",
        "select",
        "DESC",
        "NULLS",
        "\"; DROP TABLE x; --",
    ]);
    prop::collection::vec(prop_oneof![hostile.prop_map(str::to_string), "[a-zA-Z0-9_]{1,4}", "[^\0]"], 1..6)
        .prop_map(|parts| parts.concat())
}

/// A schema with one of most things, in its JSON form: the valid input the mutations start from.
fn sample_json() -> String {
    let mut files = Table {
        columns: vec![
            Column::new("id", ColumnType::Uuid).default("gen_random_uuid()"),
            Column::new("user_id", ColumnType::Text),
            Column::new("size", ColumnType::BigInt),
            Column::new("tags", ColumnType::array(ColumnType::Varchar { length: Some(20) })).nullable(),
            Column::new("mood", ColumnType::named("public", "mood")),
            Column::new("at", ColumnType::TIMESTAMPTZ).default("now()"),
            Column::new("price", ColumnType::Numeric { precision: Some(10), scale: Some(2) }),
        ],
        primary_key: Some(PrimaryKey {
            name: "files_pkey".into(),
            columns: vec!["id".into()],
            deferrable: Default::default(),
            comment: None,
        }),
        comment: Some("it's a 'table'".into()),
        ..Table::default()
    };
    files.unique_constraints.insert("files_user_id_key".into(), UniqueConstraint::new(["user_id", "size"]));
    files
        .checks
        .insert("files_size_check".into(), Check { expression: "(size >= 0)".into(), not_valid: false, comment: None });
    files.foreign_keys.insert(
        "files_user_fkey".into(),
        ForeignKey {
            columns: vec!["user_id".into()],
            references: QualifiedName::new("auth", "users"),
            referenced_columns: vec!["id".into()],
            on_delete: ForeignKeyAction::Cascade,
            on_update: ForeignKeyAction::NoAction,
            deferrable: Default::default(),
            match_full: false,
            not_valid: false,
            comment: None,
        },
    );
    let mut index = Index::on_columns(["user_id"]);
    index.keys.push(IndexKey::expression("lower(user_id)").desc());
    index.predicate = Some("(size > 0)".into());
    files.indexes.insert("idx_files_user_id".into(), index);
    let mut public = Namespace::default();
    public.tables.insert("files".into(), files);
    public
        .enums
        .insert("mood".into(), Enum { values: vec!["happy".into(), "sad".into()], comment: None, renamed_from: None });
    let mut schema = Schema::default();
    schema.schemas.insert("public".into(), public);
    schema.schemas.insert("auth".into(), Namespace { comment: Some("users".into()), ..Namespace::default() });
    schema.to_json()
}
