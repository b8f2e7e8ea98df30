//! Deeply nested SQL must not crash keel: squawk's parser (and its linter) recurse once per level of
//! nesting, and overflowing the stack aborts the process. Two guards: a file whose parentheses or brackets
//! nest deeper than [`MAX_DEPTH`] is not parsed at all ([`too_deep`]), and parsing runs on a thread with a
//! large stack ([`on_big_stack`]) for the nesting that needs no parentheses (`NOT NOT ... x`, nested
//! `CASE`). No real SQL comes near either limit.

/// The deepest nesting handed to squawk's parser.
pub const MAX_DEPTH: usize = 1_000;

/// The stack of the thread that parses: enough for tens of thousands of levels in a debug build.
const PARSER_STACK: usize = 64 * 1024 * 1024;

/// `work` on a thread with a [`PARSER_STACK`]-byte stack (virtual memory: only what is used is touched);
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
pub fn too_deep(sql: &str) -> Option<usize> {
    let bytes = sql.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'(' | b'[' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(i);
                }
            }
            b')' | b']' => depth = depth.saturating_sub(1),
            b'\'' => i = closing(bytes, i + 1, b'\''),
            b'"' => i = closing(bytes, i + 1, b'"'),
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                i = bytes[i..].iter().position(|&b| b == b'\n').map_or(bytes.len(), |n| i + n);
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => i = block_comment_end(bytes, i + 2),
            b'$' => {
                if let Some(end) = dollar_quote_end(sql, i) {
                    i = end;
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The index of the quote closing a quoted text that starts at `from` (a doubled quote is part of it).
fn closing(bytes: &[u8], mut from: usize, quote: u8) -> usize {
    while from < bytes.len() {
        if bytes[from] == quote {
            if bytes.get(from + 1) == Some(&quote) {
                from += 2;
                continue;
            }
            return from;
        }
        from += 1;
    }
    bytes.len()
}

/// The last index of a (nested) block comment whose text starts at `from`.
fn block_comment_end(bytes: &[u8], mut from: usize) -> usize {
    let mut level = 1;
    while from < bytes.len() {
        match (bytes[from], bytes.get(from + 1)) {
            (b'/', Some(b'*')) => {
                level += 1;
                from += 1;
            }
            (b'*', Some(b'/')) => {
                level -= 1;
                from += 1;
                if level == 0 {
                    return from;
                }
            }
            _ => {}
        }
        from += 1;
    }
    bytes.len()
}

/// The last index of a dollar-quoted string (`$tag$ ... $tag$`) starting at `at`, if one starts there.
fn dollar_quote_end(sql: &str, at: usize) -> Option<usize> {
    let rest = &sql[at + 1..];
    let tag_len = rest.find('$')?;
    let tag = &rest[..tag_len];
    if !tag.chars().all(|c| c.is_alphanumeric() || c == '_') || tag.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let delimiter = &sql[at..at + tag_len + 2];
    let body = at + delimiter.len();
    let close = sql[body..].find(delimiter).map_or(sql.len(), |n| body + n + delimiter.len());
    Some(close - 1)
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

    #[test]
    fn squawk_parses_deep_nesting_on_the_big_stack() {
        let parens = format!("SELECT {}1{};", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
        let nots = format!("SELECT {}true;", "NOT ".repeat(3_000));
        for sql in [parens, nots] {
            assert!(on_big_stack(|| squawk_syntax::SourceFile::parse(&sql).errors().is_empty()));
        }
    }
}
