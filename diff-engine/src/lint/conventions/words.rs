//! English and SQL-text helpers the convention rules share: snake_case, plural and singular nouns, default
//! expressions compared tolerantly.

use keel_core::naming;

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

/// Plurals that do not end in `s`, and uncountable nouns a table may be named after.
const PLURALS: &[&str] = &[
    "people",
    "children",
    "men",
    "women",
    "mice",
    "geese",
    "feet",
    "teeth",
    "data",
    "metadata",
    "media",
    "criteria",
    "phenomena",
    "bacteria",
    "alumni",
    "news",
    "series",
    "species",
    "information",
    "info",
    "equipment",
    "feedback",
    "staff",
    // Plurals of words ending in `u` (the `-us` rule below would call them singular).
    "menus",
    "gurus",
    "emus",
    "haikus",
    "skus",
    "cpus",
    "gpus",
];

/// Singular words that end in `s` without one of the suffixes `is_plural` already treats as singular.
const SINGULARS: &[&str] = &[
    "gas",
    "atlas",
    "canvas",
    "alias",
    "bias",
    "lens",
    "chaos",
    "cosmos",
    "ethos",
    "kudos",
    "os",
    "ios",
    "macos",
    "pos",
    "dns",
    "gps",
    "sms",
    "chassis",
    "iris",
    "tennis",
    "trellis",
    "metropolis",
    "yes",
    "this",
];

/// Whether one lower-case word is a plural noun: it ends in `s` (but not in `ss`, `us`, `sis` or `xis`:
/// address, status, analysis, axis), or is a known plural or uncountable noun (people, data, series).
pub fn is_plural(word: &str) -> bool {
    if PLURALS.contains(&word) {
        return true;
    }
    if SINGULARS.contains(&word) {
        return false;
    }
    let singular_suffix = ["ss", "us", "sis", "xis", "itis"].iter().any(|s| word.ends_with(s));
    word.ends_with('s') && !singular_suffix
}

/// The last word of a snake_case name, and what comes before it (`file_versions` → (`file_`, `versions`)).
pub fn split_last_word(name: &str) -> (&str, &str) {
    match name.rfind('_') {
        Some(i) => (&name[..=i], &name[i + 1..]),
        None => ("", name),
    }
}

/// The name with its last word plural: `file_version` → `file_versions`, `status` → `statuses`.
pub fn plural_name(name: &str) -> String {
    let (head, last) = split_last_word(name);
    if is_plural(last) { name.to_string() } else { format!("{head}{}", naming::pluralize(last)) }
}

/// The name with its last word singular: `file_versions` → `file_version`, `categories` → `category`.
pub fn singular_name(name: &str) -> String {
    let (head, last) = split_last_word(name);
    format!("{head}{}", singular(last))
}

/// Singulars ending in `ie`, whose plural would otherwise become `-y` (movies → movie, not movy).
const IE_WORDS: &[&str] =
    &["movie", "cookie", "zombie", "calorie", "pie", "tie", "lie", "selfie", "rookie", "genie", "smoothie", "goalie"];

/// The singular of one plural word: the first candidate that `naming::pluralize` turns back into the word
/// (so it agrees with the table names the derives make), else the word itself.
pub fn singular(word: &str) -> String {
    // An uncountable noun is its own singular (`data`), though it is also an irregular plural (`datum`).
    let mut irregular = naming::IRREGULAR_PLURALS.iter().filter(|(_, plural)| !naming::UNCOUNTABLE.contains(plural));
    if let Some((singular, _)) = irregular.find(|(_, plural)| *plural == word) {
        return (*singular).to_string();
    }
    if !word.ends_with('s') {
        return word.to_string();
    }
    let vowel = |c: Option<char>| c.is_some_and(|c| "aeiou".contains(c));
    let mut candidates = Vec::new();
    if let Some(stem) = word.strip_suffix("ies")
        && !IE_WORDS.contains(&&word[..word.len() - 1])
    {
        candidates.push(format!("{stem}y"));
    }
    if let Some(stem) = word.strip_suffix("es") {
        // statuses → status, addresses → address, boxes → box; but houses → house (a vowel before `uses`).
        let sibilant = ["ss", "x", "z", "ch", "sh"].iter().any(|s| stem.ends_with(s));
        let us = stem.strip_suffix("us").is_some_and(|s| !s.is_empty() && !vowel(s.chars().last()));
        if sibilant || us {
            candidates.push(stem.to_string());
        }
    }
    candidates.push(word[..word.len() - 1].to_string());
    // archives → archive before knives → knife: the first is the usual table name.
    if let Some(stem) = word.strip_suffix("ves") {
        candidates.push(format!("{stem}fe"));
    }
    candidates.into_iter().find(|c| naming::pluralize(c) == word).unwrap_or_else(|| word.to_string())
}

/// Whether `name` is some singular of `plural` (a whole, multi-word table name): `file_version` of
/// `file_versions`, `category` of `categories`, `data` of `data`.
pub fn is_singular_of(name: &str, plural: &str) -> bool {
    let (head, last) = split_last_word(name);
    let (plural_head, plural_last) = split_last_word(plural);
    let uncountable = last == plural_last && naming::pluralize(last) == last && PLURALS.contains(&last);
    head == plural_head && (uncountable || (!is_plural(last) && naming::pluralize(last) == plural_last))
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
    matches!(normalized_default(default).as_str(), "now()" | "current_timestamp" | "transaction_timestamp()")
}

/// Whether a default is `false`.
pub fn is_false(default: &str) -> bool {
    matches!(normalized_default(default).as_str(), "false" | "f")
}

/// Whether a default is `gen_random_uuid()`.
pub fn is_gen_random_uuid(default: &str) -> bool {
    normalized_default(default) == "gen_random_uuid()"
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
    fn plurals() {
        for plural in ["files", "tags", "people", "data", "categories", "addresses", "statuses", "menus", "kpis"] {
            assert!(is_plural(plural), "{plural}");
        }
        for singular in ["file", "status", "address", "analysis", "person", "bonus", "alias", "axis"] {
            assert!(!is_plural(singular), "{singular}");
        }
        assert_eq!(plural_name("file_version"), "file_versions");
        assert_eq!(plural_name("status"), "statuses");
        assert_eq!(plural_name("person"), "people");
    }

    #[test]
    fn singulars_agree_with_pluralize() {
        for (plural, singular_) in [
            ("files", "file"),
            ("categories", "category"),
            ("statuses", "status"),
            ("addresses", "address"),
            ("boxes", "box"),
            ("houses", "house"),
            ("archives", "archive"),
            ("movies", "movie"),
            ("people", "person"),
            ("data", "data"),
            ("file_versions", "file_version"),
        ] {
            assert_eq!(singular_name(plural), singular_, "{plural}");
            assert!(is_singular_of(singular_, plural), "{singular_} of {plural}");
        }
        assert!(!is_singular_of("files", "files"));
        assert!(!is_singular_of("tag", "files"));
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
