//! Invariants of the engine, checked against a real PostgreSQL (each test gets its own scratch database):
//!
//! - round trip: a schema written in PostgreSQL's canonical stored form, rendered with
//!   `render::create_schema`, applied with `apply_in_transaction` and read back with `introspect`, is the
//!   schema we started from;
//! - normalization: `normalize` turns hand-written expressions into the stored form, and is a fixed point;
//! - errors: a failing batch says which statement failed and with which SQLSTATE, and leaves nothing behind;
//! - determinism: rendering, introspection and the JSON form give the same bytes every time.

use keel_core::model::{
    Check, Column, ColumnType, Deferrable, Enum, ForeignKey, ForeignKeyAction, Identity, IdentityGeneration, Index,
    IndexKey, IndexMethod, Namespace, NullsOrder, PrimaryKey, QualifiedName, Schema, Table, UniqueConstraint,
};
use keel_diff::normalize::normalize;
use keel_diff::render::create_schema;
use keel_diff::{ApplyError, apply_in_transaction, introspect};
use keel_test_support::{Server, shared_server};
use sqlx::PgConnection;

mod support;

// ---------------------------------------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------------------------------------

fn server() -> &'static Server {
    shared_server().unwrap_or_else(|e| panic!("no PostgreSQL for the tests: {e}"))
}

/// Whether the running test (or its part `what`) needs a later server than the test server (`version_num`,
/// e.g. `150000`); prints the skip when it does (`support::skip_below`).
async fn skip_below(version_num: i32, what: Option<&str>) -> bool {
    support::skip_below(version_num, support::server_version_num(&server().url("postgres")).await, what)
}

/// Creates `schema` in a fresh database, reads the whole database back, drops the database.
async fn round_trip(schema: &Schema) -> Schema {
    let statements = create_schema(schema);
    let database = server().create_database().await.expect("create a scratch database");
    let result: Result<Schema, String> = async {
        let mut conn = database.connect().await.map_err(|e| e.to_string())?;
        apply_in_transaction(&mut conn, &statements).await.map_err(|e| e.to_string())?;
        introspect(&mut conn, None).await.map_err(|e| e.to_string())
    }
    .await;
    database.drop_database().await.expect("drop the scratch database");
    result.unwrap_or_else(|e| panic!("{e}\n-- statements:\n{};", statements.join(";\n")))
}

/// Equality with a readable diff: the JSON forms first (showing only the lines that differ), then the
/// values themselves.
fn assert_same(introspected: &Schema, declared: &Schema) {
    let (left, right) = (introspected.to_json(), declared.to_json());
    if left != right {
        panic!(
            "introspected schema differs from the declared one\n{}",
            support::json_diff(&left, &right, "introspected", "declared")
        );
    }
    assert_eq!(introspected, declared);
}

async fn assert_round_trips(declared: &Schema) {
    let introspected = round_trip(declared).await;
    assert_same(&introspected, declared);
}

/// How many namespaces, relations and types the batch could have left behind in this database.
async fn user_objects(conn: &mut PgConnection) -> i64 {
    sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM pg_namespace WHERE nspname NOT IN ('public', 'information_schema') \
                   AND nspname NOT LIKE 'pg\\_%') \
              + (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%') \
              + (SELECT count(*) FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace \
                 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%')",
    )
    .fetch_one(conn)
    .await
    .expect("count user objects")
}

// ---------------------------------------------------------------------------------------------------------
// Model builders
// ---------------------------------------------------------------------------------------------------------

fn col(name: &str, ty: ColumnType) -> Column {
    Column::new(name, ty)
}

fn identity(column: Column, generation: IdentityGeneration) -> Column {
    Column { identity: Some(Identity::new(generation)), ..column }
}

fn generated(column: Column, expression: &str) -> Column {
    Column { generated: Some(expression.into()), ..column }
}

fn collate(column: Column, collation: &str) -> Column {
    Column { collation: Some(collation.into()), ..column }
}

fn commented(column: Column, comment: &str) -> Column {
    Column { comment: Some(comment.into()), ..column }
}

fn table(columns: Vec<Column>) -> Table {
    Table { columns, ..Table::default() }
}

fn with_pk(mut t: Table, name: &str, columns: &[&str]) -> Table {
    t.primary_key = Some(PrimaryKey {
        name: name.into(),
        columns: strings(columns),
        deferrable: Default::default(),
        comment: None,
    });
    t
}

fn strings(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| n.to_string()).collect()
}

fn fk(columns: &[&str], schema: &str, table: &str, referenced: &[&str]) -> ForeignKey {
    ForeignKey {
        columns: strings(columns),
        references: QualifiedName::new(schema, table),
        referenced_columns: strings(referenced),
        on_delete: ForeignKeyAction::NoAction,
        on_update: ForeignKeyAction::NoAction,
        deferrable: Deferrable::NotDeferrable,
        match_full: false,
        comment: None,
        not_valid: false,
    }
}

fn enumeration(values: &[&str]) -> Enum {
    Enum { values: strings(values), comment: None, renamed_from: None }
}

fn schema(namespaces: Vec<(&str, Namespace)>) -> Schema {
    Schema { schemas: namespaces.into_iter().map(|(n, ns)| (n.to_string(), ns)).collect(), ..Schema::default() }
}

fn namespace(tables: Vec<(&str, Table)>) -> Namespace {
    Namespace { tables: tables.into_iter().map(|(n, t)| (n.to_string(), t)).collect(), ..Namespace::default() }
}

/// All namespaces of all the parts in one schema.
fn merged(parts: &[Schema]) -> Schema {
    let mut out = Schema::default();
    for part in parts {
        for (name, ns) in &part.schemas {
            let target = out.schemas.entry(name.clone()).or_default();
            for (t, table) in &ns.tables {
                assert!(target.tables.insert(t.clone(), table.clone()).is_none(), "{t}");
            }
            for (e, en) in &ns.enums {
                // Parts may share an enum, if they declare it identically.
                if let Some(previous) = target.enums.insert(e.clone(), en.clone()) {
                    assert_eq!(&previous, en, "{e}");
                }
            }
            if ns.comment.is_some() {
                target.comment = ns.comment.clone();
            }
        }
    }
    out
}

fn time(precision: Option<u8>, with_time_zone: bool) -> ColumnType {
    ColumnType::Time { precision, with_time_zone }
}

fn timestamp(precision: Option<u8>, with_time_zone: bool) -> ColumnType {
    ColumnType::Timestamp { precision, with_time_zone }
}

