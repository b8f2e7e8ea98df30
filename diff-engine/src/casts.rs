//! What changing a column's type does to the values stored in it, in one place: whether every value
//! survives (lossless), whether a value that does not fit makes the statement fail (checked), or whether
//! values are silently changed (lossy: rounded, cut, shifted); whether the table is rewritten; and whether
//! PostgreSQL has an assignment cast, so that `ALTER COLUMN ... TYPE` needs no `USING`.
//!
//! Parsing text is lossy (it normalizes: `'02134'` is 2134), and so is shortening a string type: the
//! assignment cuts a value too long only by trailing spaces without a word (and fails on any other).
//!
//! An explicit cast (`USING col::varchar(5)`) truncates where the assignment cast that a plain
//! `ALTER COLUMN ... TYPE` applies raises "value too long": `USING` is written only where PostgreSQL has no
//! assignment cast. Each claim here is checked against a real server by `tests/convergence/lossy.rs`.

use keel_core::model::ColumnType;
use keel_core::sql::quote_ident;

/// What a type change does to stored values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conversion {
    /// Every value converts and converts back unchanged.
    Lossless,
    /// A value that does not fit (too long, out of range, not parseable) makes the statement fail; nothing
    /// is changed silently.
    Checked,
    /// Values are changed without an error: rounded, cut, shifted to another time zone.
    Lossy,
}

/// A column type change, classified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TypeChange {
    pub conversion: Conversion,
    /// PostgreSQL writes a new copy of the table (the change is not binary-coercible).
    pub rewrites: bool,
}

/// What changing a column from `from` to `to` does.
pub fn type_change(from: &ColumnType, to: &ColumnType) -> TypeChange {
    TypeChange { conversion: conversion(from, to), rewrites: !binary_coercible(from, to) }
}

/// Changes PostgreSQL makes without touching the rows: widening a `varchar`, `varchar` to `text`, more
/// numeric precision at the same scale, more timestamp precision.
fn binary_coercible(from: &ColumnType, to: &ColumnType) -> bool {
    use ColumnType::*;
    match (from, to) {
        (Varchar { length: Some(a) }, Varchar { length: Some(b) }) => b >= a,
        (Varchar { .. }, Varchar { length: None }) | (Varchar { .. }, Text) | (Text, Varchar { length: None }) => true,
        (Numeric { precision: Some(p), scale: s }, Numeric { precision: Some(q), scale: t }) => {
            q >= p && s.unwrap_or(0) == t.unwrap_or(0)
        }
        (Numeric { .. }, Numeric { precision: None, scale: None }) => true,
        (Timestamp { precision: a, with_time_zone: x }, Timestamp { precision: b, with_time_zone: y }) => {
            x == y && b.unwrap_or(6) >= a.unwrap_or(6)
        }
        (Time { precision: a, with_time_zone: x }, Time { precision: b, with_time_zone: y }) => {
            x == y && b.unwrap_or(6) >= a.unwrap_or(6)
        }
        (Cidr, Inet) => true,
        _ => false,
    }
}

