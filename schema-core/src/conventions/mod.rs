//! The conventions keel infers from the team's database guidelines, in one home: the derive applies them
//! (at compile time), `pull` leaves out what they would infer, and lint checks a schema against them.
//! Change a convention here and all three follow.

pub mod nouns;

/// The default of a `created_at`/`updated_at` timestamp.
pub const NOW: &str = "now()";
/// The default of an `is_*`/`has_*` flag.
pub const FALSE: &str = "false";
/// The default of an `id: Uuid` primary key.
pub const GEN_RANDOM_UUID: &str = "gen_random_uuid()";
/// The default of a `#[keel(optimistic_lock)]` version column: a row starts at version 1.
pub const OPTIMISTIC_LOCK_START: &str = "1";

/// The primary key column a table has by convention.
pub const ID_COLUMN: &str = "id";
/// The timestamps every table has, both `timestamptz NOT NULL DEFAULT now()`.
pub const TIMESTAMP_COLUMNS: [&str; 2] = ["created_at", "updated_at"];
/// How a boolean column's name starts.
pub const BOOLEAN_PREFIXES: [&str; 2] = ["is_", "has_"];

/// Rust types (the last segment of their path, as written) that map to a timestamp: the ones the
/// `created_at`/`updated_at` convention applies to.
pub const TIMESTAMP_TYPES: [&str; 5] =
    ["DateTime", "NaiveDateTime", "OffsetDateTime", "PrimitiveDateTime", "UtcDateTime"];
/// The Rust type (last path segment) of a conventional `id`.
pub const UUID_TYPE: &str = "Uuid";
/// The Rust type of a conventional flag.
pub const BOOL_TYPE: &str = "bool";

/// Whether a column's name says it is a boolean flag (`is_deleted`, `has_children`).
pub fn is_boolean_name(column: &str) -> bool {
    BOOLEAN_PREFIXES.iter().any(|p| column.starts_with(p))
}

/// The default the conventions give a column of any table by its name and the last path segment of its
/// Rust type as written (`DateTime` for `chrono::DateTime<Utc>`): `created_at`/`updated_at` timestamps
/// `now()`, `is_*`/`has_*` bools `false`. Seen syntactically, as the derive sees a field.
pub fn column_default(column: &str, rust_type: &str) -> Option<&'static str> {
    if TIMESTAMP_COLUMNS.contains(&column) && TIMESTAMP_TYPES.contains(&rust_type) {
        Some(NOW)
    } else if is_boolean_name(column) && rust_type == BOOL_TYPE {
        Some(FALSE)
    } else {
        None
    }
}

/// The default the conventions give a primary key column: `id: Uuid` is `gen_random_uuid()`.
pub fn primary_key_default(column: &str, rust_type: &str) -> Option<&'static str> {
    (column == ID_COLUMN && rust_type == UUID_TYPE).then_some(GEN_RANDOM_UUID)
}

/// Every default the conventions give a column: [`column_default`], and [`primary_key_default`] for a
/// column of the primary key.
pub fn default_for(column: &str, rust_type: &str, in_primary_key: bool) -> Option<&'static str> {
    column_default(column, rust_type).or_else(|| primary_key_default(column, rust_type).filter(|_| in_primary_key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_by_name_and_type() {
        assert_eq!(default_for("created_at", "DateTime", false), Some("now()"));
        assert_eq!(default_for("updated_at", "OffsetDateTime", false), Some("now()"));
        assert_eq!(default_for("created_at", "String", false), None);
        assert_eq!(default_for("is_deleted", "bool", false), Some("false"));
        assert_eq!(default_for("has_children", "bool", false), Some("false"));
        assert_eq!(default_for("is_deleted", "i32", false), None);
        assert_eq!(default_for("id", "Uuid", true), Some("gen_random_uuid()"));
        assert_eq!(default_for("id", "Uuid", false), None);
        assert_eq!(default_for("id", "i64", true), None);
        assert_eq!(default_for("deleted_at", "DateTime", false), None);
    }
}
