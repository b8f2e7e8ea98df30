//! "Every identifier and literal in emitted SQL is quoted and escaped" (invariant 5), as a property against
//! a real server: schemas whose every name and comment is hostile (quotes, spaces, keywords, unicode,
//! `"; DROP TABLE x; --`) are rendered by `create_schema` and by a plan from an empty database, applied to
//! a scratch database and read back: every name and comment comes back as declared, and nothing else
//! appears. Each case hits the server, so there are few of them (`PROPTEST_CASES` overrides).

use keel_core::model::{
    Check, Column, ColumnType, Deferrable, Enum, ForeignKey, ForeignKeyAction, Index, Namespace, PrimaryKey,
    QualifiedName, Schema, Table, UniqueConstraint,
};
use keel_core::sql::quote_ident;
use keel_diff::render::create_schema;
use keel_diff::{PlanOptions, apply_in_transaction, apply_plan, introspect, plan};
use keel_test_support::{Server, shared_server};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use std::collections::BTreeSet;

const DEFAULT_CASES: u32 = 32;

/// A hostile name core; callers add a suffix that keeps the names of one kind distinct.
fn hostile() -> impl Strategy<Value = String> {
    let piece = prop::sample::select(vec![
        "\"",
        "\"\"",
        "'",
        "''",
        " ",
        "\t",
        "\n",
        "select",
        "DROP",
        "table",
        "Upper",
        "\"; DROP TABLE x; --",
        "'); DROP TABLE x; --",
        "é",
        "日本",
        "😀",
        "$1",
        "a.b",
        "(",
        ")",
        ",",
        "\\",
        "%",
        "?",
        "--",
        "/*",
        "*/",
        ";",
    ]);
    prop::collection::vec(prop_oneof![piece.prop_map(str::to_string), "[a-z0-9_]{1,3}", "[^\0]"], 1..5).prop_map(
        |parts| {
            let mut core = parts.concat();
            // Room for a suffix within PostgreSQL's 63 bytes.
            while core.len() > 40 {
                core.pop();
            }
            core
        },
    )
}

/// The names of one generated schema: one hostile core per kind of object.
#[derive(Debug, Clone)]
struct Names {
    schema: String,
    table: String,
    columns: [String; 3],
    enum_type: String,
    labels: [String; 2],
    constraint: String,
    index: String,
    comment: String,
}

fn names() -> impl Strategy<Value = Names> {
    (
        hostile(),
        hostile(),
        [hostile(), hostile(), hostile()],
        hostile(),
        [hostile(), hostile()],
        hostile(),
        hostile(),
        hostile(),
    )
        .prop_map(|(schema, table, columns, enum_type, labels, constraint, index, comment)| Names {
            // `pg_` names are reserved for system schemas.
            schema: format!("s{schema}"),
            table: format!("{table}_t"),
            columns: [0, 1, 2].map(|i| format!("{}_c{i}", columns[i])),
            enum_type: format!("{enum_type}_e"),
            labels: [0, 1].map(|i| format!("{}_l{i}", labels[i])),
            constraint,
            index: format!("{index}_i"),
            comment,
        })
}

/// A table in a hostile schema using every kind of name: columns (one of a hostile enum type), a primary
/// key, a unique constraint, a check, a self-referencing foreign key, an index, comments.
fn schema(n: &Names) -> Schema {
    let [id, label, parent] = &n.columns;
    let mut column = Column::new(label.clone(), ColumnType::named(n.schema.clone(), n.enum_type.clone()));
    column.comment = Some(n.comment.clone());
    let mut table = Table {
        columns: vec![
            Column::new(id.clone(), ColumnType::Integer),
            column,
            Column::new(parent.clone(), ColumnType::Integer).nullable(),
        ],
        primary_key: Some(PrimaryKey {
            name: format!("{}_pk", n.constraint),
            columns: vec![id.clone()],
            deferrable: Deferrable::NotDeferrable,
            comment: Some(n.comment.clone()),
        }),
        comment: Some(n.comment.clone()),
        ..Table::default()
    };
    table.unique_constraints.insert(format!("{}_uq", n.constraint), UniqueConstraint::new([label.clone(), id.clone()]));
    table.checks.insert(
        format!("{}_ck", n.constraint),
        Check { expression: format!("({} > 0)", quote_ident(id)), not_valid: false, comment: None },
    );
    table.foreign_keys.insert(
        format!("{}_fk", n.constraint),
        ForeignKey {
            columns: vec![parent.clone()],
            references: QualifiedName::new(n.schema.clone(), n.table.clone()),
            referenced_columns: vec![id.clone()],
            on_delete: ForeignKeyAction::Cascade,
            on_update: ForeignKeyAction::NoAction,
            deferrable: Deferrable::NotDeferrable,
            match_full: false,
            not_valid: false,
            comment: Some(n.comment.clone()),
        },
    );
    let mut index = Index::on_columns([label.clone(), parent.clone()]);
    index.comment = Some(n.comment.clone());
    table.indexes.insert(n.index.clone(), index);
    let mut namespace = Namespace { comment: Some(n.comment.clone()), ..Namespace::default() };
    namespace.tables.insert(n.table.clone(), table);
    namespace.enums.insert(
        n.enum_type.clone(),
        Enum { values: n.labels.to_vec(), comment: Some(n.comment.clone()), renamed_from: None },
    );
    let mut schema = Schema::default();
    schema.schemas.insert(n.schema.clone(), namespace);
    schema
}

