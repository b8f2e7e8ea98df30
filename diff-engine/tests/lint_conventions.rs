//! `keel lint`'s schema conventions, on models (no database).
//!
//! Each rule has a fixture module below: tables declared with `#[derive(keel::Table)]` in a PostgreSQL
//! schema of their own (`#[keel(schema = "...")]`), some breaking the rule and some following it closely
//! (the near misses). `keel::collect()` gathers every table this test binary links, the guideline example's
//! included, so each test lints only its fixture's schema. A test asserts exactly where the rule fires, with
//! what severity, and that every finding's message and fix are one non-empty line. Identifier length needs
//! names the derives refuse, so its fixture is built from model constructors.

// The structs exist for their derives; nothing reads their fields.
#![allow(dead_code)]

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use keel::Table;
use keel_core::model::{Column, ColumnType, Enum, Index, Namespace, PrimaryKey, Schema, Table as TableModel};
use keel_diff::lint::conventions::RULES;
use keel_diff::lint::{Finding, LintConfig, Location, Override, Severity, all_rules, lint_schema};
use std::sync::OnceLock;
use uuid::Uuid;

// ---------------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------------

/// One PostgreSQL schema of everything this binary registers.
fn fixture(schema: &str) -> Schema {
    static ALL: OnceLock<Schema> = OnceLock::new();
    let all = ALL.get_or_init(|| keel::collect().expect("the fixtures form a valid schema"));
    let namespace = all.schemas.get(schema).unwrap_or_else(|| panic!("no fixture schema `{schema}`")).clone();
    Schema { schemas: [(schema.to_string(), namespace)].into(), ..Schema::default() }
}

/// The fixture's findings under the default configuration, each checked for shape.
fn lint(schema: &Schema) -> Vec<Finding> {
    let findings = lint_schema(schema, &LintConfig::default());
    for f in &findings {
        assert_well_formed(f);
    }
    findings
}

fn assert_well_formed(f: &Finding) {
    let rule = all_rules().into_iter().find(|r| r.id == f.rule).unwrap_or_else(|| panic!("unknown rule {f:?}"));
    assert_eq!(f.severity, rule.default, "{f:?}");
    for text in [&f.message, &f.fix] {
        assert!(!text.trim().is_empty() && !text.contains('\n'), "not one line: {f:?}");
    }
}

/// The findings of one rule in one fixture schema.
fn of(rule: &str, schema: &str) -> Vec<Finding> {
    lint(&fixture(schema)).into_iter().filter(|f| f.rule == rule).collect()
}

fn locations(findings: &[Finding]) -> Vec<Location> {
    findings.iter().map(|f| f.location.clone()).collect()
}

fn fixes(findings: &[Finding]) -> Vec<&str> {
    findings.iter().map(|f| f.fix.as_str()).collect()
}

/// Asserts the rule's severity on every finding.
fn assert_severity(findings: &[Finding], severity: Severity) {
    assert!(!findings.is_empty());
    for f in findings {
        assert_eq!(f.severity, severity, "{f:?}");
    }
}

fn table(schema: &str, table: &str) -> Location {
    Location::table(schema, table)
}

fn column(schema: &str, table: &str, column: &str) -> Location {
    Location::column(schema, table, column)
}

fn named(schema: &str, table: &str, name: &str) -> Location {
    Location::named(schema, table, name)
}

/// A single-column foreign key: its column and its name.
fn foreign_key(schema: &str, table: &str, column: &str, name: &str) -> Location {
    Location::Object {
        schema: schema.into(),
        table: Some(table.into()),
        column: Some(column.into()),
        name: Some(name.into()),
    }
}

// ---------------------------------------------------------------------------------------------------------
// The rules as a list
// ---------------------------------------------------------------------------------------------------------

#[test]
fn every_rule_is_listed_once_with_a_summary() {
    let ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
    let expected = [
        "table-snake-case",
        "table-plural",
        "junction-table-name",
        "column-snake-case",
        "foreign-key-column-name",
        "boolean-prefix",
        "timestamp-suffix",
        "count-suffix",
        "user-id-uuid",
        "primary-key",
        "timestamps",
        "timestamp-without-time-zone",
        "soft-delete-pair",
        "version-default",
        "index-name",
        "foreign-key-index",
        "identifier-too-long",
    ];
    assert_eq!(ids, expected);
    for rule in RULES {
        assert!(!rule.summary.is_empty() && !rule.summary.contains('\n'), "{rule:?}");
        assert_ne!(rule.default, Severity::Off, "{rule:?}");
        assert!(all_rules().contains(rule), "{rule:?}");
    }
    let errors: Vec<&str> = RULES.iter().filter(|r| r.default == Severity::Error).map(|r| r.id).collect();
    assert_eq!(
        errors,
        [
            "table-snake-case",
            "column-snake-case",
            "user-id-uuid",
            "soft-delete-pair",
            "version-default",
            "identifier-too-long"
        ]
    );
}

// ---------------------------------------------------------------------------------------------------------
// The guideline example and a clean schema
// ---------------------------------------------------------------------------------------------------------

#[test]
fn the_guideline_example_lints_clean() {
    // Registered in `public`; every fixture here lives in a schema of its own.
    let schema = keel_example_files::schema().expect("the example's schema is valid");
    let example =
        Schema { schemas: [("public".to_string(), schema.schemas["public"].clone())].into(), ..Schema::default() };
    assert_eq!(example.schemas["public"].tables.len(), 5);
    let findings = lint(&example);
    assert!(findings.is_empty(), "the guideline example has findings: {findings:#?}");
}

