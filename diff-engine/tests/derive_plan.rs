//! For everything the derives express, `plan(model → introspect(apply(model)))` is empty.
//!
//! The tables and enums below use every `#[keel(...)]` attribute and convention: uuid keys with their
//! default, identity keys, timestamps, soft delete, optimistic locking, enums and enum arrays (one in a
//! non-public schema), jsonb/json, arrays, varchar/char, numeric precision, time precision, collations,
//! comments, generated columns, foreign keys with every action (composite, deferrable, self and cross-schema
//! references), composite/partial/unique/expression/gin/hash indexes, unique constraints, checks and
//! rename hints that are already applied. `keel::collect()` registers exactly these (this test binary's).
//!
//! Checked: the declared schema, rendered and applied, introspects to a schema that plans empty against the
//! normalized declaration; the declaration as written (not normalized) is compared too, and any difference
//! is printed as information; a plan from an empty database builds exactly the normalized schema.

// The structs exist for their derives; nothing reads their fields.
#![allow(dead_code)]

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use keel::{PgEnum, Table};
use keel_core::model::Schema;
use keel_diff::normalize::normalize;
use keel_diff::render::create_schema;
use keel_diff::{PlanOptions, apply_in_transaction, apply_plan, introspect, plan};
use keel_test_support::{Server, shared_server};
use std::net::IpAddr;
use uuid::Uuid;

mod support;

// ---------------------------------------------------------------------------------------------------------
// The declared schema
// ---------------------------------------------------------------------------------------------------------

#[derive(PgEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum PlanStatus {
    Draft,
    Active,
    #[keel(rename = "archived")]
    Retired,
}

#[derive(PgEnum, Debug, Clone, Copy, PartialEq, Eq)]
#[keel(name = "currency_code", schema = "billing", comment = "ISO 4217, the ones we bill in")]
enum Currency {
    Eur,
    Usd,
    Gbp,
}

#[derive(PgEnum, Debug, Clone, Copy, PartialEq, Eq)]
#[keel(renamed_from = "urgency")]
enum Priority {
    Low,
    Normal,
    High,
}

#[derive(Debug, Clone, PartialEq)]
struct Preferences {
    theme: String,
}

/// A type with no `SqlType`: usable only through `sql_type`.
#[derive(Debug, Clone, PartialEq)]
struct TsVector(String);

#[derive(Table)]
#[keel(
    comment = "People who sign in",
    index(columns = "user_id, created_at DESC", predicate = "deleted_at IS NULL"),
    unique(columns = "id, version", name = "accounts_id_version_key"),
    check(name = "accounts_email_shape", expr = "position('@' in email) > 1")
)]
struct Account {
    id: Uuid,
    #[keel(index)]
    user_id: String,
    #[keel(varchar = 320, unique)]
    email: String,
    #[keel(column = "display_name", comment = "Shown in the UI")]
    name: Option<String>,
    #[keel(collation = "C")]
    handle: String,
    #[keel(generated = "lower((email)::text)")]
    email_lower: String,
    status: PlanStatus,
    past_statuses: Vec<PlanStatus>,
    priority: Option<Priority>,
    preferences: keel::Json<Preferences>,
    is_admin: bool,
    has_avatar: bool,
    #[keel(precision = 3)]
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    is_deleted: bool,
    deleted_at: Option<DateTime<Utc>>,
    #[keel(optimistic_lock)]
    version: i32,
    #[keel(skip)]
    cached: Option<String>,
}