fn numeric(precision: Option<u16>, scale: Option<u16>) -> ColumnType {
    ColumnType::Numeric { precision, scale }
}

fn other(sql: &str) -> ColumnType {
    ColumnType::Other { sql: sql.into() }
}

// ---------------------------------------------------------------------------------------------------------
// The schemas under test, one construct family each
// ---------------------------------------------------------------------------------------------------------

/// Every `ColumnType` variant, alternating NULL / NOT NULL. The enum lives in another schema.
fn column_types_schema() -> Schema {
    use ColumnType as T;
    let types: Vec<(&str, ColumnType)> = vec![
        ("c_boolean", T::Boolean),
        ("c_smallint", T::SmallInt),
        ("c_integer", T::Integer),
        ("c_bigint", T::BigInt),
        ("c_real", T::Real),
        ("c_double", T::DoublePrecision),
        ("c_numeric", numeric(None, None)),
        ("c_numeric_10_2", numeric(Some(10), Some(2))),
        ("c_numeric_5_0", numeric(Some(5), Some(0))),
        ("c_text", T::Text),
        ("c_varchar", T::Varchar { length: None }),
        ("c_varchar_20", T::Varchar { length: Some(20) }),
        ("c_char_3", T::Char { length: Some(3) }),
        ("c_char_1", T::Char { length: Some(1) }),
        ("c_bpchar", T::Char { length: None }),
        ("c_bytea", T::Bytea),
        ("c_uuid", T::Uuid),
        ("c_json", T::Json),
        ("c_jsonb", T::Jsonb),
        ("c_inet", T::Inet),
        ("c_cidr", T::Cidr),
        ("c_macaddr", T::MacAddr),
        ("c_date", T::Date),
        ("c_time", time(None, false)),
        ("c_time_3", time(Some(3), false)),
        ("c_time_0", time(Some(0), false)),
        ("c_timetz", time(None, true)),
        ("c_timetz_2", time(Some(2), true)),
        ("c_timestamp", timestamp(None, false)),
        ("c_timestamp_0", timestamp(Some(0), false)),
        ("c_timestamptz", timestamp(None, true)),
        ("c_timestamptz_6", timestamp(Some(6), true)),
        ("c_timestamptz_3", timestamp(Some(3), true)),
        ("c_interval", T::Interval),
        ("c_text_array", T::array(T::Text)),
        ("c_varchar_5_array", T::array(T::Varchar { length: Some(5) })),
        ("c_int_array", T::array(T::Integer)),
        ("c_numeric_array", T::array(numeric(Some(8), Some(3)))),
        ("c_timestamptz_3_array", T::array(timestamp(Some(3), true))),
        ("c_uuid_array", T::array(T::Uuid)),
        ("c_mood", T::named("app", "mood")),
        ("c_mood_array", T::array(T::named("app", "mood"))),
        ("c_tsvector", other("tsvector")),
        ("c_tsvector_array", T::array(other("tsvector"))),
        ("c_point", other("point")),
        ("c_bit_8", other("bit(8)")),
        ("c_interval_fields", other("interval day to second")),
        ("c_interval_3", other("interval(3)")),
        ("c_internal_char", other("\"char\"")),
    ];
    let mut columns = vec![identity(col("id", T::BigInt), IdentityGeneration::Always)];
    for (i, (name, ty)) in types.into_iter().enumerate() {
        let c = col(name, ty);
        columns.push(if i % 2 == 0 { c.nullable() } else { c });
    }
    schema(vec![
        ("public", namespace(vec![("all_types", with_pk(table(columns), "all_types_pkey", &["id"]))])),
        ("app", app_namespace()),
    ])
}

/// Defaults, identity, generated columns, collations and comments.
fn column_options_schema() -> Schema {
    use ColumnType as T;
    use IdentityGeneration::{Always, ByDefault};
    let mut documents = table(vec![
        commented(col("id", T::Uuid).default("gen_random_uuid()"), "Primary key, generated by the database"),
        identity(col("seq", T::BigInt), ByDefault),
        identity(col("revision", T::Integer), Always),
        identity(col("small", T::SmallInt), ByDefault),
        col("created_at", ColumnType::TIMESTAMPTZ).default("now()"),
        col("expires_at", ColumnType::TIMESTAMPTZ).nullable().default("(now() + '1 day'::interval)"),
        col("is_deleted", T::Boolean).default("false"),
        col("is_visible", T::Boolean).nullable().default("true"),
        col("meta", T::Jsonb).default("'{}'::jsonb"),
        col("size", T::Integer).nullable().default("1"),
        col("delta", T::Integer).default("'-1'::integer"),
        col("ratio", numeric(Some(5), Some(2))).default("0.5"),
        col("title", T::Text).default("'untitled'::text"),
        col("code", T::Varchar { length: Some(10) }).default("'x'::character varying"),
        col("tags", T::array(T::Text)).default("'{}'::text[]"),
        col("mood", T::named("app", "mood")).default("'ok'::app.mood"),
        col("price", T::Integer),
        commented(generated(col("double_price", T::Integer).nullable(), "(price * 2)"), "Twice the price"),
        generated(col("title_length", T::Integer), "length(title)"),
        collate(col("name", T::Text), "C"),
        collate(col("label", T::Varchar { length: Some(20) }).nullable(), "C"),
        collate(col("names", T::array(T::Text)).nullable(), "C"),
        collate(col("posix_name", T::Text).nullable(), "POSIX"),
    ]);
    documents = with_pk(documents, "documents_pkey", &["id"]);
    documents.comment = Some("Documents: one row per upload".into());

    schema(vec![("public", namespace(vec![("documents", documents)])), ("app", app_namespace())])
}

/// A commented, non-public schema holding a commented enum whose values are not in alphabetical order.
fn app_namespace() -> Namespace {
    let mut app = Namespace { comment: Some("Application types".into()), ..Namespace::default() };
    app.enums
        .insert("mood".into(), Enum { comment: Some("How it feels".into()), ..enumeration(&["sad", "ok", "happy"]) });
    app
}