mod clean {
    use super::*;

    /// Everything by the book, with the spellings the rules must accept.
    #[derive(Table)]
    #[keel(schema = "clean", unique(columns = "user_id, name"))]
    pub struct Folder {
        pub id: Uuid,
        pub user_id: String,
        #[keel(references = "folders(id)", index = "idx_folders_parent_folder")]
        pub parent_folder_id: Option<Uuid>,
        pub name: String,
        pub is_shared: bool,
        pub has_password: bool,
        pub item_count: i32,
        pub status: i32,
        pub is_deleted: bool,
        pub deleted_at: Option<DateTime<Utc>>,
        #[keel(optimistic_lock)]
        pub version: i32,
        pub due_on: Option<NaiveDate>,
        pub expires_at: Option<DateTime<Utc>>,
        pub created_at: DateTime<Utc>,
        pub updated_at: DateTime<Utc>,
    }

    #[derive(Table)]
    #[keel(schema = "clean")]
    pub struct Label {
        pub id: Uuid,
        pub name: String,
        pub created_at: DateTime<Utc>,
        #[keel(default = "CURRENT_TIMESTAMP")]
        pub updated_at: DateTime<Utc>,
    }

    /// A junction: composite primary key, `created_at` only.
    #[derive(Table)]
    #[keel(schema = "clean", primary_key(columns = "folder_id, label_id"))]
    pub struct FolderLabel {
        #[keel(references = "folders(id)", on_delete = "cascade")]
        pub folder_id: Uuid,
        #[keel(references = "labels(id)", on_delete = "cascade", index)]
        pub label_id: Uuid,
        pub created_at: DateTime<Utc>,
    }
}

#[test]
fn a_schema_by_the_conventions_has_no_findings() {
    let findings = lint(&fixture("clean"));
    assert!(findings.is_empty(), "{findings:#?}");
}

#[test]
fn findings_are_deterministic() {
    let schema = fixture("pk");
    let first = lint(&schema);
    assert!(!first.is_empty());
    for _ in 0..3 {
        assert_eq!(lint(&schema.clone()), first);
    }
    let mut sorted = first.clone();
    sorted.sort_by(|a, b| (&a.location, &a.rule, &a.message).cmp(&(&b.location, &b.rule, &b.message)));
    assert_eq!(sorted, first);
}

// ---------------------------------------------------------------------------------------------------------
// Table names
// ---------------------------------------------------------------------------------------------------------

mod table_snake_case {
    use super::*;

    #[derive(Table)]
    #[keel(schema = "t_snake", table = "FileVersions")]
    pub struct Bad1 {
        pub id: Uuid,
    }

    #[derive(Table)]
    #[keel(schema = "t_snake", table = "file__tags")]
    pub struct Bad2 {
        pub id: Uuid,
    }

    #[derive(Table)]
    #[keel(schema = "t_snake")]
    pub struct FileVersion {
        pub id: Uuid,
    }

    #[derive(Table)]
    #[keel(schema = "t_snake", table = "sha256_hashes")]
    pub struct Hash {
        pub id: Uuid,
    }
}

#[test]
fn table_snake_case() {
    let found = of("table-snake-case", "t_snake");
    assert_eq!(locations(&found), [table("t_snake", "FileVersions"), table("t_snake", "file__tags")]);
    assert_severity(&found, Severity::Error);
    assert_eq!(fixes(&found), ["rename the table to `file_versions`", "rename the table to `file_tags`"]);
}

mod table_plural {
    use super::*;

    #[derive(Table)]
    #[keel(schema = "t_plural", table = "file_version")]
    pub struct Bad1 {
        pub id: Uuid,
    }

    #[derive(Table)]
    #[keel(schema = "t_plural", table = "status")]
    pub struct Bad2 {
        pub id: Uuid,
    }

    #[derive(Table)]
    #[keel(schema = "t_plural", table = "person")]
    pub struct Bad3 {
        pub id: Uuid,
    }

    #[derive(Table)]
    #[keel(schema = "t_plural")]
    pub struct FileVersion {
        pub id: Uuid,
    }

    #[derive(Table)]
    #[keel(schema = "t_plural")]
    pub struct Person {
        pub id: Uuid,
    }

    #[derive(Table)]
    #[keel(schema = "t_plural")]
    pub struct Status {
        pub id: Uuid,
    }

    #[derive(Table)]
    #[keel(schema = "t_plural")]
    pub struct Address {
        pub id: Uuid,
    }

    #[derive(Table)]
    #[keel(schema = "t_plural", table = "files_v2")]
    pub struct FilesV2 {
        pub id: Uuid,
    }

    #[derive(Table)]
    #[keel(schema = "t_plural", table = "file_version_v2")]
    pub struct Bad4 {
        pub id: Uuid,
    }

    #[derive(Table)]
    #[keel(schema = "t_plural", table = "media")]
    pub struct Media {
        pub id: Uuid,
    }

    #[derive(Table)]
    #[keel(schema = "t_plural", table = "user_settings")]
    pub struct UserSettings {
        pub id: Uuid,
    }
}

