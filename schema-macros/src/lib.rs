//! keel's derives. Each derive parses its attributes (`attr`), checks them into a model of what it
//! declares (`check`, reporting every mistake at once with its span), then expands that model (`expand`).
//! The generated code names items through the `keel` facade crate.

mod attr;
mod check;
mod expand;
#[cfg(test)]
mod fuzz;
mod keys;
mod partition;
mod pg_enum;

use darling::FromDeriveInput;
use proc_macro::TokenStream;
use syn::{DeriveInput, parse_macro_input};

/// Declares a table. See the `keel` crate for the attribute reference.
#[proc_macro_derive(Table, attributes(keel))]
pub fn derive_table(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    attr::TableInput::from_derive_input(&input)
        .and_then(check::table)
        .map(|model| expand::table(&model))
        .unwrap_or_else(|e| e.write_errors())
        .into()
}

/// Declares a PostgreSQL enum type from a fieldless Rust enum.
#[proc_macro_derive(PgEnum, attributes(keel))]
pub fn derive_pg_enum(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    attr::EnumInput::from_derive_input(&input).and_then(pg_enum::derive).unwrap_or_else(|e| e.write_errors()).into()
}
