//! The logic of keel's derives, as an ordinary library (the proc-macro crate `keel-macros` is a shim over it,
//! as sqlx does), so that it can be unit-tested with token streams in and tokens or errors out.
//!
//! Each derive parses its attributes (`attr`), checks them into a model of what it declares (`check`,
//! reporting every mistake at once with its span), then expands that model (`expand`) into calls of the
//! schema model's constructors, named through the `keel` facade crate.

mod attr;
mod check;
mod expand;
#[cfg(test)]
mod fuzz;
mod keys;
mod partition;
mod pg_enum;
#[cfg(test)]
mod tests;

use darling::FromDeriveInput;
use proc_macro2::TokenStream;
use syn::DeriveInput;

/// `#[derive(Table)]`: the generated code, or the compile errors, as tokens.
pub fn derive_table(input: TokenStream) -> TokenStream {
    syn::parse2::<DeriveInput>(input)
        .map_err(darling::Error::from)
        .and_then(|input| table(&input))
        .unwrap_or_else(|e| e.write_errors())
}

/// `#[derive(PgEnum)]`: the generated code, or the compile errors, as tokens.
pub fn derive_pg_enum(input: TokenStream) -> TokenStream {
    syn::parse2::<DeriveInput>(input)
        .map_err(darling::Error::from)
        .and_then(|input| pg_enum(&input))
        .unwrap_or_else(|e| e.write_errors())
}

/// `#[derive(Table)]` on a parsed item: parse attributes, check, expand. Every mistake found is in the error.
pub fn table(input: &DeriveInput) -> darling::Result<TokenStream> {
    attr::TableInput::from_derive_input(input).and_then(check::table).map(|model| expand::table(&model))
}

/// `#[derive(PgEnum)]` on a parsed item.
pub fn pg_enum(input: &DeriveInput) -> darling::Result<TokenStream> {
    attr::EnumInput::from_derive_input(input).and_then(pg_enum::derive)
}
