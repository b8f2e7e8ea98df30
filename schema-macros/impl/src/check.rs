//! Turns parsed attributes into a checked description of the table: names resolved, conventions applied,
//! every reference between attributes verified. All mistakes are collected and reported together.

use crate::attr::{FieldInput, ForeignKeyOptions, IdentityAttr, RlsAttr, TableInput};
use crate::keys::{self, KeyOn, KeySpec};
use darling::util::SpannedValue;
use keel_core::model::ForeignKeyAction;
use keel_core::{conventions, naming};
use proc_macro2::Span;
use std::collections::BTreeMap;
use syn::spanned::Spanned;
use syn::{Ident, LitStr, Type};

pub struct TableModel {
    pub ident: Ident,
    pub vis: syn::Visibility,
    pub schema: String,
    pub name: String,
    pub comment: Option<String>,
    pub renamed_from: Option<String>,
    pub columns: Vec<ColumnModel>,
    pub primary_key: Option<(String, Vec<String>)>,
    pub uniques: Vec<(String, Vec<String>)>,
    pub checks: Vec<(String, String)>,
    pub foreign_keys: Vec<ForeignKeyModel>,
    pub indexes: Vec<IndexModel>,
    /// Comments of constraints declared on the struct, by constraint name.
    pub constraint_comments: BTreeMap<String, String>,
    pub insert_derive: Vec<syn::Path>,
    /// `#[keel(touch_updated_at)]`: a trigger keeps `updated_at` current.
    pub touch_updated_at: bool,
    pub row_level_security: keel_core::RowLevelSecurity,
    /// `#[keel(partition_by = "...")]`, as PostgreSQL prints it.
    pub partition_by: Option<String>,
}

