//! Column types as Rust field types, with the attributes that make the derive reproduce the type exactly.
//!
//! The mappings are those of `keel_core::types` with keel's default features (`uuid`, `chrono`,
//! `serde_json`): a field type maps through `SqlType`, refined by `varchar`, `char`, `json` or `precision`.
//! Types without such a mapping (numeric, which needs keel's non-default `rust_decimal` feature; `cidr`,
//! `macaddr`, `time with time zone`, and types keel keeps as SQL text) are written with
//! `sql_type = "..."`, which the derive takes as is, on a sensible Rust type.

use super::format::lit;
use keel_core::model::{ColumnType, Schema};
use std::collections::{BTreeMap, BTreeSet};

/// A column's field type and the attribute items that set its column type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldType {
    /// The Rust type, without the `Option` a nullable column adds.
    pub rust: String,
    /// `varchar = 500`, `sql_type = "numeric(12,2)"`, ...
    pub items: Vec<String>,
    /// Whether the type names a generated enum.
    pub uses_enum: bool,
}

/// What type mapping needs to know beyond the column: the Rust names of the enums, and which crates the
/// generated code uses.
pub struct TypeContext<'a> {
    pub schema: &'a Schema,
    /// Enum `(schema, name)` → Rust type name.
    pub enums: &'a BTreeMap<(String, String), String>,
    pub crates: BTreeSet<&'static str>,
}