/// Primary keys (single, composite, in an order other than the columns'), unique constraints, checks.
fn keys_schema() -> Schema {
    use ColumnType as T;
    let mut accounts = with_pk(
        table(vec![
            col("id", T::BigInt),
            col("tenant_id", T::Integer),
            col("handle", T::Text),
            col("email", T::Text),
            col("name", T::Text),
            col("size", T::Integer),
            col("price", numeric(Some(10), Some(2))),
            col("status", T::Text),
            col("starts_on", T::Date).nullable(),
            col("ends_on", T::Date).nullable(),
        ]),
        "accounts_pkey",
        &["id"],
    );
    if let Some(pk) = &mut accounts.primary_key {
        pk.comment = Some("The account's id".into());
    }
    accounts.unique_constraints.insert(
        "accounts_email_key".into(),
        UniqueConstraint {
            columns: strings(&["email"]),
            nulls_not_distinct: false,
            deferrable: Default::default(),
            comment: Some("One account per email".into()),
        },
    );
    accounts.unique_constraints.insert(
        "accounts_tenant_id_handle_key".into(),
        UniqueConstraint {
            columns: strings(&["tenant_id", "handle"]),
            nulls_not_distinct: false,
            deferrable: Default::default(),
            comment: None,
        },
    );
    accounts.unique_constraints.insert(
        "accounts_handle_tenant_reversed".into(),
        UniqueConstraint {
            columns: strings(&["handle", "email", "tenant_id"]),
            nulls_not_distinct: false,
            deferrable: Default::default(),
            comment: None,
        },
    );
    for (name, expression) in [
        ("accounts_size_check", "(size >= 0)"),
        ("accounts_price_check", "((price > (0)::numeric) AND (price < (1000)::numeric))"),
        ("accounts_name_check", "(length(name) <= 100)"),
        ("accounts_status_check", "(status = ANY (ARRAY['active'::text, 'closed'::text]))"),
        ("accounts_dates_check", "((ends_on IS NULL) OR (ends_on >= starts_on))"),
    ] {
        accounts.checks.insert(name.into(), Check { expression: expression.into(), comment: None, not_valid: false });
    }

    // Composite primary key listed in an order other than the table's.
    let order_lines = with_pk(
        table(vec![col("line_no", T::SmallInt), col("quantity", T::Integer), col("order_id", T::BigInt)]),
        "order_lines_pk",
        &["order_id", "line_no"],
    );
    // A table without any key at all, and one without any column.
    let log = table(vec![col("message", T::Text).nullable()]);
    let nothing = table(vec![]);
    schema(vec![(
        "public",
        namespace(vec![("accounts", accounts), ("order_lines", order_lines), ("log", log), ("nothing", nothing)]),
    )])
}

/// Foreign keys: every action on delete and on update, deferrable, composite, column orders, self
/// reference, a cycle, and references across schemas both ways.
fn foreign_keys_schema() -> Schema {
    use ColumnType as T;
    let mut parents = with_pk(
        table(vec![col("id", T::BigInt), col("code", T::Text), col("a", T::Integer), col("b", T::Integer)]),
        "parents_pkey",
        &["id"],
    );
    parents.unique_constraints.insert(
        "parents_code_key".into(),
        UniqueConstraint {
            columns: strings(&["code"]),
            nulls_not_distinct: false,
            deferrable: Default::default(),
            comment: None,
        },
    );
    parents.unique_constraints.insert(
        "parents_a_b_key".into(),
        UniqueConstraint {
            columns: strings(&["a", "b"]),
            nulls_not_distinct: false,
            deferrable: Default::default(),
            comment: None,
        },
    );

    let mut columns = vec![col("id", T::BigInt)];
    for i in 0..ForeignKeyAction::ALL.len() {
        columns.push(col(&format!("p{i}"), T::BigInt).nullable());
    }
    columns.extend([
        col("deferred_id", T::BigInt).nullable(),
        col("immediate_id", T::BigInt).nullable(),
        col("a", T::Integer).nullable(),
        col("b", T::Integer).nullable(),
        col("parent_code", T::Text).nullable(),
        col("parent_child_id", T::BigInt).nullable(),
        col("account_id", T::BigInt).nullable(),
    ]);
    let mut children = with_pk(table(columns), "children_pkey", &["id"]);
    for (i, on_delete) in ForeignKeyAction::ALL.into_iter().enumerate() {
        let on_update = ForeignKeyAction::ALL[ForeignKeyAction::ALL.len() - 1 - i];
        children.foreign_keys.insert(
            format!("children_p{i}_fkey"),
            ForeignKey { on_delete, on_update, ..fk(&[&format!("p{i}")], "public", "parents", &["id"]) },
        );
    }
    children.foreign_keys.insert(
        "children_deferred_fkey".into(),
        ForeignKey {
            deferrable: Deferrable::InitiallyDeferred,
            comment: Some("Checked at commit".into()),
            ..fk(&["deferred_id"], "public", "parents", &["id"])
        },
    );
    children.foreign_keys.insert(
        "children_immediate_fkey".into(),
        ForeignKey {
            deferrable: Deferrable::InitiallyImmediate,
            on_delete: ForeignKeyAction::Cascade,
            ..fk(&["immediate_id"], "public", "parents", &["id"])
        },
    );
    children.foreign_keys.insert(
        "children_a_b_fkey".into(),
        ForeignKey { on_delete: ForeignKeyAction::SetNull, ..fk(&["a", "b"], "public", "parents", &["a", "b"]) },
    );
    // The referenced unique key is (a, b); referencing it as (b, a) is allowed and must keep its order.
    children.foreign_keys.insert("children_b_a_fkey".into(), fk(&["b", "a"], "public", "parents", &["b", "a"]));
    children
        .foreign_keys
        .insert("children_parent_code_fkey".into(), fk(&["parent_code"], "public", "parents", &["code"]));
    children.foreign_keys.insert(
        "children_parent_child_id_fkey".into(),
        ForeignKey { on_delete: ForeignKeyAction::Cascade, ..fk(&["parent_child_id"], "public", "children", &["id"]) },
    );
    children
        .foreign_keys
        .insert("children_account_id_fkey".into(), fk(&["account_id"], "billing", "accounts", &["id"]));

    // billing.accounts and public.children reference each other, across schemas.
    let mut accounts = with_pk(
        table(vec![col("id", T::BigInt), col("owner_child_id", T::BigInt).nullable()]),
        "accounts_pkey",
        &["id"],
    );
    accounts.foreign_keys.insert(
        "accounts_owner_child_id_fkey".into(),
        ForeignKey {
            on_delete: ForeignKeyAction::SetNull,
            deferrable: Deferrable::InitiallyDeferred,
            ..fk(&["owner_child_id"], "public", "children", &["id"])
        },
    );

    // A two-table cycle inside one schema.
    let mut chicken =
        with_pk(table(vec![col("id", T::Integer), col("egg_id", T::Integer).nullable()]), "chicken_pkey", &["id"]);
    chicken.foreign_keys.insert("chicken_egg_id_fkey".into(), fk(&["egg_id"], "public", "egg", &["id"]));
    let mut egg =
        with_pk(table(vec![col("id", T::Integer), col("chicken_id", T::Integer).nullable()]), "egg_pkey", &["id"]);
    egg.foreign_keys.insert("egg_chicken_id_fkey".into(), fk(&["chicken_id"], "public", "chicken", &["id"]));

    // A composite foreign key onto a composite primary key.
    let versions = with_pk(
        table(vec![col("doc_id", T::BigInt), col("version", T::Integer)]),
        "versions_pkey",
        &["doc_id", "version"],
    );
    let mut version_notes =
        table(vec![col("note_id", T::BigInt), col("version", T::Integer), col("doc_id", T::BigInt)]);
    version_notes.foreign_keys.insert(
        "version_notes_version_fkey".into(),
        ForeignKey {
            on_delete: ForeignKeyAction::Restrict,
            on_update: ForeignKeyAction::Cascade,
            ..fk(&["doc_id", "version"], "public", "versions", &["doc_id", "version"])
        },
    );

    schema(vec![
        (
            "public",
            namespace(vec![
                ("parents", parents),
                ("children", children),
                ("chicken", chicken),
                ("egg", egg),
                ("versions", versions),
                ("version_notes", version_notes),
            ]),
        ),
        ("billing", namespace(vec![("accounts", accounts)])),
    ])
}

