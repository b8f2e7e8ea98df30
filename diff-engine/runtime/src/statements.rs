//! Top-level statements of a SQL text, found with [`crate::lex`]: a `;` ends one unless it is inside
//! parentheses or inside the `BEGIN ATOMIC ... END` body of a `CREATE FUNCTION` or `CREATE PROCEDURE`
//! (whose own `CASE ... END` nest in it), as psql and squawk's parser split them.

use crate::lex::{Kind, Token, tokens};

/// A statement: from its first token through its `;` (or its last token at the end of the text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Statement {
    pub start: usize,
    pub end: usize,
    /// Its tokens, comments and whitespace left out.
    pub tokens: Vec<Token>,
}

impl Statement {
    /// The `n`th token, lower-cased, when it is a bare word.
    pub fn word(&self, sql: &str, n: usize) -> Option<String> {
        let token = self.tokens.get(n)?;
        (token.kind == Kind::Word).then(|| sql[token.start..token.end].to_ascii_lowercase())
    }
}

/// The deepest nesting of parentheses and brackets read: the same limit as the planner's parser, so that
/// runtime and planner refuse the same files.
pub const MAX_DEPTH: usize = 1_000;

/// Where the nesting of parentheses and brackets first passes [`MAX_DEPTH`]: the byte offset of the
/// opening one.
pub fn too_deep(sql: &str) -> Option<usize> {
    let mut depth = 0usize;
    for token in tokens(sql) {
        match token.kind {
            Kind::Open => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(token.start);
                }
            }
            Kind::Close => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// The top-level statements of `sql`, in order.
pub(crate) fn statements(sql: &str) -> Vec<Statement> {
    let mut found = Vec::new();
    let mut current: Option<Builder> = None;
    for token in tokens(sql) {
        if token.kind == Kind::Trivia {
            continue;
        }
        let statement = match &mut current {
            Some(statement) => statement,
            None if token.kind == Kind::Semicolon => continue,
            None => current.insert(Builder::default()),
        };
        if token.kind == Kind::Semicolon && statement.parens == 0 && statement.atomic == 0 {
            let start = statement.tokens.first().map_or(token.start, |t| t.start);
            let tokens = std::mem::take(&mut statement.tokens);
            found.push(Statement { start, end: token.end, tokens });
            current = None;
            continue;
        }
        statement.read(sql, token);
    }
    if let Some(statement) = current
        && let (Some(first), Some(last)) = (statement.tokens.first(), statement.tokens.last())
    {
        found.push(Statement { start: first.start, end: last.end, tokens: statement.tokens.clone() });
    }
    found
}

#[derive(Default)]
struct Builder {
    tokens: Vec<Token>,
    parens: usize,
    /// `BEGIN ATOMIC` bodies and `CASE`s inside them not yet closed by `END`.
    atomic: usize,
}

impl Builder {
    fn read(&mut self, sql: &str, token: Token) {
        let word = |t: &Token| (t.kind == Kind::Word).then(|| sql[t.start..t.end].to_ascii_lowercase());
        match token.kind {
            Kind::Open => self.parens += 1,
            Kind::Close => self.parens = self.parens.saturating_sub(1),
            Kind::Word if self.parens == 0 && self.creates_routine(sql) => {
                match word(&token).as_deref() {
                    // `BEGIN` is read when `ATOMIC` follows it: the body starts there.
                    Some("atomic") if self.tokens.last().and_then(word).as_deref() == Some("begin") => self.atomic += 1,
                    Some("case") if self.atomic > 0 => self.atomic += 1,
                    Some("end") => self.atomic = self.atomic.saturating_sub(1),
                    _ => {}
                }
            }
            _ => {}
        }
        self.tokens.push(token);
    }

    /// `CREATE [OR REPLACE] FUNCTION|PROCEDURE`.
    fn creates_routine(&self, sql: &str) -> bool {
        let words: Vec<String> = self
            .tokens
            .iter()
            .take(4)
            .map(|t| if t.kind == Kind::Word { sql[t.start..t.end].to_ascii_lowercase() } else { String::new() })
            .collect();
        let routine = |w: Option<&String>| w.is_some_and(|w| w == "function" || w == "procedure");
        words.first().is_some_and(|w| w == "create")
            && (routine(words.get(1))
                || (words.get(1).is_some_and(|w| w == "or")
                    && words.get(2).is_some_and(|w| w == "replace")
                    && routine(words.get(3))))
    }
}
