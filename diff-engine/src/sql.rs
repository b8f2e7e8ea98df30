//! Typed SQL: the only way the engine writes a statement. [`sql!`](crate::sql!) formats its arguments
//! through the sealed [`ToSql`] trait, which quoted identifiers ([`Ident`], [`Name`], [`Idents`]), escaped
//! literals ([`Literal`], [`Literals`]), keywords ([`Keyword`]), text the catalog printed ([`Printed`]),
//! numbers, column types and other [`Sql`] implement, and `String` and `&str` do not: a bare name cannot
//! reach a statement unquoted (DESIGN, invariant 5).
//!
//! ```compile_fail,E0277
//! let table = String::from("users");
//! keel_diff::sql!("DROP TABLE {}", table);
//! ```
//!
//! ```compile_fail,E0277
//! keel_diff::sql!("DROP TABLE {}", "users");
//! ```
//!
//! Arguments are positional: a name captured from the scope (`{table}`) would bypass the check.
//!
//! ```compile_fail,E0080
//! let table = keel_diff::sql::Ident::new("users");
//! keel_diff::sql!("DROP TABLE {table}");
//! ```
//!
//! ```
//! use keel_diff::sql::{Ident, Literal};
//! let stmt = keel_diff::sql!("COMMENT ON TABLE {} IS {}", Ident::new("Odd \"name\""), Literal::new("it's"));
//! assert_eq!(stmt.as_str(), r#"COMMENT ON TABLE "Odd ""name""" IS 'it''s'"#);
//! ```

use keel_core::model::{ColumnType, QualifiedName};
use keel_core::sql::{quote_ident, quote_literal};
use std::fmt;

mod sealed {
    pub trait Sealed {}
}

/// A value that may go into SQL as it prints: quoted, escaped, or trusted by construction.
pub trait ToSql: sealed::Sealed {
    fn write_sql(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result;
}

/// A piece of SQL built by [`sql!`](crate::sql!) (or one of the types here): safe to embed in another.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Sql(String);

impl Sql {
    /// Only the macro makes one from text: what it formats went through [`ToSql`].
    #[doc(hidden)]
    pub fn __formatted(text: String) -> Sql {
        Sql(text)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `self` followed by `other` (clauses appended to a statement).
    pub fn push(&mut self, other: impl ToSql) {
        self.0.push_str(&arg(&other).to_string());
    }

    /// The pieces joined by `separator` (a keyword or punctuation, never a name).
    pub fn join<T: ToSql>(pieces: impl IntoIterator<Item = T>, separator: &'static str) -> Sql {
        let mut out = String::new();
        for (i, piece) in pieces.into_iter().enumerate() {
            if i > 0 {
                out.push_str(separator);
            }
            out.push_str(&arg(&piece).to_string());
        }
        Sql(out)
    }
}

impl From<Sql> for String {
    fn from(sql: Sql) -> String {
        sql.0
    }
}

/// An identifier, printed quoted: `"name"`.
#[derive(Debug, Clone, Copy)]
pub struct Ident<'a>(&'a str);

impl<'a> Ident<'a> {
    pub fn new(name: &'a str) -> Ident<'a> {
        Ident(name)
    }
}

/// A schema-qualified name, printed quoted: `"schema"."name"`.
#[derive(Debug, Clone, Copy)]
pub struct Name<'a> {
    schema: &'a str,
    name: &'a str,
}

impl<'a> Name<'a> {
    pub fn new(name: &'a QualifiedName) -> Name<'a> {
        Name { schema: &name.schema, name: &name.name }
    }

    /// `name` in `schema` (an index, or a relation beside a table).
    pub fn in_schema(schema: &'a str, name: &'a str) -> Name<'a> {
        Name { schema, name }
    }
}

/// A string literal, printed quoted and escaped: `'it''s'`.
#[derive(Debug, Clone, Copy)]
pub struct Literal<'a>(&'a str);

impl<'a> Literal<'a> {
    pub fn new(value: &'a str) -> Literal<'a> {
        Literal(value)
    }
}

/// Identifiers, quoted and separated by `, `.
#[derive(Debug, Clone, Copy)]
pub struct Idents<'a>(&'a [String]);

impl<'a> Idents<'a> {
    pub fn new(names: &'a [String]) -> Idents<'a> {
        Idents(names)
    }
}

/// Literals, quoted and separated by `, `.
#[derive(Debug, Clone, Copy)]
pub struct Literals<'a>(&'a [String]);

impl<'a> Literals<'a> {
    pub fn new(values: &'a [String]) -> Literals<'a> {
        Literals(values)
    }
}

/// SQL text as PostgreSQL printed it (`pg_get_expr`, `pg_get_functiondef`, a partition bound) or as the
/// schema's author wrote it (a default, a check, a view's query): an expression, trusted verbatim.
#[derive(Debug, Clone, Copy)]
pub struct Printed<'a>(&'a str);