#[derive(Table)]
#[keel(
    renamed_from = "workspaces",
    index(
        name = "idx_projects_lower_name",
        columns = "(lower(name)) text_pattern_ops, priority DESC NULLS LAST, score NULLS FIRST",
        predicate = "description IS NOT NULL",
        include = "state"
    ),
    index(columns = "tags", method = "gin"),
    index(name = "idx_projects_account_name", columns = "account_id, name", unique),
    unique(columns = "account_id, parent_id, name"),
    check(name = "projects_budget_nonnegative", expr = "budget >= 0")
)]
struct Project {
    #[keel(identity)]
    id: i64,
    #[keel(references = "accounts(id)", on_delete = "cascade", index)]
    account_id: Uuid,
    /// Without columns, a reference targets `id`.
    #[keel(references = "projects", on_delete = "set null", fk_name = "projects_parent_fk")]
    parent_id: Option<i64>,
    #[keel(varchar = 200)]
    name: String,
    description: Option<String>,
    tags: Vec<String>,
    #[keel(varchar = 40)]
    labels: Vec<String>,
    scores: Vec<i32>,
    settings: serde_json::Value,
    #[keel(json)]
    raw: Option<serde_json::Value>,
    #[keel(default = "'{}'::jsonb", sql_type = "jsonb")]
    extra: String,
    #[keel(sql_type = "numeric(12, 2)")]
    budget: String,
    #[keel(check = "priority BETWEEN 0 AND 10")]
    priority: i16,
    score: f64,
    ratio: Option<f32>,
    #[keel(sql_type = "tsvector")]
    search: Option<TsVector>,
    #[keel(default = "'pending'", index(name = "idx_projects_state", method = "hash", predicate = "state <> 'done'"))]
    state: String,
    #[keel(renamed_from = "is_visible")]
    is_public: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

/// Composite primary key, composite deferrable foreign key to a unique constraint.
#[derive(Table)]
#[keel(
    primary_key(columns = "project_id, account_id", name = "project_members_pk"),
    foreign_key(
        columns = "account_id, account_version",
        references = "accounts(id, version)",
        on_update = "cascade",
        deferrable,
        initially_deferred,
        name = "project_members_account_fk"
    )
)]
struct ProjectMember {
    #[keel(references = "projects(id)", on_delete = "cascade")]
    project_id: i64,
    account_id: Uuid,
    account_version: i32,
    #[keel(precision = 0)]
    joined_at: NaiveDateTime,
    #[keel(identity = "always")]
    seq: i64,
    role: Option<Priority>,
}

#[derive(Table)]
#[keel(schema = "billing", comment = "Exchange rates, a tree of currencies")]
struct Rate {
    #[keel(primary_key, char = 3)]
    code: String,
    #[keel(char = 3, references = "rates(code)")]
    parent: Option<String>,
    currency: Currency,
    #[keel(sql_type = "numeric(18, 8)")]
    factor: String,
}

#[derive(Table)]
#[keel(
    schema = "billing",
    comment = "Invoices, one per project and day",
    index(columns = "user_id, issued_on DESC"),
    unique(columns = "project_id, issued_on", name = "invoices_project_day_key")
)]
struct Invoice {
    id: Uuid,
    user_id: String,
    #[keel(references = "public.projects(id)", on_delete = "restrict", deferrable)]
    project_id: i64,
    currency: Currency,
    currencies: Vec<Currency>,
    #[keel(sql_type = "numeric(14, 4)", check = "amount > 0")]
    amount: String,
    issued_on: NaiveDate,
    #[keel(precision = 2)]
    due_time: Option<NaiveTime>,
    cutoff: NaiveTime,
    #[keel(char = 2, comment = "ISO 3166 country")]
    country: String,
    paid: bool,
    client_ip: Option<IpAddr>,
    grace: std::time::Duration,
    pdf: Option<Vec<u8>>,
    small: i16,
    #[keel(identity = "always", unique = "invoices_number_key")]
    number: i32,
    created_at: NaiveDateTime,
}

#[derive(Table)]
#[keel(
    table = "invoice_lines",
    schema = "billing",
    check(name = "invoice_lines_total", expr = "quantity * 2 < 1000000")
)]
struct LineItem {
    id: Uuid,
    #[keel(references = "invoices(id)", on_delete = "cascade", on_update = "restrict", index)]
    invoice_id: Uuid,
    #[keel(references = "public.accounts", on_delete = "set_default")]
    account_id: Uuid,
    #[keel(char = 3, references = "billing.rates(code)", on_delete = "set null", fk_name = "invoice_lines_rate_fk")]
    rate_code: Option<String>,
    #[keel(check = "quantity > 0")]
    quantity: i32,
    #[keel(generated = "quantity * 2")]
    double_quantity: i32,
    #[keel(sql_type = "numeric(12, 2)", default = "0")]
    unit_price: String,
    #[keel(index = "idx_invoice_lines_note")]
    note: Option<String>,
    #[keel(default = "42")]
    weight: i64,
}