pub struct ColumnModel {
    pub field: Ident,
    pub vis: syn::Visibility,
    pub ty: Type,
    pub name: String,
    /// `sql_type = "..."`, already validated.
    pub sql_type: Option<String>,
    /// An attribute that refines the Rust type's mapping, with the capability its field type must have.
    pub refinement: Option<(Refinement, &'static str, Span)>,
    /// Nullability when it cannot come from `SqlType` (with `sql_type`, the Rust type need not implement it).
    pub syntactic_nullable: bool,
    pub default: Option<String>,
    pub identity: Option<Identity>,
    pub generated: Option<String>,
    /// `virtual` with `generated`: `GENERATED ALWAYS AS (..) VIRTUAL`.
    pub generated_virtual: bool,
    pub collation: Option<String>,
    pub comment: Option<String>,
    pub renamed_from: Option<String>,
    pub insert: InsertField,
    /// Extra capability the field type must have (e.g. an integer for `optimistic_lock`).
    pub requires: Option<(&'static str, Span)>,
}

pub enum Refinement {
    Varchar(u32),
    Char(u32),
    Json,
    Precision(u8, Option<u16>),
}

#[derive(Clone, Copy)]
pub enum Identity {
    Always,
    ByDefault,
}

/// How a column appears in the insert type.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum InsertField {
    /// The field's own type: the caller must give a value.
    Required,
    /// `Option<T>`: `None` leaves the column to its database default.
    Defaulted,
    /// Absent: the database computes it (generated, identity always).
    Omitted,
}

pub struct ForeignKeyModel {
    pub name: String,
    pub columns: Vec<String>,
    pub schema: String,
    pub table: String,
    pub referenced: Vec<String>,
    pub on_delete: ForeignKeyAction,
    pub on_update: ForeignKeyAction,
    pub deferrable: Option<bool>,
}

pub struct IndexModel {
    pub name: String,
    pub unique: bool,
    pub method: keel_core::IndexMethod,
    pub keys: Vec<KeySpec>,
    pub include: Vec<String>,
    pub predicate: Option<String>,
    pub comment: Option<String>,
}

type Errors = darling::error::Accumulator;

/// An error at a span (darling's own `with_span` wants a syntax node).
fn err(span: impl Into<SpanOf>, message: impl std::fmt::Display) -> darling::Error {
    syn::Error::new(span.into().0, message).into()
}

/// Anything an error can point at.
struct SpanOf(Span);

impl From<Span> for SpanOf {
    fn from(span: Span) -> Self {
        SpanOf(span)
    }
}

impl From<&syn::Generics> for SpanOf {
    fn from(generics: &syn::Generics) -> Self {
        SpanOf(generics.span())
    }
}

pub fn table(mut input: TableInput) -> darling::Result<TableModel> {
    let mut errors = darling::Error::accumulator();
    if input.generics.lt_token.is_some() || input.generics.where_clause.is_some() {
        errors.push(err(&input.generics, "a table struct cannot be generic"));
    }
    let name = match &input.table {
        Some(t) => t.as_str().to_string(),
        None => naming::table_name(&input.ident.to_string()),
    };
    let schema = input.schema.as_ref().map_or(keel_core::DEFAULT_SCHEMA.to_string(), |s| s.as_str().to_string());
    let name_span = input.table.as_ref().map_or(input.ident.span(), |t| t.span());
    check_identifier(&mut errors, &name, name_span, "table name");
    if let Some(s) = &input.schema {
        check_identifier(&mut errors, s, s.span(), "schema name");
    }

    let fields = std::mem::replace(
        &mut input.data,
        darling::ast::Data::Struct(darling::ast::Fields::empty_from(&syn::Fields::Unit)),
    )
    .take_struct()
    .expect("darling admits only named structs")
    .fields;
    let mut columns = Vec::new();
    let mut primary_fields = Vec::new();
    let mut uniques = Vec::new();
    let mut checks = Vec::new();
    let mut foreign_keys = Vec::new();
    let mut indexes = Vec::new();
    let mut seen = BTreeMap::new();
    for field in fields {
        if field.skip.is_present() {
            if field.has_column_attributes() {
                errors
                    .push(err(field.skip.span(), "a skipped field is not a column; remove its other keel attributes"));
            }
            continue;
        }
        let ident = field.ident.clone().expect("named struct fields have names");
        let column = match &field.column {
            Some(c) => c.as_str().to_string(),
            None => naming::column_name(&ident.to_string()),
        };
        let column_span = field.column.as_ref().map_or(ident.span(), |c| c.span());
        check_identifier(&mut errors, &column, column_span, "column name");
        if let Some(first) = seen.insert(column.clone(), ident.clone()) {
            errors.push(err(column_span, format!("duplicate column `{column}`: field `{first}` already maps to it")));
        }
        if field.primary_key.is_present() {
            primary_fields.push((column.clone(), field.primary_key.span()));
        }
        if let Some(u) = &field.unique {
            let n = u.0.clone().unwrap_or_else(|| naming::unique_name(&name, &[&column]));
            uniques.push((n, vec![column.clone()], u.span()));
        }
        if let Some(index) = &field.index {
            let spec = &index.0;
            let n = spec.name.clone().unwrap_or_else(|| naming::index_name(&name, &[&column]));
            let key =
                KeySpec { on: KeyOn::Column(column.clone()), opclass: None, descending: false, nulls_first: None };
            let method = method(&mut errors, spec.method.as_ref());
            let model = IndexModel {
                name: n,
                unique: spec.unique.is_present(),
                method,
                keys: vec![key],
                include: Vec::new(),
                predicate: spec.predicate.clone(),
                comment: None,
            };
            indexes.push((model, index.span()));
        }
        if let Some(expr) = &field.check {
            checks.push((naming::check_name(&name, &column), expr.clone(), column_span));
        }
        match (&field.references, &field.fk_name) {
            (Some(target), _) => {
                if let Some(fk) = foreign_key(
                    &mut errors,
                    &schema,
                    &name,
                    vec![column.clone()],
                    target,
                    field.fk_name.as_ref(),
                    &field.fk,
                ) {
                    foreign_keys.push((fk, target.span()));
                }
            }
            (None, fk_name) => reject_orphan_fk_options(&mut errors, &field.fk, fk_name.as_ref().map(|n| n.span())),
        }
        columns.push(column_model(&mut errors, field, ident, column));
    }

    let primary_key = primary_key(&mut errors, &input, &name, &mut columns, primary_fields);
    let mut constraint_comments = BTreeMap::new();
    if let (Some((n, _, _)), Some(comment)) = (&primary_key, input.primary_key.as_ref().and_then(|p| p.comment.clone()))
    {
        constraint_comments.insert(n.clone(), comment);
    }
    let known: Vec<String> = columns.iter().map(|c| c.name.clone()).collect();
    let known_column = |errors: &mut Errors, lit: &LitStr, column: &str| {
        if !known.iter().any(|k| k == column) {
            errors.push(err(
                lit.span(),
                format!("no column `{column}` in this table; columns are: {}", known.join(", ")),
            ));
        }
    };

    for unique in &input.unique {
        if let Some(cols) = errors.handle(keys::columns(&unique.columns).map_err(darling::Error::from)) {
            cols.iter().for_each(|c| known_column(&mut errors, &unique.columns, c));
            let refs: Vec<&str> = cols.iter().map(String::as_str).collect();
            let n = unique.name.as_ref().map_or_else(|| naming::unique_name(&name, &refs), |n| n.as_str().to_string());
            if let Some(comment) = &unique.comment {
                constraint_comments.insert(n.clone(), comment.clone());
            }
            uniques.push((n, cols, unique.span()));
        }
    }
    for check in &input.check {
        if let Some(comment) = &check.comment {
            constraint_comments.insert(check.name.as_str().to_string(), comment.clone());
        }
        checks.push((check.name.as_str().to_string(), check.expr.clone(), check.name.span()));
    }
    for fk in &input.foreign_key {
        if let Some(cols) = errors.handle(keys::columns(&fk.columns).map_err(darling::Error::from)) {
            cols.iter().for_each(|c| known_column(&mut errors, &fk.columns, c));
            if let Some(model) =
                foreign_key(&mut errors, &schema, &name, cols, &fk.references, fk.name.as_ref(), &fk.actions)
            {
                if let Some(comment) = &fk.comment {
                    constraint_comments.insert(model.name.clone(), comment.clone());
                }
                foreign_keys.push((model, fk.span()));
            }
        }
    }
    for index in &input.index {
        let Some(keys) = errors.handle(keys::index_keys(&index.columns).map_err(darling::Error::from)) else {
            continue;
        };
        let mut key_columns = Vec::new();
        for key in &keys {
            match &key.on {
                KeyOn::Column(c) => {
                    known_column(&mut errors, &index.columns, c);
                    key_columns.push(c.as_str());
                }
                KeyOn::Expression(_) => {}
            }
        }
        let has_expression = key_columns.len() < keys.len();
        let n = match (&index.name, has_expression) {
            (Some(n), _) => n.as_str().to_string(),
            (None, false) => naming::index_name(&name, &key_columns),
            (None, true) => {
                errors.push(err(index.columns.span(), "an index on an expression needs a `name = \"...\"`"));
                continue;
            }
        };
        let include = match &index.include {
            Some(lit) => errors.handle(keys::columns(lit).map_err(darling::Error::from)).unwrap_or_default(),
            None => Vec::new(),
        };
        if let Some(lit) = &index.include {
            include.iter().for_each(|c| known_column(&mut errors, lit, c));
        }
        let model = IndexModel {
            name: n,
            unique: index.unique.is_present(),
            method: method(&mut errors, index.method.as_ref()),
            keys,
            include,
            predicate: index.predicate.clone(),
            comment: index.comment.clone(),
        };
        indexes.push((model, index.span()));
    }

    // Constraint names share one namespace per table; index names (including the indexes behind primary
    // keys and unique constraints) share one per schema.
    let mut constraint_names = BTreeMap::new();
    let mut relation_names = BTreeMap::new();
    relation_names.insert(name.clone(), "the table itself");
    let mut claim =
        |errors: &mut Errors, n: &str, span: Span, what: &'static str, is_index: bool, is_constraint: bool| {
            check_identifier(errors, n, span, what);
            if is_constraint && constraint_names.insert(n.to_string(), what).is_some() {
                errors.push(err(span, format!("duplicate constraint name `{n}`")));
            }
            if is_index && let Some(other) = relation_names.insert(n.to_string(), what) {
                errors.push(err(span, format!("the {what} name `{n}` is already used by {other}")));
            }
        };
    if let Some((n, _, span)) = &primary_key {
        claim(&mut errors, n, *span, "primary key", true, true);
    }
    for (n, _, span) in &uniques {
        claim(&mut errors, n, *span, "unique constraint", true, true);
    }
    for (n, _, span) in &checks {
        claim(&mut errors, n, *span, "check constraint", false, true);
    }
    for (fk, span) in &foreign_keys {
        claim(&mut errors, &fk.name, *span, "foreign key", false, true);
    }
    for (index, span) in &indexes {
        claim(&mut errors, &index.name, *span, "index", true, false);
    }

