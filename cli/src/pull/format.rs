//! Writing Rust source the way rustfmt (edition 2024, `max_width = 120`, default heuristics) would leave it,
//! so that generated files pass `rustfmt --check` untouched.
//!
//! Only the shapes the generator emits are covered: `#[keel(...)]` attributes (flat lists, and one nested
//! list per attribute), struct fields, and sorted `mod`/`use` lines.

use std::cmp::Ordering;
use std::fmt::Write;

/// rustfmt's `max_width` for the generated files.
pub const MAX_WIDTH: usize = 120;

/// rustfmt's `attr_fn_like_width` with default heuristics: 70% of `max_width`. An attribute's argument
/// list longer than this is written one argument per line.
const ATTR_FN_LIKE_WIDTH: usize = MAX_WIDTH * 7 / 10;

/// A Rust string literal for `value`, escaped as `{:?}` escapes it. Characters whose display width rustfmt
/// might count differently from one column (wide CJK, emoji, invisible ones) are written as `\u{..}`
/// escapes, so the literal's width is its length and line breaking matches rustfmt's.
pub fn lit(value: &str) -> String {
    let debug = format!("{value:?}");
    let mut out = String::with_capacity(debug.len());
    for ch in debug.chars() {
        if ch.is_ascii() || narrow(ch) {
            out.push(ch);
        } else {
            let _ = write!(out, "\\u{{{:x}}}", ch as u32);
        }
    }
    out
}

/// Printable non-ASCII characters one column wide in any terminal: Latin-1 and Latin Extended letters,
/// basic Greek and Cyrillic.
fn narrow(ch: char) -> bool {
    matches!(ch as u32, 0xA1..=0xAC | 0xAE..=0x24F | 0x391..=0x3C9 | 0x400..=0x45F)
}

/// Width of generated text: every character it holds is one column wide (see [`lit`]).
pub fn width(text: &str) -> usize {
    text.chars().count()
}

/// What goes inside `#[keel(...)]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attr {
    /// `a = "x", b, c = 3`: one attribute with these items.
    Flat(Vec<String>),
    /// `check(name = "x", expr = "y")`: one attribute holding one nested list.
    Nested(&'static str, Vec<String>),
}

/// `#[keel(...)]` attributes at `indent` spaces, each with its trailing newline. A flat list too long for
/// one line is split into several attributes (darling merges them), so that rustfmt keeps each on one line
/// whatever its width heuristics; only a single item too long for a line of its own goes vertical. A nested
/// list is one attribute, vertical when too long.
pub fn attribute(out: &mut String, indent: usize, attr: &Attr) {
    let pad = " ".repeat(indent);
    match attr {
        Attr::Flat(items) => {
            let mut group: Vec<&str> = Vec::new();
            for item in items {
                let joined = width(&group.join(", ")) + 2 + width(item);
                if !group.is_empty() && !fits(indent + 9, joined, group.len() + 1) {
                    flat(out, &pad, indent, &group);
                    group.clear();
                }
                group.push(item);
            }
            if !group.is_empty() {
                flat(out, &pad, indent, &group);
            }
        }
        Attr::Nested(name, items) => {
            let one_line = items.join(", ");
            if fits(indent + width(name) + 11, width(&one_line), items.len()) {
                let _ = writeln!(out, "{pad}#[keel({name}({one_line}))]");
            } else {
                let _ = writeln!(out, "{pad}#[keel({name}(");
                vertical(out, &pad, items);
                let _ = writeln!(out, "{pad}))]");
            }
        }
    }
}

/// Groups of items (a field's type, its keys, its foreign key, ...) as few attributes as fit on one line
/// each: a group joins the attribute before it when the whole still fits.
pub fn grouped(out: &mut String, indent: usize, groups: &[Vec<String>]) {
    let mut current: Vec<String> = Vec::new();
    for group in groups.iter().filter(|g| !g.is_empty()) {
        let combined: Vec<String> = current.iter().chain(group).cloned().collect();
        if current.is_empty() || fits(indent + 9, width(&combined.join(", ")), combined.len()) {
            current = combined;
        } else {
            attribute(out, indent, &Attr::Flat(std::mem::replace(&mut current, group.clone())));
        }
    }
    if !current.is_empty() {
        attribute(out, indent, &Attr::Flat(current));
    }
}

/// Whether an argument list `args` columns wide, of `count` items, after `before` columns (indentation,
/// `#[keel(`, closing brackets), stays on one line. rustfmt puts a single argument on one line whenever the
/// line fits; several only within `attr_fn_like_width` too.
fn fits(before: usize, args: usize, count: usize) -> bool {
    before + args <= MAX_WIDTH && (count <= 1 || args <= ATTR_FN_LIKE_WIDTH)
}

