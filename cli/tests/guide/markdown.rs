//! The guide's chapters as sequences of code blocks: every fenced block of `docs/*.md` with what the
//! harness does with it, read from the fence's info string (`sql schema`, `sh exit=2`, `rust file=src/lib.rs`).
//! A block the harness would not know how to check is an error here, so nothing in the guide goes unchecked.

use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One `docs/<name>.md`.
#[derive(Debug)]
pub struct Chapter {
    /// `getting-started.md`.
    pub name: String,
    /// `<!-- guide: start-from other.md -->`: the sandbox starts as that chapter's ended.
    pub start_from: Option<String>,
    pub blocks: Vec<Block>,
}

#[derive(Debug)]
pub struct Block {
    /// `docs/getting-started.md:42` (the fence's line).
    pub place: String,
    pub kind: Kind,
    pub code: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// Compiled in the block crate.
    Rust,
    /// The SQL the preceding `rust` block's declarations produce.
    SqlSchema,
    /// Run in the chapter's database; `Some(code)`: must fail with that SQLSTATE.
    Sql { error: Option<String> },
    /// A keel.toml, read by keel's configuration loader.
    KeelToml,
    /// Written into the chapter's sandbox.
    File { path: PathBuf },
    /// Run with bash in the sandbox; must end with `exit`.
    Sh { exit: i32 },
    /// What the preceding `sh` block prints (see `output.rs`).
    Output,
}

/// Every chapter of `dir` (`*.md`), by file name.
pub fn chapters(dir: &Path) -> Result<Vec<Chapter>, Vec<String>> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|name| name.ends_with(".md"))
        .collect();
    names.sort();
    let mut chapters = Vec::new();
    let mut errors = Vec::new();
    for name in names {
        let text = std::fs::read_to_string(dir.join(&name)).unwrap_or_else(|e| panic!("reading {name}: {e}"));
        match chapter(&name, &text) {
            Ok(c) => chapters.push(c),
            Err(mut e) => errors.append(&mut e),
        }
    }
    if errors.is_empty() { Ok(chapters) } else { Err(errors) }
}

/// One chapter's blocks, or every block the harness cannot check.
pub fn chapter(name: &str, text: &str) -> Result<Chapter, Vec<String>> {
    let line_of = |offset: usize| text[..offset].matches('\n').count() + 1;
    let mut blocks = Vec::new();
    let mut errors = Vec::new();
    let mut start_from = None;
    let mut open: Option<(String, Result<Kind, String>)> = None;
    let mut code = String::new();
    for (event, range) in Parser::new(text).into_offset_iter() {
        let place = format!("docs/{name}:{}", line_of(range.start));
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                open = Some((place, kind(&info)));
                code.clear();
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Indented)) => {
                errors.push(format!("{place}: an indented code block; fence it with a language the harness checks"));
            }
            Event::Text(t) if open.is_some() => code.push_str(&t),
            Event::End(TagEnd::CodeBlock) => match open.take() {
                Some((place, Ok(kind))) => blocks.push(Block { place, kind, code: code.clone() }),
                Some((place, Err(e))) => errors.push(format!("{place}: {e}")),
                None => {}
            },
            Event::Html(html) | Event::InlineHtml(html) => {
                if let Some(rest) = html.trim().strip_prefix("<!-- guide:") {
                    let directive = rest.trim_end_matches("-->").trim();
                    match directive.strip_prefix("start-from ") {
                        Some(other) => start_from = Some(other.trim().to_string()),
                        None => errors.push(format!("{place}: unknown guide directive `{directive}`")),
                    }
                }
            }
            _ => {}
        }
    }
    errors.extend(order_errors(&blocks));
    if errors.is_empty() { Ok(Chapter { name: name.to_string(), start_from, blocks }) } else { Err(errors) }
}

