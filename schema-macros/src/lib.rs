//! keel's derives: a proc-macro shim over `keel-macros-impl` (`schema-macros/impl`), which holds the logic as
//! an ordinary library so that it can be unit-tested. The generated code names items through the `keel`
//! facade crate.

use proc_macro::TokenStream;

/// Declares a table. See the `keel` crate for the attribute reference.
#[proc_macro_derive(Table, attributes(keel))]
pub fn derive_table(input: TokenStream) -> TokenStream {
    keel_macros_impl::derive_table(input.into()).into()
}

/// Declares a PostgreSQL enum type from a fieldless Rust enum.
#[proc_macro_derive(PgEnum, attributes(keel))]
pub fn derive_pg_enum(input: TokenStream) -> TokenStream {
    keel_macros_impl::derive_pg_enum(input.into()).into()
}
