//! The `#[keel(...)]` grammar, parsed with darling. Nothing here checks meaning: that is `check`'s job.

use darling::util::{Flag, SpannedValue};
use darling::{FromDeriveInput, FromField, FromMeta, FromVariant, ast};
use syn::{Ident, LitStr, Type};

/// `#[keel(...)]` on a `#[derive(Table)]` struct.
#[derive(FromDeriveInput)]
#[darling(attributes(keel), supports(struct_named))]
pub struct TableInput {
    pub ident: Ident,
    pub vis: syn::Visibility,
    pub generics: syn::Generics,
    pub data: ast::Data<(), FieldInput>,
    /// Table name; default: the struct name in snake_case, plural.
    pub table: Option<SpannedValue<String>>,
    /// PostgreSQL schema; default `public`.
    pub schema: Option<SpannedValue<String>>,
    pub comment: Option<String>,
    pub renamed_from: Option<String>,
    pub primary_key: Option<SpannedValue<KeysAttr>>,
    #[darling(multiple)]
    pub index: Vec<SpannedValue<TableIndex>>,
    #[darling(multiple)]
    pub unique: Vec<SpannedValue<KeysAttr>>,
    #[darling(multiple)]
    pub check: Vec<SpannedValue<TableCheck>>,
    #[darling(multiple)]
    pub foreign_key: Vec<SpannedValue<TableForeignKey>>,
    /// Derives for the insert type; default `Debug, Clone`.
    pub insert_derive: Option<darling::util::PathList>,
    /// Keep `updated_at` current on every update, with keel's shared trigger function.
    pub touch_updated_at: Flag,
    /// Row level security: `rls` (enable and force) or `rls = "enable"`.
    pub rls: Option<SpannedValue<RlsAttr>>,
    /// `partition_by = "RANGE (created_at)"`: a partitioned table (its partitions are declared in SQL).
    pub partition_by: Option<SpannedValue<String>>,
}

/// `rls` or `rls = "force"` (ENABLE and FORCE ROW LEVEL SECURITY: the owner too is held to the policies),
/// `rls = "enable"` (ENABLE only: the owner bypasses them).
pub enum RlsAttr {
    Force,
    Enable,
}

impl FromMeta for RlsAttr {
    fn from_word() -> darling::Result<Self> {
        Ok(RlsAttr::Force)
    }
    fn from_string(value: &str) -> darling::Result<Self> {
        match value {
            "force" => Ok(RlsAttr::Force),
            "enable" => Ok(RlsAttr::Enable),
            _ => Err(darling::Error::custom(format!(
                "unknown row level security mode `{value}`; write `rls` (enable and force: the table's owner too \
                 is held to the policies) or `rls = \"enable\"` (the owner bypasses them)"
            ))),
        }
    }
}

/// `primary_key(columns = "a, b")`, `unique(columns = "a, b", name = "...")`.
#[derive(FromMeta)]
pub struct KeysAttr {
    pub columns: LitStr,
    pub name: Option<SpannedValue<String>>,
    /// `COMMENT ON CONSTRAINT`.
    pub comment: Option<String>,
}

/// `index(columns = "user_id, created_at DESC", name = "...", unique, method = "gin", predicate = "...", include = "a")`.
#[derive(FromMeta)]
pub struct TableIndex {
    pub columns: LitStr,
    pub name: Option<SpannedValue<String>>,
    pub unique: Flag,
    pub method: Option<LitStr>,
    pub predicate: Option<String>,
    pub include: Option<LitStr>,
    pub comment: Option<String>,
}

/// `check(name = "positive_size", expr = "size >= 0")`.
#[derive(FromMeta)]
pub struct TableCheck {
    pub name: SpannedValue<String>,
    pub expr: String,
    pub comment: Option<String>,
}

/// `foreign_key(columns = "a, b", references = "other(x, y)", on_delete = "cascade", ...)`.
#[derive(FromMeta)]
pub struct TableForeignKey {
    pub columns: LitStr,
    pub references: LitStr,
    pub name: Option<SpannedValue<String>>,
    pub comment: Option<String>,
    #[darling(flatten)]
    pub actions: ForeignKeyOptions,
}

/// What a foreign key may say besides its columns, on a field or in `foreign_key(...)`.
#[derive(FromMeta, Default)]
pub struct ForeignKeyOptions {
    pub on_delete: Option<LitStr>,
    pub on_update: Option<LitStr>,
    pub deferrable: Flag,
    pub initially_deferred: Flag,
}

