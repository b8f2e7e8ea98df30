//! Deeply nested SQL must not crash keel: squawk's parser (and its linter) recurse once per level of
//! nesting, and overflowing the stack aborts the process. Two guards: a file whose parentheses or brackets
//! nest deeper than [`MAX_DEPTH`] is not parsed at all ([`too_deep`]), and parsing runs on a thread with a
//! large stack ([`on_big_stack`]) for the nesting that needs no parentheses (`NOT NOT ... x`, nested
//! `CASE`). No real SQL comes near either limit.

use squawk_lexer::TokenKind;

/// The deepest nesting handed to squawk's parser: the runtime's limit (keel-migrate's scanner refuses the
/// same files).
pub use keel_migrate::MAX_DEPTH;

/// The stack of the thread that parses: enough for tens of thousands of levels in a debug build.
const PARSER_STACK: usize = 64 * 1024 * 1024;

/// `work` on a thread with a `PARSER_STACK`-byte stack (virtual memory: only what is used is touched);
/// on this thread when no thread can be started.
pub fn on_big_stack<T: Send>(work: impl FnOnce() -> T + Send) -> T {
    let mut work = Some(work);
    let result = std::thread::scope(|scope| {
        let spawned = std::thread::Builder::new().stack_size(PARSER_STACK).spawn_scoped(scope, || {
            let work = work.take();
            work.map(|work| work())
        });
        spawned.ok().map(|handle| handle.join())
    });
    match result {
        Some(Ok(Some(value))) => value,
        // The thread panicked: the same panic here.
        Some(Err(panic)) => std::panic::resume_unwind(panic),
        _ => (work.take().expect("the work did not run"))(),
    }
}

/// Byte offset of a parsed statement's first token that is not a comment or whitespace: where a message
/// about the statement points.
pub fn statement_start(node: &squawk_syntax::SyntaxNode) -> usize {
    node.descendants_with_tokens()
        .filter_map(|element| element.into_token())
        .find(|token| !token.kind().is_trivia())
        .map_or(node.text_range().start(), |token| token.text_range().start())
        .into()
}

/// Where the nesting first passes [`MAX_DEPTH`]: the byte offset of the opening parenthesis or bracket.
/// The text is split into tokens by squawk's own lexer (the one its parser reads), so what the parser sees
/// as a string, a quoted identifier, a comment or a dollar quote is exactly what is skipped here. The lexer
/// is a loop, not a recursion: any nesting is safe to lex.
pub fn too_deep(sql: &str) -> Option<usize> {
    let (mut depth, mut offset) = (0usize, 0usize);
    for token in squawk_lexer::tokenize(sql) {
        match token.kind {
            TokenKind::OpenParen | TokenKind::OpenBracket => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(offset);
                }
            }
            TokenKind::CloseParen | TokenKind::CloseBracket => depth = depth.saturating_sub(1),
            _ => {}
        }
        offset += token.len as usize;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_nesting_outside_quotes_and_comments() {
        let deep = format!("SELECT {}1{}", "(".repeat(MAX_DEPTH + 1), ")".repeat(MAX_DEPTH + 1));
        assert_eq!(too_deep(&deep), Some(7 + MAX_DEPTH));
        let fine = format!("SELECT {}1{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
        assert_eq!(too_deep(&fine), None);
        let parens = "(".repeat(MAX_DEPTH + 1);
        for quoted in [
            format!("SELECT '{parens}'"),
            format!("SELECT 1 AS \"{parens}\""),
            format!("-- {parens}\nSELECT 1"),
            format!("/* /* */ {parens} */ SELECT 1"),
            format!("SELECT $f${parens}$f$"),
            format!("SELECT $${parens}$$"),
        ] {
            assert_eq!(too_deep(&quoted), None, "{quoted:.40}");
        }
        assert_eq!(too_deep("SELECT $1, 'it''s', ')'"), None);
    }

    /// Opening parentheses squawk's parser sees.
    fn squawk_parens(sql: &str) -> usize {
        let tree = squawk_syntax::SourceFile::parse(sql).syntax_node();
        tree.descendants_with_tokens().filter(|e| e.kind() == squawk_syntax::SyntaxKind::L_PAREN).count()
    }

    #[test]
    fn reads_strings_and_dollar_quotes_as_squawk_lexes_them() {
        // Each would hide the parentheses from a scanner that misreads where a string or comment ends.
        let bypasses = [
            "SELECT E'\\''; SELECT {}",
            "SELECT e'\\\\'; SELECT {}",
            "SELECT x$y$ FROM t; SELECT {}",
            "SELECT a$b$c FROM t; SELECT {}",
            "SELECT 1$a$ ' $a$; SELECT {}",
            "SELECT $a$x$a$$b$ ' $b$; SELECT {}",
            "SELECT 1.E'\\'; SELECT {}; '",
            // `.5`, `.`, then an escape string; `1`, `_`, `.`, then an escape string.
            "SELECT .5.E'\\''; SELECT {}",
            "SELECT 1_.E'\\''; SELECT {}",
            "SELECT x.E'\\''; SELECT {}",
            "SELECT 1; -- c\rSELECT {}",
        ];
        let quoted = [
            "SELECT E'it\\'s {}'",
            "SELECT E'\\\\' AS \"{}\"",
            "SELECT somE'\\' AS \"{}\"",
            "SELECT $\u{e9}t\u{e9}${}$\u{e9}t\u{e9}$",
            "SELECT $\u{20ac}${}$\u{20ac}$",
            "SELECT U&'{}'",
            // `$1`, then a dollar quote.
            "SELECT $1$a$ {} $a$",
            "SELECT N'{}', B'1', X'ff'",
        ];
        let with = |template: &str, levels: usize| template.replace("{}", &"(".repeat(levels));
        for template in bypasses {
            assert_eq!(squawk_parens(&with(template, 3)), 3, "{template}");
            assert!(too_deep(&with(template, MAX_DEPTH + 1)).is_some(), "{template}");
        }
        for template in quoted {
            assert_eq!(squawk_parens(&with(template, 3)), 0, "{template}");
            assert_eq!(too_deep(&with(template, MAX_DEPTH + 1)), None, "{template}");
        }
    }

    #[test]
    fn squawk_parses_deep_nesting_on_the_big_stack() {
        let parens = format!("SELECT {}1{};", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
        let nots = format!("SELECT {}true;", "NOT ".repeat(3_000));
        for sql in [parens, nots] {
            assert!(on_big_stack(|| squawk_syntax::SourceFile::parse(&sql).errors().is_empty()));
        }
    }
}