/// Indexes: unique, composite, partial, expression keys, orderings, opclasses, INCLUDE, every method.
fn indexes_schema() -> Schema {
    use ColumnType as T;
    let mut items = with_pk(
        table(vec![
            col("id", T::BigInt),
            col("name", T::Text),
            col("email", T::Text).nullable(),
            col("code", T::Varchar { length: Some(20) }),
            col("is_deleted", T::Boolean),
            col("created_at", ColumnType::TIMESTAMPTZ),
            col("score", T::Integer).nullable(),
            col("meta", T::Jsonb),
            col("tags", T::array(T::Text)),
            col("ip", T::Inet).nullable(),
            col("search", other("tsvector")).nullable(),
        ]),
        "items_pkey",
        &["id"],
    );
    let btree = |keys: Vec<IndexKey>| Index {
        unique: false,
        method: IndexMethod::Btree,
        keys,
        include: Vec::new(),
        predicate: None,
        nulls_not_distinct: false,
        storage: Default::default(),
        invalid: false,
        comment: None,
    };
    let using = |method: IndexMethod, keys: Vec<IndexKey>| Index { method, ..btree(keys) };
    let with_opclass = |key: IndexKey, opclass: &str| IndexKey { opclass: Some(opclass.into()), ..key };
    let indexes: Vec<(&str, Index)> = vec![
        ("items_email_key", Index { unique: true, ..Index::on_columns(["email"]) }),
        ("items_name_created_at_idx", Index::on_columns(["name", "created_at"])),
        (
            "items_live_name_idx",
            Index { predicate: Some("(is_deleted = false)".into()), ..Index::on_columns(["name"]) },
        ),
        (
            "items_live_code_key",
            Index {
                unique: true,
                predicate: Some("((NOT is_deleted) AND (score > 0))".into()),
                ..Index::on_columns(["code", "score"])
            },
        ),
        ("items_lower_name_idx", btree(vec![IndexKey::expression("lower(name)")])),
        (
            "items_lower_name_created_idx",
            btree(vec![
                IndexKey::expression("lower(name)"),
                IndexKey::column("created_at").desc(),
                // A key that is not a bare function call reads back with its own parentheses, and the
                // renderer adds one more pair: `((score + 1))` is the stored form, not `(score + 1)`.
                IndexKey::expression("((score + 1))"),
            ]),
        ),
        ("items_created_at_desc_idx", btree(vec![IndexKey::column("created_at").desc()])),
        (
            "items_score_nulls_first_idx",
            btree(vec![IndexKey { nulls: NullsOrder::First, ..IndexKey::column("score") }]),
        ),
        (
            "items_score_desc_nulls_last_idx",
            btree(vec![IndexKey { nulls: NullsOrder::Last, ..IndexKey::column("score").desc() }]),
        ),
        ("items_name_pattern_idx", btree(vec![with_opclass(IndexKey::column("name"), "text_pattern_ops")])),
        (
            "items_code_pattern_desc_idx",
            btree(vec![with_opclass(IndexKey::column("code").desc(), "varchar_pattern_ops")]),
        ),
        (
            "items_name_include_idx",
            Index { unique: true, include: strings(&["id", "score"]), ..Index::on_columns(["name", "code"]) },
        ),
        ("items_meta_gin_idx", using(IndexMethod::Gin, vec![IndexKey::column("meta")])),
        (
            "items_meta_path_idx",
            using(IndexMethod::Gin, vec![with_opclass(IndexKey::column("meta"), "jsonb_path_ops")]),
        ),
        ("items_tags_gin_idx", using(IndexMethod::Gin, vec![IndexKey::column("tags")])),
        ("items_ip_gist_idx", using(IndexMethod::Gist, vec![with_opclass(IndexKey::column("ip"), "inet_ops")])),
        ("items_search_gist_idx", using(IndexMethod::Gist, vec![IndexKey::column("search")])),
        ("items_code_hash_idx", using(IndexMethod::Hash, vec![IndexKey::column("code")])),
        ("items_created_at_brin_idx", using(IndexMethod::Brin, vec![IndexKey::column("created_at")])),
        ("items_ip_spgist_idx", using(IndexMethod::Spgist, vec![IndexKey::column("ip")])),
        (
            "items_lower_email_hash_idx",
            Index {
                predicate: Some("(email IS NOT NULL)".into()),
                ..using(IndexMethod::Hash, vec![IndexKey::expression("lower(email)")])
            },
        ),
    ];
    for (name, index) in indexes {
        items.indexes.insert(name.into(), index);
    }
    // An index in another schema, on a table of that schema.
    let mut events = table(vec![col("at", ColumnType::TIMESTAMPTZ), col("kind", T::Text)]);
    let comment = Some("Events by kind".into());
    events.indexes.insert("events_kind_at_idx".into(), Index { comment, ..Index::on_columns(["kind", "at"]) });
    schema(vec![("public", namespace(vec![("items", items)])), ("audit", namespace(vec![("events", events)]))])
}