#[test]
fn table_plural() {
    let found = of("table-plural", "t_plural");
    let schema = "t_plural";
    assert_eq!(
        locations(&found),
        [
            table(schema, "file_version"),
            table(schema, "file_version_v2"),
            table(schema, "person"),
            table(schema, "status")
        ]
    );
    assert_severity(&found, Severity::Warning);
    assert_eq!(
        fixes(&found),
        [
            "rename the table to `file_versions`",
            "rename the table to `file_versions_v2`",
            "rename the table to `people`",
            "rename the table to `statuses`"
        ]
    );
    assert!(found[0].message.contains("file_version"), "{}", found[0].message);
}

mod junction {
    use super::*;

    #[derive(Table)]
    #[keel(schema = "t_junction")]
    pub struct File {
        pub id: Uuid,
    }

    #[derive(Table)]
    #[keel(schema = "t_junction")]
    pub struct Tag {
        pub id: Uuid,
    }

    #[derive(Table)]
    #[keel(schema = "t_junction")]
    pub struct FileVersion {
        pub id: Uuid,
    }

    #[derive(Table)]
    #[keel(schema = "t_junction")]
    pub struct Category {
        pub id: Uuid,
    }

    #[derive(Table)]
    #[keel(schema = "t_junction")]
    pub struct User {
        pub id: Uuid,
    }

    /// `file_tags`: files × tags, the guidelines' own example.
    #[derive(Table)]
    #[keel(schema = "t_junction", primary_key(columns = "file_id, tag_id"))]
    pub struct FileTag {
        #[keel(references = "files(id)")]
        pub file_id: Uuid,
        #[keel(references = "tags(id)")]
        pub tag_id: Uuid,
    }

    /// The other order is fine too: `tag_files`.
    #[derive(Table)]
    #[keel(schema = "t_junction", table = "tag_files", primary_key(columns = "file_id, tag_id"))]
    pub struct TagFile {
        #[keel(references = "files(id)")]
        pub file_id: Uuid,
        #[keel(references = "tags(id)")]
        pub tag_id: Uuid,
    }

    /// Multi-word and irregular entities: `file_version_categories`.
    #[derive(Table)]
    #[keel(schema = "t_junction", primary_key(columns = "file_version_id, category_id"))]
    pub struct FileVersionCategory {
        #[keel(references = "file_versions(id)")]
        pub file_version_id: Uuid,
        #[keel(references = "categories(id)")]
        pub category_id: Uuid,
    }

    /// A relationship of a table with itself names the relationship: not checked.
    #[derive(Table)]
    #[keel(schema = "t_junction", primary_key(columns = "follower_id, followed_id"))]
    pub struct Follow {
        #[keel(references = "users(id)")]
        pub follower_id: Uuid,
        #[keel(references = "users(id)")]
        pub followed_id: Uuid,
    }

    /// Not a junction (its key is `id`), so its name is free.
    #[derive(Table)]
    #[keel(schema = "t_junction", table = "taggings")]
    pub struct Tagging {
        pub id: Uuid,
        #[keel(references = "files(id)")]
        pub file_id: Uuid,
        #[keel(references = "tags(id)")]
        pub tag_id: Uuid,
    }

    #[derive(Table)]
    #[keel(schema = "t_junction", table = "file_tag_links", primary_key(columns = "file_id, tag_id"))]
    pub struct Bad1 {
        #[keel(references = "files(id)")]
        pub file_id: Uuid,
        #[keel(references = "tags(id)")]
        pub tag_id: Uuid,
    }

    #[derive(Table)]
    #[keel(schema = "t_junction", table = "categorized_versions", primary_key(columns = "category_id, version_id"))]
    pub struct Bad2 {
        #[keel(references = "categories(id)")]
        pub category_id: Uuid,
        #[keel(references = "file_versions(id)")]
        pub version_id: Uuid,
    }
}

#[test]
fn junction_table_name() {
    let found = of("junction-table-name", "t_junction");
    let schema = "t_junction";
    assert_eq!(locations(&found), [table(schema, "categorized_versions"), table(schema, "file_tag_links")]);
    assert_severity(&found, Severity::Warning);
    assert_eq!(
        fixes(&found),
        [
            "rename the table to `category_file_versions` (or `file_version_categories`)",
            "rename the table to `file_tags` (or `tag_files`)"
        ]
    );
    assert!(found[1].message.contains("files × tags"), "{}", found[1].message);
}

// ---------------------------------------------------------------------------------------------------------
// Column names
// ---------------------------------------------------------------------------------------------------------

mod column_snake_case {
    use super::*;

    #[derive(Table)]
    #[keel(schema = "c_snake")]
    pub struct File {
        pub id: Uuid,
        #[keel(column = "isFavorite")]
        pub is_favorite: bool,
        #[keel(column = "Name")]
        pub name: String,
        pub address_line1: String,
        pub sha256_hash: String,
    }
}

#[test]
fn column_snake_case() {
    let found = of("column-snake-case", "c_snake");
    assert_eq!(locations(&found), [column("c_snake", "files", "Name"), column("c_snake", "files", "isFavorite")]);
    assert_severity(&found, Severity::Error);
    assert_eq!(fixes(&found), ["rename the column to `name`", "rename the column to `is_favorite`"]);
    // `isFavorite` is a boolean whose snake_case spelling starts with `is_`: one finding, not two.
    assert!(of("boolean-prefix", "c_snake").is_empty());
}

mod fk_name {
    use super::*;

    #[derive(Table)]
    #[keel(schema = "fk_name")]
    pub struct Folder {
        pub id: Uuid,
    }

    #[derive(Table)]
    #[keel(schema = "fk_name")]
    pub struct Currency {
        pub id: Uuid,
        #[keel(unique)]
        pub code: String,
    }

