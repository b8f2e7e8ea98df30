//! Compile-time diagnostics of `#[derive(Table)]` and `#[derive(PgEnum)]`: one case per class of mistake in
//! `tests/ui/`, each with the exact error it must produce, and programs that must compile and run in
//! `tests/ui-pass/`. Regenerate the `.stderr` files with `TRYBUILD=overwrite cargo test -p keel --test ui`,
//! then read them: every error must say what is wrong and point at the attribute or field that is wrong.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
    t.pass("tests/ui-pass/*.rs");
}