/// Enums in several schemas, with values in an order other than alphabetical.
fn enums_schema() -> Schema {
    let mut public = Namespace::default();
    public.enums.insert(
        "priority".into(),
        Enum { comment: Some("Lowest first".into()), ..enumeration(&["low", "medium", "high", "critical"]) },
    );
    public.enums.insert("single".into(), enumeration(&["only"]));
    public.tables.insert(
        "tickets".into(),
        table(vec![
            col("priority", ColumnType::named("public", "priority")).default("'medium'::priority"),
            col("history", ColumnType::array(ColumnType::named("public", "priority")))
                .nullable()
                .default("'{}'::priority[]"),
            col("kind", ColumnType::named("kinds", "ticket_kind")).nullable(),
        ]),
    );
    let mut kinds = Namespace::default();
    kinds.enums.insert("ticket_kind".into(), enumeration(&["zeta", "alpha", "Mixed Case", "with space", "x-y"]));
    schema(vec![("public", public), ("kinds", kinds)])
}

/// Identifiers that need quoting (spaces, capitals, embedded double quotes, a reserved word) and
/// comments holding single quotes, double quotes, backslashes and newlines.
fn quoting_schema() -> Schema {
    use ColumnType as T;
    let odd_schema = "My Schema";
    let odd_table = "My \"Odd\" Table";
    let odd_enum = "Mood \"Kind\"";
    let mut t = with_pk(
        table(vec![
            commented(col("Id", T::BigInt), "The row's \"id\""),
            col("Display Name", T::Text),
            col("select", T::Text).nullable(),
            col("Mood", T::named(odd_schema, odd_enum))
                .nullable()
                .default("'it''s'::\"My Schema\".\"Mood \"\"Kind\"\"\""),
            col("weird\"col", T::Integer).nullable(),
        ]),
        "My \"Odd\" Table_pkey",
        &["Id"],
    );
    t.comment = Some("It's a \\ backslash, a \"quote\"\nand a newline".into());
    t.unique_constraints.insert(
        "Odd unique".into(),
        UniqueConstraint {
            columns: strings(&["Display Name", "select"]),
            nulls_not_distinct: false,
            deferrable: Default::default(),
            comment: None,
        },
    );
    t.checks.insert(
        "Display Name not empty".into(),
        Check { expression: "(length(\"Display Name\") > 0)".into(), comment: None, not_valid: false },
    );
    let comment = Some("it's the \"weird\" check".into());
    t.checks.insert(
        "weird check".into(),
        Check { expression: "(\"weird\"\"col\" <> 0)".into(), comment, not_valid: false },
    );
    t.indexes.insert(
        "Odd \"lower\" index".into(),
        Index {
            unique: false,
            method: IndexMethod::Btree,
            keys: vec![IndexKey::expression("lower(\"Display Name\")"), IndexKey::column("weird\"col").desc()],
            include: strings(&["select"]),
            predicate: Some("(\"select\" IS NOT NULL)".into()),
            nulls_not_distinct: false,
            storage: Default::default(),
            invalid: false,
            comment: Some("an index's comment".into()),
        },
    );
    let mut ns = Namespace { comment: Some("it's a \\ backslash".into()), ..Namespace::default() };
    ns.tables.insert(odd_table.into(), t);
    ns.enums.insert(
        odd_enum.into(),
        Enum {
            comment: Some("Quote ' and backslash \\".into()),
            ..enumeration(&["it's", "a \"b\"", "Back\\slash", "UPPER"])
        },
    );

    let mut referencing = table(vec![
        col("Odd Id", T::BigInt).nullable(),
        col("Moods", T::array(T::named(odd_schema, odd_enum))).nullable(),
    ]);
    referencing.foreign_keys.insert(
        "Refers to \"Odd\"".into(),
        ForeignKey { on_delete: ForeignKeyAction::Cascade, ..fk(&["Odd Id"], odd_schema, odd_table, &["Id"]) },
    );
    schema(vec![(odd_schema, ns), ("public", namespace(vec![("Referencing Table", referencing)]))])
}

/// Every part above in one schema (no two parts share a table or enum name).
fn everything() -> Schema {
    merged(&[
        column_types_schema(),
        column_options_schema(),
        keys_schema(),
        foreign_keys_schema(),
        indexes_schema(),
        enums_schema(),
        quoting_schema(),
    ])
}

// ---------------------------------------------------------------------------------------------------------
// 1. Round trip
// ---------------------------------------------------------------------------------------------------------

#[tokio::test]
async fn round_trip_column_types() {
    assert_round_trips(&column_types_schema()).await;
}

#[tokio::test]
async fn round_trip_defaults_identity_generated_collation_comments() {
    assert_round_trips(&column_options_schema()).await;
}

/// Virtual generated columns (PostgreSQL 18), commented and NOT NULL, next to a stored one: each reads back
/// as the kind it was written (18 makes VIRTUAL the default, so the render writes STORED too).
#[tokio::test]
async fn round_trip_virtual_generated_columns() {
    if skip_below(180000, None).await {
        return;
    }
    use ColumnType as T;
    let prices = table(vec![
        col("price", T::Integer),
        commented(col("doubled", T::Integer).nullable().with_virtual_generated("(price * 2)"), "Twice, on read"),
        col("tripled", T::BigInt).with_virtual_generated("((price * 3))::bigint"),
        col("stored", T::Integer).nullable().with_generated("(price * 4)"),
    ]);
    assert_round_trips(&schema(vec![("public", namespace(vec![("prices", prices)]))])).await;
}

#[tokio::test]
async fn round_trip_primary_keys_unique_constraints_checks() {
    assert_round_trips(&keys_schema()).await;
}

#[tokio::test]
async fn round_trip_foreign_keys() {
    assert_round_trips(&foreign_keys_schema()).await;
}

#[tokio::test]
async fn round_trip_indexes() {
    assert_round_trips(&indexes_schema()).await;
}

#[tokio::test]
async fn round_trip_enums() {
    assert_round_trips(&enums_schema()).await;
}

#[tokio::test]
async fn round_trip_quoted_identifiers_and_comments() {
    assert_round_trips(&quoting_schema()).await;
}

#[tokio::test]
async fn round_trip_everything_at_once() {
    assert_round_trips(&everything()).await;
}