// ---------------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------------

fn server() -> &'static Server {
    shared_server().unwrap_or_else(|e| panic!("no PostgreSQL for the tests: {e}"))
}

fn declared() -> Schema {
    keel::collect().unwrap_or_else(|e| panic!("{e}"))
}

// ---------------------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------------------

#[test]
fn the_declaration_covers_every_kind_of_object() {
    let schema = declared();
    assert_eq!(schema.tables().count(), 6);
    assert_eq!(schema.enums().count(), 3);
    assert!(schema.schemas.contains_key("billing"));
}

#[tokio::test]
async fn applied_declaration_plans_empty() {
    let declared = declared();
    let normalized = normalize(server(), &declared).await.unwrap_or_else(|e| panic!("normalize: {e}"));
    let statements = create_schema(&declared);
    let database = server().create_database().await.expect("create a scratch database");
    let mut conn = database.connect().await.expect("connect");
    apply_in_transaction(&mut conn, &statements).await.unwrap_or_else(|e| {
        panic!("the rendered schema does not apply: {e}\n-- statements:\n{};", statements.join(";\n"))
    });
    let introspected = introspect(&mut conn, None).await.expect("introspect");
    drop(conn);
    database.drop_database().await.expect("drop the scratch database");

    let planned = plan(&introspected, &normalized, &PlanOptions::default()).expect("plan against the normalized form");
    assert!(
        planned.is_empty(),
        "the applied declaration plans non-empty against its normalized form:\n{}\n{}",
        planned.to_sql(),
        support::json_diff(
            &introspected.to_json(),
            &normalized.without_hints().to_json(),
            "introspected",
            "normalized"
        )
    );

    // Information, not an assertion: what normalization changes in the declaration as written.
    match plan(&introspected, &declared, &PlanOptions::default()) {
        Ok(p) if p.is_empty() => eprintln!("info: the declared (non-normalized) form plans empty too"),
        Ok(p) => eprintln!(
            "info: the declared (non-normalized) form differs from the database; planning against it gives:\n{}",
            p.to_sql()
        ),
        Err(e) => eprintln!("info: planning against the declared (non-normalized) form fails: {e}"),
    }
}

#[tokio::test]
async fn plan_from_empty_builds_the_normalized_schema() {
    let normalized = normalize(server(), &declared()).await.unwrap_or_else(|e| panic!("normalize: {e}"));
    let database = server().create_database().await.expect("create a scratch database");
    let mut conn = database.connect().await.expect("connect");
    let empty = introspect(&mut conn, None).await.expect("introspect the empty database");
    let planned = plan(&empty, &normalized, &PlanOptions::default()).expect("plan from empty");
    let applied = apply_plan(&mut conn, &planned).await;
    let after = introspect(&mut conn, None).await.expect("introspect after the plan");
    drop(conn);
    database.drop_database().await.expect("drop the scratch database");

    if let Err(e) = applied {
        panic!("the plan from empty does not apply: {e}\n-- plan:\n{}", planned.to_sql());
    }
    // Rename hints ride along in the normalized schema for the planner; a database cannot hold them.
    let (left, right) = (after.to_json(), normalized.without_hints().to_json());
    assert!(
        left == right,
        "the database built by the plan differs from the normalized schema\n{}\n-- plan:\n{}",
        support::json_diff(&left, &right, "built by the plan", "normalized"),
        planned.to_sql()
    );
    let again = plan(&after, &normalized, &PlanOptions::default()).expect("plan again");
    assert!(again.is_empty(), "planning again is not empty:\n{}", again.to_sql());
}
