//! Server versions: keel runs on PostgreSQL 13 and later, and a schema may use what only a later version
//! holds. Before keel plans against (or normalizes on) a server, [`unsupported_features`] names each such use
//! with the object it is on, so that the user reads "needs PostgreSQL 15" instead of a syntax error.

use keel_core::model::{ColumnType, Schema};
use sqlx::PgConnection;

/// The oldest `server_version_num` keel supports (PostgreSQL 13).
pub const MIN_SERVER_VERSION_NUM: i32 = 130000;

/// The server's `server_version_num` (`130014`, `150008`).
pub async fn server_version_num(conn: &mut PgConnection) -> Result<i32, sqlx::Error> {
    let text: String = sqlx::query_scalar("SELECT current_setting('server_version_num')").fetch_one(conn).await?;
    text.trim().parse().map_err(|e| sqlx::Error::Decode(format!("server_version_num {text:?}: {e}").into()))
}

/// The release a `server_version_num` belongs to, as people name it: `13`, `18`; `9.6` before 10.
pub fn major(server_version_num: i32) -> String {
    if server_version_num >= 100000 {
        (server_version_num / 10000).to_string()
    } else {
        format!("{}.{}", server_version_num / 10000, (server_version_num / 100) % 100)
    }
}

/// What the schema uses that a server of `server_version_num` cannot hold, one sentence per use, naming
/// the feature, the object and the version it needs: "NULLS NOT DISTINCT on unique constraint
/// public.t.t_key needs PostgreSQL 15 (the server is 14)". Empty when the server holds all of it.
///
/// Covered: `NULLS NOT DISTINCT` on unique constraints and unique indexes (15), a negative `numeric` scale
/// on a column, a domain or a composite type's attribute (15), statistics on expressions (14), SQL-standard
/// function bodies (`BEGIN ATOMIC`, `RETURN`; 14), virtual generated columns (18), not-null constraints
/// that are named, `NOT VALID` or `NO INHERIT` (18). A name is refused rather than dropped: an older server
/// keeps no name, so the difference would come back on every plan.
pub fn unsupported_features(schema: &Schema, server_version_num: i32) -> Vec<String> {
    later_features(schema)
        .into_iter()
        .filter(|(_, needs)| server_version_num < *needs)
        .map(|(feature, needs)| {
            format!("{feature} needs PostgreSQL {} (the server is {})", major(needs), major(server_version_num))
        })
        .collect()
}

/// The oldest `server_version_num` that holds everything the schema uses ([`MIN_SERVER_VERSION_NUM`] when
/// it uses nothing later): a server that holds the schema is at least this one, so a plan for the schema
/// may use what it added (`SET EXPRESSION` where the schema has virtual columns).
pub fn required_server_version_num(schema: &Schema) -> i32 {
    later_features(schema).into_iter().map(|(_, needs)| needs).fold(MIN_SERVER_VERSION_NUM, i32::max)
}

