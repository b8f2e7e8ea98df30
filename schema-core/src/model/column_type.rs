use crate::sql::quote_ident;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A column's PostgreSQL type.
///
/// Built-in types are structured so that `varchar(500)` and `character varying(500)` are the same value;
/// types defined in the database (enums, and later domains and composites) are named; anything else
/// keel has no structure for is kept as the SQL text PostgreSQL's `format_type` prints.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ColumnType {
    /// `boolean`.
    Boolean,
    /// `smallint` (`int2`).
    SmallInt,
    /// `integer` (`int4`).
    Integer,
    /// `bigint` (`int8`).
    BigInt,
    /// `real` (`float4`).
    Real,
    /// `double precision` (`float8`).
    DoublePrecision,
    /// `numeric(precision, scale)`, or unconstrained `numeric`.
    Numeric {
        /// Total digits; `None` for an unconstrained `numeric`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        precision: Option<u16>,
        /// Digits after the decimal point.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        scale: Option<u16>,
    },
    /// `text`.
    Text,
    /// `varchar(length)`, or `varchar` without a limit.
    Varchar {
        /// The maximum length in characters.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        length: Option<u32>,
    },
    /// `char(length)` (blank-padded).
    Char {
        /// The length in characters (`char` alone is `char(1)`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        length: Option<u32>,
    },
    /// `bytea`.
    Bytea,
    /// `uuid`.
    Uuid,
    /// `json` (the text as given).
    Json,
    /// `jsonb` (parsed, binary).
    Jsonb,
    /// `inet`.
    Inet,
    /// `cidr`.
    Cidr,
    /// `macaddr`.
    MacAddr,
    /// `date`.
    Date,
    /// `time(precision) [with time zone]`.
    Time {
        /// Fractional digits of the seconds; `None` for the default (6).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        precision: Option<u8>,
        /// `timetz`.
        with_time_zone: bool,
    },
    /// `timestamp(precision) [with time zone]`.
    Timestamp {
        /// Fractional digits of the seconds; `None` for the default (6).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        precision: Option<u8>,
        /// `timestamptz`.
        with_time_zone: bool,
    },
    /// `interval`.
    Interval,
    /// An array of another type (`text[]`); PostgreSQL does not enforce dimensions.
    Array {
        /// The element type.
        element: Box<ColumnType>,
    },
    /// A type defined in the database: an enum (later: a domain or composite type).
    Named {
        /// The type's schema.
        schema: String,
        /// The type's name in it.
        name: String,
    },
    /// A type keel has no structure for, as `format_type` prints it (e.g. `tsvector`, `point`).
    Other {
        /// The type as `format_type` prints it.
        sql: String,
    },
}

impl ColumnType {
    /// `timestamptz`: what the conventions give `created_at` and `updated_at`.
    pub const TIMESTAMPTZ: ColumnType = ColumnType::Timestamp { precision: None, with_time_zone: true };

    /// An array of `element`.
    pub fn array(element: ColumnType) -> ColumnType {
        ColumnType::Array { element: Box::new(element) }
    }

    /// A type defined in the database (an enum), by its qualified name.
    pub fn named(schema: impl Into<String>, name: impl Into<String>) -> ColumnType {
        ColumnType::Named { schema: schema.into(), name: name.into() }
    }

    /// The innermost element type of an array, or the type itself.
    pub fn scalar(&self) -> &ColumnType {
        match self {
            ColumnType::Array { element } => element.scalar(),
            other => other,
        }
    }

    /// Replaces the scalar part of this type, keeping array dimensions: `text[]` with `varchar(5)` is
    /// `varchar(5)[]`. This is how field attributes such as `varchar = 5` refine a Rust type's mapping.
    pub fn with_scalar(self, scalar: ColumnType) -> ColumnType {
        match self {
            ColumnType::Array { element } => ColumnType::array(element.with_scalar(scalar)),
            _ => scalar,
        }
    }

