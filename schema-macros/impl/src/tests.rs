//! The derives as functions: source text in, the checked model, the generated tokens or the errors out.
//! Errors are read back with the source text their span covers, which is what the compiler underlines.

use crate::attr::TableInput;
use crate::check::{self, InsertField, TableModel};
use darling::FromDeriveInput;
use syn::DeriveInput;

fn parse(source: &str) -> DeriveInput {
    syn::parse_str(source).expect("the test source is Rust")
}

/// Each error's message with the text it points at.
fn errors(result: darling::Result<proc_macro2::TokenStream>) -> Vec<(String, String)> {
    let error = result.expect_err("the derive reports an error");
    error
        .into_iter()
        .map(|e| (e.to_string(), e.span().source_text().unwrap_or_else(|| "<no span>".to_string())))
        .collect()
}

fn model(source: &str) -> TableModel {
    let input = TableInput::from_derive_input(&parse(source)).expect("the attributes parse");
    check::table(input).unwrap_or_else(|e| panic!("the table checks: {e}"))
}

/// The generated code, without the spacing `quote` puts between tokens (`<Uuid as Trait>` reads `<Uuidas`).
fn expansion(source: &str) -> String {
    let tokens = crate::table(&parse(source)).unwrap_or_else(|e| panic!("the table derives: {e}"));
    syn::parse2::<syn::File>(tokens.clone()).expect("the expansion is Rust items");
    tokens.to_string().chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn an_unknown_foreign_key_action_is_reported_at_its_string() {
    let source = r#"
        struct File {
            id: Uuid,
            #[keel(references = "folders", on_delete = "cascadee")]
            folder_id: Uuid,
        }"#;
    assert_eq!(
        errors(crate::table(&parse(source))),
        [(
            "unknown foreign key action `cascadee`; expected one of: no action, restrict, cascade, set null, \
             set default"
                .to_string(),
            "\"cascadee\"".to_string()
        )]
    );
}

#[test]
fn every_mistake_is_reported_at_once_each_at_its_place() {
    let source = r#"
        #[keel(index(columns = "name, nme"))]
        struct File {
            id: Uuid,
            name: String,
            #[keel(column = "name", index(method = "bree"))]
            title: String,
        }"#;
    let expected: [(String, String); 3] = [
        ("duplicate column `name`: field `name` already maps to it".into(), "\"name\"".into()),
        (
            "unknown index method `bree`; expected one of: btree, hash, gist, spgist, gin, brin".into(),
            "\"bree\"".into(),
        ),
        ("no column `nme` in this table; columns are: id, name, name".into(), "\"name, nme\"".into()),
    ];
    assert_eq!(errors(crate::table(&parse(source))), expected);
}

#[test]
fn the_conventions_fill_defaults_and_explicit_ones_win() {
    let table = model(
        r#"
        struct FileVersion {
            id: uuid::Uuid,
            created_at: DateTime<Utc>,
            updated_at: Option<DateTime<Utc>>,
            is_deleted: bool,
            #[keel(default = "true")]
            has_thumbnail: bool,
            is_hidden: i32,
            #[keel(optimistic_lock)]
            version: i32,
        }"#,
    );
    assert_eq!((table.schema.as_str(), table.name.as_str()), ("public", "file_versions"));
    let defaults: Vec<(&str, Option<&str>)> =
        table.columns.iter().map(|c| (c.name.as_str(), c.default.as_deref())).collect();
    assert_eq!(
        defaults,
        [
            ("id", Some("gen_random_uuid()")),
            ("created_at", Some("now()")),
            ("updated_at", None),
            ("is_deleted", Some("false")),
            ("has_thumbnail", Some("true")),
            ("is_hidden", None),
            ("version", Some("1")),
        ]
    );
    assert_eq!(table.primary_key, Some(("file_versions_pkey".to_string(), vec!["id".to_string()])));
    assert!(table.columns[0].insert == InsertField::Defaulted && table.columns[5].insert == InsertField::Required);
}

#[test]
fn the_expansion_builds_the_model_through_its_constructors() {
    let code = expansion(
        r#"
        #[keel(index(columns = "owner_id, created_at DESC", method = "brin"), rls = "enable")]
        struct File {
            id: Uuid,
            #[keel(references = "users", on_delete = "set null", deferrable, comment = "who")]
            owner_id: Option<Uuid>,
            created_at: DateTime<Utc>,
        }"#,
    );
    for expected in [
        "::keel::TableDefinition::new(::keel::QualifiedName::new(\"public\",\"files\"),::keel::model::Table::new(",
        "::keel::Column::new(\"id\",<Uuidas::keel::SqlType>::column_type()).with_nullable(<Uuidas::keel::SqlType>::NULLABLE).default(\"gen_random_uuid()\")",
        ".with_primary_key(::keel::PrimaryKey::new(\"files_pkey\",[\"id\"]))",
        ".with_foreign_key(\"files_owner_id_fkey\",::keel::ForeignKey::new([\"owner_id\"],::keel::QualifiedName::new(\"public\",\"users\"),[\"id\"],)",
        ".with_on_delete(::keel::ForeignKeyAction::parse(\"SETNULL\")",
        ".with_deferrable(::keel::Deferrable::initially(false))",
        ".with_method(::keel::IndexMethod::parse(\"brin\")",
        "::keel::IndexKey::column(\"created_at\").desc().with_nulls_first(true)",
        ".with_row_level_security(::keel::RowLevelSecurity::new(true,false))",
    ] {
        assert!(code.contains(expected), "{expected} not in {code}");
    }
    // Fields only introspection fills are left to the constructors; variant names never come from `Debug`.
    for absent in ["match_full", "not_valid", "invalid", "storage", "SetNull", "Brin"] {
        assert!(!code.contains(absent), "{absent} in {code}");
    }
}

#[test]
fn pg_enum_labels_are_snake_case_and_unique() {
    let code: String = crate::pg_enum(&parse("enum Kind { CreditPurchase, #[keel(rename = \"refund\")] Refund }"))
        .expect("the enum derives")
        .to_string()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    assert!(code.contains("::keel::Enum::new([\"credit_purchase\",\"refund\"])"), "{code}");
    assert!(code.contains("QualifiedName::new(\"public\",\"kind\")"), "{code}");

    let duplicate = "enum Kind { Refund, #[keel(rename = \"refund\")] Other }";
    assert_eq!(
        errors(crate::pg_enum(&parse(duplicate))),
        [("duplicate label `refund`: variant `Refund` already has it".to_string(), "\"refund\"".to_string())]
    );
}

#[test]
fn virtual_makes_a_generated_column_virtual() {
    let code = expansion(
        r#"
        struct Invoice {
            id: i64,
            net: i64,
            #[keel(generated = "net * 2")]
            doubled: i64,
            #[keel(generated = "net * 3", virtual)]
            tripled: i64,
        }"#,
    );
    assert!(code.contains(".with_generated(\"net*2\")"), "{code}");
    assert!(code.contains(".with_virtual_generated(\"net*3\")"), "{code}");
    let table = model(
        r#"
        struct Invoice {
            id: i64,
            net: i64,
            #[keel(generated = "net * 3", virtual)]
            tripled: i64,
        }"#,
    );
    assert!(table.columns[2].generated_virtual && table.columns[2].insert == InsertField::Omitted);
}

#[test]
fn virtual_without_generated_is_reported_at_it() {
    let source = r#"
        struct Invoice {
            id: i64,
            #[keel(virtual)]
            net: i64,
        }"#;
    let expected =
        [("`virtual` goes with `generated = \"..\"`: it makes that column VIRTUAL".to_string(), "virtual".to_string())];
    assert_eq!(errors(crate::table(&parse(source))), expected);
}