/// What a fence's info string asks for.
fn kind(info: &str) -> Result<Kind, String> {
    let mut words = info.split_whitespace();
    let language = words.next().ok_or("a code block without a language: the harness could not check it")?;
    let mut attributes = BTreeMap::new();
    for word in words {
        let (key, value) = word.split_once('=').unwrap_or((word, ""));
        attributes.insert(key.to_string(), value.to_string());
    }
    let take = |attributes: &mut BTreeMap<String, String>, key: &str| attributes.remove(key);
    let kind = match (language, take(&mut attributes, "file")) {
        ("rust" | "toml" | "sql" | "sh" | "text", Some(path)) if !path.is_empty() => {
            Kind::File { path: PathBuf::from(path) }
        }
        ("rust", None) => Kind::Rust,
        ("toml", None) => Kind::KeelToml,
        ("sql", None) if take(&mut attributes, "schema").is_some() => Kind::SqlSchema,
        ("sql", None) => Kind::Sql { error: take(&mut attributes, "error").filter(|c| !c.is_empty()) },
        ("sh", None) => {
            let exit = take(&mut attributes, "exit").unwrap_or_else(|| "0".into());
            Kind::Sh { exit: exit.parse().map_err(|_| format!("`exit={exit}` is not a number"))? }
        }
        ("text", None) => Kind::Output,
        (language, _) => {
            return Err(format!("`{info}`: the harness checks rust, sql, toml, sh and text blocks, not `{language}`"));
        }
    };
    match attributes.keys().next() {
        Some(extra) => Err(format!("`{info}`: unknown attribute `{extra}`")),
        None => Ok(kind),
    }
}

/// Blocks that only make sense after another kind.
fn order_errors(blocks: &[Block]) -> Vec<String> {
    let mut errors = Vec::new();
    for (i, block) in blocks.iter().enumerate() {
        let previous = i.checked_sub(1).map(|p| &blocks[p].kind);
        match block.kind {
            Kind::SqlSchema if previous != Some(&Kind::Rust) => errors.push(format!(
                "{}: a `sql schema` block must follow the `rust` block whose declarations it shows",
                block.place
            )),
            Kind::Output if !matches!(previous, Some(Kind::Sh { .. })) => errors.push(format!(
                "{}: a `text` block is the whole output of the `sh` block just before it, and there is none",
                block.place
            )),
            _ => {}
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_fences_and_their_attributes() {
        let text = "<!-- guide: start-from a.md -->\n# T\n\n```rust\nstruct A;\n```\n\n```sql schema\nSELECT 1;\n```\n\n\
                    ```sh exit=2\nkeel check\n```\n```text\nmissing\n```\n```toml file=Cargo.toml\n[package]\n```\n";
        let c = chapter("t.md", text).expect("a valid chapter");
        assert_eq!(c.start_from.as_deref(), Some("a.md"));
        let kinds: Vec<&Kind> = c.blocks.iter().map(|b| &b.kind).collect();
        assert_eq!(
            kinds,
            [
                &Kind::Rust,
                &Kind::SqlSchema,
                &Kind::Sh { exit: 2 },
                &Kind::Output,
                &Kind::File { path: PathBuf::from("Cargo.toml") }
            ]
        );
        assert_eq!(c.blocks[0].place, "docs/t.md:4");
        assert_eq!(c.blocks[0].code, "struct A;\n");
    }

    #[test]
    fn refuses_what_it_cannot_check() {
        let errors = chapter(
            "t.md",
            "```\nx\n```\n\n```yaml\na: 1\n```\n\n```sh retry=3\nls\n```\n\n```sql schema\nSELECT 1;\n```\n",
        )
        .expect_err("nothing here can be checked");
        assert_eq!(errors.len(), 4, "{errors:?}");
        assert!(errors[0].contains("without a language"), "{errors:?}");
        assert!(errors[1].contains("`yaml`"), "{errors:?}");
        assert!(errors[2].contains("unknown attribute `retry`"), "{errors:?}");
        assert!(errors[3].contains("must follow the `rust` block"), "{errors:?}");
    }
}