impl<'a> Printed<'a> {
    pub fn new(text: &'a str) -> Printed<'a> {
        Printed(text)
    }
}

/// A keyword or fixed clause from the engine's or the model's own constants (`VIEW`, `ON DELETE CASCADE`).
#[derive(Debug, Clone, Copy)]
pub struct Keyword(pub &'static str);

impl<T: ToSql + ?Sized> sealed::Sealed for &T {}
impl<T: ToSql + ?Sized> ToSql for &T {
    fn write_sql(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        (**self).write_sql(f)
    }
}

macro_rules! to_sql {
    ($($ty:ty => |$value:ident, $f:ident| $body:expr;)*) => {$(
        impl sealed::Sealed for $ty {}
        impl ToSql for $ty {
            fn write_sql(&self, $f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let $value = self;
                $body
            }
        }
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.write_sql(f)
            }
        }
    )*};
}

to_sql! {
    Sql => |s, f| f.write_str(&s.0);
    Ident<'_> => |s, f| f.write_str(&quote_ident(s.0));
    Name<'_> => |s, f| write!(f, "{}.{}", quote_ident(s.schema), quote_ident(s.name));
    Literal<'_> => |s, f| f.write_str(&quote_literal(s.0));
    Idents<'_> => |s, f| f.write_str(&s.0.iter().map(|n| quote_ident(n)).collect::<Vec<_>>().join(", "));
    Literals<'_> => |s, f| f.write_str(&s.0.iter().map(|v| quote_literal(v)).collect::<Vec<_>>().join(", "));
    Printed<'_> => |s, f| f.write_str(s.0);
    Keyword => |s, f| f.write_str(s.0);
}

impl sealed::Sealed for QualifiedName {}
impl ToSql for QualifiedName {
    fn write_sql(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Name::new(self).write_sql(f)
    }
}

/// Printed by `format_type`'s rules, named types quoted (see `ColumnType`'s `Display`).
impl sealed::Sealed for ColumnType {}
impl ToSql for ColumnType {
    fn write_sql(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

impl sealed::Sealed for i64 {}
impl ToSql for i64 {
    fn write_sql(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

impl<T: ToSql> sealed::Sealed for Option<T> {}
/// Nothing when absent: optional clauses.
impl<T: ToSql> ToSql for Option<T> {
    fn write_sql(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Some(value) => value.write_sql(f),
            None => Ok(()),
        }
    }
}

/// What [`sql!`](crate::sql!) formats: an argument that went through [`ToSql`].
#[doc(hidden)]
pub struct Arg<'a, T: ?Sized>(&'a T);

impl<T: ToSql + ?Sized> fmt::Display for Arg<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.write_sql(f)
    }
}

#[doc(hidden)]
pub fn arg<T: ToSql + ?Sized>(value: &T) -> Arg<'_, T> {
    Arg(value)
}

/// Whether a format string names no argument: `{}` and `{0}` only, so every argument is one the macro
/// checked (a `{name}` would capture a variable from the scope past the check).
#[doc(hidden)]
pub const fn positional_only(format: &str) -> bool {
    let bytes = format.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'{' {
            if i + 1 < bytes.len() && bytes[i + 1] == b'{' {
                i += 2;
                continue;
            }
            let mut j = i + 1;
            while j < bytes.len() && bytes[j] != b'}' {
                if !bytes[j].is_ascii_digit() {
                    return false;
                }
                j += 1;
            }
            i = j;
        }
        i += 1;
    }
    true
}

/// `sql!("ALTER TABLE {} DROP COLUMN {}", Name::new(table), Ident::new(column))`: a [`Sql`] statement
/// formatted from arguments that implement [`ToSql`](crate::sql::ToSql), positionally.
#[macro_export]
macro_rules! sql {
    ($format:literal $(, $arg:expr)* $(,)?) => {{
        const _: () = assert!($crate::sql::positional_only($format), "sql!: arguments are positional, never named in the format");
        $crate::sql::Sql::__formatted(format!($format $(, $crate::sql::arg(&$arg))*))
    }};
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_what_it_names() {
        let name = QualifiedName::new("My Schema", "t");
        let columns = ["a".to_string(), "B".to_string()];
        let stmt = crate::sql!("CREATE INDEX {} ON {} ({})", Ident::new("i"), name, Idents::new(&columns));
        assert_eq!(stmt.as_str(), r#"CREATE INDEX "i" ON "My Schema"."t" ("a", "B")"#);
    }

    #[test]
    fn prints_literals_escaped_and_expressions_verbatim() {
        let values = ["a'b".to_string(), r"c\d".to_string()];
        let stmt = crate::sql!("CHECK ({} IN ({}))", Printed::new("lower(x)"), Literals::new(&values));
        assert_eq!(stmt.as_str(), r"CHECK (lower(x) IN ('a''b', E'c\\d'))");
    }

    #[test]
    fn names_no_argument() {
        assert!(positional_only("a {} b {0} {{x}} }}"));
        assert!(!positional_only("a {name}"));
        assert!(!positional_only("a {:?}"));
    }
}