    #[derive(Table)]
    #[keel(schema = "fk_name")]
    pub struct File {
        pub id: Uuid,
        #[keel(references = "folders(id)", index)]
        pub parent_folder_id: Option<Uuid>,
        #[keel(references = "folders(id)", index)]
        pub folder: Option<Uuid>,
        #[keel(references = "folders(id)", index)]
        pub archive_uuid: Option<Uuid>,
        #[keel(references = "currencies(code)", index)]
        pub currency_code: String,
        #[keel(references = "currencies(code)", index)]
        pub price_currency: String,
    }

    /// One-to-one: keyed by its folder's id.
    #[derive(Table)]
    #[keel(schema = "fk_name")]
    pub struct FolderSetting {
        #[keel(primary_key, references = "folders(id)")]
        pub id: Uuid,
    }
}

#[test]
fn foreign_key_column_name() {
    let found = of("foreign-key-column-name", "fk_name");
    let s = "fk_name";
    assert_eq!(
        locations(&found),
        [
            foreign_key(s, "files", "archive_uuid", "files_archive_uuid_fkey"),
            foreign_key(s, "files", "folder", "files_folder_fkey"),
            foreign_key(s, "files", "price_currency", "files_price_currency_fkey"),
        ]
    );
    assert_severity(&found, Severity::Warning);
    assert_eq!(
        fixes(&found),
        [
            "rename the column to `archive_id`",
            "rename the column to `folder_id`",
            "rename the column to `price_currency_id` or `currency_code`"
        ]
    );
}

mod bool_prefix {
    use super::*;

    #[derive(Table)]
    #[keel(schema = "bool_prefix")]
    pub struct User {
        pub id: Uuid,
        pub active: bool,
        pub can_edit: Option<bool>,
        pub is_active: bool,
        pub has_password: bool,
        /// Not a boolean.
        pub island: String,
    }
}

#[test]
fn boolean_prefix() {
    let found = of("boolean-prefix", "bool_prefix");
    let s = "bool_prefix";
    assert_eq!(locations(&found), [column(s, "users", "active"), column(s, "users", "can_edit")]);
    assert_severity(&found, Severity::Warning);
    assert_eq!(found[0].fix, "rename the column to `is_active` or `has_active`");
    assert!(found[1].fix.contains("is_edit_allowed"), "{}", found[1].fix);
}

mod ts_suffix {
    use super::*;

    #[derive(Table)]
    #[keel(schema = "ts_suffix")]
    pub struct Event {
        pub id: Uuid,
        pub published: DateTime<Utc>,
        pub expires_time: Option<DateTime<Utc>>,
        pub birthday: NaiveDate,
        pub starts_at: DateTime<Utc>,
        pub born_on: NaiveDate,
        pub due_date: NaiveDate,
        pub valid_at: NaiveDate,
    }
}

#[test]
fn timestamp_suffix() {
    let found = of("timestamp-suffix", "ts_suffix");
    let s = "ts_suffix";
    assert_eq!(
        locations(&found),
        [column(s, "events", "birthday"), column(s, "events", "expires_time"), column(s, "events", "published")]
    );
    assert_severity(&found, Severity::Warning);
    assert_eq!(
        fixes(&found),
        [
            "rename the column to `birthday_on` (or `birthday_date`)",
            "rename the column to `expires_at`",
            "rename the column to `published_at`"
        ]
    );
}

mod count_suffix {
    use super::*;

    #[derive(Table)]
    #[keel(schema = "count_suffix")]
    pub struct Video {
        pub id: Uuid,
        pub downloads: i32,
        pub page_views: i64,
        pub num_replies: i16,
        pub download_count: i32,
        pub status: i32,
        #[keel(optimistic_lock)]
        pub version: i32,
        pub version_number: i32,
        pub duration_seconds: i32,
        pub size_bytes: i64,
        pub sort_order: i32,
        /// Not an integer.
        pub comments: String,
    }
}

#[test]
fn count_suffix() {
    let found = of("count-suffix", "count_suffix");
    let s = "count_suffix";
    assert_eq!(
        locations(&found),
        [column(s, "videos", "downloads"), column(s, "videos", "num_replies"), column(s, "videos", "page_views")]
    );
    assert_severity(&found, Severity::Warning);
    assert_eq!(
        fixes(&found),
        [
            "rename the column to `download_count`",
            "rename the column to `reply_count`",
            "rename the column to `page_view_count`"
        ]
    );
}

// ---------------------------------------------------------------------------------------------------------
// Conventional columns
// ---------------------------------------------------------------------------------------------------------

mod user_id_uuid {
    use super::*;

    #[derive(Table)]
    #[keel(schema = "user_id_uuid")]
    pub struct Bad {
        pub id: Uuid,
        pub user_id: Uuid,
        pub owner_user_id: Option<Uuid>,
        pub account_id: Uuid,
    }

    #[derive(Table)]
    #[keel(schema = "user_id_uuid")]
    pub struct Good {
        pub id: Uuid,
        pub user_id: String,
        pub owner_user_id: Option<String>,
    }
}

#[test]
fn user_id_uuid() {
    let found = of("user-id-uuid", "user_id_uuid");
    let s = "user_id_uuid";
    assert_eq!(locations(&found), [column(s, "bads", "owner_user_id"), column(s, "bads", "user_id")]);
    assert_severity(&found, Severity::Error);
    assert_eq!(fixes(&found), ["change the type of `owner_user_id` to text", "change the type of `user_id` to text"]);
}

