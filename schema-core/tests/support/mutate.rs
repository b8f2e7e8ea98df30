//! Fuzz-style inputs for the parsers' property tests: random text, and mutations of a valid input (a
//! character inserted, deleted or replaced, a hostile fragment spliced in). Included by the fuzz tests of
//! every crate (`#[path]`), so all parsers are fed the same kinds of damage.

#![allow(dead_code)]

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::Config;

/// Cases per property: enough to find the usual slicing and overflow panics, small enough for seconds.
pub const CASES: u32 = 256;

/// The runner configuration of a fuzz property (no persistence files: failures print their input).
pub fn config() -> Config {
    Config { cases: CASES, failure_persistence: None, max_shrink_iters: 2_000, ..Config::default() }
}

/// Fragments that break parsers: quotes, brackets, escapes, multi-byte and zero-width characters, NUL,
/// BOM, line endings, numbers past every integer type, deep nesting, a very long run.
pub fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "\"",
            "'",
            "\"\"",
            "`",
            "(",
            ")",
            "[",
            "]",
            "{",
            "}",
            ",",
            ".",
            ":",
            "=",
            "\\",
            "/",
            "?",
            "#",
            "@",
            "%",
            "%zz",
            "%00",
            "$",
            "${",
            "}",
            "-",
            "--",
            ";",
            "*",
            "\0",
            "\u{feff}",
            "\r\n",
            "\n",
            "\t",
            " ",
            "é",
            "ß",
            "\u{10ffff}",
            "\u{200b}",
            "\u{0301}",
            "日本",
            "😀",
            "İ",
            "ſ",
            "99999999999999999999999",
            "-9223372036854775809",
            "18446744073709551616",
            "4294967296",
            "65536",
            "NaN",
            "1e400",
            "0x7f",
        ])
        .prop_map(str::to_string),
        (1usize..200).prop_map(|n| "(".repeat(n)),
        (1usize..200).prop_map(|n| "[".repeat(n)),
        (1usize..200).prop_map(|n| "[]".repeat(n)),
        (1usize..4000).prop_map(|n| "a".repeat(n)),
        any::<char>().prop_map(String::from),
    ]
}

#[derive(Debug, Clone)]
pub enum Edit {
    Insert(Index, String),
    Delete(Index, usize),
    Replace(Index, String),
    /// Repeats a piece of the input, growing nesting and lengths.
    Duplicate(Index, usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let at = any::<Index>;
    prop_oneof![
        (at(), fragment()).prop_map(|(i, f)| Edit::Insert(i, f)),
        (at(), 1usize..8).prop_map(|(i, n)| Edit::Delete(i, n)),
        (at(), fragment()).prop_map(|(i, f)| Edit::Replace(i, f)),
        (at(), 1usize..40, 1usize..50).prop_map(|(i, n, times)| Edit::Duplicate(i, n, times)),
    ]
}

/// The character boundaries of `text`, its end included.
fn boundaries(text: &str) -> Vec<usize> {
    text.char_indices().map(|(i, _)| i).chain([text.len()]).collect()
}

/// `text` with `edit` applied at a character boundary.
pub fn apply(text: &str, edit: &Edit) -> String {
    let cuts = boundaries(text);
    let (at, end_after) = match edit {
        Edit::Insert(i, _) => (i.index(cuts.len()), 0),
        Edit::Delete(i, n) | Edit::Duplicate(i, n, _) => (i.index(cuts.len()), *n),
        Edit::Replace(i, f) => (i.index(cuts.len()), f.chars().count().max(1)),
    };
    let start = cuts[at];
    let end = cuts[(at + end_after).min(cuts.len() - 1)];
    let (head, piece, tail) = (&text[..start], &text[start..end], &text[end..]);
    match edit {
        Edit::Insert(_, f) => format!("{head}{f}{piece}{tail}"),
        Edit::Delete(..) => format!("{head}{tail}"),
        Edit::Replace(_, f) => format!("{head}{f}{tail}"),
        Edit::Duplicate(_, _, times) => format!("{head}{}{tail}", piece.repeat(*times + 1)),
    }
}

/// One of `valid`, damaged by up to `max_edits` edits (none at all sometimes: the valid input must pass too).
pub fn mutated(valid: Vec<String>, max_edits: usize) -> impl Strategy<Value = String> {
    (prop::sample::select(valid), prop::collection::vec(edit(), 0..=max_edits))
        .prop_map(|(text, edits)| edits.iter().fold(text, |text, e| apply(&text, e)))
}

/// Random text: arbitrary characters, or a run of fragments.
pub fn random_text() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), prop::collection::vec(fragment(), 0..12).prop_map(|parts| parts.concat()),]
}

/// Mutations of `valid` half of the time, random text otherwise.
pub fn input(valid: &[&str]) -> impl Strategy<Value = String> + use<> {
    let valid: Vec<String> = valid.iter().map(|s| s.to_string()).collect();
    prop_oneof![3 => mutated(valid, 4), 1 => random_text()]
}
