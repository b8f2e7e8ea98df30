//! The model `#[derive(Table)]` and `#[derive(PgEnum)]` produce, checked without a database.
//!
//! Every table in this binary is registered with `keel::collect()`, so every `references = ...` here names a
//! table that exists in this file (the broken-schema case lives in `collect_errors.rs`).

// The structs exist for their derives; nothing reads their fields.
#![allow(dead_code)]

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use keel::{
    Check, Column, ColumnType, Deferrable, ForeignKey, ForeignKeyAction, Identity, IdentityGeneration, Index, IndexKey,
    IndexMethod, KeyExpression, NullsOrder, PgEnum, PrimaryKey, QualifiedName, SortOrder, Table, TableDefinition,
    UniqueConstraint,
};
use std::net::IpAddr;
use uuid::Uuid;

// ---------------------------------------------------------------------------------------------------------
// The schema under test
// ---------------------------------------------------------------------------------------------------------

#[derive(PgEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum FileStatus {
    Draft,
    Published,
    #[keel(rename = "gone")]
    SoftDeleted,
}

#[derive(PgEnum, Debug, Clone, Copy, PartialEq, Eq)]
#[keel(name = "visibility_level", schema = "app", comment = "Who may see a thing", renamed_from = "visibility")]
enum Visibility {
    Private,
    SharedWithTeam,
    Public,
}

#[derive(Debug, Clone, PartialEq)]
struct Settings {
    theme: String,
}

/// A type with no `SqlType`: usable only through `sql_type`.
#[derive(Debug, Clone, PartialEq)]
struct TsVector(String);

#[derive(Table)]
struct User {
    id: Uuid,
    #[keel(unique, varchar = 320)]
    email: String,
    #[keel(column = "display_name", comment = "Shown in the UI")]
    name: Option<String>,
    is_admin: bool,
    has_avatar: bool,
    /// Not a bool: no convention default.
    is_verified_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

#[derive(Table)]
#[keel(rls = "enable")]
struct Folder {
    #[keel(identity)]
    id: i64,
    #[keel(references = "users(id)", on_delete = "cascade")]
    owner_id: Uuid,
    /// Without columns, a reference targets `id`.
    #[keel(references = "folders", on_delete = "set null", fk_name = "folders_parent_fk")]
    parent_id: Option<i64>,
    name: String,
}

#[derive(Table)]
#[keel(
    comment = "Uploaded files",
    renamed_from = "uploads",
    index(columns = "user_id, created_at DESC"),
    index(
        name = "idx_files_lower_name",
        columns = "(lower(name)) text_pattern_ops, size DESC NULLS LAST, checksum NULLS FIRST",
        predicate = "deleted_at IS NULL",
        include = "status, storage_key"
    ),
    index(columns = "tags", method = "gin"),
    index(name = "idx_files_unique_name", columns = "user_id, name", unique),
    unique(columns = "folder_id, name"),
    unique(columns = "storage_key, checksum", name = "files_storage_unique"),
    check(name = "files_positive_size", expr = "size >= 0"),
    rls
)]
struct File {
    id: Uuid,
    #[keel(references = "users(id)", on_delete = "cascade", on_update = "restrict", deferrable)]
    user_id: Uuid,
    #[keel(references = "public.folders(id)", initially_deferred, index)]
    folder_id: Option<i64>,
    #[keel(collation = "C")]
    name: String,
    #[keel(varchar = 64, unique = "files_storage_key_uniq")]
    storage_key: String,
    #[keel(index = "idx_files_checksum")]
    checksum: String,
    #[keel(check = "size < 1099511627776")]
    size: i64,
    status: FileStatus,
    visibility: Option<Visibility>,
    tags: Vec<String>,
    metadata: serde_json::Value,
    #[keel(json)]
    raw: Option<serde_json::Value>,
    settings: keel::Json<Settings>,
    #[keel(precision = 3)]
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    deleted_at: Option<DateTime<Utc>>,
    #[keel(optimistic_lock)]
    version: i32,
    #[keel(generated = "lower(name)")]
    name_lower: String,
    #[keel(skip)]
    cached: std::collections::HashMap<String, String>,
    #[keel(renamed_from = "is_visible")]
    is_public: bool,
    #[keel(index(name = "idx_files_kind", method = "hash", predicate = "kind IS NOT NULL"))]
    kind: Option<String>,
    #[keel(default = "'{}'::jsonb", sql_type = "jsonb")]
    extra: String,
    #[keel(sql_type = "tsvector")]
    search: Option<TsVector>,
    #[keel(default = "'pending'")]
    state: String,
}