mod pk {
    use super::*;

    #[derive(Table)]
    #[keel(schema = "pk")]
    pub struct Good {
        pub id: Uuid,
    }

    #[derive(Table)]
    #[keel(schema = "pk")]
    pub struct Identity {
        #[keel(identity)]
        pub id: i64,
    }

    #[derive(Table)]
    #[keel(schema = "pk")]
    pub struct Keyless {
        pub name: String,
    }

    #[derive(Table)]
    #[keel(schema = "pk", primary_key(columns = "code, region"))]
    pub struct Composite {
        pub code: String,
        pub region: String,
    }

    #[derive(Table)]
    #[keel(schema = "pk")]
    pub struct OtherDefault {
        #[keel(default = "uuid_generate_v4()")]
        pub id: Uuid,
    }

    /// Junction tables are keyed by their two references.
    #[derive(Table)]
    #[keel(schema = "pk", primary_key(columns = "good_id, keyed_id"))]
    pub struct GoodKeyed {
        #[keel(references = "goods(id)")]
        pub good_id: Uuid,
        #[keel(references = "identities(id)")]
        pub keyed_id: i64,
    }
}

#[test]
fn primary_key() {
    let found = of("primary-key", "pk");
    let s = "pk";
    assert_eq!(
        locations(&found),
        [
            named(s, "composites", "composites_pkey"),
            column(s, "identities", "id"),
            table(s, "keylesses"),
            column(s, "other_defaults", "id"),
        ]
    );
    assert_severity(&found, Severity::Warning);
    let messages: Vec<&str> = found.iter().map(|f| f.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "the primary key of `composites` is (code, region), not `id`",
            "primary key `identities.id` is bigint identity, not uuid",
            "table `keylesses` has no primary key",
            "primary key `other_defaults.id` has default `uuid_generate_v4()`, not gen_random_uuid()",
        ]
    );
}

mod timestamps {
    use super::*;

    #[derive(Table)]
    #[keel(schema = "timestamps")]
    pub struct Good {
        pub id: Uuid,
        pub created_at: DateTime<Utc>,
        #[keel(default = "CURRENT_TIMESTAMP")]
        pub updated_at: DateTime<Utc>,
    }

    #[derive(Table)]
    #[keel(schema = "timestamps")]
    pub struct NoUpdate {
        pub id: Uuid,
        pub created_at: DateTime<Utc>,
    }

    #[derive(Table)]
    #[keel(schema = "timestamps")]
    pub struct Wrong {
        pub id: Uuid,
        /// `timestamp` without time zone (the convention's default `now()` still applies).
        pub created_at: NaiveDateTime,
        /// Nullable, and so without the convention's default.
        pub updated_at: Option<DateTime<Utc>>,
    }

    #[derive(Table)]
    #[keel(schema = "timestamps")]
    pub struct OtherDefault {
        pub id: Uuid,
        #[keel(default = "clock_timestamp()")]
        pub created_at: DateTime<Utc>,
        pub updated_at: DateTime<Utc>,
    }

    /// A junction needs only `created_at`.
    #[derive(Table)]
    #[keel(schema = "timestamps", primary_key(columns = "good_id, wrong_id"))]
    pub struct GoodWrong {
        #[keel(references = "goods(id)")]
        pub good_id: Uuid,
        #[keel(references = "wrongs(id)")]
        pub wrong_id: Uuid,
        pub created_at: DateTime<Utc>,
    }

    /// ... but needs that.
    #[derive(Table)]
    #[keel(schema = "timestamps", primary_key(columns = "good_id, no_update_id"))]
    pub struct GoodNoUpdate {
        #[keel(references = "goods(id)")]
        pub good_id: Uuid,
        #[keel(references = "no_updates(id)")]
        pub no_update_id: Uuid,
    }
}

#[test]
fn timestamps() {
    let found = of("timestamps", "timestamps");
    let s = "timestamps";
    assert_eq!(
        locations(&found),
        [
            table(s, "good_no_updates"),
            table(s, "no_updates"),
            column(s, "other_defaults", "created_at"),
            column(s, "wrongs", "created_at"),
            column(s, "wrongs", "updated_at"),
            column(s, "wrongs", "updated_at"),
        ]
    );
    assert_severity(&found, Severity::Warning);
    let messages: Vec<&str> = found.iter().map(|f| f.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "table `good_no_updates` has no `created_at` column",
            "table `no_updates` has no `updated_at` column",
            "`other_defaults.created_at` has default `clock_timestamp()`, not now()",
            "`wrongs.created_at` is timestamp without time zone, not timestamptz",
            "`wrongs.updated_at` has no default",
            "`wrongs.updated_at` is nullable",
        ]
    );
    assert_eq!(found[1].fix, "add a column `updated_at`: timestamptz, NOT NULL, default now()");
}

mod ts_tz {
    use super::*;

    #[derive(Table)]
    #[keel(schema = "ts_tz")]
    pub struct Event {
        pub id: Uuid,
        pub starts_at: NaiveDateTime,
        pub reminders_at: Vec<NaiveDateTime>,
        pub ends_at: DateTime<Utc>,
        pub held_on: NaiveDate,
    }
}

