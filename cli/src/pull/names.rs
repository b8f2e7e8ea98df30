//! Rust names for database objects: modules, structs, fields, enums and variants, always valid identifiers,
//! unique where they must be, and as close to keel's conventions as the database allows (so that an
//! explicit `table = ...`/`column = ...` is only needed when a convention cannot reproduce a name).

use keel_core::naming;
use std::collections::BTreeSet;

/// Strict and reserved keywords of every edition up to 2024: not usable as plain identifiers.
const KEYWORDS: &[&str] = &[
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for", "if", "impl", "in",
    "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "self", "Self", "static", "struct", "super",
    "trait", "true", "type", "unsafe", "use", "where", "while", "async", "await", "dyn", "abstract", "become", "box",
    "do", "final", "macro", "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
];

/// Keywords that cannot be raw identifiers either.
const NOT_RAW: &[&str] = &["crate", "self", "super", "Self", "_"];

/// Type names a generated item must not take: what the generated modules name (the prelude, keel's
/// derives, the `NoDefault` alias).
const RESERVED_TYPES: &[&str] = &[
    "Self",
    "Table",
    "PgEnum",
    "NoDefault",
    "Option",
    "Some",
    "None",
    "Result",
    "Ok",
    "Err",
    "Vec",
    "String",
    "Box",
    "ToString",
    "ToOwned",
    "Clone",
    "Copy",
    "Send",
    "Sync",
    "Sized",
    "Unpin",
    "Drop",
    "Fn",
    "FnMut",
    "FnOnce",
    "AsyncFn",
    "AsyncFnMut",
    "AsyncFnOnce",
    "Debug",
    "Default",
    "Eq",
    "PartialEq",
    "Ord",
    "PartialOrd",
    "Hash",
    "Iterator",
    "IntoIterator",
    "DoubleEndedIterator",
    "ExactSizeIterator",
    "Extend",
    "From",
    "Into",
    "TryFrom",
    "TryInto",
    "FromIterator",
    "AsRef",
    "AsMut",
    "Future",
    "IntoFuture",
];

/// `name` as a Rust identifier: raw (`r#type`) when it is a keyword, with a trailing `_` when it cannot
/// even be raw (`self_`). `name` must already consist of identifier characters.
pub fn rust_ident(name: &str) -> String {
    if NOT_RAW.contains(&name) {
        format!("{name}_")
    } else if KEYWORDS.contains(&name) {
        format!("r#{name}")
    } else {
        name.to_string()
    }
}

/// Whether `name` is already a snake_case Rust identifier made of ASCII (`user_id`, `type`).
fn is_snake(name: &str) -> bool {
    let mut chars = name.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_lowercase() || c == '_');
    first_ok && name != "_" && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Words of a name: runs of ASCII letters and digits, split at separators and at lower→upper case changes
/// (`HTTPRequest` → `HTTP`, `Request`).
fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut out = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            continue;
        }
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1);
        let boundary = c.is_ascii_uppercase()
            && prev.is_some_and(|p| {
                p.is_ascii_lowercase()
                    || p.is_ascii_digit()
                    || (p.is_ascii_uppercase() && next.is_some_and(|n| n.is_ascii_lowercase()))
            });
        if boundary && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        current.push(c);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// A snake_case rendering of any name (`Order Items` → `order_items`); `fallback` when nothing is left, and
/// `fallback` prepended when it would start with a digit.
pub fn snake(name: &str, fallback: &str) -> String {
    if is_snake(name) {
        return name.to_string();
    }
    let joined = words(name).iter().map(|w| w.to_ascii_lowercase()).collect::<Vec<_>>().join("_");
    if joined.is_empty() {
        fallback.to_string()
    } else if joined.starts_with(|c: char| c.is_ascii_digit()) {
        format!("{fallback}_{joined}")
    } else {
        joined
    }
}

/// An UpperCamelCase rendering of any name (`very sad` → `VerySad`, `HAPPY` → `Happy`); `fallback` when
/// nothing is left, and prepended when it would start with a digit.
pub fn camel(name: &str, fallback: &str) -> String {
    let joined: String = words(name)
        .iter()
        .map(|w| {
            let lower = w.to_ascii_lowercase();
            let mut chars = lower.chars();
            chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        })
        .collect();
    if joined.is_empty() {
        fallback.to_string()
    } else if joined.starts_with(|c: char| c.is_ascii_digit()) {
        format!("{fallback}{joined}")
    } else {
        joined
    }
}

