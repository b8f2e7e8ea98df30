use super::ColumnType;
use serde::{Deserialize, Serialize};

/// A sequence's parameters. `None` means PostgreSQL's default for the sequence's type and direction, which
/// is how introspection reports a default, so that a declaration that says nothing equals the database.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SequenceOptions {
    /// `START WITH`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<i64>,
    /// `INCREMENT BY`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub increment: Option<i64>,
    /// `MINVALUE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_value: Option<i64>,
    /// `MAXVALUE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_value: Option<i64>,
    /// `CACHE`: values preallocated per session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache: Option<i64>,
    /// `CYCLE`: wrap around at the limit instead of failing.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cycle: bool,
}

impl SequenceOptions {
    /// Whether every option is PostgreSQL's default (left out of the JSON form).
    pub fn is_default(&self) -> bool {
        *self == SequenceOptions::default()
    }

    /// The options as stored in `pg_sequence`, with every value that equals PostgreSQL's default for a
    /// sequence of `data_type` left out.
    pub fn from_catalog(
        data_type: &ColumnType,
        start: i64,
        increment: i64,
        min: i64,
        max: i64,
        cache: i64,
        cycle: bool,
    ) -> Self {
        let (type_min, type_max) = integer_range(data_type);
        let ascending = increment > 0;
        let (default_min, default_max) = if ascending { (1, type_max) } else { (type_min, -1) };
        let default_start = if ascending { min } else { max };
        SequenceOptions {
            start: (start != default_start).then_some(start),
            increment: (increment != 1).then_some(increment),
            min_value: (min != default_min).then_some(min),
            max_value: (max != default_max).then_some(max),
            cache: (cache != 1).then_some(cache),
            cycle,
        }
    }

    /// `START WITH 10 INCREMENT BY 2 ...` for the options that are set; empty when all are defaults.
    pub fn sql_clauses(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(v) = self.increment {
            out.push(format!("INCREMENT BY {v}"));
        }
        if let Some(v) = self.min_value {
            out.push(format!("MINVALUE {v}"));
        }
        if let Some(v) = self.max_value {
            out.push(format!("MAXVALUE {v}"));
        }
        if let Some(v) = self.start {
            out.push(format!("START WITH {v}"));
        }
        if let Some(v) = self.cache {
            out.push(format!("CACHE {v}"));
        }
        if self.cycle {
            out.push("CYCLE".to_string());
        }
        out
    }

    /// The smallest and largest value the sequence may produce, defaults resolved for `data_type`.
    pub fn effective_bounds(&self, data_type: &ColumnType) -> (i64, i64) {
        let (type_min, type_max) = integer_range(data_type);
        let ascending = self.increment.unwrap_or(1) > 0;
        let min = self.min_value.unwrap_or(if ascending { 1 } else { type_min });
        let max = self.max_value.unwrap_or(if ascending { type_max } else { -1 });
        (min, max)
    }

    /// Clauses that set every option, defaults included, for `ALTER SEQUENCE` / `ALTER COLUMN ... SET`:
    /// going back to a default must say so.
    pub fn alter_clauses(&self, data_type: &ColumnType) -> Vec<String> {
        let (type_min, type_max) = integer_range(data_type);
        let increment = self.increment.unwrap_or(1);
        let ascending = increment > 0;
        let min = self.min_value.unwrap_or(if ascending { 1 } else { type_min });
        let max = self.max_value.unwrap_or(if ascending { type_max } else { -1 });
        let start = self.start.unwrap_or(if ascending { min } else { max });
        vec![
            format!("INCREMENT BY {increment}"),
            format!("MINVALUE {min}"),
            format!("MAXVALUE {max}"),
            format!("START WITH {start}"),
            format!("CACHE {}", self.cache.unwrap_or(1)),
            if self.cycle { "CYCLE".to_string() } else { "NO CYCLE".to_string() },
        ]
    }
}

/// The range of the integer type a sequence produces (bigint for anything else).
pub fn integer_range(data_type: &ColumnType) -> (i64, i64) {
    match data_type {
        ColumnType::SmallInt => (i16::MIN as i64, i16::MAX as i64),
        ColumnType::Integer => (i32::MIN as i64, i32::MAX as i64),
        _ => (i64::MIN, i64::MAX),
    }
}

/// A standalone sequence (`CREATE SEQUENCE`). Identity columns' sequences belong to the column and are
/// described by [`super::Identity`] instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sequence {
    /// `smallint`, `integer` or `bigint` (PostgreSQL's default).
    #[serde(default = "bigint")]
    pub data_type: ColumnType,
    /// Its parameters.
    #[serde(default, skip_serializing_if = "SequenceOptions::is_default")]
    pub options: SequenceOptions,
    /// The column the sequence belongs to (`OWNED BY`), dropped with it; a `serial` column's sequence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owned_by: Option<SequenceOwner>,
    /// `COMMENT ON SEQUENCE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Default for Sequence {
    fn default() -> Self {
        Sequence { data_type: ColumnType::BigInt, options: SequenceOptions::default(), owned_by: None, comment: None }
    }
}

fn bigint() -> ColumnType {
    ColumnType::BigInt
}

/// `OWNED BY table.column`; the table is in the sequence's schema.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SequenceOwner {
    /// The owning table, in the sequence's schema.
    pub table: String,
    /// The owning column.
    pub column: String,
}