#[test]
fn timestamp_without_time_zone() {
    let found = of("timestamp-without-time-zone", "ts_tz");
    assert_eq!(locations(&found), [column("ts_tz", "events", "reminders_at"), column("ts_tz", "events", "starts_at")]);
    assert_severity(&found, Severity::Warning);
    assert_eq!(
        fixes(&found),
        ["change the type of `reminders_at` to timestamptz[]", "change the type of `starts_at` to timestamptz"]
    );
}

mod soft_delete {
    use super::*;

    #[derive(Table)]
    #[keel(schema = "soft_delete")]
    pub struct Good {
        pub id: Uuid,
        pub is_deleted: bool,
        pub deleted_at: Option<DateTime<Utc>>,
    }

    #[derive(Table)]
    #[keel(schema = "soft_delete")]
    pub struct FlagOnly {
        pub id: Uuid,
        pub is_deleted: bool,
    }

    #[derive(Table)]
    #[keel(schema = "soft_delete")]
    pub struct StampOnly {
        pub id: Uuid,
        pub deleted_at: Option<DateTime<Utc>>,
    }

    #[derive(Table)]
    #[keel(schema = "soft_delete")]
    pub struct Loose {
        pub id: Uuid,
        /// Nullable, and so without the convention's default `false`.
        pub is_deleted: Option<bool>,
        /// NOT NULL.
        pub deleted_at: DateTime<Utc>,
    }

    #[derive(Table)]
    #[keel(schema = "soft_delete")]
    pub struct TrueByDefault {
        pub id: Uuid,
        #[keel(default = "true")]
        pub is_deleted: bool,
        pub deleted_at: Option<DateTime<Utc>>,
    }
}

#[test]
fn soft_delete_pair() {
    let found = of("soft-delete-pair", "soft_delete");
    let s = "soft_delete";
    assert_eq!(
        locations(&found),
        [
            column(s, "flag_onlies", "is_deleted"),
            column(s, "looses", "deleted_at"),
            column(s, "looses", "is_deleted"),
            column(s, "looses", "is_deleted"),
            column(s, "stamp_onlies", "deleted_at"),
            column(s, "true_by_defaults", "is_deleted"),
        ]
    );
    assert_severity(&found, Severity::Error);
    let messages: Vec<&str> = found.iter().map(|f| f.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "table `flag_onlies` has `is_deleted` but no `deleted_at`",
            "`looses.deleted_at` is NOT NULL: rows that are not deleted have no deletion time",
            "`looses.is_deleted` has no default",
            "`looses.is_deleted` is nullable",
            "table `stamp_onlies` has `deleted_at` but no `is_deleted`",
            "`true_by_defaults.is_deleted` has default `true`, not false",
        ]
    );
}

mod version {
    use super::*;

    #[derive(Table)]
    #[keel(schema = "version")]
    pub struct Balance {
        pub id: Uuid,
        #[keel(optimistic_lock)]
        pub version: i32,
    }

    #[derive(Table)]
    #[keel(schema = "version")]
    pub struct Document {
        pub id: Uuid,
        pub current_version: i64,
    }

    #[derive(Table)]
    #[keel(schema = "version")]
    pub struct Page {
        pub id: Uuid,
        #[keel(default = "1")]
        pub version: Option<i32>,
    }

    /// A version that is not a counter is not an optimistic lock.
    #[derive(Table)]
    #[keel(schema = "version")]
    pub struct Release {
        pub id: Uuid,
        pub version: String,
    }
}

#[test]
fn version_default() {
    let found = of("version-default", "version");
    let s = "version";
    assert_eq!(locations(&found), [column(s, "documents", "current_version"), column(s, "pages", "version")]);
    assert_severity(&found, Severity::Error);
    assert_eq!(fixes(&found), ["set the default of `current_version` to 1", "make `version` NOT NULL"]);
}

// ---------------------------------------------------------------------------------------------------------
// Indexes and foreign keys
// ---------------------------------------------------------------------------------------------------------

mod index_name {
    use super::*;

    #[derive(Table)]
    #[keel(
        schema = "index_name",
        index(columns = "user_id, created_at"),
        index(name = "files_lower_name", columns = "(lower(name))"),
        index(name = "idx_files_lower_name", columns = "(lower(name)), user_id")
    )]
    pub struct File {
        pub id: Uuid,
        #[keel(index = "files_user_idx")]
        pub user_id: String,
        pub name: String,
        #[keel(index = "idx_files_parent_folder")]
        pub parent_folder_id: Option<Uuid>,
        #[keel(index(name = "uq_files_storage_path", unique))]
        pub storage_path: String,
        /// A unique constraint (named by PostgreSQL's rule), not an index: not checked.
        #[keel(unique)]
        pub storage_key: String,
        #[keel(index)]
        pub created_at: DateTime<Utc>,
    }
}

#[test]
fn index_name() {
    let found = of("index-name", "index_name");
    let s = "index_name";
    assert_eq!(
        locations(&found),
        [
            named(s, "files", "files_lower_name"),
            named(s, "files", "files_user_idx"),
            named(s, "files", "uq_files_storage_path"),
        ]
    );
    assert_severity(&found, Severity::Warning);
    assert_eq!(
        fixes(&found),
        [
            "rename the index to `idx_files_` followed by what it indexes",
            "rename the index to `idx_files_user_id`",
            "rename the index to `idx_files_storage_path`"
        ]
    );
}

mod fk_index {
    use super::*;

    #[derive(Table)]
    #[keel(schema = "fk_index")]
    pub struct Folder {
        pub id: Uuid,
    }

    #[derive(Table)]
    #[keel(schema = "fk_index")]
    pub struct Tag {
        pub id: Uuid,
    }

