//! English and SQL-text helpers the convention rules share: snake_case, plural and singular nouns, default
//! expressions compared tolerantly.

use keel_core::conventions;
use keel_core::naming;

pub use keel_core::conventions::nouns::{
    is_plural, is_singular_of, plural_name, singular, singular_name, split_last_word,
};

/// Lower-case words joined by single underscores, starting with a letter: what the derives produce and
/// what needs no quoting in SQL. `address_line1` and `sha256_hash` are snake_case; `FileVersions`,
/// `file__versions`, `_files` and `2fa_codes` are not.
pub fn is_snake_case(name: &str) -> bool {
    name.chars().next().is_some_and(char::is_alphabetic) && name == to_snake_case(name)
}

/// `FileVersions` → `file_versions`, `isFavorite` → `is_favorite`, `file-versions` → `file_versions`.
pub fn to_snake_case(name: &str) -> String {
    naming::type_name(name)
}

/// A default expression in a form that compares tolerantly: lower case, no whitespace, no enclosing
/// parentheses, no trailing casts, no `pg_catalog.` qualification, no quotes around a bare word.
/// `( 'false'::boolean )` → `false`, `NOW()` → `now()`, `pg_catalog.gen_random_uuid()` → `gen_random_uuid()`.
pub fn normalized_default(sql: &str) -> String {
    let mut s: String = sql.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_lowercase();
    loop {
        let before = s.clone();
        if let Some(inner) = s.strip_prefix('(').and_then(|r| r.strip_suffix(')'))
            && balanced(inner)
        {
            s = inner.to_string();
        }
        if let Some(i) = s.rfind("::")
            && s[i + 2..].chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '"' || c == '.')
        {
            s.truncate(i);
        }
        if let Some(inner) = s.strip_prefix('\'').and_then(|r| r.strip_suffix('\''))
            && inner.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            s = inner.to_string();
        }
        if let Some(rest) = s.strip_prefix("pg_catalog.") {
            s = rest.to_string();
        }
        if s == before {
            return s;
        }
    }
}

/// Whether parentheses in `s` never close more than they opened (so stripping an outer pair was right).
fn balanced(s: &str) -> bool {
    let mut depth = 0i32;
    for c in s.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ => {}
        }
        if depth < 0 {
            return false;
        }
    }
    depth == 0
}

/// Whether a default is `now()` or one of its synonyms (`CURRENT_TIMESTAMP`, `transaction_timestamp()`).
pub fn is_now(default: &str) -> bool {
    let default = normalized_default(default);
    default == conventions::NOW || matches!(default.as_str(), "current_timestamp" | "transaction_timestamp()")
}

/// Whether a default is `false`.
pub fn is_false(default: &str) -> bool {
    let default = normalized_default(default);
    default == conventions::FALSE || default == "f"
}

/// Whether a default is `gen_random_uuid()`.
pub fn is_gen_random_uuid(default: &str) -> bool {
    normalized_default(default) == conventions::GEN_RANDOM_UUID
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case() {
        for good in ["files", "file_versions", "address_line1", "sha256_hash", "x"] {
            assert!(is_snake_case(good), "{good}");
        }
        for bad in ["Files", "fileVersions", "file__versions", "_files", "files_", "2fa_codes", "file-tags", ""] {
            assert!(!is_snake_case(bad), "{bad}");
        }
        assert_eq!(to_snake_case("FileVersions"), "file_versions");
        assert_eq!(to_snake_case("isFavorite"), "is_favorite");
    }

    #[test]
    fn defaults_compare_tolerantly() {
        assert!(is_now("now()") && is_now(" NOW ( ) ") && is_now("CURRENT_TIMESTAMP") && is_now("(now())"));
        assert!(is_now("now()::timestamp with time zone"));
        assert!(!is_now("clock_timestamp()"));
        assert!(is_false("false") && is_false("'false'::boolean") && is_false("FALSE"));
        assert!(!is_false("true"));
        assert!(is_gen_random_uuid("gen_random_uuid()") && is_gen_random_uuid("pg_catalog.gen_random_uuid()"));
        assert!(!is_gen_random_uuid("uuid_generate_v4()"));
        assert_eq!(normalized_default("(a) + (b)"), "(a)+(b)");
    }
}