    let touch_updated_at = input.touch_updated_at.is_present();
    if touch_updated_at && !columns.iter().any(|c| c.name == "updated_at") {
        errors.push(err(
            input.touch_updated_at.span(),
            "`touch_updated_at` keeps the column `updated_at` current, and this table has no such column",
        ));
    }
    let partition_by = input.partition_by.as_ref().and_then(|attr| {
        let (key, key_columns) = errors.handle(crate::partition::normalize(attr).map_err(|m| err(attr.span(), m)))?;
        for c in &key_columns {
            if !columns.iter().any(|col| col.name == *c) {
                errors.push(err(attr.span(), format!("the partition key names `{c}`, which is not a column")));
            }
        }
        let keyed = primary_key.iter().map(|(n, c, s)| ("primary key", n, c, *s));
        for (what, n, cols, span) in keyed.chain(uniques.iter().map(|(n, c, s)| ("unique constraint", n, c, *s))) {
            let missing = crate::partition::missing(&key_columns, cols);
            if !missing.is_empty() {
                errors.push(err(
                    span,
                    format!(
                        "the {what} `{n}` of a partitioned table must include the partition key columns; \
                         it lacks `{}`",
                        missing.join("`, `")
                    ),
                ));
            }
        }
        Some(key)
    });
    let insert_derive = match &input.insert_derive {
        Some(list) => list.to_vec(),
        // Field types need not be Debug or Clone; `insert_derive(...)` opts in.
        None => Vec::new(),
    };
    errors.finish_with(TableModel {
        ident: input.ident,
        vis: input.vis,
        schema,
        name,
        comment: input.comment,
        renamed_from: input.renamed_from,
        columns,
        primary_key: primary_key.map(|(n, c, _)| (n, c)),
        uniques: uniques.into_iter().map(|(n, c, _)| (n, c)).collect(),
        checks: checks.into_iter().map(|(n, e, _)| (n, e)).collect(),
        foreign_keys: foreign_keys.into_iter().map(|(fk, _)| fk).collect(),
        indexes: indexes.into_iter().map(|(i, _)| i).collect(),
        constraint_comments,
        insert_derive,
        touch_updated_at,
        row_level_security: match input.rls.as_deref() {
            None => keel_core::RowLevelSecurity::default(),
            Some(RlsAttr::Force) => keel_core::RowLevelSecurity::FORCED,
            Some(RlsAttr::Enable) => keel_core::RowLevelSecurity { enabled: true, forced: false },
        },
        partition_by,
    })
}

