//! `#[derive(PgEnum)]`: a fieldless Rust enum as a PostgreSQL enum type.

use crate::attr::EnumInput;
use crate::expand::with;
use keel_core::naming;
use proc_macro2::TokenStream;
use quote::quote;
use std::collections::BTreeMap;

struct Variant {
    ident: syn::Ident,
    label: String,
}

pub fn derive(input: EnumInput) -> darling::Result<TokenStream> {
    let mut errors = darling::Error::accumulator();
    if input.generics.lt_token.is_some() {
        errors.push(syn::Error::new_spanned(&input.generics, "a PostgreSQL enum cannot be generic").into());
    }
    let name =
        input.name.as_ref().map_or_else(|| naming::type_name(&input.ident.to_string()), |n| n.as_str().to_string());
    let schema = input.schema.as_ref().map_or(keel_core::DEFAULT_SCHEMA.to_string(), |s| s.as_str().to_string());
    let name_span = input.name.as_ref().map_or(input.ident.span(), |n| n.span());
    if name.is_empty() || name.len() > naming::MAX_IDENTIFIER_BYTES {
        errors.push(syn::Error::new(name_span, format!("the type name `{name}` must be 1 to 63 bytes long")).into());
    }
    if let Some(s) = &input.schema
        && (s.is_empty() || s.len() > naming::MAX_IDENTIFIER_BYTES)
    {
        errors.push(
            syn::Error::new(s.span(), format!("the schema name `{}` must be 1 to 63 bytes long", s.as_str())).into(),
        );
    }
    let variants = input.data.take_enum().expect("darling admits only enums");
    if variants.is_empty() {
        errors.push(syn::Error::new(input.ident.span(), "a PostgreSQL enum needs at least one variant").into());
    }
    let mut seen = BTreeMap::new();
    let mut out = Vec::new();
    for v in variants {
        if !v.fields.is_unit() {
            errors.push(syn::Error::new(v.ident.span(), "a PostgreSQL enum variant cannot carry data").into());
            continue;
        }
        let label =
            v.rename.as_ref().map_or_else(|| naming::enum_value(&v.ident.to_string()), |r| r.as_str().to_string());
        let span = v.rename.as_ref().map_or(v.ident.span(), |r| r.span());
        if label.is_empty() || label.len() > naming::MAX_IDENTIFIER_BYTES {
            errors.push(syn::Error::new(span, format!("the label `{label}` must be 1 to 63 bytes long")).into());
        }
        if let Some(first) = seen.insert(label.clone(), v.ident.clone()) {
            errors.push(
                syn::Error::new(span, format!("duplicate label `{label}`: variant `{first}` already has it")).into(),
            );
        }
        out.push(Variant { ident: v.ident, label });
    }
    errors.finish()?;

    let ident = &input.ident;
    let labels: Vec<&String> = out.iter().map(|v| &v.label).collect();
    let idents: Vec<&syn::Ident> = out.iter().map(|v| &v.ident).collect();
    let comment = with("with_comment", input.comment.as_ref());
    let renamed_from = with("with_renamed_from", input.renamed_from.as_ref());
    Ok(quote! {
        impl ::keel::PgEnum for #ident {
            const SCHEMA: &'static str = #schema;
            const NAME: &'static str = #name;
            const VALUES: &'static [&'static str] = &[#(#labels),*];

            fn definition() -> ::keel::EnumDefinition {
                ::keel::EnumDefinition::new(
                    ::keel::QualifiedName::new(#schema, #name),
                    ::keel::Enum::new([#(#labels),*]) #comment #renamed_from,
                )
            }

            fn as_label(&self) -> &'static str {
                match self {
                    #(Self::#idents => #labels,)*
                }
            }

            fn from_label(label: &str) -> ::std::option::Option<Self> {
                match label {
                    #(#labels => ::std::option::Option::Some(Self::#idents),)*
                    _ => ::std::option::Option::None,
                }
            }
        }

        impl ::keel::SqlType for #ident {
            fn column_type() -> ::keel::ColumnType {
                <Self as ::keel::PgEnum>::column_type()
            }
        }

        ::keel::__private::inventory::submit! {
            ::keel::__private::Registration::Enum(<#ident as ::keel::PgEnum>::definition)
        }
    })
}
