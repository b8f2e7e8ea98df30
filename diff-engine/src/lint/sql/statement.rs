//! The statement a finding is in, as text that does not change when the file around it does: what a
//! baseline of accepted findings recognizes a finding by (its line moves when a statement above it changes).

use squawk_lexer::TokenKind;

/// The statement holding the 1-based `line` and `column` (in characters) of `sql`: its tokens without
/// comments, separated by one space (so re-indenting or re-wrapping it keeps the text). Statements end at
/// `;` as squawk's lexer reads it (never inside a string, a quoted name or a dollar quote). A place
/// between statements belongs to the one that follows; `None` when no statement follows it.
pub fn statement_at(sql: &str, line: usize, column: usize) -> Option<String> {
    let offset = byte_offset(sql, line, column)?;
    let (mut start, mut words) = (0usize, Vec::new());
    for token in squawk_lexer::tokenize(sql) {
        let end = start + token.len as usize;
        let text = &sql[start..end];
        match token.kind {
            TokenKind::Whitespace | TokenKind::LineComment | TokenKind::BlockComment { .. } => {}
            TokenKind::Semi if !words.is_empty() => {
                if end > offset {
                    return Some(words.join(" "));
                }
                words.clear();
            }
            TokenKind::Semi => {}
            _ => words.push(text),
        }
        start = end;
    }
    // The last statement may lack its `;`.
    (!words.is_empty()).then(|| words.join(" "))
}

/// The byte offset of a 1-based line and character column; `None` past the end.
fn byte_offset(sql: &str, line: usize, column: usize) -> Option<usize> {
    let line_start = if line <= 1 { 0 } else { sql.match_indices('\n').nth(line - 2).map(|(i, _)| i + 1)? };
    let rest = &sql[line_start..];
    let within = rest.char_indices().nth(column.saturating_sub(1)).map_or(rest.len(), |(i, _)| i);
    Some(line_start + within)
}

#[cfg(test)]
mod tests {
    use super::statement_at;

    const SQL: &str =
        "-- header\nCREATE TABLE a (x int);\n\nALTER TABLE a\n    ADD COLUMN y text; -- why\nDROP TABLE b";

    #[test]
    fn the_statement_around_a_place_without_comments_or_layout() {
        assert_eq!(statement_at(SQL, 1, 1).as_deref(), Some("CREATE TABLE a ( x int )"));
        assert_eq!(statement_at(SQL, 2, 5).as_deref(), Some("CREATE TABLE a ( x int )"));
        assert_eq!(statement_at(SQL, 5, 9).as_deref(), Some("ALTER TABLE a ADD COLUMN y text"));
        assert_eq!(statement_at(SQL, 6, 1).as_deref(), Some("DROP TABLE b"));
        // Re-wrapped, re-indented and with other statements changed around it: the same text.
        let moved = "CREATE TABLE a (x int, z int);\nALTER TABLE a ADD COLUMN y text;";
        assert_eq!(statement_at(moved, 2, 1).as_deref(), Some("ALTER TABLE a ADD COLUMN y text"));
    }

    #[test]
    fn semicolons_in_strings_and_dollar_quotes_do_not_end_statements() {
        let sql = "UPDATE t SET s = 'a;b';\nDO $$ BEGIN PERFORM 1; END $$;";
        assert_eq!(statement_at(sql, 1, 1).as_deref(), Some("UPDATE t SET s = 'a;b'"));
        assert_eq!(statement_at(sql, 2, 1).as_deref(), Some("DO $$ BEGIN PERFORM 1; END $$"));
        assert_eq!(statement_at("SELECT 1;\n-- done\n", 2, 1), None);
        assert_eq!(statement_at("SELECT 1;", 9, 1), None);
    }
}