impl TypeContext<'_> {
    /// The field type for `ty`. `Err` carries a warning, with a field type that still compiles.
    pub fn field_type(&mut self, ty: &ColumnType) -> Result<FieldType, (FieldType, String)> {
        if let Some(mapped) = self.mapped(ty) {
            return Ok(mapped);
        }
        match self.sql_type(ty) {
            Written::Exact(sql) => Ok(self.with_sql_type(ty, &sql)),
            Written::Noted(sql, problem) => Err((self.with_sql_type(ty, &sql), problem)),
            Written::Instead(fallback, problem) => {
                let field = match self.mapped(&fallback) {
                    Some(mapped) => mapped,
                    None => self.with_sql_type(&fallback, &fallback.to_string()),
                };
                Err((field, problem))
            }
        }
    }

    fn with_sql_type(&mut self, ty: &ColumnType, sql: &str) -> FieldType {
        let rust = self.fallback_rust(ty);
        FieldType { rust, items: vec![format!("sql_type = {}", lit(sql))], uses_enum: false }
    }

    /// A type `SqlType` maps, with a refining attribute.
    fn mapped(&mut self, ty: &ColumnType) -> Option<FieldType> {
        let (mut rust, item, uses_enum) = self.mapped_scalar(ty.scalar())?;
        for _ in 0..array_depth(ty) {
            rust = format!("Vec<{rust}>");
        }
        Some(FieldType { rust, items: item.into_iter().collect(), uses_enum })
    }

    fn mapped_scalar(&mut self, ty: &ColumnType) -> Option<(String, Option<String>, bool)> {
        let plain = |rust: &str| Some((rust.to_string(), None, false));
        let refined = |rust: &str, item: String| Some((rust.to_string(), Some(item), false));
        match ty {
            ColumnType::Boolean => plain("bool"),
            ColumnType::SmallInt => plain("i16"),
            ColumnType::Integer => plain("i32"),
            ColumnType::BigInt => plain("i64"),
            ColumnType::Real => plain("f32"),
            ColumnType::DoublePrecision => plain("f64"),
            ColumnType::Text => plain("String"),
            ColumnType::Varchar { length: Some(n) } => refined("String", format!("varchar = {n}")),
            ColumnType::Char { length: Some(n) } => refined("String", format!("char = {n}")),
            ColumnType::Bytea => plain("Vec<u8>"),
            ColumnType::Inet => plain("std::net::IpAddr"),
            ColumnType::Interval => plain("std::time::Duration"),
            ColumnType::Uuid => {
                self.crates.insert("uuid");
                plain("uuid::Uuid")
            }
            ColumnType::Jsonb => {
                self.crates.insert("serde_json");
                plain("serde_json::Value")
            }
            ColumnType::Json => {
                self.crates.insert("serde_json");
                refined("serde_json::Value", "json".to_string())
            }
            ColumnType::Date => {
                self.crates.insert("chrono");
                plain("chrono::NaiveDate")
            }
            ColumnType::Time { precision, with_time_zone: false } => {
                self.crates.insert("chrono");
                Some(("chrono::NaiveTime".to_string(), precision.map(|p| format!("precision = {p}")), false))
            }
            ColumnType::Timestamp { precision, with_time_zone } => {
                self.crates.insert("chrono");
                let rust = if *with_time_zone { "chrono::DateTime<chrono::Utc>" } else { "chrono::NaiveDateTime" };
                Some((rust.to_string(), precision.map(|p| format!("precision = {p}")), false))
            }
            ColumnType::Named { schema, name } => {
                let ident = self.enums.get(&(schema.clone(), name.clone()))?;
                Some((ident.clone(), None, true))
            }
            _ => None,
        }
    }

    /// A Rust type for a column written with `sql_type`.
    fn fallback_rust(&mut self, ty: &ColumnType) -> String {
        let mut rust = match ty.scalar() {
            ColumnType::Numeric { .. } => {
                self.crates.insert("rust_decimal");
                "rust_decimal::Decimal".to_string()
            }
            ColumnType::Other { sql } if sql.starts_with("interval") => "std::time::Duration".to_string(),
            _ => "String".to_string(),
        };
        for _ in 0..array_depth(ty) {
            rust = format!("Vec<{rust}>");
        }
        rust
    }

    /// How `ty` is written with `sql_type`.
    fn sql_type(&self, ty: &ColumnType) -> Written {
        if let ColumnType::Named { schema, name } = ty.scalar() {
            let problem = format!(
                "its type {schema}.{name} is not an enum keel knows (a domain, composite or extension type?): it is \
                 declared with `sql_type`; declare the type itself in the schema folder's SQL (CREATE DOMAIN, \
                 CREATE TYPE) or with its extension"
            );
            // Unqualified, it is SQL text that PostgreSQL resolves through `search_path`, as people write it.
            let bare = if is_plain(name) { name.clone() } else { keel_core::sql::quote_ident(name) };
            let unqualified = matches!(ColumnType::parse(&bare), Ok(ColumnType::Other { .. }));
            if schema == keel_core::DEFAULT_SCHEMA && unqualified {
                return Written::Noted(format!("{bare}{}", "[]".repeat(array_depth(ty))), problem);
            }
            return Written::Noted(ty.to_string(), problem);
        }
        let sql = ty.to_string();
        let parsed = ColumnType::parse(&sql);
        if parsed.as_ref() == Ok(ty) {
            return Written::Exact(sql);
        }
        // The derive reads this text differently (or not at all): the type without its modifiers, else `text`.
        let base = strip_modifiers(&sql);
        let fallback = match ColumnType::parse(&base) {
            Ok(t) if base != sql => t,
            _ => ColumnType::Text,
        };
        let read = match parsed {
            Ok(t) => format!("reads `{sql}` as {t}"),
            Err(e) => format!("cannot read `{sql}`: {}", e.reason),
        };
        let problem = format!(
            "its type {ty} cannot be written as `sql_type` (the derive {read}); declared as {fallback} instead"
        );
        Written::Instead(fallback, problem)
    }
}

/// A type as `sql_type` text.
enum Written {
    /// Reads back as the type.
    Exact(String),
    /// Written, with a warning about what it needs.
    Noted(String, String),
    /// Not writable: this type instead, and why.
    Instead(ColumnType, String),
}

fn is_plain(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn array_depth(ty: &ColumnType) -> usize {
    match ty {
        ColumnType::Array { element } => 1 + array_depth(element),
        _ => 0,
    }
}

/// `interval(3)` → `interval`, `numeric(5,-2)` → `numeric`.
fn strip_modifiers(sql: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for c in sql.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}
