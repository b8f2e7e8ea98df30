//! Code generation for `#[derive(Table)]` from a checked [`TableModel`].

use crate::check::{ColumnModel, Identity, IndexModel, InsertField, Refinement, TableModel};
use crate::keys::KeyOn;
use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

pub fn table(model: &TableModel) -> TokenStream {
    let ident = &model.ident;
    let (schema, name) = (&model.schema, &model.name);
    let column_names: Vec<&String> = model.columns.iter().map(|c| &c.name).collect();
    let columns = model.columns.iter().map(column);
    let constraint_comment = |n: &String| option_string(model.constraint_comments.get(n));
    let primary_key = option(model.primary_key.as_ref().map(|(n, cols)| {
        let comment = constraint_comment(n);
        quote!(::keel::PrimaryKey {
            name: #n.into(),
            columns: ::std::vec![#(#cols.into()),*],
            deferrable: ::keel::Deferrable::NotDeferrable,
            comment: #comment,
        })
    }));
    let uniques = model.uniques.iter().map(|(n, cols)| {
        let comment = constraint_comment(n);
        quote!((#n.into(), ::keel::UniqueConstraint { comment: #comment, ..::keel::UniqueConstraint::new([#(#cols),*]) }))
    });
    let checks = model.checks.iter().map(|(n, expr)| {
        let comment = constraint_comment(n);
        quote!((#n.into(), ::keel::Check { expression: #expr.into(), comment: #comment, not_valid: false }))
    });
    let foreign_keys = model.foreign_keys.iter().map(|fk| {
        let (n, cols, target_schema, target, referenced) =
            (&fk.name, &fk.columns, &fk.schema, &fk.table, &fk.referenced);
        let on_delete = action(fk.on_delete);
        let on_update = action(fk.on_update);
        let deferrable = match fk.deferrable {
            None => quote!(::keel::Deferrable::NotDeferrable),
            Some(false) => quote!(::keel::Deferrable::InitiallyImmediate),
            Some(true) => quote!(::keel::Deferrable::InitiallyDeferred),
        };
        let comment = constraint_comment(n);
        quote!((#n.into(), ::keel::ForeignKey {
            columns: ::std::vec![#(#cols.into()),*],
            references: ::keel::QualifiedName::new(#target_schema, #target),
            referenced_columns: ::std::vec![#(#referenced.into()),*],
            on_delete: #on_delete,
            on_update: #on_update,
            deferrable: #deferrable,
            match_full: false,
            not_valid: false,
            comment: #comment,
        }))
    });
    let indexes = model.indexes.iter().map(index);
    let comment = option_string(model.comment.as_ref());
    let renamed_from = option_string(model.renamed_from.as_ref());
    let partition_by = option_string(model.partition_by.as_ref());
    let triggers = model
        .touch_updated_at
        .then(|| {
            quote!((::keel::model::TOUCH_UPDATED_AT_TRIGGER.to_string(), ::keel::model::Trigger::touch_updated_at()))
        })
        .into_iter();
    let (rls_enabled, rls_forced) = (model.row_level_security.enabled, model.row_level_security.forced);
    let constants = model.columns.iter().map(|c| {
        let constant = format_ident!("{}", screaming(&c.field.to_string()), span = c.field.span());
        let doc = format!("The column `{}`.", c.name);
        let column = &c.name;
        quote!(#[doc = #doc] pub const #constant: &'static str = #column;)
    });
    let in_primary_key = |c: &ColumnModel| model.primary_key.as_ref().is_some_and(|(_, cols)| cols.contains(&c.name));
    let assertions = model.columns.iter().flat_map(|c| assertions(c, in_primary_key(c)));
    let insert = insert_type(model);

    quote! {
        impl ::keel::Table for #ident {
            const SCHEMA: &'static str = #schema;
            const NAME: &'static str = #name;
            const COLUMNS: &'static [&'static str] = &[#(#column_names),*];

            fn definition() -> ::keel::TableDefinition {
                ::keel::TableDefinition {
                    name: ::keel::QualifiedName::new(#schema, #name),
                    table: ::keel::model::Table {
                        columns: ::std::vec![#(#columns),*],
                        primary_key: #primary_key,
                        unique_constraints: ::std::collections::BTreeMap::from([#(#uniques),*]),
                        checks: ::std::collections::BTreeMap::from([#(#checks),*]),
                        foreign_keys: ::std::collections::BTreeMap::from([#(#foreign_keys),*]),
                        indexes: ::std::collections::BTreeMap::from([#(#indexes),*]),
                        exclusions: ::std::collections::BTreeMap::new(),
                        triggers: ::std::collections::BTreeMap::from([#(#triggers),*]),
                        comment: #comment,
                        renamed_from: #renamed_from,
                        row_level_security: ::keel::RowLevelSecurity { enabled: #rls_enabled, forced: #rls_forced },
                        policies: ::std::collections::BTreeMap::new(),
                        partition_by: #partition_by,
                        partitions: ::std::collections::BTreeMap::new(),
                    },
                }
            }
        }

        #[automatically_derived]
        impl #ident {
            #(#constants)*
        }

        #insert

        ::keel::__private::inventory::submit! {
            ::keel::__private::Registration::Table(<#ident as ::keel::Table>::definition)
        }

        #[allow(clippy::extra_unused_type_parameters)]
        const _: fn() = || {
            #(#assertions)*
        };
    }
}

fn column(c: &ColumnModel) -> TokenStream {
    let ty = &c.ty;
    let name = &c.name;
    let (column_type, nullable) = match &c.sql_type {
        Some(sql) => {
            let nullable = c.syntactic_nullable;
            (
                quote!(::keel::ColumnType::parse(#sql).expect("keel checked this type at compile time")),
                quote!(#nullable),
            )
        }
        None => {
            // Spanned at the field type, so a type with no mapping is reported there.
            let base = quote_spanned!(ty.span()=> <#ty as ::keel::SqlType>::column_type());
            let nullable = quote_spanned!(ty.span()=> <#ty as ::keel::SqlType>::NULLABLE);
            let refined = match c.refinement.as_ref().map(|r| &r.0) {
                None => base,
                Some(Refinement::Varchar(n)) => {
                    quote!((#base).with_scalar(::keel::ColumnType::Varchar { length: ::std::option::Option::Some(#n) }))
                }
                Some(Refinement::Char(n)) => {
                    quote!((#base).with_scalar(::keel::ColumnType::Char { length: ::std::option::Option::Some(#n) }))
                }
                Some(Refinement::Json) => {
                    quote!((#base).with_scalar(::keel::ColumnType::Json))
                }
                Some(Refinement::Precision(p, s)) => {
                    let s = option(s.map(|s| quote!(#s)));
                    quote!(::keel::__private::with_precision(#base, #p, #s))
                }
            };
            (refined, nullable)
        }
    };
    let default = option_string(c.default.as_ref());
    let identity = option(c.identity.map(|i| {
        let generation = match i {
            Identity::Always => quote!(::keel::IdentityGeneration::Always),
            Identity::ByDefault => quote!(::keel::IdentityGeneration::ByDefault),
        };
        quote!(::keel::Identity::new(#generation))
    }));
    let generated = option_string(c.generated.as_ref());
    let collation = option_string(c.collation.as_ref());
    let comment = option_string(c.comment.as_ref());
    let renamed_from = option_string(c.renamed_from.as_ref());
    quote! {
        ::keel::Column {
            name: #name.into(),
            ty: #column_type,
            nullable: #nullable,
            default: #default,
            identity: #identity,
            generated: #generated,
            collation: #collation,
            comment: #comment,
            renamed_from: #renamed_from,
        }
    }
}

fn index(index: &IndexModel) -> TokenStream {
    let name = &index.name;
    let unique = index.unique;
    let method = format_ident!("{}", variant(index.method.name()));
    let keys = index.keys.iter().map(|k| {
        let on = match &k.on {
            KeyOn::Column(c) => quote!(::keel::KeyExpression::Column(#c.into())),
            KeyOn::Expression(e) => quote!(::keel::KeyExpression::Expression(#e.into())),
        };
        let opclass = option_string(k.opclass.as_ref());
        let order = if k.descending { quote!(::keel::SortOrder::Desc) } else { quote!(::keel::SortOrder::Asc) };
        // PostgreSQL's default: nulls sort as if larger than any value.
        let nulls = if k.nulls_first.unwrap_or(k.descending) {
            quote!(::keel::NullsOrder::First)
        } else {
            quote!(::keel::NullsOrder::Last)
        };
        quote!(::keel::IndexKey { on: #on, collation: ::std::option::Option::None, opclass: #opclass, order: #order, nulls: #nulls })
    });
    let include = &index.include;
    let predicate = option_string(index.predicate.as_ref());
    let comment = option_string(index.comment.as_ref());
    quote! {
        (#name.into(), ::keel::Index {
            unique: #unique,
            method: ::keel::IndexMethod::#method,
            keys: ::std::vec![#(#keys),*],
            include: ::std::vec![#(#include.into()),*],
            predicate: #predicate,
            nulls_not_distinct: false,
            storage: ::std::collections::BTreeMap::new(),
            invalid: false,
            comment: #comment,
        })
    }
}

/// Compile-time checks that a field's type can carry its attributes, reported at the field's type.
fn assertions(c: &ColumnModel, primary_key: bool) -> Vec<TokenStream> {
    let ty = &c.ty;
    let mut out = Vec::new();
    if let Some((Refinement::Precision(p, _), _, _)) = &c.refinement {
        let p = u16::from(*p);
        out.push(quote_spanned! {ty.span()=>
            const {
                ::std::assert!(
                    #p <= <#ty as ::keel::__private::capability::Precision>::MAX_PRECISION,
                    "`precision` is larger than PostgreSQL allows for this type (6 for time types)"
                )
            };
        });
    }
    // Seen through type aliases too, which the derive's syntactic `Option` check cannot.
    if primary_key && c.sql_type.is_none() {
        out.push(quote_spanned! {ty.span()=>
            const {
                ::std::assert!(
                    !<#ty as ::keel::SqlType>::NULLABLE,
                    "a primary key column cannot be nullable: primary keys are NOT NULL"
                )
            };
        });
    }
    let capabilities = c.refinement.iter().map(|(_, cap, span)| (*cap, *span)).chain(c.requires);
    capabilities
        .map(|(capability, _attribute)| {
            let trait_ident = format_ident!("{}", capability);
            let check = format_ident!("require_{}", capability.to_lowercase());
            quote_spanned! {ty.span()=> {
                fn #check<T: ?::std::marker::Sized + ::keel::__private::capability::#trait_ident>() {}
                #check::<#ty>();
            }}
        })
        .chain(out)
        .collect()
}

/// `NewFile` for `File`: what an insert must provide.
fn insert_type(model: &TableModel) -> TokenStream {
    let ident = &model.ident;
    let vis = &model.vis;
    let new = format_ident!("New{}", ident);
    let derives = &model.insert_derive;
    let doc = format!(
        "A row to insert into `{}`: columns the database fills (defaults, identity) are `Option`, where `None` \
         leaves them to the database; generated columns are absent.",
        model.name
    );
    let fields = model.columns.iter().filter(|c| c.insert != InsertField::Omitted).map(|c| {
        let (field, ty, field_vis) = (&c.field, &c.ty, &c.vis);
        let column_doc = format!("Column `{}`.", c.name);
        let wrap = c.insert == InsertField::Defaulted && !c.syntactic_nullable;
        let ty = if wrap { quote!(::std::option::Option<#ty>) } else { quote!(#ty) };
        quote!(#[doc = #column_doc] #field_vis #field: #ty)
    });
    quote! {
        #[doc = #doc]
        #[derive(#(#derives),*)]
        #vis struct #new {
            #(#fields),*
        }
    }
}

/// `user_id` → `USER_ID`; the name of a column constant.
fn screaming(field: &str) -> String {
    field.trim_start_matches("r#").to_uppercase()
}

fn action(action: keel_core::ForeignKeyAction) -> TokenStream {
    let variant = format_ident!("{}", format!("{action:?}"));
    quote!(::keel::ForeignKeyAction::#variant)
}

fn variant(method: &str) -> String {
    let mut chars = method.chars();
    chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
}

fn option(value: Option<TokenStream>) -> TokenStream {
    match value {
        Some(v) => quote!(::std::option::Option::Some(#v)),
        None => quote!(::std::option::Option::None),
    }
}

pub fn option_string(value: Option<&String>) -> TokenStream {
    option(value.map(|v| quote!(::std::string::String::from(#v))))
}