    #[derive(Table)]
    #[keel(
        schema = "fk_index",
        index(columns = "owner_id, created_at"),
        index(columns = "created_at, reviewer_id"),
        index(
            name = "idx_files_archive_folder",
            columns = "archive_folder_id",
            predicate = "archive_folder_id IS NOT NULL"
        )
    )]
    pub struct File {
        pub id: Uuid,
        #[keel(references = "folders(id)", index = "idx_files_parent_folder")]
        pub parent_folder_id: Option<Uuid>,
        #[keel(references = "folders(id)")]
        pub folder_id: Uuid,
        #[keel(references = "folders(id)")]
        pub owner_id: Uuid,
        #[keel(references = "folders(id)")]
        pub reviewer_id: Option<Uuid>,
        #[keel(references = "folders(id)")]
        pub archive_folder_id: Option<Uuid>,
        pub created_at: DateTime<Utc>,
    }

    /// Covered by a unique constraint that starts with the foreign key.
    #[derive(Table)]
    #[keel(schema = "fk_index", unique(columns = "file_id, version_number"))]
    pub struct FileVersion {
        pub id: Uuid,
        #[keel(references = "files(id)")]
        pub file_id: Uuid,
        pub version_number: i32,
    }

    /// The primary key covers `file_id`; `tag_id` needs its own index.
    #[derive(Table)]
    #[keel(schema = "fk_index", primary_key(columns = "file_id, tag_id"))]
    pub struct FileTag {
        #[keel(references = "files(id)")]
        pub file_id: Uuid,
        #[keel(references = "tags(id)")]
        pub tag_id: Uuid,
    }

    /// A composite foreign key, covered with its columns in another order.
    #[derive(Table)]
    #[keel(schema = "fk_index", unique(columns = "file_id, tag_id"))]
    pub struct TagNote {
        pub id: Uuid,
        pub file_id: Uuid,
        pub tag_id: Uuid,
    }

    #[derive(Table)]
    #[keel(
        schema = "fk_index",
        foreign_key(columns = "file_id, tag_id", references = "tag_notes(file_id, tag_id)"),
        foreign_key(columns = "tag_id, file_id", references = "tag_notes(tag_id, file_id)"),
        index(columns = "tag_id, file_id")
    )]
    pub struct NoteLink {
        pub id: Uuid,
        pub file_id: Uuid,
        pub tag_id: Uuid,
        pub note: String,
    }

    #[derive(Table)]
    #[keel(schema = "fk_index", foreign_key(columns = "file_id, tag_id", references = "tag_notes(file_id, tag_id)"))]
    pub struct NoteCopy {
        pub id: Uuid,
        #[keel(index)]
        pub tag_id: Uuid,
        pub file_id: Uuid,
    }
}

#[test]
fn foreign_key_index() {
    let found = of("foreign-key-index", "fk_index");
    let s = "fk_index";
    assert_eq!(
        locations(&found),
        [
            foreign_key(s, "file_tags", "tag_id", "file_tags_tag_id_fkey"),
            foreign_key(s, "files", "archive_folder_id", "files_archive_folder_id_fkey"),
            foreign_key(s, "files", "folder_id", "files_folder_id_fkey"),
            foreign_key(s, "files", "reviewer_id", "files_reviewer_id_fkey"),
            named(s, "note_copies", "note_copies_file_id_tag_id_fkey"),
        ]
    );
    assert_severity(&found, Severity::Warning);
    assert_eq!(found[0].fix, "add an index `idx_file_tags_tag_id` on (tag_id) (`#[keel(index)]` on the field)");
    assert_eq!(
        found[4].fix,
        "add an index `idx_note_copies_file_id_tag_id` on (file_id, tag_id) \
         (`#[keel(index(columns = \"file_id, tag_id\"))]` on the struct)"
    );
}

// ---------------------------------------------------------------------------------------------------------
// Identifier length (names the derives refuse, so built from the model)
// ---------------------------------------------------------------------------------------------------------

fn long_names() -> Schema {
    let (long, just) = ("a".repeat(64), "b".repeat(63));
    // 32 two-byte characters: 32 characters, 64 bytes.
    let wide = "é".repeat(32);
    let mut items = TableModel {
        columns: vec![
            Column::new("id", ColumnType::Uuid),
            Column::new(&long, ColumnType::Text),
            Column::new(&just, ColumnType::Text),
        ],
        primary_key: Some(PrimaryKey {
            name: "items_pkey".into(),
            columns: vec!["id".into()],
            deferrable: Default::default(),
            comment: None,
        }),
        ..TableModel::default()
    };
    items.indexes.insert(format!("idx_items_{long}"), Index::on_columns([long.clone()]));
    items.indexes.insert(format!("idx_items_{}", "c".repeat(53)), Index::on_columns([just.clone()]));
    let mut ns = Namespace::default();
    ns.tables.insert("items".into(), items);
    ns.tables.insert(
        wide.clone(),
        TableModel { columns: vec![Column::new("id", ColumnType::Uuid)], ..TableModel::default() },
    );
    ns.enums.insert(format!("{long}_type"), Enum { values: vec!["x".into()], ..Enum::default() });
    let mut schema = Schema::default();
    schema.schemas.insert("lengths".into(), ns);
    schema.schemas.insert(long, Namespace::default());
    schema
}