/// Field flags, or `primary_key(columns = ...)` on the struct, or by convention a column named `id`.
fn primary_key(
    errors: &mut Errors,
    input: &TableInput,
    table: &str,
    columns: &mut [ColumnModel],
    fields: Vec<(String, Span)>,
) -> Option<(String, Vec<String>, Span)> {
    let (mut name, mut cols, span) = match (&input.primary_key, fields.is_empty()) {
        (Some(pk), false) => {
            errors.push(err(pk.span(), "the primary key is declared twice: on the struct and on a field; keep one"));
            return None;
        }
        (Some(pk), true) => {
            let cols = errors.handle(keys::columns(&pk.columns).map_err(darling::Error::from))?;
            for c in &cols {
                if !columns.iter().any(|col| &col.name == c) {
                    errors.push(err(pk.columns.span(), format!("no column `{c}` in this table")));
                }
            }
            (pk.name.as_ref().map(|n| n.as_str().to_string()), cols, pk.span())
        }
        (None, false) => {
            let span = fields[0].1;
            (None, fields.into_iter().map(|(c, _)| c).collect(), span)
        }
        (None, true) => {
            let id = columns.iter().find(|c| c.name == "id")?;
            (None, vec![id.name.clone()], id.field.span())
        }
    };
    for column in columns.iter_mut().filter(|c| cols.contains(&c.name)) {
        if column.syntactic_nullable {
            errors.push(err(column.ty.span(), "a primary key column cannot be `Option<_>`: primary keys are NOT NULL"));
        }
        // The convention: `id: Uuid` is filled by the database.
        let convention = last_segment(&column.ty).and_then(|t| conventions::primary_key_default(&column.name, &t));
        if let Some(default) = convention.filter(|_| column.default.is_none() && column.identity.is_none()) {
            column.default = Some(default.to_string());
            column.insert = InsertField::Defaulted;
        }
    }
    let n = name.take().unwrap_or_else(|| naming::primary_key_name(table));
    Some((n, std::mem::take(&mut cols), span))
}