/// Extended statistics of every shape: all kinds, some kinds, an expression alone, a target and a comment,
/// in a schema other than their table's, with names that need quoting.
#[tokio::test]
async fn round_trip_statistics() {
    use keel_core::model::{KeyExpression, Statistics, StatisticsKind};
    let table_name = QualifiedName::new("public", "Geo \"Places\"");
    let places = table(vec![
        col("zip", ColumnType::Text).nullable(),
        col("city;--", ColumnType::Text).nullable(),
        col("name", ColumnType::Text).nullable(),
    ]);
    let mut public = namespace(vec![("Geo \"Places\"", places)]);
    public.statistics.insert("every kind".into(), Statistics::on_columns(table_name.clone(), ["zip", "city;--"]));
    let mut some = Statistics::on_columns(table_name.clone(), ["zip", "name"]);
    some.kinds = [StatisticsKind::Dependencies].into_iter().collect();
    some.target = Some(500);
    some.comment = Some("it's \"some\"".into());
    public.statistics.insert("sömé".into(), some);
    let lower = Statistics {
        keys: vec![KeyExpression::Expression("lower(name)".into())],
        kinds: Default::default(),
        ..Statistics::on_columns(table_name.clone(), Vec::<String>::new())
    };
    let mut elsewhere = Namespace::default();
    // Statistics on expressions are PostgreSQL 14's; the rest round-trips on every server.
    if !skip_below(140000, Some("statistics on expressions")).await {
        elsewhere.statistics.insert("lower_name".into(), lower);
    }
    assert_round_trips(&schema(vec![("public", public), ("stats", elsewhere)])).await;
}

/// `CREATE TYPE e AS ENUM ()` is valid PostgreSQL: an enum without values is read back too.
#[tokio::test]
async fn round_trip_enum_without_values() {
    let mut ns = Namespace::default();
    ns.enums.insert("nothing_yet".into(), enumeration(&[]));
    ns.tables.insert("t".into(), table(vec![col("state", ColumnType::named("public", "nothing_yet")).nullable()]));
    assert_round_trips(&schema(vec![("public", ns)])).await;
}

/// A schema that holds no table and no enum (here: one with only a comment) is read back, comment included.
#[tokio::test]
async fn round_trip_empty_schema_with_comment() {
    let later = Namespace { comment: Some("reserved for later".into()), ..Namespace::default() };
    assert_round_trips(&schema(vec![("later", later), ("empty", Namespace::default())])).await;
}

/// PostgreSQL 15+ allows a negative numeric scale (an 11-bit signed field in the typmod): it must not be
/// decoded as unsigned (`numeric(5,2046)`), and the introspected schema must apply again.
#[tokio::test]
async fn round_trip_negative_numeric_scale() {
    if skip_below(150000, None).await {
        return;
    }
    let declared =
        schema(vec![("public", namespace(vec![("money", table(vec![col("hundreds", other("numeric(5,-2)"))]))]))]);
    let once = round_trip(&declared).await;
    let hundreds = &once.table("public", "money").expect("money").columns[0].ty;
    assert_ne!(hundreds, &numeric(Some(5), Some(2046)), "negative scale decoded as unsigned");
    // Whatever the model form, the introspected schema must apply again and read back the same.
    let twice = round_trip(&once).await;
    assert_same(&twice, &once);
}

/// PostgreSQL does not track array dimensions: `integer[][]` is stored as `integer[]`, and that is what
/// introspection reports (so the model's nested arrays are not a canonical form).
#[tokio::test]
async fn multidimensional_arrays_read_back_as_one_dimension() {
    use ColumnType as T;
    let declared = schema(vec![(
        "public",
        namespace(vec![(
            "grid",
            table(vec![
                col("cells", T::array(T::array(T::Integer))),
                col("labels", T::array(T::array(T::Varchar { length: Some(5) }))).nullable(),
            ]),
        )]),
    )]);
    assert_eq!(
        create_schema(&declared)[0],
        "CREATE TABLE \"public\".\"grid\" (\n    \"cells\" integer[][] NOT NULL,\n    \"labels\" character varying(5)[][]\n)"
    );
    let introspected = round_trip(&declared).await;
    let grid = introspected.table("public", "grid").expect("grid");
    assert_eq!(grid.columns[0].ty, T::array(T::Integer));
    assert_eq!(grid.columns[1].ty, T::array(T::Varchar { length: Some(5) }));
    let expected = schema(vec![(
        "public",
        namespace(vec![(
            "grid",
            table(vec![
                col("cells", T::array(T::Integer)),
                col("labels", T::array(T::Varchar { length: Some(5) })).nullable(),
            ]),
        )]),
    )]);
    assert_same(&introspected, &expected);
}

// ---------------------------------------------------------------------------------------------------------
// 2. Normalization
// ---------------------------------------------------------------------------------------------------------

fn files_table(
    size_check: &str,
    predicate: &str,
    key: &str,
    created_default: &str,
    meta_default: &str,
    double: &str,
    status_check: &str,
) -> Table {
    use ColumnType as T;
    let mut files = with_pk(
        table(vec![
            col("id", T::BigInt),
            col("name", T::Text),
            col("size", T::Integer),
            col("is_deleted", T::Boolean).default("false"),
            col("created_at", ColumnType::TIMESTAMPTZ).default(created_default),
            col("meta", T::Jsonb).default(meta_default),
            col("price", T::Integer),
            generated(col("double_price", T::Integer).nullable(), double),
            col("status", T::Text),
        ]),
        "files_pkey",
        &["id"],
    );
    files
        .checks
        .insert("files_size_check".into(), Check { expression: size_check.into(), comment: None, not_valid: false });
    files.checks.insert(
        "files_status_check".into(),
        Check { expression: status_check.into(), comment: None, not_valid: false },
    );
    files
        .indexes
        .insert("files_live_idx".into(), Index { predicate: Some(predicate.into()), ..Index::on_columns(["name"]) });
    files.indexes.insert(
        "files_lower_name_idx".into(),
        Index { keys: vec![IndexKey::expression(key)], ..Index::on_columns(Vec::<String>::new()) },
    );
    files
}