#[derive(Table)]
#[keel(
    primary_key(columns = "file_id, tag"),
    foreign_key(columns = "file_id", references = "files(id)", on_delete = "cascade", name = "file_tags_file_fk")
)]
struct FileTag {
    file_id: Uuid,
    tag: String,
}

#[derive(Table)]
#[keel(
    primary_key(columns = "file_id, number", name = "file_versions_pk"),
    foreign_key(
        columns = "file_id, file_version",
        references = "files(id, version)",
        on_update = "cascade",
        deferrable,
        initially_deferred
    )
)]
struct FileVersion {
    file_id: Uuid,
    number: i32,
    file_version: i32,
    #[keel(precision = 0)]
    created_at: NaiveDateTime,
    #[keel(identity = "always")]
    seq: i64,
}

#[derive(Table)]
#[keel(schema = "catalog")]
struct Category {
    #[keel(primary_key, char = 8)]
    code: String,
    #[keel(references = "categories(code)")]
    parent: Option<String>,
}

#[derive(Table)]
#[keel(table = "tag_aliases", schema = "catalog", insert_derive(Debug, Clone, PartialEq))]
struct Alias {
    #[keel(primary_key)]
    alias: String,
    #[keel(references = "catalog.categories(code)", on_delete = "restrict")]
    category: String,
    #[keel(references = "public.files", on_delete = "set_default")]
    file_id: Uuid,
}

/// One column per supported Rust type.
#[derive(Table)]
struct TypeZoo {
    a_bool: bool,
    a_i16: i16,
    a_i32: i32,
    a_i64: i64,
    a_f32: f32,
    a_f64: f64,
    a_string: String,
    a_uuid: Uuid,
    a_timestamptz: DateTime<Utc>,
    a_timestamp: NaiveDateTime,
    a_date: NaiveDate,
    a_time: NaiveTime,
    a_json_value: serde_json::Value,
    a_json_typed: keel::Json<Settings>,
    a_bytes: Vec<u8>,
    an_int_array: Vec<i32>,
    #[keel(varchar = 20)]
    a_varchar_array: Vec<String>,
    a_text_array: Vec<String>,
    an_ip: IpAddr,
    an_option: Option<i64>,
    an_enum: FileStatus,
    an_enum_array: Vec<FileStatus>,
    #[keel(precision = 0)]
    a_precise_time: Option<NaiveTime>,
    an_interval: std::time::Duration,
    #[keel(sql_type = "numeric(12, 2)")]
    an_amount: String,
}

// ---------------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------------

fn column<'a>(def: &'a TableDefinition, name: &str) -> &'a Column {
    def.table.column(name).unwrap_or_else(|| panic!("{} has no column {name}", def.name))
}

