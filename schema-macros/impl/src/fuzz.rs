//! Fuzz-style properties of the derives: damaged attribute strings (and damaged declarations) go through
//! the same parse → check → expand path as the proc macro. A mistake must become a compile error at the
//! attribute, never a panic in the compiler.

use crate::attr::{EnumInput, TableInput};
use crate::{check, expand, partition, pg_enum};
use darling::FromDeriveInput;
use proptest::prelude::*;
use proptest::test_runner::TestRunner;
use syn::DeriveInput;

/// Shared with the other crates' fuzz tests.
#[path = "../../../schema-core/tests/support/mutate.rs"]
mod mutate;

/// The attribute strings of [`table_source`], valid as given.
const VALID: [&str; 11] = [
    "files",
    "user_id, created_at DESC NULLS LAST, (lower(name)) text_pattern_ops",
    "size > 0",
    "folders(id, size)",
    "user_id, size",
    "RANGE (size)",
    "numeric(10, 2)",
    "now()",
    "set null",
    "gin",
    "auth.users",
];

/// A table declaration using every attribute that holds a string with a grammar of its own.
fn table_source(v: &[String]) -> String {
    let q = |i: usize| format!("{:?}", v[i]);
    format!(
        r#"
        #[derive(Table)]
        #[keel(table = {}, index(name = "i", columns = {}, predicate = {}, method = {}), unique(columns = {}),
               foreign_key(columns = {}, references = {}, on_delete = {}), check(name = "c", expr = {}),
               partition_by = {}, primary_key(columns = {}))]
        pub struct File {{
            pub id: Uuid,
            #[keel(sql_type = {}, default = {}, references = {}, on_update = {}, index(method = {}))]
            pub user_id: String,
            pub size: i64,
            pub name: String,
            pub created_at: DateTime<Utc>,
        }}"#,
        q(0),
        q(1),
        q(2),
        q(9),
        q(4),
        q(4),
        q(3),
        q(8),
        q(2),
        q(5),
        q(4),
        q(6),
        q(7),
        q(10),
        q(8),
        q(9),
    )
}

/// The derive's work on `source`, minus the token plumbing: `Err` is a compile error, a panic fails the test.
fn derive(source: &str) -> darling::Result<()> {
    let input = syn::parse_str::<DeriveInput>(source)?;
    match TableInput::from_derive_input(&input) {
        Ok(table) => check::table(table).map(|model| drop(expand::table(&model))),
        Err(_) => EnumInput::from_derive_input(&input).and_then(pg_enum::derive).map(drop),
    }
}

fn run(strategy: impl Strategy<Value = String>, test: impl Fn(&str)) {
    let mut runner = TestRunner::new(mutate::config());
    if let Err(e) = runner.run(&strategy, |text| {
        test(&text);
        Ok(())
    }) {
        panic!("{e}");
    }
}

#[test]
fn damaged_attribute_strings_never_panic() {
    let values = VALID.map(|v| mutate::input(&[v]));
    let strategy = values.into_iter().collect::<Vec<_>>().prop_map(|v| table_source(&v));
    run(strategy, |source| drop(derive(source)));
}

#[test]
fn damaged_declarations_never_panic() {
    let valid = VALID.map(str::to_string);
    let tables = table_source(&valid);
    let enums = "#[derive(PgEnum)]\n#[keel(name = \"mood\", schema = \"app\")]\nenum Mood { Happy, #[keel(rename = \"so-so\")] SoSo }";
    derive(&tables).expect("the undamaged table derives");
    derive(enums).expect("the undamaged enum derives");
    run(mutate::input(&[&tables, enums]), |source| drop(derive(source)));
}

#[test]
fn partition_keys_never_panic() {
    run(mutate::input(&["RANGE (created_at)", "list(a, b)", "HASH (lower(name))"]), |text| {
        let _ = partition::normalize(text);
    });
}