#[test]
fn identifier_too_long() {
    let schema = long_names();
    let found: Vec<Finding> = lint(&schema).into_iter().filter(|f| f.rule == "identifier-too-long").collect();
    let (long, wide) = ("a".repeat(64), "é".repeat(32));
    let s = "lengths";
    assert_eq!(
        locations(&found),
        [
            Location::Object { schema: long.clone(), table: None, column: None, name: None },
            Location::in_schema(s, &format!("{long}_type")),
            named(s, "items", &format!("idx_items_{long}")),
            Location::column(s, "items", &long),
            table(s, &wide),
        ]
    );
    assert_severity(&found, Severity::Error);
    assert_eq!(found[4].message, format!("table name `{wide}` is 64 bytes; PostgreSQL truncates names to 63"));
    assert_eq!(found[4].fix, "shorten the table name to at most 63 bytes");
}

// ---------------------------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------------------------

fn config(json: serde_json::Value) -> LintConfig {
    serde_json::from_value(json).expect("a valid [lint] configuration")
}

fn rules_in(findings: &[Finding]) -> Vec<(&str, Severity)> {
    findings.iter().map(|f| (f.rule.as_str(), f.severity)).collect()
}

#[test]
fn a_rule_set_to_off_is_silenced_and_another_severity_applies_everywhere() {
    let schema = fixture("timestamps");
    let before = lint_schema(&schema, &LintConfig::default());
    assert!(before.iter().any(|f| f.rule == "timestamps"));
    assert!(before.iter().any(|f| f.rule == "timestamp-without-time-zone"));

    let config =
        config(serde_json::json!({ "rules": { "timestamps": "off", "timestamp-without-time-zone": "error" } }));
    assert!(config.unknown_rules().is_empty());
    let after = lint_schema(&schema, &config);
    assert!(after.iter().all(|f| f.rule != "timestamps"), "{after:#?}");
    let tz: Vec<&Finding> = after.iter().filter(|f| f.rule == "timestamp-without-time-zone").collect();
    assert!(!tz.is_empty() && tz.iter().all(|f| f.severity == Severity::Error));
    assert_eq!(after.len(), before.len() - before.iter().filter(|f| f.rule == "timestamps").count());
}

#[test]
fn a_per_table_override_changes_only_that_table() {
    let schema = fixture("timestamps");
    let config = LintConfig {
        overrides: vec![
            Override {
                rule: "timestamps".into(),
                table: Some("no_updates".into()),
                column: None,
                file: None,
                severity: Severity::Off,
            },
            // `schema.table` works too.
            Override {
                rule: "*".into(),
                table: Some("timestamps.wrongs".into()),
                column: None,
                file: None,
                severity: Severity::Info,
            },
        ],
        ..LintConfig::default()
    };
    let found = lint_schema(&schema, &config);
    let tables = |f: &Finding| match &f.location {
        Location::Object { table, .. } => table.clone().unwrap_or_default(),
        Location::Sql { .. } => String::new(),
    };
    assert!(!found.iter().any(|f| tables(f) == "no_updates" && f.rule == "timestamps"), "{found:#?}");
    let wrongs: Vec<&Finding> = found.iter().filter(|f| tables(f) == "wrongs").collect();
    assert!(wrongs.len() >= 4 && wrongs.iter().all(|f| f.severity == Severity::Info), "{wrongs:#?}");
    // Another table keeps its findings at their defaults.
    let others: Vec<&Finding> = found.iter().filter(|f| tables(f) == "other_defaults").collect();
    assert_eq!(rules_in(&others.into_iter().cloned().collect::<Vec<_>>()), [("timestamps", Severity::Warning)]);
}

#[test]
fn a_per_column_override_changes_only_that_column() {
    let schema = fixture("bool_prefix");
    let config = config(serde_json::json!({
        "overrides": [
            { "rule": "boolean-prefix", "table": "users", "column": "can_edit", "severity": "off" },
            { "rule": "boolean-prefix", "column": "active", "severity": "info" },
        ]
    }));
    let found: Vec<Finding> =
        lint_schema(&schema, &config).into_iter().filter(|f| f.rule == "boolean-prefix").collect();
    assert_eq!(locations(&found), [column("bool_prefix", "users", "active")]);
    assert_eq!(found[0].severity, Severity::Info);
}

#[test]
fn a_per_column_override_reaches_foreign_key_findings() {
    let schema = fixture("fk_index");
    let config = config(serde_json::json!({
        "overrides": [{ "rule": "foreign-key-index", "table": "files", "column": "folder_id", "severity": "off" }]
    }));
    let found: Vec<Finding> =
        lint_schema(&schema, &config).into_iter().filter(|f| f.rule == "foreign-key-index").collect();
    assert_eq!(found.len(), 4);
    assert!(found.iter().all(|f| !matches!(&f.location, Location::Object { column: Some(c), .. } if c == "folder_id")));
}

#[test]
fn unknown_rules_are_reported() {
    let config = config(serde_json::json!({
        "rules": { "table-plurals": "off", "table-plural": "off", "squawk/ban-drop-column": "warning" },
        "overrides": [
            { "rule": "*", "table": "files", "severity": "info" },
            { "rule": "timestamp", "table": "files", "severity": "off" },
        ]
    }));
    assert_eq!(config.unknown_rules(), ["table-plurals", "timestamp"]);
    let fine = LintConfig {
        rules: RULES.iter().map(|r| (r.id.to_string(), Severity::Info)).collect(),
        ..LintConfig::default()
    };
    assert!(fine.unknown_rules().is_empty());
}