fn names(def: &TableDefinition) -> Vec<&str> {
    def.table.columns.iter().map(|c| c.name.as_str()).collect()
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

// ---------------------------------------------------------------------------------------------------------
// Naming
// ---------------------------------------------------------------------------------------------------------

#[test]
fn table_names_are_snake_case_plurals() {
    assert_eq!(<User as Table>::NAME, "users");
    assert_eq!(<File as Table>::NAME, "files");
    assert_eq!(<FileTag as Table>::NAME, "file_tags");
    assert_eq!(<FileVersion as Table>::NAME, "file_versions");
    assert_eq!(<Category as Table>::NAME, "categories");
    assert_eq!(<TypeZoo as Table>::NAME, "type_zoos");
    assert_eq!(FileVersion::definition().name, QualifiedName::new("public", "file_versions"));
}

#[test]
fn schema_and_explicit_table_name() {
    assert_eq!(<User as Table>::SCHEMA, "public");
    assert_eq!(<Category as Table>::SCHEMA, "catalog");
    assert_eq!(Category::definition().name, QualifiedName::new("catalog", "categories"));
    assert_eq!(<Alias as Table>::NAME, "tag_aliases");
    assert_eq!(Alias::definition().name, QualifiedName::new("catalog", "tag_aliases"));
}

#[test]
fn column_constants_and_columns_list() {
    assert_eq!(File::USER_ID, "user_id");
    assert_eq!(File::STORAGE_KEY, "storage_key");
    assert_eq!(File::NAME_LOWER, "name_lower");
    // A renamed column: the constant is named after the field and holds the column's name.
    assert_eq!(User::EMAIL, "email");
    assert_eq!(User::IS_ADMIN, "is_admin");
    assert_eq!(FileVersion::FILE_VERSION, "file_version");
    // `COLUMNS`: declaration order, without skipped fields.
    assert_eq!(
        <User as Table>::COLUMNS,
        ["id", "email", "display_name", "is_admin", "has_avatar", "is_verified_at", "created_at", "updated_at"]
    );
    assert_eq!(<FileTag as Table>::COLUMNS, ["file_id", "tag"]);
    assert!(!<File as Table>::COLUMNS.contains(&"cached"));
    assert_eq!(<File as Table>::COLUMNS, names(&File::definition()).as_slice());
}

#[test]
fn a_field_named_name_shadows_the_table_name_constant() {
    // `User::NAME` is the inherent column constant for the field `name` (column `display_name`), not
    // `<User as Table>::NAME`. Documented here because the two are easy to confuse.
    assert_eq!(User::NAME, "display_name");
    assert_eq!(<User as Table>::NAME, "users");
    assert_eq!(File::NAME, "name");
    assert_eq!(<File as Table>::NAME, "files");
}

// ---------------------------------------------------------------------------------------------------------
// Conventions
// ---------------------------------------------------------------------------------------------------------

#[test]
fn uuid_id_is_the_primary_key_with_a_generated_default() {
    let users = User::definition();
    assert_eq!(
        users.table.primary_key,
        Some(PrimaryKey {
            name: "users_pkey".into(),
            columns: strings(&["id"]),
            deferrable: Default::default(),
            comment: None
        })
    );
    assert_eq!(column(&users, "id"), &Column::new("id", ColumnType::Uuid).default("gen_random_uuid()"));

    let files = File::definition();
    assert_eq!(files.table.primary_key.as_ref().map(|pk| pk.name.as_str()), Some("files_pkey"));
    assert_eq!(column(&files, "id").default.as_deref(), Some("gen_random_uuid()"));
}

#[test]
fn integer_identity_id_gets_no_uuid_default() {
    let folders = Folder::definition();
    assert_eq!(
        folders.table.primary_key,
        Some(PrimaryKey {
            name: "folders_pkey".into(),
            columns: strings(&["id"]),
            deferrable: Default::default(),
            comment: None
        })
    );
    let id = column(&folders, "id");
    assert_eq!(id.ty, ColumnType::BigInt);
    assert_eq!(id.default, None);
    assert_eq!(id.identity, Some(Identity::new(IdentityGeneration::ByDefault)));
}

#[test]
fn timestamp_and_flag_conventions() {
    let users = User::definition();
    assert_eq!(column(&users, "created_at"), &Column::new("created_at", ColumnType::TIMESTAMPTZ).default("now()"));
    assert_eq!(column(&users, "updated_at"), &Column::new("updated_at", ColumnType::TIMESTAMPTZ).default("now()"));
    assert_eq!(column(&users, "is_admin"), &Column::new("is_admin", ColumnType::Boolean).default("false"));
    assert_eq!(column(&users, "has_avatar"), &Column::new("has_avatar", ColumnType::Boolean).default("false"));
    // `is_` on a non-bool column: no default.
    assert_eq!(column(&users, "is_verified_at"), &Column::new("is_verified_at", ColumnType::TIMESTAMPTZ).nullable());
    // A `NaiveDateTime` `created_at` gets `now()` too (and takes a precision).
    assert_eq!(
        column(&FileVersion::definition(), "created_at"),
        &Column::new("created_at", ColumnType::Timestamp { precision: Some(0), with_time_zone: false })
            .default("now()")
    );
}

#[test]
fn optimistic_lock_defaults_to_one() {
    let files = File::definition();
    assert_eq!(column(&files, "version"), &Column::new("version", ColumnType::Integer).default("1"));
}

#[test]
fn no_primary_key_without_id_or_attribute() {
    assert_eq!(TypeZoo::definition().table.primary_key, None);
}

// ---------------------------------------------------------------------------------------------------------
// Field attributes
// ---------------------------------------------------------------------------------------------------------

#[test]
fn column_attributes() {
    let users = User::definition();
    let mut display_name = Column::new("display_name", ColumnType::Text).nullable();
    display_name.comment = Some("Shown in the UI".into());
    assert_eq!(column(&users, "display_name"), &display_name);
    assert!(users.table.column("name").is_none());
    assert_eq!(column(&users, "email"), &Column::new("email", ColumnType::Varchar { length: Some(320) }));

    let files = File::definition();
    let mut name = Column::new("name", ColumnType::Text);
    name.collation = Some("C".into());
    assert_eq!(column(&files, "name"), &name);
    assert_eq!(column(&files, "storage_key").ty, ColumnType::Varchar { length: Some(64) });
    assert_eq!(column(&files, "checksum").ty, ColumnType::Text);
    assert_eq!(column(&Category::definition(), "code"), &Column::new("code", ColumnType::Char { length: Some(8) }));
    assert_eq!(column(&files, "tags").ty, ColumnType::array(ColumnType::Text));
    assert_eq!(
        column(&files, "created_at"),
        &Column::new("created_at", ColumnType::Timestamp { precision: Some(3), with_time_zone: true }).default("now()")
    );
    assert_eq!(column(&files, "raw"), &Column::new("raw", ColumnType::Json).nullable());
    assert_eq!(column(&files, "metadata").ty, ColumnType::Jsonb);
    assert_eq!(column(&files, "settings").ty, ColumnType::Jsonb);

    let mut generated = Column::new("name_lower", ColumnType::Text);
    generated.generated = Some("lower(name)".into());
    assert_eq!(column(&files, "name_lower"), &generated);

    let mut is_public = Column::new("is_public", ColumnType::Boolean).default("false");
    is_public.renamed_from = Some("is_visible".into());
    assert_eq!(column(&files, "is_public"), &is_public);

    assert_eq!(column(&files, "extra"), &Column::new("extra", ColumnType::Jsonb).default("'{}'::jsonb"));
    assert_eq!(
        column(&files, "search"),
        &Column::new("search", ColumnType::Other { sql: "tsvector".into() }).nullable()
    );
    assert_eq!(column(&files, "state"), &Column::new("state", ColumnType::Text).default("'pending'"));

    let mut seq = Column::new("seq", ColumnType::BigInt);
    seq.identity = Some(Identity::new(IdentityGeneration::Always));
    assert_eq!(column(&FileVersion::definition(), "seq"), &seq);

    assert!(files.table.column("cached").is_none());
}

#[test]
fn field_unique_constraints() {
    let users = User::definition();
    assert_eq!(
        users.table.unique_constraints.get("users_email_key"),
        Some(&UniqueConstraint {
            columns: strings(&["email"]),
            nulls_not_distinct: false,
            deferrable: Default::default(),
            comment: None
        })
    );
    let files = File::definition();
    assert_eq!(
        files.table.unique_constraints.get("files_storage_key_uniq"),
        Some(&UniqueConstraint {
            columns: strings(&["storage_key"]),
            nulls_not_distinct: false,
            deferrable: Default::default(),
            comment: None
        })
    );
}

#[test]
fn field_indexes() {
    let files = File::definition();
    assert_eq!(files.table.indexes.get("idx_files_folder_id"), Some(&Index::on_columns(["folder_id"])));
    assert_eq!(files.table.indexes.get("idx_files_checksum"), Some(&Index::on_columns(["checksum"])));
    assert_eq!(
        files.table.indexes.get("idx_files_kind"),
        Some(&Index {
            method: IndexMethod::Hash,
            predicate: Some("kind IS NOT NULL".into()),
            ..Index::on_columns(["kind"])
        })
    );
}

#[test]
fn field_checks() {
    let files = File::definition();
    assert_eq!(
        files.table.checks.get("files_size_check"),
        Some(&Check { expression: "size < 1099511627776".into(), comment: None, not_valid: false })
    );
}

#[test]
fn field_foreign_keys() {
    let files = File::definition();
    assert_eq!(
        files.table.foreign_keys.get("files_user_id_fkey"),
        Some(&ForeignKey {
            columns: strings(&["user_id"]),
            references: QualifiedName::new("public", "users"),
            referenced_columns: strings(&["id"]),
            on_delete: ForeignKeyAction::Cascade,
            on_update: ForeignKeyAction::Restrict,
            deferrable: Deferrable::InitiallyImmediate,
            match_full: false,
            comment: None,
            not_valid: false
        })
    );
    assert_eq!(
        files.table.foreign_keys.get("files_folder_id_fkey"),
        Some(&ForeignKey {
            columns: strings(&["folder_id"]),
            references: QualifiedName::new("public", "folders"),
            referenced_columns: strings(&["id"]),
            on_delete: ForeignKeyAction::NoAction,
            on_update: ForeignKeyAction::NoAction,
            deferrable: Deferrable::InitiallyDeferred,
            match_full: false,
            comment: None,
            not_valid: false
        })
    );

    let folders = Folder::definition();
    assert_eq!(folders.table.foreign_keys.keys().collect::<Vec<_>>(), ["folders_owner_id_fkey", "folders_parent_fk"]);
    assert_eq!(
        folders.table.foreign_keys["folders_parent_fk"],
        ForeignKey {
            columns: strings(&["parent_id"]),
            references: QualifiedName::new("public", "folders"),
            referenced_columns: strings(&["id"]),
            on_delete: ForeignKeyAction::SetNull,
            on_update: ForeignKeyAction::NoAction,
            deferrable: Deferrable::NotDeferrable,
            match_full: false,
            comment: None,
            not_valid: false
        }
    );

    // A reference without a schema stays in the table's own schema.
    let categories = Category::definition();
    assert_eq!(
        categories.table.foreign_keys["categories_parent_fkey"].references,
        QualifiedName::new("catalog", "categories")
    );
    let aliases = Alias::definition();
    assert_eq!(
        aliases.table.foreign_keys["tag_aliases_category_fkey"],
        ForeignKey {
            columns: strings(&["category"]),
            references: QualifiedName::new("catalog", "categories"),
            referenced_columns: strings(&["code"]),
            on_delete: ForeignKeyAction::Restrict,
            on_update: ForeignKeyAction::NoAction,
            deferrable: Deferrable::NotDeferrable,
            match_full: false,
            comment: None,
            not_valid: false
        }
    );
    // A table in `public` is named with its schema from another schema.
    assert_eq!(
        aliases.table.foreign_keys["tag_aliases_file_id_fkey"].references,
        QualifiedName::new("public", "files")
    );
    assert_eq!(aliases.table.foreign_keys["tag_aliases_file_id_fkey"].on_delete, ForeignKeyAction::SetDefault);
}

#[test]
fn field_primary_key() {
    let categories = Category::definition();
    assert_eq!(
        categories.table.primary_key,
        Some(PrimaryKey {
            name: "categories_pkey".into(),
            columns: strings(&["code"]),
            deferrable: Default::default(),
            comment: None
        })
    );
    assert_eq!(
        Alias::definition().table.primary_key,
        Some(PrimaryKey {
            name: "tag_aliases_pkey".into(),
            columns: strings(&["alias"]),
            deferrable: Default::default(),
            comment: None
        })
    );
}

// ---------------------------------------------------------------------------------------------------------
// Table attributes
// ---------------------------------------------------------------------------------------------------------

#[test]
fn table_comment_and_rename_hint() {
    let files = File::definition();
    assert_eq!(files.table.comment.as_deref(), Some("Uploaded files"));
    assert_eq!(files.table.renamed_from.as_deref(), Some("uploads"));
    let users = User::definition();
    assert_eq!(users.table.comment, None);
    assert_eq!(users.table.renamed_from, None);
}

#[test]
fn row_level_security_enabled_and_forced_or_enabled_only() {
    use keel::RowLevelSecurity;
    assert_eq!(File::definition().table.row_level_security, RowLevelSecurity { enabled: true, forced: true });
    assert_eq!(Folder::definition().table.row_level_security, RowLevelSecurity { enabled: true, forced: false });
    assert_eq!(User::definition().table.row_level_security, RowLevelSecurity::default());
    // Policies are declared in SQL files, never by the derive.
    assert!(File::definition().table.policies.is_empty());
}

#[test]
fn table_indexes() {
    let files = File::definition();
    assert_eq!(
        files.table.indexes.keys().collect::<Vec<_>>(),
        [
            "idx_files_checksum",
            "idx_files_folder_id",
            "idx_files_kind",
            "idx_files_lower_name",
            "idx_files_tags",
            "idx_files_unique_name",
            "idx_files_user_id_created_at",
        ]
    );
    assert_eq!(
        files.table.indexes["idx_files_user_id_created_at"],
        Index {
            unique: false,
            method: IndexMethod::Btree,
            keys: vec![IndexKey::column("user_id"), IndexKey::column("created_at").desc()],
            include: Vec::new(),
            predicate: None,
            nulls_not_distinct: false,
            storage: Default::default(),
            invalid: false,
            comment: None
        }
    );
    let desc = IndexKey::column("created_at").desc();
    assert_eq!((desc.order, desc.nulls), (SortOrder::Desc, NullsOrder::First));

    assert_eq!(
        files.table.indexes["idx_files_lower_name"],
        Index {
            unique: false,
            method: IndexMethod::Btree,
            keys: vec![
                IndexKey {
                    on: KeyExpression::Expression("lower(name)".into()),
                    collation: None,
                    opclass: Some("text_pattern_ops".into()),
                    order: SortOrder::Asc,
                    nulls: NullsOrder::Last,
                },
                IndexKey {
                    on: KeyExpression::Column("size".into()),
                    collation: None,
                    opclass: None,
                    order: SortOrder::Desc,
                    nulls: NullsOrder::Last,
                },
                IndexKey {
                    on: KeyExpression::Column("checksum".into()),
                    collation: None,
                    opclass: None,
                    order: SortOrder::Asc,
                    nulls: NullsOrder::First,
                },
            ],
            include: strings(&["status", "storage_key"]),
            predicate: Some("deleted_at IS NULL".into()),
            nulls_not_distinct: false,
            storage: Default::default(),
            invalid: false,
            comment: None
        }
    );
    assert_eq!(
        files.table.indexes["idx_files_tags"],
        Index { method: IndexMethod::Gin, ..Index::on_columns(["tags"]) }
    );
    assert_eq!(
        files.table.indexes["idx_files_unique_name"],
        Index { unique: true, ..Index::on_columns(["user_id", "name"]) }
    );
}

#[test]
fn table_unique_constraints_and_checks() {
    let files = File::definition();
    assert_eq!(
        files.table.unique_constraints.keys().collect::<Vec<_>>(),
        ["files_folder_id_name_key", "files_storage_key_uniq", "files_storage_unique"]
    );
    assert_eq!(
        files.table.unique_constraints["files_folder_id_name_key"],
        UniqueConstraint {
            columns: strings(&["folder_id", "name"]),
            nulls_not_distinct: false,
            deferrable: Default::default(),
            comment: None
        }
    );
    assert_eq!(
        files.table.unique_constraints["files_storage_unique"],
        UniqueConstraint {
            columns: strings(&["storage_key", "checksum"]),
            nulls_not_distinct: false,
            deferrable: Default::default(),
            comment: None
        }
    );
    assert_eq!(files.table.checks.keys().collect::<Vec<_>>(), ["files_positive_size", "files_size_check"]);
    assert_eq!(files.table.checks["files_positive_size"].expression, "size >= 0");
}

#[test]
fn table_foreign_keys_and_composite_primary_keys() {
    let tags = FileTag::definition();
    assert_eq!(
        tags.table.primary_key,
        Some(PrimaryKey {
            name: "file_tags_pkey".into(),
            columns: strings(&["file_id", "tag"]),
            deferrable: Default::default(),
            comment: None
        })
    );
    assert_eq!(
        tags.table.foreign_keys["file_tags_file_fk"],
        ForeignKey {
            columns: strings(&["file_id"]),
            references: QualifiedName::new("public", "files"),
            referenced_columns: strings(&["id"]),
            on_delete: ForeignKeyAction::Cascade,
            on_update: ForeignKeyAction::NoAction,
            deferrable: Deferrable::NotDeferrable,
            match_full: false,
            comment: None,
            not_valid: false
        }
    );
    // No `id` column and an explicit primary key: no defaults invented.
    assert_eq!(tags.table.columns, [Column::new("file_id", ColumnType::Uuid), Column::new("tag", ColumnType::Text)]);

    let versions = FileVersion::definition();
    assert_eq!(
        versions.table.primary_key,
        Some(PrimaryKey {
            name: "file_versions_pk".into(),
            columns: strings(&["file_id", "number"]),
            deferrable: Default::default(),
            comment: None
        })
    );
    assert_eq!(versions.table.foreign_keys.keys().collect::<Vec<_>>(), ["file_versions_file_id_file_version_fkey"]);
    assert_eq!(
        versions.table.foreign_keys["file_versions_file_id_file_version_fkey"],
        ForeignKey {
            columns: strings(&["file_id", "file_version"]),
            references: QualifiedName::new("public", "files"),
            referenced_columns: strings(&["id", "version"]),
            on_delete: ForeignKeyAction::NoAction,
            on_update: ForeignKeyAction::Cascade,
            deferrable: Deferrable::InitiallyDeferred,
            match_full: false,
            comment: None,
            not_valid: false
        }
    );
}

// ---------------------------------------------------------------------------------------------------------
// Type mapping
// ---------------------------------------------------------------------------------------------------------

#[test]
fn every_supported_rust_type_maps_to_a_column_type() {
    let zoo = TypeZoo::definition();
    let varchar = |n| ColumnType::Varchar { length: Some(n) };
    let enum_type = ColumnType::named("public", "file_status");
    let expected: Vec<(&str, ColumnType, bool)> = vec![
        ("a_bool", ColumnType::Boolean, false),
        ("a_i16", ColumnType::SmallInt, false),
        ("a_i32", ColumnType::Integer, false),
        ("a_i64", ColumnType::BigInt, false),
        ("a_f32", ColumnType::Real, false),
        ("a_f64", ColumnType::DoublePrecision, false),
        ("a_string", ColumnType::Text, false),
        ("a_uuid", ColumnType::Uuid, false),
        ("a_timestamptz", ColumnType::TIMESTAMPTZ, false),
        ("a_timestamp", ColumnType::Timestamp { precision: None, with_time_zone: false }, false),
        ("a_date", ColumnType::Date, false),
        ("a_time", ColumnType::Time { precision: None, with_time_zone: false }, false),
        ("a_json_value", ColumnType::Jsonb, false),
        ("a_json_typed", ColumnType::Jsonb, false),
        ("a_bytes", ColumnType::Bytea, false),
        ("an_int_array", ColumnType::array(ColumnType::Integer), false),
        ("a_varchar_array", ColumnType::array(varchar(20)), false),
        ("a_text_array", ColumnType::array(ColumnType::Text), false),
        ("an_ip", ColumnType::Inet, false),
        ("an_option", ColumnType::BigInt, true),
        ("an_enum", enum_type.clone(), false),
        ("an_enum_array", ColumnType::array(enum_type), false),
        ("a_precise_time", ColumnType::Time { precision: Some(0), with_time_zone: false }, true),
        ("an_interval", ColumnType::Interval, false),
        ("an_amount", ColumnType::Numeric { precision: Some(12), scale: Some(2) }, false),
    ];
    let actual: Vec<(&str, ColumnType, bool)> =
        zoo.table.columns.iter().map(|c| (c.name.as_str(), c.ty.clone(), c.nullable)).collect();
    assert_eq!(actual, expected);
    // Nothing else is set on a plain field.
    for c in &zoo.table.columns {
        assert!(!c.has_database_value(), "{} has a database value", c.name);
        assert_eq!((&c.collation, &c.comment, &c.renamed_from), (&None, &None, &None));
    }
    assert_eq!(ColumnType::array(varchar(20)).to_string(), "character varying(20)[]");
}

#[test]
fn enum_columns_name_their_type() {
    let files = File::definition();
    assert_eq!(column(&files, "status"), &Column::new("status", ColumnType::named("public", "file_status")));
    assert_eq!(
        column(&files, "visibility"),
        &Column::new("visibility", ColumnType::named("app", "visibility_level")).nullable()
    );
}

// ---------------------------------------------------------------------------------------------------------
// The insert type
// ---------------------------------------------------------------------------------------------------------

#[test]
fn insert_type_makes_defaulted_columns_optional_and_omits_generated_ones() {
    let new = NewFile {
        // Defaulted by convention: `Option`, `None` leaves it to the database.
        id: None,
        user_id: Uuid::nil(),
        folder_id: Some(7),
        name: "report.pdf".into(),
        storage_key: "k".into(),
        checksum: "c".into(),
        size: 1024,
        status: FileStatus::Draft,
        visibility: None,
        tags: vec!["a".into()],
        metadata: serde_json::json!({}),
        raw: None,
        settings: keel::Json(Settings { theme: "dark".into() }),
        created_at: None,
        updated_at: Some(DateTime::<Utc>::UNIX_EPOCH),
        // A nullable column without a default stays `Option<T>`, not `Option<Option<T>>`.
        deleted_at: None,
        version: None,
        // `name_lower` (generated) and `cached` (skipped) are absent.
        is_public: Some(true),
        kind: None,
        extra: None,
        search: Some(TsVector("'a' & 'b'".into())),
        state: None,
    };
    // No derives by default (see `insert_derive` for opting in).
    assert_eq!(new.is_public, Some(true));

    let folder = NewFolder {
        id: None, // identity BY DEFAULT: may be given
        owner_id: Uuid::nil(),
        parent_id: None,
        name: "root".into(),
    };
    assert_eq!(folder.name, "root");

    let user = NewUser {
        id: Some(Uuid::nil()),
        email: "a@example.com".into(),
        name: None,
        is_admin: None,
        has_avatar: Some(false),
        is_verified_at: None,
        created_at: None,
        updated_at: None,
    };
    assert_eq!(user.email, "a@example.com");

    let version = NewFileVersion {
        file_id: Uuid::nil(),
        number: 1,
        file_version: 1,
        created_at: None,
        // `seq` (identity ALWAYS) is absent.
    };
    assert_eq!(version.number, 1);

    let tag = NewFileTag { file_id: Uuid::nil(), tag: "x".into() };
    assert_eq!(tag.tag, "x");
}

#[test]
fn insert_derive_replaces_the_default_derives() {
    let a = NewAlias { alias: "a".into(), category: "c".into(), file_id: Uuid::nil() };
    assert_eq!(a.clone(), a);
}

// ---------------------------------------------------------------------------------------------------------
// PgEnum
// ---------------------------------------------------------------------------------------------------------

#[test]
fn pg_enum_labels() {
    assert_eq!(<FileStatus as PgEnum>::NAME, "file_status");
    assert_eq!(<FileStatus as PgEnum>::SCHEMA, "public");
    assert_eq!(FileStatus::VALUES, ["draft", "published", "gone"]);
    assert_eq!(FileStatus::Published.as_label(), "published");
    assert_eq!(FileStatus::SoftDeleted.as_label(), "gone");
    assert_eq!(FileStatus::from_label("gone"), Some(FileStatus::SoftDeleted));
    assert_eq!(FileStatus::from_label("draft"), Some(FileStatus::Draft));
    assert_eq!(FileStatus::from_label("soft_deleted"), None);
    assert_eq!(FileStatus::from_label("Draft"), None);
    assert_eq!(<FileStatus as PgEnum>::column_type(), ColumnType::named("public", "file_status"));

    let def = FileStatus::definition();
    assert_eq!(def.name, QualifiedName::new("public", "file_status"));
    assert_eq!(def.enum_type.values, strings(&["draft", "published", "gone"]));
    assert_eq!(def.enum_type.comment, None);
}

#[test]
fn pg_enum_attributes() {
    assert_eq!(Visibility::VALUES, ["private", "shared_with_team", "public"]);
    let def = Visibility::definition();
    assert_eq!(def.name, QualifiedName::new("app", "visibility_level"));
    assert_eq!(def.enum_type.comment.as_deref(), Some("Who may see a thing"));
    assert_eq!(def.enum_type.renamed_from.as_deref(), Some("visibility"));
    for v in [Visibility::Private, Visibility::SharedWithTeam, Visibility::Public] {
        assert_eq!(Visibility::from_label(v.as_label()), Some(v));
    }
}

// ---------------------------------------------------------------------------------------------------------
// The registry
// ---------------------------------------------------------------------------------------------------------

#[test]
fn collect_assembles_every_registered_item() {
    let schema = keel::collect().unwrap_or_else(|e| panic!("{e}"));
    let tables: Vec<String> = schema.tables().map(|(n, _)| n.to_string()).collect();
    assert_eq!(
        tables,
        [
            "catalog.categories",
            "catalog.tag_aliases",
            "public.file_tags",
            "public.file_versions",
            "public.files",
            "public.folders",
            "public.invoices",
            "public.measurements",
            "public.notes",
            "public.type_zoos",
            "public.users",
        ]
    );
    let enums: Vec<String> = schema.enums().map(|(n, _)| n.to_string()).collect();
    assert_eq!(enums, ["app.visibility_level", "public.file_status"]);
    assert_eq!(schema.table("public", "files"), Some(&File::definition().table));
}

#[derive(Table)]
#[keel(partition_by = "range(created_at)", primary_key(columns = "id, created_at"))]
struct Measurement {
    id: i64,
    created_at: NaiveDate,
    value: f64,
}

#[test]
fn partition_by_is_the_key_as_postgres_prints_it() {
    let def = Measurement::definition();
    assert_eq!(def.table.partition_by.as_deref(), Some("RANGE (created_at)"));
    assert!(def.table.partitions.is_empty(), "partitions are declared in SQL files");
    assert_eq!(File::definition().table.partition_by, None);
}

#[derive(Table)]
#[keel(
    primary_key(columns = "id", comment = "The note's id"),
    unique(columns = "title", comment = "One note per title"),
    check(name = "notes_title_check", expr = "length(title) > 0", comment = "Not empty"),
    foreign_key(columns = "file_id", references = "files(id)", comment = "The file it annotates"),
    index(columns = "file_id", comment = "Notes of a file")
)]
struct Note {
    id: i64,
    title: String,
    file_id: Uuid,
}