#[tokio::test]
async fn normalize_rewrites_expressions_to_the_stored_form_and_is_a_fixed_point() {
    let declared = schema(vec![(
        "public",
        namespace(vec![(
            "files",
            files_table(
                "size >= 0",
                "is_deleted = false",
                "LOWER(name)",
                "NOW()",
                "'{}'",
                "price*2",
                "status in ('a', 'b')",
            ),
        )]),
    )]);
    let canonical = schema(vec![(
        "public",
        namespace(vec![(
            "files",
            files_table(
                "(size >= 0)",
                "(is_deleted = false)",
                "lower(name)",
                "now()",
                "'{}'::jsonb",
                "(price * 2)",
                "(status = ANY (ARRAY['a'::text, 'b'::text]))",
            ),
        )]),
    )]);

    let normalized = normalize(server(), &declared).await.expect("normalize");
    assert_same(&normalized, &canonical);

    let again = normalize(server(), &normalized).await.expect("normalize again");
    assert_eq!(again.to_json(), normalized.to_json(), "not a fixed point");

    // The canonical form is also what a plain round trip gives.
    assert_round_trips(&canonical).await;
}

/// Forms PostgreSQL imposes on types, nullability and comments, which `normalize` must report rather than
/// the declared ones.
#[tokio::test]
async fn normalize_applies_the_forms_postgres_imposes_on_columns() {
    use ColumnType as T;
    let declared = schema(vec![(
        "public",
        namespace(vec![(
            "t",
            Table {
                // `COMMENT ... IS ''` removes the comment.
                comment: Some(String::new()),
                ..with_pk(
                    table(vec![
                        // A primary key column is NOT NULL, whatever was declared.
                        col("id", T::BigInt).nullable(),
                        // So is an identity column.
                        identity(col("seq", T::Integer).nullable(), IdentityGeneration::Always),
                        // numeric(10) is numeric(10,0).
                        col("amount", numeric(Some(10), None)),
                        // Dimensions are not kept.
                        col("grid", T::array(T::array(T::Integer))),
                    ]),
                    "t_pkey",
                    &["id"],
                )
            },
        )]),
    )]);
    let expected = schema(vec![(
        "public",
        namespace(vec![(
            "t",
            with_pk(
                table(vec![
                    col("id", T::BigInt),
                    identity(col("seq", T::Integer), IdentityGeneration::Always),
                    col("amount", numeric(Some(10), Some(0))),
                    col("grid", T::array(T::Integer)),
                ]),
                "t_pkey",
                &["id"],
            ),
        )]),
    )]);
    let normalized = normalize(server(), &declared).await.expect("normalize");
    assert_same(&normalized, &expected);
    let again = normalize(server(), &normalized).await.expect("normalize again");
    assert_same(&again, &normalized);
}

#[tokio::test]
async fn normalize_of_the_canonical_schemas_changes_nothing() {
    let canonical = everything();
    let normalized = normalize(server(), &canonical).await.expect("normalize");
    assert_same(&normalized, &canonical);
}

// ---------------------------------------------------------------------------------------------------------
// 3. Errors
// ---------------------------------------------------------------------------------------------------------

fn statement_error(result: Result<(), ApplyError>) -> keel_diff::StatementError {
    match result {
        Err(ApplyError::Statement(e)) => e,
        Err(other) => panic!("expected a statement error, got {other:?}"),
        Ok(()) => panic!("expected the batch to fail"),
    }
}

#[tokio::test]
async fn failing_statement_is_numbered_and_the_batch_rolls_back() {
    let statements: Vec<String> = [
        "CREATE TABLE a (id integer)",
        "CREATE TABLE b (id integer PRIMARY KEY)",
        "CREATE TABLE a (id integer)",
        "CREATE TABLE c (id integer)",
    ]
    .map(String::from)
    .to_vec();
    let database = server().create_database().await.expect("database");
    let mut conn = database.connect().await.expect("connect");

    let error = statement_error(apply_in_transaction(&mut conn, &statements).await);
    assert_eq!(error.number, 3);
    assert_eq!(error.code.as_deref(), Some("42P07"));
    assert_eq!(error.statement, statements[2]);
    assert!(error.message.contains("\"a\" already exists"), "{}", error.message);
    assert!(error.to_string().starts_with("statement 3 failed: "), "{error}");

    // Nothing of the batch remains, seen from the same connection (which is usable again) and a new one.
    assert_eq!(introspect(&mut conn, None).await.expect("introspect"), Schema::default());
    assert_eq!(user_objects(&mut conn).await, 0);
    let mut other = database.connect().await.expect("connect");
    assert_eq!(introspect(&mut other, None).await.expect("introspect"), Schema::default());

    // The connection still applies a good batch afterwards.
    apply_in_transaction(&mut conn, &statements[..2]).await.expect("good batch");
    let s = introspect(&mut conn, None).await.expect("introspect");
    assert_eq!(s.schemas["public"].tables.keys().collect::<Vec<_>>(), ["a", "b"]);
    drop((conn, other));
    database.drop_database().await.expect("drop");
}

#[tokio::test]
async fn failing_statement_after_a_whole_rendered_schema_leaves_nothing() {
    let mut statements = create_schema(&everything());
    let good = statements.len();
    statements.push("CREATE INDEX broken ON public.does_not_exist (id)".into());
    statements.push("CREATE TABLE never_reached (id integer)".into());

    let database = server().create_database().await.expect("database");
    let mut conn = database.connect().await.expect("connect");
    let error = statement_error(apply_in_transaction(&mut conn, &statements).await);
    assert_eq!(error.number, good + 1);
    assert_eq!(error.code.as_deref(), Some("42P01"), "{error}");
    assert_eq!(error.statement, statements[good]);

    assert_eq!(introspect(&mut conn, None).await.expect("introspect"), Schema::default());
    // Schemas, enums, tables, indexes: all gone (introspection alone would not show empty schemas).
    assert_eq!(user_objects(&mut conn).await, 0);
    drop(conn);
    database.drop_database().await.expect("drop");
}

#[tokio::test]
async fn syntax_error_in_the_first_statement_has_code_and_position() {
    let statements: Vec<String> =
        ["CREATE TABLE ok_so_far (id integer)", "CREATE TABEL typo (id integer)"].map(String::from).to_vec();
    let database = server().create_database().await.expect("database");
    let mut conn = database.connect().await.expect("connect");

    let error = statement_error(apply_in_transaction(&mut conn, &statements[1..]).await);
    assert_eq!(error.number, 1);
    assert_eq!(error.code.as_deref(), Some("42601"));
    assert_eq!(error.position, Some(8), "{error}");

    let error = statement_error(apply_in_transaction(&mut conn, &statements).await);
    assert_eq!(error.number, 2);
    assert_eq!(error.code.as_deref(), Some("42601"));
    assert_eq!(user_objects(&mut conn).await, 0);

    // A constraint violation while applying: the SQLSTATE comes through too.
    let statements: Vec<String> =
        ["CREATE TABLE t (id integer PRIMARY KEY)", "INSERT INTO t VALUES (1)", "INSERT INTO t VALUES (1)"]
            .map(String::from)
            .to_vec();
    let error = statement_error(apply_in_transaction(&mut conn, &statements).await);
    assert_eq!(error.number, 3);
    assert_eq!(error.code.as_deref(), Some("23505"));
    assert!(error.detail.is_some(), "{error}");
    assert_eq!(user_objects(&mut conn).await, 0);

    drop(conn);
    database.drop_database().await.expect("drop");
}