fn conversion(from: &ColumnType, to: &ColumnType) -> Conversion {
    use ColumnType::*;
    use Conversion::*;
    if from == to {
        return Lossless;
    }
    match (from, to) {
        (Array { element: a }, Array { element: b }) => conversion(a, b),
        // Every value has a text form (a `char`'s padding is not part of its value).
        (_, Text | Varchar { length: None }) => Lossless,
        // A `char`'s padding is no part of its value, so its text fits any length as long.
        (Char { .. }, Varchar { length: Some(_) } | Char { .. }) if fits(from, to) => Lossless,
        // Trailing spaces are part of a string's value: the assignment to a shorter length cuts them without
        // a word (and fails on anything else), and a `char` drops them.
        (Text | Varchar { .. }, Char { .. }) => Lossy,
        (Text | Varchar { .. }, Varchar { length: Some(_) }) => {
            if fits(from, to) {
                Lossless
            } else {
                Lossy
            }
        }
        (_, Varchar { length: Some(_) } | Char { .. }) => {
            if fits(from, to) {
                Lossless
            } else {
                Checked
            }
        }
        (SmallInt | Integer | BigInt, SmallInt | Integer | BigInt) => {
            if digits(to) >= digits(from) {
                Lossless
            } else {
                Checked
            }
        }
        (SmallInt | Integer | BigInt, Numeric { precision: None, .. }) => Lossless,
        (SmallInt | Integer | BigInt, Numeric { precision: Some(p), scale }) => {
            if i32::from(*p) - i32::from(scale.unwrap_or(0)) >= digits(from) { Lossless } else { Checked }
        }
        // A float holds 24 (real) or 53 (double) bits of mantissa.
        (SmallInt, Real | DoublePrecision) | (Integer, DoublePrecision) | (Real, DoublePrecision) => Lossless,
        (Integer | BigInt, Real) | (BigInt, DoublePrecision) | (DoublePrecision, Real) => Lossy,
        // Rounded to whole numbers; a float converts to numeric with 15 (6) significant digits.
        (Real | DoublePrecision, SmallInt | Integer | BigInt | Numeric { .. }) => Lossy,
        (Numeric { precision: Some(p), scale }, SmallInt | Integer | BigInt) if scale.unwrap_or(0) == 0 => {
            if i32::from(*p) < digits(to) { Lossless } else { Checked }
        }
        (Numeric { .. }, SmallInt | Integer | BigInt | Real | DoublePrecision) => Lossy,
        (Numeric { precision: Some(_), .. }, Numeric { precision: None, .. }) => Lossless,
        (Numeric { precision: None, .. }, Numeric { .. }) => Lossy,
        (Numeric { precision: Some(p), scale: s }, Numeric { precision: Some(q), scale: t }) => {
            let (s, t) = (s.unwrap_or(0), t.unwrap_or(0));
            if t < s {
                Lossy
            } else if i32::from(*q) - i32::from(t) < i32::from(*p) - i32::from(s) {
                Checked
            } else {
                Lossless
            }
        }
        (Date, Timestamp { .. }) => Lossless,
        (Timestamp { .. }, Date | Time { .. }) => Lossy,
        (Time { .. }, Timestamp { .. }) => Lossy,
        // Fewer fractional digits round; dropping the time zone reads each instant in the session's.
        (
            Timestamp { precision: a, with_time_zone: x } | Time { precision: a, with_time_zone: x },
            Timestamp { precision: b, with_time_zone: y } | Time { precision: b, with_time_zone: y },
        ) => {
            if b.unwrap_or(6) < a.unwrap_or(6) || (*x && !*y) {
                Lossy
            } else {
                Lossless
            }
        }
        (Time { with_time_zone: false, .. }, Interval) => Lossless,
        // Equal documents; of duplicate keys jsonb keeps the last, which is the one json's operators read.
        (Json, Jsonb) | (Jsonb, Json) => Lossless,
        (Cidr, Inet) | (Boolean, Integer) => Lossless,
        // Host bits are zeroed.
        (Inet, Cidr) => Lossy,
        // Parsing text rounds to the target's scale or precision, and a date drops a time of day.
        (Text | Varchar { .. } | Char { .. }, Numeric { precision: Some(_), .. } | Real | DoublePrecision | Date) => {
            Lossy
        }
        (
            Text | Varchar { .. } | Char { .. },
            Timestamp { precision: Some(p), .. } | Time { precision: Some(p), .. },
        ) if *p < 6 => Lossy,
        // An enum's label, a domain's check: a value that does not fit raises.
        (Named { .. }, _) | (_, Named { .. }) => Checked,
        // Parsing text normalizes it: `'02134'` becomes 2134, `'yes'` true, an upper-case uuid lower case.
        (Text | Varchar { .. } | Char { .. }, _) => Lossy,
        // Anything else (integer to boolean, types keel has no structure for): assumed lossy, so that it is
        // measured and needs consent.
        _ => Lossy,
    }
}