#[test]
fn comments_on_table_level_constraints_and_indexes() {
    let notes = Note::definition().table;
    let comment = |c: &Option<String>| c.clone().unwrap_or_default();
    assert_eq!(comment(&notes.primary_key.as_ref().expect("a primary key").comment), "The note's id");
    assert_eq!(comment(&notes.unique_constraints["notes_title_key"].comment), "One note per title");
    assert_eq!(comment(&notes.checks["notes_title_check"].comment), "Not empty");
    assert_eq!(comment(&notes.foreign_keys["notes_file_id_fkey"].comment), "The file it annotates");
    assert_eq!(comment(&notes.indexes["idx_notes_file_id"].comment), "Notes of a file");
}

/// `virtual` next to `generated`: a virtual generated column (PostgreSQL 18); without it, stored.
#[derive(Table)]
struct Invoice {
    id: i64,
    net_cents: i64,
    #[keel(generated = "net_cents * 2")]
    doubled: i64,
    #[keel(generated = "net_cents * 3", virtual)]
    tripled: i64,
}

#[test]
fn generated_columns_are_stored_unless_virtual() {
    let invoices = Invoice::definition();
    let doubled = column(&invoices, "doubled");
    assert_eq!(doubled, &Column::new("doubled", ColumnType::BigInt).with_generated("net_cents * 2"));
    assert!(!doubled.is_virtual());
    let tripled = column(&invoices, "tripled");
    assert_eq!(tripled, &Column::new("tripled", ColumnType::BigInt).with_virtual_generated("net_cents * 3"));
    assert_eq!(tripled.generated_kind, keel::GeneratedKind::Virtual);
}