/// Each use of what a version after 13 added, with the `server_version_num` it needs.
fn later_features(schema: &Schema) -> Vec<(String, i32)> {
    let mut out = Vec::new();
    let mut need = |feature: String, needs: i32| out.push((feature, needs));
    for (table_name, table) in schema.tables() {
        for column in &table.columns {
            if column.is_virtual() {
                need(format!("the virtual generated column {table_name}.{}", column.name), 180000);
            }
            if let Some(ty) = negative_numeric_scale(&column.ty) {
                need(format!("the negative scale of {ty} on column {table_name}.{}", column.name), 150000);
            }
        }
        for (name, unique) in &table.unique_constraints {
            if unique.nulls_not_distinct {
                need(format!("NULLS NOT DISTINCT on unique constraint {table_name}.{name}"), 150000);
            }
        }
        for column in table.columns.iter().filter(|c| !c.nullable) {
            let not_null = &column.not_null;
            let on = || format!("on column {table_name}.{}", column.name);
            if let Some(name) = &not_null.name {
                need(format!("the name {name} of the not-null constraint {}", on()), 180000);
            }
            if not_null.not_valid {
                need(format!("a NOT VALID not-null constraint {}", on()), 180000);
            }
            if not_null.no_inherit {
                need(format!("a NO INHERIT not-null constraint {}", on()), 180000);
            }
        }
        for (name, index) in &table.indexes {
            if index.nulls_not_distinct {
                need(format!("NULLS NOT DISTINCT on unique index {}.{name}", table_name.schema), 150000);
            }
        }
    }
    for (name, domain) in schema.domains() {
        if let Some(ty) = negative_numeric_scale(&domain.base) {
            need(format!("the negative scale of {ty} on domain {name}"), 150000);
        }
    }
    for (name, composite) in schema.composite_types() {
        for attribute in &composite.attributes {
            if let Some(ty) = negative_numeric_scale(&attribute.ty) {
                need(format!("the negative scale of {ty} on attribute {} of type {name}", attribute.name), 150000);
            }
        }
    }
    for (name, statistics) in schema.statistics() {
        if statistics.keys.iter().any(|k| k.as_expression().is_some()) {
            need(format!("statistics {name} on expressions"), 140000);
        }
    }
    for (id, function) in schema.functions() {
        if function.language.eq_ignore_ascii_case("sql") && sql_standard_body(&function.definition) {
            need(format!("the SQL-standard body (BEGIN ATOMIC or RETURN) of function {id}"), 140000);
        }
    }
    out
}

/// The type's SQL when it is (an array of) `numeric` with a negative scale (`numeric(5,-2)`): the model's
/// scale is unsigned, so introspection and the derives keep such a type as [`ColumnType::Other`].
fn negative_numeric_scale(ty: &ColumnType) -> Option<String> {
    let sql = match ty {
        ColumnType::Array { element } => return negative_numeric_scale(element),
        ColumnType::Other { sql } => sql,
        _ => return None,
    };
    let lower = sql.to_ascii_lowercase();
    let mut element = lower.trim();
    while let Some(inner) = element.strip_suffix("[]") {
        element = inner.trim_end();
    }
    let args = ["numeric", "decimal"]
        .iter()
        .find_map(|name| element.strip_prefix(name))?
        .trim_start()
        .strip_prefix('(')?
        .strip_suffix(')')?;
    let (_, scale) = args.split_once(',')?;
    let scale: i32 = scale.trim().parse().ok()?;
    (scale < 0).then(|| sql.clone())
}

/// Whether a routine's definition, as `pg_get_functiondef` prints it, has a SQL-standard body: the first
/// line after the header that is not indented (the header's clauses are) starts with `BEGIN ATOMIC` or
/// `RETURN` rather than `AS`.
fn sql_standard_body(definition: &str) -> bool {
    definition
        .lines()
        .skip(1)
        .find(|line| !line.is_empty() && !line.starts_with(char::is_whitespace))
        .map(|line| line.trim_end().to_ascii_uppercase())
        .is_some_and(|line| line.starts_with("BEGIN ATOMIC") || line == "RETURN" || line.starts_with("RETURN "))
}

/// A schema the server cannot hold: the uses [`unsupported_features`] found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the schema uses what this server cannot hold: {}", .0.join("; "))]
pub struct Unsupported(pub Vec<String>);