// ---------------------------------------------------------------------------------------------------------
// 4. Determinism
// ---------------------------------------------------------------------------------------------------------

#[tokio::test]
async fn rendering_introspection_and_json_are_deterministic() {
    let declared = everything();

    // Rendering.
    let first = create_schema(&declared);
    let second = create_schema(&declared.clone());
    assert_eq!(first, second);

    // JSON of the declared schema.
    let json = declared.to_json();
    let parsed = Schema::from_json(&json).expect("from_json");
    assert_eq!(parsed, declared);
    assert_eq!(parsed.to_json(), json);

    // Introspection, twice on the same database and once on a database built from the introspected schema.
    let database = server().create_database().await.expect("database");
    let mut conn = database.connect().await.expect("connect");
    apply_in_transaction(&mut conn, &first).await.expect("apply");
    let one = introspect(&mut conn, None).await.expect("introspect");
    let two = introspect(&mut conn, None).await.expect("introspect");
    let mut fresh = database.connect().await.expect("connect");
    let three = introspect(&mut fresh, None).await.expect("introspect");
    assert_eq!(one.to_json(), two.to_json());
    assert_eq!(one.to_json(), three.to_json());
    assert_eq!(Schema::from_json(&one.to_json()).expect("from_json"), one);
    drop((conn, fresh));
    database.drop_database().await.expect("drop");

    let re_rendered = create_schema(&one);
    assert_eq!(re_rendered, first, "introspected schema renders differently");
    let again = round_trip(&one).await;
    assert_eq!(again.to_json(), one.to_json());

    // Asking for the schemas by name gives the same as asking for all of them.
    let database = server().create_database().await.expect("database");
    let mut conn = database.connect().await.expect("connect");
    apply_in_transaction(&mut conn, &first).await.expect("apply");
    let names: Vec<String> = declared.schemas.keys().cloned().collect();
    let only = introspect(&mut conn, Some(&names)).await.expect("introspect");
    assert_eq!(only.to_json(), one.to_json());
    let just_public = introspect(&mut conn, Some(&["public".to_string()])).await.expect("introspect");
    assert_eq!(just_public.schemas.keys().collect::<Vec<_>>(), ["public"]);
    assert_eq!(just_public.schemas["public"], one.schemas["public"]);
    drop(conn);
    database.drop_database().await.expect("drop");
}

#[test]
fn json_round_trip_of_every_part() {
    for s in [
        column_types_schema(),
        column_options_schema(),
        keys_schema(),
        foreign_keys_schema(),
        indexes_schema(),
        enums_schema(),
        quoting_schema(),
        everything(),
        Schema::default(),
    ] {
        let json = s.to_json();
        assert_eq!(Schema::from_json(&json).expect("from_json"), s);
        assert_eq!(s.to_json(), json);
        assert_eq!(create_schema(&s), create_schema(&s));
    }
}

/// Every kind the schema folder declares, read from a database built by hand, renders back to the same
/// schema: `create_schema` is what normalizes a JSON source (an export) before it is compared, so a kind it
/// left out would be dropped by the next plan.
#[tokio::test]
async fn sql_declared_kinds_render_back() {
    let database = server().create_database().await.expect("create a scratch database");
    let mut conn = database.connect().await.expect("connect");
    sqlx::raw_sql(
        "CREATE SCHEMA app;
         CREATE DOMAIN app.email AS text CHECK (VALUE LIKE '%@%');
         CREATE TYPE app.money_amount AS (currency char(3), cents bigint);
         CREATE TABLE app.accounts (id int PRIMARY KEY, owner text NOT NULL, contact app.email,
                                    balance app.money_amount, updated_at timestamptz);
         CREATE FUNCTION app.stamp() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN NEW.updated_at := now(); RETURN NEW; END $$;
         CREATE FUNCTION app.me() RETURNS text LANGUAGE sql STABLE AS 'SELECT current_user::text';
         COMMENT ON FUNCTION app.me() IS 'who asks';
         CREATE TRIGGER stamp BEFORE UPDATE ON app.accounts FOR EACH ROW EXECUTE FUNCTION app.stamp();
         ALTER TABLE app.accounts DISABLE TRIGGER stamp;
         COMMENT ON TRIGGER stamp ON app.accounts IS 'keeps time';
         ALTER TABLE app.accounts ENABLE ROW LEVEL SECURITY;
         CREATE POLICY own ON app.accounts USING (owner = app.me());
         CREATE VIEW app.owners AS SELECT id, owner FROM app.accounts;
         CREATE VIEW app.a_owner_names AS SELECT owner FROM app.owners;
         CREATE MATERIALIZED VIEW app.counts AS SELECT count(*) AS n FROM app.accounts;
         CREATE UNIQUE INDEX counts_n ON app.counts (n);
         COMMENT ON MATERIALIZED VIEW app.counts IS 'how many';
         CREATE TABLE app.events (at date NOT NULL, kind text) PARTITION BY RANGE (at);
         CREATE TABLE app.events_2026 PARTITION OF app.events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
         CREATE TABLE public.events_rest PARTITION OF app.events DEFAULT;
         COMMENT ON TABLE app.events_2026 IS 'this year';
         CREATE INDEX events_kind ON app.events (kind);",
    )
    .execute(&mut conn)
    .await
    .expect("build the database");
    let built = introspect(&mut conn, None).await.expect("introspect");
    drop(conn);
    database.drop_database().await.expect("drop the scratch database");
    let app = &built.schemas["app"];
    assert_eq!(
        (app.views.len(), app.functions.len(), app.domains.len(), app.composite_types.len()),
        (3, 2, 1, 1),
        "every kind was read: {built:#?}"
    );
    assert_eq!(app.tables["events"].partitions.len(), 2, "both partitions were read: {built:#?}");
    assert_same(&round_trip(&built).await, &built);
}