    /// Parses a type as written in SQL (`int4`, `varchar(20)`, `timestamp(3) with time zone`, `text[]`).
    /// Names keel has no structure for become [`ColumnType::Other`]; a name qualified with a schema
    /// becomes [`ColumnType::Named`].
    pub fn parse(sql: &str) -> Result<ColumnType, ParseTypeError> {
        let text = sql.trim();
        if text.is_empty() {
            return Err(ParseTypeError { input: sql.to_string(), reason: "the type is empty" });
        }
        let (element, dimensions) = strip_array_suffixes(text);
        if dimensions > MAX_ARRAY_DIMENSIONS {
            return Err(ParseTypeError {
                input: sql.to_string(),
                reason: "PostgreSQL arrays have at most 6 dimensions",
            });
        }
        if dimensions > 0 {
            let element = ColumnType::parse(element)?;
            return Ok((0..dimensions).fold(element, |ty, _| ColumnType::array(ty)));
        }
        let lower = text.to_ascii_lowercase();
        let (base, args) = split_modifiers(&lower)
            .ok_or(ParseTypeError { input: sql.to_string(), reason: "unbalanced or invalid type modifiers" })?;
        let base = base.split_whitespace().collect::<Vec<_>>().join(" ");
        let bad = |reason| ParseTypeError { input: sql.to_string(), reason };
        let one = |args: &[u32]| -> Result<Option<u32>, ParseTypeError> {
            match args {
                [] => Ok(None),
                [n] => Ok(Some(*n)),
                _ => Err(bad("this type takes one modifier")),
            }
        };
        let precision = |args: &[u32]| -> Result<Option<u8>, ParseTypeError> {
            match one(args)? {
                None => Ok(None),
                Some(p) if p <= 6 => Ok(Some(p as u8)),
                Some(_) => Err(bad("time precision must be between 0 and 6")),
            }
        };
        let no_args = |ty: ColumnType| {
            if args.is_empty() { Ok(ty) } else { Err(bad("this type takes no modifier")) }
        };
        // `timestamp(3) with time zone`: the modifier sits in the middle, so match on the words around it.
        let (head, tail) = match base.split_once(" with") {
            Some((h, t)) => (h.to_string(), format!("with{t}")),
            None => (base.clone(), String::new()),
        };
        let zone = match tail.as_str() {
            "" | "without time zone" => false,
            "with time zone" => true,
            _ => {
                return Ok(ColumnType::Other { sql: text.to_string() });
            }
        };
        let ty = match (head.as_str(), zone) {
            ("bool" | "boolean", false) => no_args(ColumnType::Boolean)?,
            ("int2" | "smallint", false) => no_args(ColumnType::SmallInt)?,
            ("int" | "int4" | "integer", false) => no_args(ColumnType::Integer)?,
            ("int8" | "bigint", false) => no_args(ColumnType::BigInt)?,
            ("float4" | "real", false) => no_args(ColumnType::Real)?,
            ("float8" | "double precision", false) => no_args(ColumnType::DoublePrecision)?,
            ("numeric" | "decimal", false) => {
                let digits = |n: u32| {
                    u16::try_from(n)
                        .ok()
                        .filter(|n| *n <= MAX_NUMERIC_DIGITS)
                        .ok_or(bad("numeric precision and scale are at most 1000"))
                };
                match args.as_slice() {
                    [] => ColumnType::Numeric { precision: None, scale: None },
                    [p] => ColumnType::Numeric { precision: Some(digits(*p)?), scale: Some(0) },
                    [p, s] => ColumnType::Numeric { precision: Some(digits(*p)?), scale: Some(digits(*s)?) },
                    _ => return Err(bad("numeric takes a precision and a scale")),
                }
            }
            ("text", false) => no_args(ColumnType::Text)?,
            ("varchar" | "character varying", false) => ColumnType::Varchar { length: one(&args)? },
            ("char" | "character" | "bpchar", false) => {
                // `char` alone means char(1) in PostgreSQL.
                ColumnType::Char { length: Some(one(&args)?.unwrap_or(1)) }
            }
            ("bytea", false) => no_args(ColumnType::Bytea)?,
            ("uuid", false) => no_args(ColumnType::Uuid)?,
            ("json", false) => no_args(ColumnType::Json)?,
            ("jsonb", false) => no_args(ColumnType::Jsonb)?,
            ("inet", false) => no_args(ColumnType::Inet)?,
            ("cidr", false) => no_args(ColumnType::Cidr)?,
            ("macaddr", false) => no_args(ColumnType::MacAddr)?,
            ("date", false) => no_args(ColumnType::Date)?,
            ("interval", false) => no_args(ColumnType::Interval)?,
            ("time", z) => ColumnType::Time { precision: precision(&args)?, with_time_zone: z },
            ("timetz", false) => ColumnType::Time { precision: precision(&args)?, with_time_zone: true },
            ("timestamp", z) => ColumnType::Timestamp { precision: precision(&args)?, with_time_zone: z },
            ("timestamptz", false) => ColumnType::Timestamp { precision: precision(&args)?, with_time_zone: true },
            _ => match text.split_once('.') {
                Some((schema, name)) if args.is_empty() && !schema.is_empty() && !name.is_empty() => {
                    ColumnType::named(unquote(schema), unquote(name))
                }
                _ => ColumnType::Other { sql: text.to_string() },
            },
        };
        Ok(ty)
    }
}