fn column_model(errors: &mut Errors, field: FieldInput, ident: Ident, name: String) -> ColumnModel {
    let sql_type = field.sql_type.as_ref().and_then(|lit| {
        let parsed = keel_core::ColumnType::parse(&lit.value()).map_err(|e| syn::Error::new(lit.span(), e));
        errors.handle(parsed.map_err(darling::Error::from)).map(|_| lit.value())
    });
    let mut refinements = Vec::new();
    if let Some(n) = &field.varchar {
        refinements.push((Refinement::Varchar(**n), "Text", n.span()));
    }
    if let Some(n) = &field.char {
        refinements.push((Refinement::Char(**n), "Text", n.span()));
    }
    if field.json.is_present() {
        refinements.push((Refinement::Json, "JsonDocument", field.json.span()));
    }
    match (&field.precision, &field.scale) {
        (Some(p), s) => {
            let capability = if s.is_some() { "Decimal" } else { "Precision" };
            refinements.push((Refinement::Precision(**p, s.as_ref().map(|s| **s)), capability, p.span()));
        }
        (None, Some(s)) => errors.push(err(s.span(), "`scale` needs a `precision`")),
        (None, None) => {}
    }
    if refinements.len() > 1 {
        errors.push(err(refinements[1].2, "`varchar`, `char`, `json` and `precision` each set the type; use only one"));
    }
    let refinement = refinements.into_iter().next();
    if let (Some(lit), Some((_, _, span))) = (&field.sql_type, &refinement) {
        errors.push(
            err(*span, format!("`sql_type = \"{}\"` already sets the whole type; put the modifier there", lit.value()))
                .with_span(span),
        );
    }

    let identity = field.identity.as_ref().map(|i| match **i {
        IdentityAttr::Always => Identity::Always,
        IdentityAttr::ByDefault => Identity::ByDefault,
    });
    let mut requires = field.identity.as_ref().map(|i| ("Integer", i.span()));
    let mut default = field.default.clone();
    if field.optimistic_lock.is_present() {
        requires = Some(("Integer", field.optimistic_lock.span()));
        default.get_or_insert_with(|| conventions::OPTIMISTIC_LOCK_START.to_string());
    }
    let generated = field.generated.as_ref().map(|g| g.as_str().to_string());
    let set_by =
        [default.as_ref().map(|_| "default"), identity.map(|_| "identity"), generated.as_ref().map(|_| "generated")];
    if set_by.iter().flatten().count() > 1 {
        let span = field
            .generated
            .as_ref()
            .map(|g| g.span())
            .or(field.identity.as_ref().map(|i| i.span()))
            .unwrap_or(ident.span());
        errors.push(err(span, "a column takes only one of `default`, `identity` and `generated`"));
    }
    if field.virtual_.is_present() && generated.is_none() {
        errors
            .push(err(field.virtual_.span(), "`virtual` goes with `generated = \"..\"`: it makes that column VIRTUAL"));
    }
    // Conventions from the team's guidelines; an explicit `default` always wins.
    if default.is_none() && identity.is_none() && generated.is_none() {
        default = last_segment(&field.ty).and_then(|t| conventions::column_default(&name, &t)).map(str::to_string);
    }
    let insert = match (&generated, identity) {
        (Some(_), _) | (_, Some(Identity::Always)) => InsertField::Omitted,
        (None, Some(Identity::ByDefault)) => InsertField::Defaulted,
        (None, None) if default.is_some() => InsertField::Defaulted,
        (None, None) => InsertField::Required,
    };
    ColumnModel {
        syntactic_nullable: last_segment_is(&field.ty, "Option"),
        field: ident,
        vis: field.vis,
        ty: field.ty,
        name,
        sql_type,
        refinement,
        default,
        identity,
        generated_virtual: field.virtual_.is_present() && generated.is_some(),
        generated,
        collation: field.collation,
        comment: field.comment,
        renamed_from: field.renamed_from,
        insert,
        requires,
    }
}