fn flat(out: &mut String, pad: &str, indent: usize, items: &[&str]) {
    let one_line = items.join(", ");
    if fits(indent + 9, width(&one_line), items.len()) {
        let _ = writeln!(out, "{pad}#[keel({one_line})]");
    } else {
        let _ = writeln!(out, "{pad}#[keel(");
        let items: Vec<String> = items.iter().map(|s| s.to_string()).collect();
        vertical(out, pad, &items);
        let _ = writeln!(out, "{pad})]");
    }
}

/// Items one per line, indented one level deeper than `pad`, comma-separated without a trailing comma
/// (rustfmt's layout for attribute arguments).
fn vertical(out: &mut String, pad: &str, items: &[String]) {
    for (i, item) in items.iter().enumerate() {
        let comma = if i + 1 < items.len() { "," } else { "" };
        let _ = writeln!(out, "{pad}    {item}{comma}");
    }
}

/// `    pub name: Type,` with its newline; rustfmt moves the type to the next line when the field is too long.
pub fn field(out: &mut String, ident: &str, ty: &str) {
    let line = format!("    pub {ident}: {ty},");
    if width(&line) <= MAX_WIDTH {
        let _ = writeln!(out, "{line}");
    } else {
        let _ = writeln!(out, "    pub {ident}:\n        {ty},");
    }
}

/// The order rustfmt gives consecutive `mod` declarations: by name, byte-wise, ignoring `r#`.
pub fn mod_order(a: &str, b: &str) -> Ordering {
    raw_stripped(a).cmp(raw_stripped(b))
}

/// The order rustfmt (style edition 2024) gives consecutive `use` items: version sorting of the path,
/// ignoring `r#`. Numbers compare by value (`t2` before `t10`); `_` sorts before letters and digits.
pub fn use_order(a: &str, b: &str) -> Ordering {
    version_cmp(raw_stripped(a), raw_stripped(b))
}

fn raw_stripped(name: &str) -> &str {
    name.strip_prefix("r#").unwrap_or(name)
}

/// The Rust style guide's version sort, for the identifiers the generator emits (ASCII letters, digits
/// and `_`).
fn version_cmp(a: &str, b: &str) -> Ordering {
    let (mut a_chunks, mut b_chunks) = (chunks(a), chunks(b));
    let mut zeros = Ordering::Equal;
    loop {
        match (a_chunks.next(), b_chunks.next()) {
            (None, None) => return zeros,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => {
                let numeric = |s: &str| s.starts_with(|c: char| c.is_ascii_digit());
                let order = if numeric(x) && numeric(y) {
                    let (tx, ty) = (x.trim_start_matches('0'), y.trim_start_matches('0'));
                    let by_value = tx.len().cmp(&ty.len()).then_with(|| tx.cmp(ty));
                    if by_value == Ordering::Equal && zeros == Ordering::Equal {
                        // More leading zeros sorts first, if nothing else decides.
                        zeros = y.len().cmp(&x.len());
                    }
                    by_value
                } else {
                    chars_cmp(x, y)
                };
                if order != Ordering::Equal {
                    return order;
                }
            }
        }
    }
}

/// Non-numeric chunks: `_` before everything else, then non-lowercase before lowercase, then by character.
fn chars_cmp(a: &str, b: &str) -> Ordering {
    let key = |c: char| (c != '_', c.is_lowercase(), c);
    a.chars().map(key).cmp(b.chars().map(key))
}

/// Maximal runs of ASCII digits and of everything else.
fn chunks(s: &str) -> impl Iterator<Item = &str> {
    let mut rest = s;
    std::iter::from_fn(move || {
        let first = rest.chars().next()?;
        let digit = first.is_ascii_digit();
        let end = rest.find(|c: char| c.is_ascii_digit() != digit).unwrap_or(rest.len());
        let (chunk, tail) = rest.split_at(end);
        rest = tail;
        Some(chunk)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_escape_quotes_backslashes_and_wide_characters() {
        assert_eq!(lit(r#"it's "x" \ y"#), r#""it's \"x\" \\ y""#);
        assert_eq!(lit("a\nb\tc"), r#""a\nb\tc""#);
        assert_eq!(lit("café"), "\"café\"");
        assert_eq!(lit("表"), "\"\\u{8868}\"");
        assert_eq!(lit("🦀"), "\"\\u{1f980}\"");
    }

    #[test]
    fn version_sort_compares_numbers_by_value() {
        let mut names = vec!["t10", "t2", "r#type", "a_b", "ab", "_x", "zeta", "a1"];
        names.sort_by(|a, b| use_order(a, b));
        assert_eq!(names, ["_x", "a1", "a_b", "ab", "t2", "t10", "r#type", "zeta"]);
        let mut mods = vec!["t10", "t2", "r#type", "a_1", "a1b"];
        mods.sort_by(|a, b| mod_order(a, b));
        assert_eq!(mods, ["a1b", "a_1", "t10", "t2", "r#type"]);
    }
}