/// Whether every text form of `from` is no longer than `to` allows.
fn fits(from: &ColumnType, to: &ColumnType) -> bool {
    max_length(from).is_some_and(|m| max_length(to).is_some_and(|n| m <= n))
}

/// Whether the change shortens the strings a column may hold: what does not fit fails, or is cut where only
/// trailing spaces are too many (measured as values that do not fit as they are).
pub fn shortens_strings(from: &ColumnType, to: &ColumnType) -> bool {
    use ColumnType::*;
    matches!((from.scalar(), to.scalar()), (Text | Varchar { .. }, Varchar { length: Some(_) } | Char { .. }))
}

/// The longest text form a value of `ty` can have, where it is bounded by a declared length.
fn max_length(ty: &ColumnType) -> Option<u32> {
    match ty {
        ColumnType::Varchar { length } => *length,
        ColumnType::Char { length } => Some(length.unwrap_or(1)),
        ColumnType::Boolean => Some(5),
        _ => None,
    }
}

/// Decimal digits of an integer type's largest value.
fn digits(ty: &ColumnType) -> i32 {
    match ty {
        ColumnType::SmallInt => 5,
        ColumnType::Integer => 10,
        _ => 19,
    }
}

/// Whether PostgreSQL has an assignment (or implicit) cast from `from` to `to`: then a plain
/// `ALTER COLUMN ... TYPE` converts, with the checks of an assignment (a too long string raises).
pub fn assignment_cast(from: &ColumnType, to: &ColumnType) -> bool {
    use ColumnType::*;
    let number = |t: &ColumnType| matches!(t, SmallInt | Integer | BigInt | Real | DoublePrecision | Numeric { .. });
    let time = |t: &ColumnType| matches!(t, Date | Timestamp { .. } | Time { .. } | Interval);
    match (from, to) {
        (Array { element: a }, Array { element: b }) => assignment_cast(a, b),
        // Every type converts to a string type by its output function in an assignment.
        (_, Text | Varchar { .. } | Char { .. }) => true,
        (Named { .. }, _) | (_, Named { .. }) | (Array { .. }, _) | (_, Array { .. }) => false,
        (a, b) if a == b => true,
        (a, b) if number(a) && number(b) => true,
        (Date, Interval) | (Interval, Date) => false,
        (a, b) if time(a) && time(b) => !matches!((a, b), (Date, Time { .. }) | (Time { .. }, Date)),
        (Json, Jsonb) | (Jsonb, Json) | (Cidr, Inet) | (Inet, Cidr) => true,
        _ => false,
    }
}

/// An explicit cast of `expression` (of type `from`; a column name or a parenthesized expression) to `to`;
/// to and from enums and other named types through their text form.
pub fn explicit_cast(expression: &str, from: &ColumnType, to: &ColumnType) -> String {
    let through_text =
        matches!(from.scalar(), ColumnType::Named { .. }) || matches!(to.scalar(), ColumnType::Named { .. });
    let text = if matches!(from, ColumnType::Array { .. }) { "text[]" } else { "text" };
    if through_text && from.scalar() != &ColumnType::Text {
        format!("{expression}::{text}::{to}")
    } else {
        format!("{expression}::{to}")
    }
}

/// `ty` without a declared length (`varchar(5)[]` is `text[]`): an explicit cast to it cuts nothing, and
/// assigning its values to a column or domain of the length checks them.
pub fn without_length(ty: &ColumnType) -> ColumnType {
    match ty.scalar() {
        ColumnType::Varchar { length: Some(_) } | ColumnType::Char { .. } => ty.clone().with_scalar(ColumnType::Text),
        _ => ty.clone(),
    }
}

