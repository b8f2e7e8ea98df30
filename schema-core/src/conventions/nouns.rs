//! English nouns as table names: the plural the derives give a struct's name, and the singular `pull` and
//! lint read back from a table name. One set of word lists, so the three agree.

/// Irregular plurals, singular first: what [`pluralize`] makes of these words (and [`singular`] reads back).
pub const IRREGULAR_PLURALS: &[(&str, &str)] = &[
    ("person", "people"),
    ("child", "children"),
    ("man", "men"),
    ("woman", "women"),
    ("mouse", "mice"),
    ("goose", "geese"),
    ("foot", "feet"),
    ("tooth", "teeth"),
    ("datum", "data"),
    ("index", "indices"),
    ("matrix", "matrices"),
    ("vertex", "vertices"),
    ("criterion", "criteria"),
    ("analysis", "analyses"),
];

/// Nouns [`pluralize`] leaves as they are.
pub const UNCOUNTABLE: &[&str] =
    &["data", "information", "equipment", "metadata", "news", "series", "species", "media"];

/// English plural of one lower-case word, enough for table names.
pub fn pluralize(word: &str) -> String {
    if let Some((_, plural)) = IRREGULAR_PLURALS.iter().find(|(s, _)| *s == word) {
        return (*plural).to_string();
    }
    if UNCOUNTABLE.contains(&word) || word.is_empty() {
        return word.to_string();
    }
    let vowel = |c: char| "aeiou".contains(c);
    let before_last = word.chars().rev().nth(1);
    if let Some(stem) = word.strip_suffix('y')
        && before_last.is_some_and(|c| !vowel(c))
    {
        return format!("{stem}ies");
    }
    if let Some(stem) = word.strip_suffix("fe") {
        return format!("{stem}ves");
    }
    if word.ends_with("ss")
        || word.ends_with('x')
        || word.ends_with('z')
        || word.ends_with("ch")
        || word.ends_with("sh")
    {
        return format!("{word}es");
    }
    if word.ends_with("us") || word.ends_with("is") {
        // status → statuses, basis → bases would need a dictionary; `statuses` is the common table case.
        return format!("{word}es");
    }
    if word.ends_with('s') {
        return word.to_string();
    }
    format!("{word}s")
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
    if is_plural(last) { name.to_string() } else { format!("{head}{}", pluralize(last)) }
}

/// The name with its last word singular: `file_versions` → `file_version`, `categories` → `category`.
pub fn singular_name(name: &str) -> String {
    let (head, last) = split_last_word(name);
    format!("{head}{}", singular(last))
}

/// Singulars ending in `ie`, whose plural would otherwise become `-y` (movies → movie, not movy).
const IE_WORDS: &[&str] =
    &["movie", "cookie", "zombie", "calorie", "pie", "tie", "lie", "selfie", "rookie", "genie", "smoothie", "goalie"];

/// The singular of one plural word: the first candidate that [`pluralize`] turns back into the word
/// (so it agrees with the table names the derives make), else the word itself.
pub fn singular(word: &str) -> String {
    // An uncountable noun is its own singular (`data`), though it is also an irregular plural (`datum`).
    let mut irregular = IRREGULAR_PLURALS.iter().filter(|(_, plural)| !UNCOUNTABLE.contains(plural));
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
    candidates.into_iter().find(|c| pluralize(c) == word).unwrap_or_else(|| word.to_string())
}

/// Whether `name` is some singular of `plural` (a whole, multi-word table name): `file_version` of
/// `file_versions`, `category` of `categories`, `data` of `data`.
pub fn is_singular_of(name: &str, plural: &str) -> bool {
    let (head, last) = split_last_word(name);
    let (plural_head, plural_last) = split_last_word(plural);
    let uncountable = last == plural_last && pluralize(last) == last && PLURALS.contains(&last);
    head == plural_head && (uncountable || (!is_plural(last) && pluralize(last) == plural_last))
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