/// PostgreSQL's `MAXDIM`.
const MAX_ARRAY_DIMENSIONS: usize = 6;
/// PostgreSQL's `NUMERIC_MAX_PRECISION`, also the largest scale.
const MAX_NUMERIC_DIGITS: u16 = 1000;

/// `text[] []` → (`text`, 2), in a loop: a long run of `[]` must not recurse.
fn strip_array_suffixes(text: &str) -> (&str, usize) {
    let mut element = text;
    let mut dimensions = 0;
    while let Some(inner) = element.strip_suffix("[]") {
        element = inner.trim_end();
        dimensions += 1;
    }
    (element, dimensions)
}

/// Why a SQL type name could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid column type `{input}`: {reason}")]
pub struct ParseTypeError {
    /// The text that was read.
    pub input: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

/// Splits `name(1, 2) rest` into (`name rest`, [1, 2]).
fn split_modifiers(text: &str) -> Option<(String, Vec<u32>)> {
    let Some(open) = text.find('(') else {
        return Some((text.to_string(), Vec::new()));
    };
    let close = open + text[open..].find(')')?;
    let args = text[open + 1..close].split(',').map(|a| a.trim().parse::<u32>().ok()).collect::<Option<Vec<_>>>()?;
    if text[close + 1..].contains(['(', ')']) {
        return None;
    }
    Some((format!("{} {}", &text[..open], &text[close + 1..]), args))
}

fn unquote(part: &str) -> String {
    let part = part.trim();
    match part.strip_prefix('"').and_then(|p| p.strip_suffix('"')) {
        Some(inner) => inner.replace("\"\"", "\""),
        None => part.to_string(),
    }
}

/// The canonical SQL spelling, the one PostgreSQL's `format_type` prints (named types are always qualified).
impl fmt::Display for ColumnType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let zone = |z: bool| {
            if z { "with time zone" } else { "without time zone" }
        };
        match self {
            ColumnType::Boolean => f.write_str("boolean"),
            ColumnType::SmallInt => f.write_str("smallint"),
            ColumnType::Integer => f.write_str("integer"),
            ColumnType::BigInt => f.write_str("bigint"),
            ColumnType::Real => f.write_str("real"),
            ColumnType::DoublePrecision => f.write_str("double precision"),
            ColumnType::Numeric { precision: Some(p), scale } => write!(f, "numeric({p},{})", scale.unwrap_or(0)),
            ColumnType::Numeric { precision: None, .. } => f.write_str("numeric"),
            ColumnType::Text => f.write_str("text"),
            ColumnType::Varchar { length: Some(n) } => write!(f, "character varying({n})"),
            ColumnType::Varchar { length: None } => f.write_str("character varying"),
            ColumnType::Char { length: Some(n) } => write!(f, "character({n})"),
            ColumnType::Char { length: None } => f.write_str("bpchar"),
            ColumnType::Bytea => f.write_str("bytea"),
            ColumnType::Uuid => f.write_str("uuid"),
            ColumnType::Json => f.write_str("json"),
            ColumnType::Jsonb => f.write_str("jsonb"),
            ColumnType::Inet => f.write_str("inet"),
            ColumnType::Cidr => f.write_str("cidr"),
            ColumnType::MacAddr => f.write_str("macaddr"),
            ColumnType::Date => f.write_str("date"),
            ColumnType::Interval => f.write_str("interval"),
            ColumnType::Time { precision: Some(p), with_time_zone } => write!(f, "time({p}) {}", zone(*with_time_zone)),
            ColumnType::Time { precision: None, with_time_zone } => write!(f, "time {}", zone(*with_time_zone)),
            ColumnType::Timestamp { precision: Some(p), with_time_zone } => {
                write!(f, "timestamp({p}) {}", zone(*with_time_zone))
            }
            ColumnType::Timestamp { precision: None, with_time_zone } => {
                write!(f, "timestamp {}", zone(*with_time_zone))
            }
            ColumnType::Array { element } => write!(f, "{element}[]"),
            ColumnType::Named { schema, name } => {
                write!(f, "{}.{}", quote_ident(schema), quote_ident(name))
            }
            ColumnType::Other { sql } => f.write_str(sql),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_aliases_to_one_value() {
        assert_eq!(ColumnType::parse("int4").unwrap(), ColumnType::Integer);
        assert_eq!(ColumnType::parse("VARCHAR(20)").unwrap(), ColumnType::Varchar { length: Some(20) });
        assert_eq!(ColumnType::parse("character varying(20)").unwrap(), ColumnType::Varchar { length: Some(20) });
        assert_eq!(
            ColumnType::parse("timestamp(3) with time zone").unwrap(),
            ColumnType::Timestamp { precision: Some(3), with_time_zone: true }
        );
        assert_eq!(ColumnType::parse("timestamptz").unwrap(), ColumnType::TIMESTAMPTZ);
        assert_eq!(
            ColumnType::parse("numeric(10, 2)").unwrap(),
            ColumnType::Numeric { precision: Some(10), scale: Some(2) }
        );
        assert_eq!(ColumnType::parse("text[][]").unwrap(), ColumnType::array(ColumnType::array(ColumnType::Text)));
        assert_eq!(ColumnType::parse("\"My Schema\".\"Mood\"").unwrap(), ColumnType::named("My Schema", "Mood"));
        assert_eq!(ColumnType::parse("tsvector").unwrap(), ColumnType::Other { sql: "tsvector".into() });
    }

    #[test]
    fn rejects_malformed_modifiers() {
        assert!(ColumnType::parse("varchar(1,2)").is_err());
        assert!(ColumnType::parse("varchar(x)").is_err());
        assert!(ColumnType::parse("uuid(3)").is_err());
        assert!(ColumnType::parse("timestamp(9)").is_err());
        assert!(ColumnType::parse("  ").is_err());
    }

    #[test]
    fn display_is_parseable_and_stable() {
        let types = [
            ColumnType::Numeric { precision: Some(12), scale: Some(4) },
            ColumnType::Varchar { length: Some(500) },
            ColumnType::Time { precision: None, with_time_zone: false },
            ColumnType::Timestamp { precision: Some(0), with_time_zone: true },
            ColumnType::array(ColumnType::Uuid),
            ColumnType::named("public", "transaction_type"),
        ];
        for ty in types {
            assert_eq!(ColumnType::parse(&ty.to_string()).unwrap(), ty, "{ty}");
        }
    }

    /// Found by the fuzz test: each `[]` was one recursive call (a long run overflowed the stack), and a
    /// numeric modifier past `u16` wrapped around (`numeric(65537)` read as `numeric(1)`).
    #[test]
    fn refuses_more_dimensions_or_digits_than_postgres_allows() {
        let deep = format!("integer{}", "[]".repeat(100_000));
        assert!(ColumnType::parse(&deep).is_err());
        assert!(ColumnType::parse("int[][][][][][][]").is_err());
        assert_eq!(ColumnType::parse("int [] []").unwrap(), ColumnType::array(ColumnType::array(ColumnType::Integer)));
        assert!(ColumnType::parse("[]").is_err());
        assert!(ColumnType::parse("numeric(65537)").is_err());
        assert!(ColumnType::parse("numeric(10, 65538)").is_err());
        assert!(ColumnType::parse("numeric(1001)").is_err());
        assert!(ColumnType::parse("numeric(1000, 2)").is_ok());
    }

    #[test]
    fn with_scalar_keeps_array_dimensions() {
        let ty = ColumnType::array(ColumnType::Text).with_scalar(ColumnType::Varchar { length: Some(5) });
        assert_eq!(ty.to_string(), "character varying(5)[]");
    }
}