/// The `USING` clause that `ALTER COLUMN ... TYPE to` needs, or nothing where PostgreSQL's assignment cast
/// converts (and checks) the values.
pub fn using_clause(column: &str, from: &ColumnType, to: &ColumnType) -> String {
    if assignment_cast(from, to) {
        String::new()
    } else {
        format!(" USING {}", explicit_cast(&quote_ident(column), from, to))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ColumnType::*;
    use Conversion::*;

    fn parse(sql: &str) -> ColumnType {
        ColumnType::parse(sql).unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    fn class(from: &str, to: &str) -> Conversion {
        type_change(&parse(from), &parse(to)).conversion
    }

    #[test]
    fn widening_is_lossless() {
        for (from, to) in [
            ("varchar(5)", "varchar(100)"),
            ("varchar(5)", "text"),
            ("char(3)", "varchar(3)"),
            ("numeric(10,2)", "numeric(12,4)"),
            ("integer", "bigint"),
            ("smallint", "numeric(5,0)"),
            ("real", "double precision"),
            ("date", "timestamp with time zone"),
            ("timestamp(3) without time zone", "timestamp without time zone"),
            ("json", "jsonb"),
            ("cidr", "inet"),
            ("uuid", "text"),
        ] {
            assert_eq!(class(from, to), Lossless, "{from} to {to}");
        }
    }

    #[test]
    fn narrowing_that_raises_is_checked() {
        for (from, to) in [
            ("char(10)", "char(2)"),
            ("integer", "varchar(3)"),
            ("bigint", "integer"),
            ("numeric(10,2)", "numeric(6,2)"),
        ] {
            assert_eq!(class(from, to), Checked, "{from} to {to}");
        }
        assert_eq!(type_change(&Text, &ColumnType::named("public", "status")).conversion, Checked);
    }

    #[test]
    fn rounding_cutting_and_shifting_are_lossy() {
        for (from, to) in [
            ("numeric(10,2)", "numeric(10,0)"),
            ("numeric", "numeric(10,2)"),
            ("numeric(10,2)", "integer"),
            ("double precision", "real"),
            ("double precision", "numeric"),
            ("integer", "real"),
            ("timestamp with time zone", "date"),
            ("timestamp without time zone", "date"),
            ("timestamp(6) without time zone", "timestamp(0) without time zone"),
            ("timestamp with time zone", "timestamp without time zone"),
            ("inet", "cidr"),
            ("text", "numeric(10,2)"),
            ("integer", "boolean"),
            // Too long only by trailing spaces is cut without an error; a `char` drops them.
            ("varchar(100)", "varchar(5)"),
            ("text", "varchar(5)"),
            ("varchar(5)", "char(5)"),
            // Parsing normalizes: '02134' is 2134, an upper-case uuid comes back lower case.
            ("text", "integer"),
            ("text", "uuid"),
        ] {
            assert_eq!(class(from, to), Lossy, "{from} to {to}");
        }
    }

    #[test]
    fn using_only_where_there_is_no_assignment_cast() {
        let using = |from: &str, to: &str| using_clause("c", &parse(from), &parse(to));
        assert_eq!(using("varchar(100)", "varchar(5)"), "");
        assert_eq!(using("text", "varchar(5)"), "");
        assert_eq!(using("numeric(10,2)", "numeric(10,0)"), "");
        assert_eq!(using("timestamp with time zone", "date"), "");
        assert_eq!(using("integer[]", "bigint[]"), "");
        assert_eq!(using("text", "integer"), r#" USING "c"::integer"#);
        assert_eq!(using("text", "text[]"), r#" USING "c"::text[]"#);
        let status = ColumnType::named("public", "status");
        assert_eq!(using_clause("c", &status, &Text), "");
        assert_eq!(using_clause("c", &Integer, &status), r#" USING "c"::text::"public"."status""#);
    }
}
