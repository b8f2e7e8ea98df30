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
    let comment_of = |n: &String| with("with_comment", model.constraint_comments.get(n));
    let mut parts = Vec::new();
    if let Some((n, cols)) = &model.primary_key {
        let comment = comment_of(n);
        parts.push(quote!(.with_primary_key(::keel::PrimaryKey::new(#n, [#(#cols),*]) #comment)));
    }
    for (n, cols) in &model.uniques {
        let comment = comment_of(n);
        parts.push(quote!(.with_unique(#n, ::keel::UniqueConstraint::new([#(#cols),*]) #comment)));
    }
    for (n, expr) in &model.checks {
        let comment = comment_of(n);
        parts.push(quote!(.with_check(#n, ::keel::Check::new(#expr) #comment)));
    }
    for fk in &model.foreign_keys {
        let (n, cols, target_schema, target, referenced) =
            (&fk.name, &fk.columns, &fk.schema, &fk.table, &fk.referenced);
        let on_delete = action("with_on_delete", fk.on_delete);
        let on_update = action("with_on_update", fk.on_update);
        let deferrable =
            fk.deferrable.map(|deferred| quote!(.with_deferrable(::keel::Deferrable::initially(#deferred))));
        let comment = comment_of(n);
        parts.push(quote!(.with_foreign_key(#n, ::keel::ForeignKey::new(
            [#(#cols),*],
            ::keel::QualifiedName::new(#target_schema, #target),
            [#(#referenced),*],
        ) #on_delete #on_update #deferrable #comment)));
    }
    parts.extend(model.indexes.iter().map(index));
    if model.touch_updated_at {
        parts.push(
            quote!(.with_trigger(::keel::model::TOUCH_UPDATED_AT_TRIGGER, ::keel::model::Trigger::touch_updated_at())),
        );
    }
    parts.extend(with("with_comment", model.comment.as_ref()));
    parts.extend(with("with_renamed_from", model.renamed_from.as_ref()));
    let rls = model.row_level_security;
    if !rls.is_off() {
        let (enabled, forced) = (rls.enabled, rls.forced);
        parts.push(quote!(.with_row_level_security(::keel::RowLevelSecurity::new(#enabled, #forced))));
    }
    parts.extend(with("with_partition_by", model.partition_by.as_ref()));
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
                ::keel::TableDefinition::new(
                    ::keel::QualifiedName::new(#schema, #name),
                    ::keel::model::Table::new(::std::vec![#(#columns),*]) #(#parts)*,
                )
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
                Some(Refinement::Varchar(n)) => quote!(::keel::__private::with_varchar(#base, #n)),
                Some(Refinement::Char(n)) => quote!(::keel::__private::with_char(#base, #n)),
                Some(Refinement::Json) => quote!(::keel::__private::with_json(#base)),
                Some(Refinement::Precision(p, s)) => {
                    let s = option(s.map(|s| quote!(#s)));
                    quote!(::keel::__private::with_precision(#base, #p, #s))
                }
            };
            (refined, nullable)
        }
    };
    let default = with("default", c.default.as_ref());
    let identity = c.identity.map(|i| {
        let generation = match i {
            Identity::Always => quote!(::keel::IdentityGeneration::Always),
            Identity::ByDefault => quote!(::keel::IdentityGeneration::ByDefault),
        };
        quote!(.with_identity(::keel::Identity::new(#generation)))
    });
    let generated =
        with(if c.generated_virtual { "with_virtual_generated" } else { "with_generated" }, c.generated.as_ref());
    let collation = with("with_collation", c.collation.as_ref());
    let comment = with("with_comment", c.comment.as_ref());
    let renamed_from = with("with_renamed_from", c.renamed_from.as_ref());
    quote! {
        ::keel::Column::new(#name, #column_type)
            .with_nullable(#nullable) #default #identity #generated #collation #comment #renamed_from
    }
}

fn index(index: &IndexModel) -> TokenStream {
    let name = &index.name;
    let unique = index.unique.then(|| quote!(.with_unique(true)));
    let method = (index.method != keel_core::IndexMethod::default()).then(|| {
        let method = index.method.name();
        quote!(.with_method(::keel::IndexMethod::parse(#method).expect("keel checked this method at compile time")))
    });
    let keys = index.keys.iter().map(|k| {
        let on = match &k.on {
            KeyOn::Column(c) => quote!(::keel::IndexKey::column(#c)),
            KeyOn::Expression(e) => quote!(::keel::IndexKey::expression(#e)),
        };
        let opclass = with("with_opclass", k.opclass.as_ref());
        let desc = k.descending.then(|| quote!(.desc()));
        // PostgreSQL's default: nulls sort as if larger than any value.
        let nulls_first = k.nulls_first.unwrap_or(k.descending);
        quote!(#on #opclass #desc .with_nulls_first(#nulls_first))
    });
    let include = (!index.include.is_empty()).then(|| {
        let include = &index.include;
        quote!(.with_include([#(#include),*]))
    });
    let predicate = with("with_predicate", index.predicate.as_ref());
    let comment = with("with_comment", index.comment.as_ref());
    quote! {
        .with_index(#name, ::keel::Index::new([#(#keys),*]) #unique #method #include #predicate #comment)
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

/// `.with_on_delete(...)` and the like; nothing for the default, `NO ACTION`. The action is named by its SQL,
/// which the model parses back.
fn action(method: &str, action: keel_core::ForeignKeyAction) -> Option<TokenStream> {
    (action != keel_core::ForeignKeyAction::default()).then(|| {
        let method = format_ident!("{method}");
        let sql = action.sql();
        quote!(.#method(::keel::ForeignKeyAction::parse(#sql).expect("keel checked this action at compile time")))
    })
}

/// `.method(value)` when there is a value, else nothing (the constructors leave optional parts unset).
pub fn with(method: &str, value: Option<&String>) -> Option<TokenStream> {
    let method = format_ident!("{method}");
    value.map(|v| quote!(.#method(#v)))
}

fn option(value: Option<TokenStream>) -> TokenStream {
    match value {
        Some(v) => quote!(::std::option::Option::Some(#v)),
        None => quote!(::std::option::Option::None),
    }
}
