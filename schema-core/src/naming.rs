//! Naming conventions shared by the derives (at compile time) and the rest of keel: table names from type
//! names, and the names PostgreSQL itself gives constraints, so that what the derives declare is what the
//! catalog shows.

use heck::ToSnakeCase;

/// PostgreSQL truncates identifiers to this many bytes (`NAMEDATALEN - 1`).
pub const MAX_IDENTIFIER_BYTES: usize = 63;

/// `FileVersion` → `file_versions`, `Category` → `categories`.
pub fn table_name(type_name: &str) -> String {
    let snake = type_name.to_snake_case();
    match snake.rsplit_once('_') {
        Some((head, last)) => format!("{head}_{}", pluralize(last)),
        None => pluralize(&snake),
    }
}

/// `TransactionType` → `transaction_type`; enum types keep the singular, as the guidelines do.
pub fn type_name(type_name: &str) -> String {
    type_name.to_snake_case()
}

/// `CreditPurchase` → `credit_purchase`; the label of an enum variant.
pub fn enum_value(variant: &str) -> String {
    variant.to_snake_case()
}

/// `field_name` → `field_name`; a Rust field name as a column name (raw identifiers lose their `r#`).
pub fn column_name(field: &str) -> String {
    field.trim_start_matches("r#").to_string()
}

pub use crate::conventions::nouns::{IRREGULAR_PLURALS, UNCOUNTABLE, pluralize};

/// PostgreSQL's own `makeObjectName`: `{name1}_{name2}_{label}`, shortening the longer of the two names
/// first until the whole fits in 63 bytes. Used for `_pkey`, `_key`, `_fkey` and `_check` names.
pub fn object_name(name1: &str, name2: Option<&str>, label: &str) -> String {
    let overhead = label.len() + 1 + usize::from(name2.is_some());
    let mut len1 = name1.len();
    let mut len2 = name2.map_or(0, str::len);
    while len1 + len2 + overhead > MAX_IDENTIFIER_BYTES {
        if len1 > len2 {
            len1 -= 1;
        } else {
            len2 -= 1;
        }
    }
    let mut out = clip(name1, len1).to_string();
    if let Some(name2) = name2 {
        out.push('_');
        out.push_str(clip(name2, len2));
    }
    out.push('_');
    out.push_str(label);
    out
}

/// The longest prefix of at most `bytes` bytes that ends on a character boundary (as `pg_mbcliplen`).
fn clip(s: &str, bytes: usize) -> &str {
    let mut end = bytes.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// `files_pkey`.
pub fn primary_key_name(table: &str) -> String {
    object_name(table, None, "pkey")
}

/// `files_storage_key_key`: PostgreSQL's name for a unique constraint.
pub fn unique_name(table: &str, columns: &[&str]) -> String {
    object_name(table, Some(&columns.join("_")), "key")
}

/// `files_parent_folder_id_fkey`.
pub fn foreign_key_name(table: &str, columns: &[&str]) -> String {
    object_name(table, Some(&columns.join("_")), "fkey")
}

/// `files_size_check`: PostgreSQL's name for a column check.
pub fn check_name(table: &str, column: &str) -> String {
    object_name(table, Some(column), "check")
}

/// `files_size_not_null`: the name PostgreSQL 18 gives a column's `NOT NULL` when it has none to take (a
/// digit is added on a collision, which the catalog alone decides).
pub fn not_null_name(table: &str, column: &str) -> String {
    object_name(table, Some(column), "not_null")
}

/// Whether `name` has the shape of a name PostgreSQL 18 chose for a `NOT NULL`: it ends in `_not_null`,
/// maybe with a number after it (`t_a_not_null`, `t_a_not_null1`). The shape, not the table's and column's
/// names, decides: a table or column renamed since keeps its constraint's old name, and a collision with
/// any constraint of the schema adds the number.
pub fn is_not_null_name(name: &str) -> bool {
    let stem = name.trim_end_matches(|c: char| c.is_ascii_digit());
    stem.ends_with("_not_null") && !(stem.len() < name.len() && name[stem.len()..].starts_with('0'))
}

/// `idx_files_user_id`: the team's index convention.
pub fn index_name(table: &str, columns: &[&str]) -> String {
    format!("idx_{table}_{}", columns.join("_"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_names_are_snake_case_plurals() {
        for (ty, table) in [
            ("File", "files"),
            ("FileVersion", "file_versions"),
            ("Category", "categories"),
            ("FileTag", "file_tags"),
            ("Address", "addresses"),
            ("Box", "boxes"),
            ("Person", "people"),
            ("UserSettings", "user_settings"),
            ("Day", "days"),
            ("Match", "matches"),
            ("Status", "statuses"),
            ("HTTPRequest", "http_requests"),
        ] {
            assert_eq!(table_name(ty), table, "{ty}");
        }
    }

    #[test]
    fn object_names_follow_postgres() {
        assert_eq!(primary_key_name("files"), "files_pkey");
        assert_eq!(unique_name("files", &["storage_key"]), "files_storage_key_key");
        assert_eq!(foreign_key_name("file_tags", &["file_id"]), "file_tags_file_id_fkey");
        let long = "a".repeat(40);
        let name = foreign_key_name(&long, &[&"b".repeat(40)]);
        assert_eq!(name.len(), 63);
        assert_eq!(name, format!("{}_{}_fkey", "a".repeat(29), "b".repeat(28)));
    }

    #[test]
    fn not_null_names_are_recognized_by_their_shape() {
        // Names PostgreSQL 18 chose (seen on a server: truncated, and with the digit a collision adds).
        assert_eq!(not_null_name("orders", "total"), "orders_total_not_null");
        let truncated = not_null_name(&"a".repeat(63), &"b".repeat(63));
        assert_eq!(truncated, format!("{}_{}_not_null", "a".repeat(27), "b".repeat(26)));
        for name in ["orders_total_not_null", "t_a_not_null1", "u_y_not_null12", truncated.as_str()] {
            assert!(is_not_null_name(name), "{name}");
        }
        for name in ["total_required", "not_null", "t_a_not_null_x", "t_a_not_null01", "t_a_notnull"] {
            assert!(!is_not_null_name(name), "{name}");
        }
    }
}