/// Every name and comment of a schema, with where it is: what must survive the trip through SQL.
fn names_in(schema: &Schema) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (s, namespace) in &schema.schemas {
        if s == "public" && namespace == &Namespace::default() {
            continue;
        }
        out.insert(format!("schema {s:?} comment {:?}", namespace.comment));
        for (e, values) in &namespace.enums {
            out.insert(format!("enum {s:?}.{e:?} {:?} comment {:?}", values.values, values.comment));
        }
        for (t, table) in &namespace.tables {
            out.insert(format!("table {s:?}.{t:?} comment {:?}", table.comment));
            for c in &table.columns {
                out.insert(format!("column {t:?}.{:?} {} comment {:?}", c.name, c.ty, c.comment));
            }
            if let Some(pk) = &table.primary_key {
                out.insert(format!("primary key {t:?}.{:?} {:?} comment {:?}", pk.name, pk.columns, pk.comment));
            }
            for (u, unique) in &table.unique_constraints {
                out.insert(format!("unique {t:?}.{u:?} {:?}", unique.columns));
            }
            for c in table.checks.keys() {
                out.insert(format!("check {t:?}.{c:?}"));
            }
            for (f, fk) in &table.foreign_keys {
                out.insert(format!(
                    "foreign key {t:?}.{f:?} {:?} → {} {:?} comment {:?}",
                    fk.columns, fk.references, fk.referenced_columns, fk.comment
                ));
            }
            for (i, index) in &table.indexes {
                let columns: Vec<&String> = index.columns().collect();
                out.insert(format!("index {t:?}.{i:?} {columns:?} comment {:?}", index.comment));
            }
        }
    }
    out
}

fn server() -> &'static Server {
    shared_server().unwrap_or_else(|e| panic!("no PostgreSQL for the tests: {e}"))
}

/// Applies `schema` to a fresh database (rendered whole, or planned from empty) and compares the names
/// read back; the database is dropped whatever the outcome.
async fn survives(schema: &Schema, planned: bool) -> Result<(), String> {
    let database = server().create_database().await.map_err(|e| format!("create a scratch database: {e}"))?;
    let result = async {
        let mut conn = database.connect().await.map_err(|e| format!("connect: {e}"))?;
        let sql = if planned {
            let plan = plan(&Schema::default(), schema, &PlanOptions::default()).map_err(|e| format!("plan: {e}"))?;
            apply_plan(&mut conn, &plan).await.map_err(|e| format!("applying the plan: {e}\n{}", plan.to_sql()))?;
            plan.to_sql()
        } else {
            let statements = create_schema(schema);
            apply_in_transaction(&mut conn, &statements).await.map_err(|e| format!("applying: {e}"))?;
            statements.join(";\n")
        };
        let read = introspect(&mut conn, None).await.map_err(|e| format!("introspect: {e}"))?;
        let (declared, found) = (names_in(schema), names_in(&read));
        if declared != found {
            let missing: Vec<_> = declared.difference(&found).collect();
            let extra: Vec<_> = found.difference(&declared).collect();
            return Err(format!("names differ\n-- missing: {missing:#?}\n-- extra: {extra:#?}\n-- SQL:\n{sql}"));
        }
        Ok(())
    }
    .await;
    database.drop_database().await.map_err(|e| format!("drop the scratch database: {e}"))?;
    result
}

#[test]
fn hostile_names_survive_rendering_and_planning() {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(DEFAULT_CASES);
    let config = Config { cases, failure_persistence: None, max_shrink_iters: 200, ..Config::default() };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a tokio runtime");
    let mut runner = TestRunner::new(config);
    let result = runner.run(&(names(), any::<bool>()), |(names, planned)| {
        runtime.block_on(survives(&schema(&names), planned)).map_err(TestCaseError::fail)
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}
