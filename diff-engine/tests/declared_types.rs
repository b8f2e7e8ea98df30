//! Domains and composite types declared in SQL files and used by the derives' tables: the files' type
//! statements run before the tables, the rest after; an undeclared type is reported by column; the model
//! of domains and composite types round-trips through `render::create_schema`.

use keel_core::model::{Column, ColumnType, CompositeAttribute, CompositeType, Domain, DomainCheck, Schema, Table};
use keel_diff::normalize::{NormalizeError, SqlFile, normalize, normalize_with_sql};
use keel_test_support::{Server, shared_server};

fn server() -> &'static Server {
    shared_server().unwrap_or_else(|e| panic!("no PostgreSQL for the tests: {e}"))
}

/// What a derive declares: `public.users (id integer, address <ty>)`.
fn users(ty: ColumnType) -> Schema {
    let mut schema = Schema::default();
    let table = Table {
        columns: vec![Column::new("id", ColumnType::Integer), Column::new("address", ty).nullable()],
        ..Table::default()
    };
    schema.schemas.entry("public".into()).or_default().tables.insert("users".into(), table);
    schema
}

fn file(name: &str, sql: &str) -> SqlFile {
    SqlFile { name: name.to_string(), sql: sql.to_string() }
}

const TYPES: &str = "CREATE DOMAIN email AS text CONSTRAINT has_at CHECK (VALUE ~ '@');
COMMENT ON DOMAIN email IS 'an address';
CREATE VIEW contacts AS SELECT id, address FROM users;
";

#[tokio::test]
async fn a_derive_column_uses_a_domain_declared_in_a_sql_file() {
    for ty in [ColumnType::named("public", "email"), ColumnType::Other { sql: "email".into() }] {
        let normalized = normalize_with_sql(server(), &users(ty.clone()), &[file("schema/types.sql", TYPES)])
            .await
            .unwrap_or_else(|e| panic!("{ty}: {e}"));
        let column = normalized.table("public", "users").and_then(|t| t.column("address")).expect("column");
        assert_eq!(column.ty, ColumnType::named("public", "email"), "{ty}");
        let domain = normalized.domain("public", "email").expect("the domain");
        assert_eq!(domain.base, ColumnType::Text);
        assert_eq!(domain.comment.as_deref(), Some("an address"));
        assert_eq!(domain.checks.get("has_at"), Some(&DomainCheck::new("(VALUE ~ '@'::text)")));
        assert!(normalized.view("public", "contacts").is_some(), "the view runs after the table");
    }
}

#[tokio::test]
async fn an_array_of_a_domain_in_another_schema() {
    let ty = ColumnType::array(ColumnType::named("mail", "email"));
    let sql = "CREATE SCHEMA mail;\nCREATE DOMAIN mail.email AS text;\n";
    let normalized =
        normalize_with_sql(server(), &users(ty.clone()), &[file("types.sql", sql)]).await.expect("normalize");
    let column = normalized.table("public", "users").and_then(|t| t.column("address")).expect("column");
    assert_eq!(column.ty, ty);
}

#[tokio::test]
async fn an_undeclared_type_is_named_with_its_column() {
    let error = normalize(server(), &users(ColumnType::named("public", "email"))).await.expect_err("no domain");
    assert!(matches!(error, NormalizeError::UnknownTypes(_)), "{error:?}");
    let message = error.to_string();
    assert!(
        message.contains("column public.users.address has type \"public\".\"email\", which is not declared"),
        "{message}"
    );
    assert!(message.contains("CREATE DOMAIN"), "{message}");
}

#[tokio::test]
async fn serial_columns_are_not_undeclared_types() {
    let normalized =
        normalize(server(), &users(ColumnType::Other { sql: "bigserial".into() })).await.expect("normalize");
    let column = normalized.table("public", "users").and_then(|t| t.column("address")).expect("column");
    assert_eq!(column.ty, ColumnType::BigInt);
}

#[tokio::test]
async fn an_error_after_the_tables_points_at_its_line_in_the_file() {
    let sql = "CREATE DOMAIN email AS text;\n\nCREATE VIEW broken AS SELECT nope FROM users;\n";
    let error = normalize_with_sql(server(), &users(ColumnType::named("public", "email")), &[file("f.sql", sql)])
        .await
        .expect_err("the view names a column that does not exist");
    let NormalizeError::Sql { file, error } = error else { panic!("{error:?}") };
    assert_eq!(file, "f.sql");
    let pg =
        error.as_database_error().and_then(|e| e.try_downcast_ref::<sqlx::postgres::PgDatabaseError>()).expect("pg");
    let Some(sqlx::postgres::PgErrorPosition::Original(position)) = pg.position() else { panic!("no position") };
    let (line, _, text) = keel_diff::migrate::line_and_column(sql, position).expect("a line");
    assert_eq!((line, text.as_str()), (3, "CREATE VIEW broken AS SELECT nope FROM users;"));
}

#[tokio::test]
async fn domains_and_composite_types_round_trip_through_the_model() {
    let mut schema = Schema::default();
    let ns = schema.schemas.entry("public".into()).or_default();
    // Named so that name order is not creation order: `a_pair` holds `z_amount`, `b_amounts` is over `a_pair`.
    let mut amount = Domain::new(ColumnType::Numeric { precision: Some(12), scale: Some(2) });
    amount.default = Some("0".into());
    amount.not_null = true;
    amount.checks.insert("positive".into(), DomainCheck::new("(VALUE >= (0)::numeric)"));
    amount
        .checks
        .insert("later".into(), DomainCheck { expression: "(VALUE < (100)::numeric)".into(), not_valid: true });
    amount.comment = Some("money".into());
    ns.domains.insert("z_amount".into(), amount);
    let mut code = Domain::new(ColumnType::Varchar { length: Some(3) });
    code.collation = Some("C".into());
    ns.domains.insert("code".into(), code);
    ns.domains.insert("b_pairs".into(), Domain::new(ColumnType::array(ColumnType::named("public", "a_pair"))));
    let attribute = |name: &str, ty: ColumnType| CompositeAttribute { name: name.into(), ty, collation: None };
    ns.composite_types.insert(
        "a_pair".into(),
        CompositeType {
            attributes: vec![
                attribute("amount", ColumnType::named("public", "z_amount")),
                CompositeAttribute { collation: Some("C".into()), ..attribute("label", ColumnType::Text) },
            ],
            comment: Some("two things".into()),
        },
    );
    let normalized = normalize(server(), &schema).await.expect("normalize");
    assert_eq!(normalized.to_json(), schema.to_json());
}