/// `#[keel(...)]` on a field.
#[derive(FromField)]
#[darling(attributes(keel))]
pub struct FieldInput {
    pub ident: Option<Ident>,
    pub ty: Type,
    pub vis: syn::Visibility,
    pub column: Option<SpannedValue<String>>,
    pub skip: Flag,
    pub primary_key: Flag,
    pub default: Option<String>,
    pub unique: Option<SpannedValue<NameOrFlag>>,
    pub index: Option<SpannedValue<IndexAttr>>,
    pub references: Option<LitStr>,
    pub fk_name: Option<SpannedValue<String>>,
    #[darling(flatten)]
    pub fk: ForeignKeyOptions,
    pub check: Option<String>,
    pub sql_type: Option<LitStr>,
    pub varchar: Option<SpannedValue<u32>>,
    pub char: Option<SpannedValue<u32>>,
    pub precision: Option<SpannedValue<u8>>,
    pub scale: Option<SpannedValue<u16>>,
    pub json: Flag,
    pub identity: Option<SpannedValue<IdentityAttr>>,
    pub generated: Option<SpannedValue<String>>,
    /// With `generated`: `VIRTUAL` (PostgreSQL 18) instead of `STORED`.
    #[darling(rename = "virtual")]
    pub virtual_: Flag,
    pub collation: Option<String>,
    pub comment: Option<String>,
    pub renamed_from: Option<String>,
    pub optimistic_lock: Flag,
}

impl FieldInput {
    /// Whether any attribute besides `skip` is set.
    pub fn has_column_attributes(&self) -> bool {
        let options = [
            self.column.is_some(),
            self.primary_key.is_present(),
            self.default.is_some(),
            self.unique.is_some(),
            self.index.is_some(),
            self.references.is_some(),
            self.fk_name.is_some(),
            self.fk.on_delete.is_some() || self.fk.on_update.is_some(),
            self.fk.deferrable.is_present() || self.fk.initially_deferred.is_present(),
            self.check.is_some(),
            self.sql_type.is_some(),
            self.varchar.is_some() || self.char.is_some(),
            self.precision.is_some() || self.scale.is_some(),
            self.json.is_present(),
            self.identity.is_some(),
            self.generated.is_some() || self.virtual_.is_present(),
            self.collation.is_some() || self.comment.is_some() || self.renamed_from.is_some(),
            self.optimistic_lock.is_present(),
        ];
        options.into_iter().any(|set| set)
    }
}

/// `unique` or `unique = "name"`.
#[derive(Default)]
pub struct NameOrFlag(pub Option<String>);

impl FromMeta for NameOrFlag {
    fn from_word() -> darling::Result<Self> {
        Ok(NameOrFlag(None))
    }
    fn from_string(value: &str) -> darling::Result<Self> {
        Ok(NameOrFlag(Some(value.to_string())))
    }
}

/// `index`, `index = "name"` or `index(name = "...", method = "...", unique, predicate = "...")`.
#[derive(FromMeta, Default)]
pub struct FieldIndex {
    pub name: Option<String>,
    pub unique: Flag,
    pub method: Option<LitStr>,
    pub predicate: Option<String>,
}

impl FieldIndex {
    fn named(name: &str) -> FieldIndex {
        FieldIndex { name: Some(name.to_string()), ..FieldIndex::default() }
    }
}

/// A field's `index` attribute in any of its three forms.
pub struct IndexAttr(pub FieldIndex);

impl FromMeta for IndexAttr {
    fn from_meta(item: &syn::Meta) -> darling::Result<Self> {
        Ok(IndexAttr(match item {
            syn::Meta::Path(_) => FieldIndex::default(),
            syn::Meta::NameValue(nv) => FieldIndex::named(&String::from_expr(&nv.value)?),
            syn::Meta::List(_) => FieldIndex::from_meta(item)?,
        }))
    }
}

/// `identity` (BY DEFAULT) or `identity = "always"`.
pub enum IdentityAttr {
    ByDefault,
    Always,
}

impl FromMeta for IdentityAttr {
    fn from_word() -> darling::Result<Self> {
        Ok(IdentityAttr::ByDefault)
    }
    fn from_string(value: &str) -> darling::Result<Self> {
        match value.to_ascii_lowercase().replace(['_', '-'], " ").as_str() {
            "always" => Ok(IdentityAttr::Always),
            "by default" => Ok(IdentityAttr::ByDefault),
            _ => Err(darling::Error::custom(format!(
                "unknown identity `{value}`; write `identity` (BY DEFAULT) or `identity = \"always\"`"
            ))),
        }
    }
}

/// `#[keel(...)]` on a `#[derive(PgEnum)]` enum.
#[derive(FromDeriveInput)]
#[darling(attributes(keel), supports(enum_any))]
pub struct EnumInput {
    pub ident: Ident,
    pub generics: syn::Generics,
    pub data: ast::Data<VariantInput, ()>,
    /// Type name; default: the enum name in snake_case.
    pub name: Option<SpannedValue<String>>,
    pub schema: Option<SpannedValue<String>>,
    pub comment: Option<String>,
    pub renamed_from: Option<String>,
}

#[derive(FromVariant)]
#[darling(attributes(keel))]
pub struct VariantInput {
    pub ident: Ident,
    pub fields: ast::Fields<()>,
    /// The label; default: the variant name in snake_case.
    pub rename: Option<SpannedValue<String>>,
}