/// The singular of the last word of a snake_case table name, as far as keel's own pluralization can
/// confirm it (`file_versions` → `file_version`); the name itself when no singular pluralizes back to it.
pub fn singular(table: &str) -> String {
    let (head, last) = match table.rsplit_once('_') {
        Some((h, l)) => (Some(h), l),
        None => (None, table),
    };
    let stem = |suffix: &str, replacement: &str| last.strip_suffix(suffix).map(|s| format!("{s}{replacement}"));
    // The conventions' word lists: irregular singulars are candidates, uncountable words their own singular.
    let mut candidates: Vec<Option<String>> =
        naming::IRREGULAR_PLURALS.iter().map(|(singular, _)| Some(singular.to_string())).collect();
    // Words that look singular already keep their `s` (`status`, `address`, `analysis`).
    if !(last.ends_with("us") || last.ends_with("ss") || last.ends_with("is")) {
        candidates.extend([stem("ies", "y"), stem("ves", "fe"), stem("es", ""), stem("s", "")]);
    }
    let found = if naming::UNCOUNTABLE.contains(&last) {
        None
    } else {
        candidates.into_iter().flatten().filter(|c| !c.is_empty() && c != last).find(|c| naming::pluralize(c) == last)
    };
    let last = found.unwrap_or_else(|| last.to_string());
    match head {
        Some(h) => format!("{h}_{last}"),
        None => last,
    }
}

/// Names already taken in one namespace; [`Taken::claim`] finds a free variant of a name.
#[derive(Debug, Default)]
pub struct Taken(BTreeSet<String>);

impl Taken {
    /// A namespace of type names with everything the generated code refers to already reserved.
    pub fn types() -> Taken {
        Taken(RESERVED_TYPES.iter().map(|s| s.to_string()).collect())
    }

    pub fn with(names: &[&str]) -> Taken {
        Taken(names.iter().map(|s| s.to_string()).collect())
    }

    pub fn contains(&self, name: &str) -> bool {
        self.0.contains(name)
    }

    pub fn insert(&mut self, name: &str) {
        self.0.insert(name.to_string());
    }

    /// The first of `candidates`, then `{last}{sep}2`, `{last}{sep}3`, ... that is not taken and that `free`
    /// accepts (given the names taken so far); claims it.
    pub fn claim(&mut self, candidates: &[String], sep: &str, free: impl Fn(&Taken, &str) -> bool) -> String {
        let ok = |taken: &Taken, name: &str| !taken.0.contains(name) && free(taken, name);
        let chosen = candidates.iter().find(|c| ok(self, c)).cloned().unwrap_or_else(|| {
            let last = candidates.last().expect("at least one candidate");
            (2..).map(|n| format!("{last}{sep}{n}")).find(|c| ok(self, c)).expect("some number is free")
        });
        self.0.insert(chosen.clone());
        chosen
    }
}

/// An identifier inside a keel attribute string (a column list, an index key, a reference): as is when it
/// is a plain lower-case name, else double-quoted with `"` doubled, which the derive reads back verbatim.
pub fn sql_ident(name: &str) -> String {
    let mut chars = name.chars();
    let plain = chars.next().is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$');
    if plain { name.to_string() } else { format!("\"{}\"", name.replace('"', "\"\"")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_valid_rust() {
        assert_eq!(rust_ident("type"), "r#type");
        assert_eq!(rust_ident("self"), "self_");
        assert_eq!(rust_ident("user_id"), "user_id");
        assert_eq!(snake("Order Items", "t"), "order_items");
        assert_eq!(snake("HTTPRequest", "t"), "http_request");
        assert_eq!(snake("2fa", "t"), "t_2fa");
        assert_eq!(snake("ünï", "c"), "n");
        assert_eq!(snake("ü", "c"), "c");
        assert_eq!(camel("very sad", "V"), "VerySad");
        assert_eq!(camel("HAPPY", "V"), "Happy");
        assert_eq!(camel("1st", "V"), "V1st");
        assert_eq!(camel("", "V"), "V");
    }

    #[test]
    fn singulars_pluralize_back() {
        for (plural, singular_) in [
            ("file_versions", "file_version"),
            ("categories", "category"),
            ("statuses", "status"),
            ("status", "status"),
            ("boxes", "box"),
            ("people", "person"),
            ("news", "news"),
            ("data", "data"),
            ("addresses", "address"),
            ("files", "file"),
        ] {
            assert_eq!(singular(plural), singular_, "{plural}");
        }
    }

    #[test]
    fn sql_identifiers_are_quoted_when_needed() {
        assert_eq!(sql_ident("user_id"), "user_id");
        assert_eq!(sql_ident("User Id"), "\"User Id\"");
        assert_eq!(sql_ident("a\"b"), "\"a\"\"b\"");
    }
}
