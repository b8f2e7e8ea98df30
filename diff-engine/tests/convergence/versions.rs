//! What a server older than a feature refuses (`keel_diff::version`): every feature
//! `unsupported_features` knows, declared in the model and normalized on the test server. Below the
//! version the feature needs, normalization stops with a message naming the object and that version
//! before any statement runs (no syntax error from the server); from that version on, the feature is
//! accepted and reads back as a use of the same feature. Run on every major by `scripts/matrix`.

use crate::harness::server_version;
use keel_core::model::{
    Column, ColumnType, Function, Index, KeyExpression, QualifiedName, Schema, Statistics, Table, UniqueConstraint,
};
use keel_diff::normalize::{NormalizeError, normalize};
use keel_diff::version::{major, unsupported_features};
use keel_test_support::shared_server;

fn schema_with_table(table: Table) -> Schema {
    let mut schema = Schema::default();
    schema.schemas.entry("public".to_string()).or_default().tables.insert("t".to_string(), table);
    schema
}

fn table(columns: &[(&str, ColumnType)]) -> Table {
    let mut table = Table::default();
    table.columns.extend(columns.iter().map(|(name, ty)| Column::new(*name, ty.clone())));
    table
}

/// Normalizes `declared` on the test server: refused with `use_` (the sentence naming the object, without
/// the versions) when the server is older than `needs`, accepted otherwise.
async fn refused_below(needs: i32, declared: Schema, use_: &str) {
    let server = shared_server().unwrap_or_else(|e| panic!("no PostgreSQL for the tests: {e}"));
    let have = server_version().await;
    let result = normalize(server, &declared).await;
    if have < needs {
        let sentence = format!("{use_} needs PostgreSQL {} (the server is {})", major(needs), major(have));
        match result {
            Err(NormalizeError::Unsupported { server_version_num, found }) => {
                assert_eq!(server_version_num, have);
                assert_eq!(found, std::slice::from_ref(&sentence));
            }
            other => panic!("PostgreSQL {} normalized {use_}: {other:?}", major(have)),
        }
        let message = normalize(server, &declared).await.expect_err("refused again").to_string();
        assert_eq!(
            message,
            format!("the scratch server (PostgreSQL {}) cannot hold the declared schema: {sentence}", major(have))
        );
    } else {
        let normalized = result.unwrap_or_else(|e| panic!("PostgreSQL {} refused {use_}: {e}", major(have)));
        // What the server stored is still found as a use of the feature (by an older server's rules).
        let oldest = keel_diff::version::MIN_SERVER_VERSION_NUM;
        assert_eq!(unsupported_features(&normalized, oldest), unsupported_features(&declared, oldest));
        assert!(unsupported_features(&normalized, have).is_empty());
    }
}

#[tokio::test]
async fn nulls_not_distinct_on_a_unique_constraint_needs_15() {
    let mut t = table(&[("code", ColumnType::Text)]);
    let mut unique = UniqueConstraint::new(["code"]);
    unique.nulls_not_distinct = true;
    t.unique_constraints.insert("t_code_key".to_string(), unique);
    refused_below(150000, schema_with_table(t), "NULLS NOT DISTINCT on unique constraint public.t.t_code_key").await;
}

#[tokio::test]
async fn nulls_not_distinct_on_a_unique_index_needs_15() {
    let mut t = table(&[("email", ColumnType::Text)]);
    let mut index = Index::on_columns(["email"]).with_unique(true);
    index.nulls_not_distinct = true;
    t.indexes.insert("t_email_key".to_string(), index);
    refused_below(150000, schema_with_table(t), "NULLS NOT DISTINCT on unique index public.t_email_key").await;
}

#[tokio::test]
async fn a_negative_numeric_scale_needs_15() {
    let t = table(&[("hundreds", ColumnType::Other { sql: "numeric(5,-2)".to_string() })]);
    refused_below(150000, schema_with_table(t), "the negative scale of numeric(5,-2) on column public.t.hundreds")
        .await;
}

#[tokio::test]
async fn statistics_on_expressions_need_14() {
    let mut schema = schema_with_table(table(&[("zip", ColumnType::Text), ("email", ColumnType::Text)]));
    let mut statistics = Statistics::on_columns(QualifiedName::new("public", "t"), ["zip"]);
    statistics.keys.push(KeyExpression::Expression("lower(email)".to_string()));
    schema.schemas.get_mut("public").expect("public").statistics.insert("t_expr".to_string(), statistics);
    refused_below(140000, schema, "statistics public.t_expr on expressions").await;
}

#[tokio::test]
async fn a_sql_standard_function_body_needs_14() {
    let function = Function {
        returns: Some("integer".to_string()),
        language: "sql".to_string(),
        definition: "CREATE OR REPLACE FUNCTION public.one()\n RETURNS integer\n LANGUAGE sql\nRETURN 1\n".to_string(),
        ..Function::default()
    };
    let mut schema = Schema::default();
    let functions = &mut schema.schemas.entry("public".to_string()).or_default().functions;
    functions.entry("one".to_string()).or_default().insert(String::new(), function);
    refused_below(140000, schema, "the SQL-standard body (BEGIN ATOMIC or RETURN) of function public.one()").await;
}

#[tokio::test]
async fn a_virtual_generated_column_needs_18() {
    let mut t = table(&[("a", ColumnType::Integer)]);
    t.columns.push(Column::new("total", ColumnType::Integer).with_virtual_generated("a * 2"));
    refused_below(180000, schema_with_table(t), "the virtual generated column public.t.total").await;
}

#[tokio::test]
async fn a_named_not_null_constraint_needs_18() {
    let mut t = Table::default();
    let named = keel_core::model::NotNull::named("total_required");
    t.columns.push(Column::new("total", ColumnType::Integer).with_not_null(named));
    let use_ = "the name total_required of the not-null constraint on column public.t.total";
    refused_below(180000, schema_with_table(t), use_).await;
}