fn foreign_key(
    errors: &mut Errors,
    schema: &str,
    table: &str,
    columns: Vec<String>,
    target: &LitStr,
    name: Option<&SpannedValue<String>>,
    options: &ForeignKeyOptions,
) -> Option<ForeignKeyModel> {
    let reference = errors.handle(keys::reference(target).map_err(darling::Error::from))?;
    if reference.columns.len() != columns.len() {
        errors.push(err(
            target.span(),
            format!("the foreign key has {} column(s) but references {}", columns.len(), reference.columns.len()),
        ));
        return None;
    }
    let action = |errors: &mut Errors, lit: Option<&LitStr>| {
        match lit {
        None => ForeignKeyAction::NoAction,
        Some(lit) => ForeignKeyAction::parse(&lit.value()).unwrap_or_else(|| {
            errors.push(
                err(lit.span(), format!(
                    "unknown foreign key action `{}`; expected one of: no action, restrict, cascade, set null, set default",
                    lit.value()
                )),
            );
            ForeignKeyAction::NoAction
        }),
    }
    };
    let refs: Vec<&str> = columns.iter().map(String::as_str).collect();
    Some(ForeignKeyModel {
        name: name.map_or_else(|| naming::foreign_key_name(table, &refs), |n| n.as_str().to_string()),
        on_delete: action(errors, options.on_delete.as_ref()),
        on_update: action(errors, options.on_update.as_ref()),
        deferrable: match (options.deferrable.is_present(), options.initially_deferred.is_present()) {
            (_, true) => Some(true),
            (true, false) => Some(false),
            (false, false) => None,
        },
        columns,
        schema: reference.schema.unwrap_or_else(|| schema.to_string()),
        table: reference.table,
        referenced: reference.columns,
    })
}

fn reject_orphan_fk_options(errors: &mut Errors, options: &ForeignKeyOptions, fk_name: Option<Span>) {
    let spans = [
        options.on_delete.as_ref().map(|l| l.span()),
        options.on_update.as_ref().map(|l| l.span()),
        options.deferrable.is_present().then(|| options.deferrable.span()),
        options.initially_deferred.is_present().then(|| options.initially_deferred.span()),
        fk_name,
    ];
    for span in spans.into_iter().flatten() {
        errors.push(err(span, "this foreign key option needs `references = \"table(column)\"`"));
    }
}

fn method(errors: &mut Errors, lit: Option<&LitStr>) -> keel_core::IndexMethod {
    let Some(lit) = lit else {
        return keel_core::IndexMethod::Btree;
    };
    keel_core::IndexMethod::parse(&lit.value()).unwrap_or_else(|| {
        errors.push(err(
            lit.span(),
            format!("unknown index method `{}`; expected one of: btree, hash, gist, spgist, gin, brin", lit.value()),
        ));
        keel_core::IndexMethod::Btree
    })
}

fn check_identifier(errors: &mut Errors, name: &str, span: Span, what: &str) {
    if name.is_empty() {
        errors.push(err(span, format!("the {what} is empty")));
    } else if name.len() > naming::MAX_IDENTIFIER_BYTES {
        errors.push(err(
            span,
            format!(
                "the {what} `{name}` is {} bytes long; PostgreSQL truncates names to {} bytes",
                name.len(),
                naming::MAX_IDENTIFIER_BYTES
            ),
        ));
    }
}

/// The last segment of a type's path (`Option` for `Option<T>`, `Uuid` for `uuid::Uuid`). Only a syntactic
/// hint for conventions; the real mapping is asked of `SqlType` at run time.
fn last_segment(ty: &Type) -> Option<String> {
    match ty {
        Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        Type::Group(g) => last_segment(&g.elem),
        Type::Paren(p) => last_segment(&p.elem),
        _ => None,
    }
}

/// Whether a type's path ends in `segment` (`Option<T>`, `uuid::Uuid`).
pub fn last_segment_is(ty: &Type, segment: &str) -> bool {
    last_segment(ty).is_some_and(|s| s == segment)
}