/// [`unsupported_features`] as a result: `Err` naming every use when there is one.
pub fn check(schema: &Schema, server_version_num: i32) -> Result<(), Unsupported> {
    let found = unsupported_features(schema, server_version_num);
    if found.is_empty() { Ok(()) } else { Err(Unsupported(found)) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use keel_core::model::{
        Column, ColumnType, CompositeAttribute, CompositeType, Domain, Function, Index, KeyExpression, QualifiedName,
        Statistics, Table, UniqueConstraint,
    };

    fn table() -> Table {
        Table::default()
    }

    fn schema_with(table: Table) -> Schema {
        let mut schema = Schema::default();
        schema.schemas.entry("public".to_string()).or_default().tables.insert("t".to_string(), table);
        schema
    }

    #[test]
    fn nulls_not_distinct_needs_15() {
        let mut t = table();
        let mut unique = UniqueConstraint::new(["code"]);
        unique.nulls_not_distinct = true;
        t.unique_constraints.insert("t_key".to_string(), unique);
        let schema = schema_with(t);
        assert_eq!(
            unsupported_features(&schema, 140011),
            ["NULLS NOT DISTINCT on unique constraint public.t.t_key needs PostgreSQL 15 (the server is 14)"]
        );
        assert!(unsupported_features(&schema, 150000).is_empty());
        assert!(check(&schema, 180001).is_ok());
    }

    #[test]
    fn nulls_not_distinct_on_an_index_needs_15() {
        let mut t = table();
        let mut index = Index::on_columns(["email"]).with_unique(true);
        index.nulls_not_distinct = true;
        t.indexes.insert("t_email_key".to_string(), index);
        let schema = schema_with(t);
        let err = check(&schema, 130014).unwrap_err();
        assert_eq!(
            err.0,
            ["NULLS NOT DISTINCT on unique index public.t_email_key needs PostgreSQL 15 (the server is 13)"]
        );
        assert!(err.to_string().contains("cannot hold"), "{err}");
    }

    #[test]
    fn a_negative_numeric_scale_needs_15() {
        let other = |sql: &str| ColumnType::Other { sql: sql.to_string() };
        let mut t = table();
        t.columns.push(Column::new("hundreds", other("numeric(5,-2)")));
        t.columns.push(Column::new("history", ColumnType::array(other("NUMERIC(5, -3)"))));
        t.columns.push(Column::new("cents", ColumnType::Numeric { precision: Some(5), scale: Some(2) }));
        t.columns.push(Column::new("custom", other("public.numeric_like(5,-2)")));
        let mut schema = schema_with(t);
        let ns = schema.schemas.get_mut("public").unwrap();
        ns.domains.insert("rounded".to_string(), Domain::new(other("decimal(7,-1)")));
        ns.composite_types.insert(
            "bucket".to_string(),
            CompositeType {
                attributes: vec![CompositeAttribute {
                    name: "thousands".to_string(),
                    ty: other("numeric(4,-3)[]"),
                    collation: None,
                }],
                comment: None,
            },
        );
        assert_eq!(
            unsupported_features(&schema, 140011),
            [
                "the negative scale of numeric(5,-2) on column public.t.hundreds needs PostgreSQL 15 (the server is 14)",
                "the negative scale of NUMERIC(5, -3) on column public.t.history needs PostgreSQL 15 (the server is 14)",
                "the negative scale of decimal(7,-1) on domain public.rounded needs PostgreSQL 15 (the server is 14)",
                "the negative scale of numeric(4,-3)[] on attribute thousands of type public.bucket needs PostgreSQL 15 (the server is 14)",
            ]
        );
        assert!(unsupported_features(&schema, 150000).is_empty());
    }

    #[test]
    fn virtual_generated_columns_need_18() {
        let mut t = table();
        t.columns.push(Column::new("total", ColumnType::Integer).with_virtual_generated("a * 2"));
        t.columns.push(Column::new("stored", ColumnType::Integer).with_generated("a * 3"));
        let schema = schema_with(t);
        assert_eq!(
            unsupported_features(&schema, 170006),
            ["the virtual generated column public.t.total needs PostgreSQL 18 (the server is 17)"]
        );
        assert!(unsupported_features(&schema, 180000).is_empty());
        assert_eq!(required_server_version_num(&schema), 180000);
        assert_eq!(required_server_version_num(&Schema::default()), MIN_SERVER_VERSION_NUM);
    }

    #[test]
    fn not_null_constraints_beyond_not_null_need_18() {
        use keel_core::model::{Column, ColumnType, NotNull};
        let mut t = table();
        let named = NotNull::named("total_required");
        let not_valid = NotNull { not_valid: true, no_inherit: true, ..NotNull::default() };
        t.columns.push(Column::new("total", ColumnType::Integer).with_not_null(named));
        t.columns.push(Column::new("paid", ColumnType::Integer).with_not_null(not_valid));
        t.columns.push(Column::new("note", ColumnType::Text).nullable());
        let schema = schema_with(t);
        assert_eq!(
            unsupported_features(&schema, 170006),
            [
                "the name total_required of the not-null constraint on column public.t.total needs PostgreSQL 18 (the server is 17)",
                "a NOT VALID not-null constraint on column public.t.paid needs PostgreSQL 18 (the server is 17)",
                "a NO INHERIT not-null constraint on column public.t.paid needs PostgreSQL 18 (the server is 17)",
            ]
        );
        assert!(unsupported_features(&schema, 180000).is_empty());
    }

    #[test]
    fn expression_statistics_need_14() {
        let mut schema = schema_with(table());
        let t = QualifiedName::new("public", "t");
        let mut on_expr = Statistics::on_columns(t.clone(), ["zip"]);
        on_expr.keys.push(KeyExpression::Expression("lower(email)".to_string()));
        let ns = schema.schemas.get_mut("public").unwrap();
        ns.statistics.insert("t_expr".to_string(), on_expr);
        ns.statistics.insert("t_cols".to_string(), Statistics::on_columns(t, ["zip", "city"]));
        assert_eq!(
            unsupported_features(&schema, 130000),
            ["statistics public.t_expr on expressions needs PostgreSQL 14 (the server is 13)"]
        );
        assert!(unsupported_features(&schema, 140000).is_empty());
    }

    #[test]
    fn sql_standard_bodies_need_14() {
        let atomic = "CREATE OR REPLACE FUNCTION public.total()\n RETURNS bigint\n LANGUAGE sql\n STABLE\nBEGIN ATOMIC\n SELECT sum(t.n) AS sum\n    FROM t;\nEND\n";
        let ret = "CREATE OR REPLACE FUNCTION public.one()\n RETURNS integer\n LANGUAGE sql\nRETURN 1\n";
        let string = "CREATE OR REPLACE FUNCTION public.two()\n RETURNS integer\n LANGUAGE plpgsql\nAS $function$\nBEGIN\nRETURN 2;\nEND\n$function$\n";
        assert!(sql_standard_body(atomic));
        assert!(sql_standard_body(ret));
        assert!(!sql_standard_body(string));
        assert!(!sql_standard_body(
            "CREATE OR REPLACE FUNCTION public.h()\n RETURNS integer\n LANGUAGE sql\nAS $function$select 1$function$\n"
        ));

        let mut schema = Schema::default();
        let functions = &mut schema.schemas.entry("public".to_string()).or_default().functions;
        for (name, definition, language) in [("total", atomic, "sql"), ("two", string, "plpgsql")] {
            let function =
                Function { language: language.to_string(), definition: definition.to_string(), ..Function::default() };
            functions.entry(name.to_string()).or_default().insert(String::new(), function);
        }
        assert_eq!(
            unsupported_features(&schema, 130000),
            [
                "the SQL-standard body (BEGIN ATOMIC or RETURN) of function public.total() needs PostgreSQL 14 (the server is 13)"
            ]
        );
        assert!(unsupported_features(&schema, 140000).is_empty());
    }

    #[test]
    fn introspection_names_an_unsupported_server() {
        let error = crate::IntrospectError::UnsupportedServer { server_version_num: 120020 };
        assert_eq!(error.to_string(), "PostgreSQL 12 is not supported: keel supports 13 and later");
        let error = crate::IntrospectError::UnsupportedServer { server_version_num: 90624 };
        assert_eq!(error.to_string(), "PostgreSQL 9.6 is not supported: keel supports 13 and later");
    }

    #[test]
    fn majors() {
        assert_eq!(major(130014), "13");
        assert_eq!(major(180001), "18");
        assert_eq!(major(120020), "12");
        assert_eq!(major(90624), "9.6");
    }
}
