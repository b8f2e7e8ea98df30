//! Splits a declared SQL file into the statements that define types (schemas, extensions, domains,
//! composite and enum types, their comments) and the rest, so that the types can exist before the
//! derives' tables that use them, and everything else (views over those tables...) runs after the tables.
//! Statements are found with squawk's parser. Each part keeps the file's length and line breaks (the other
//! part's statements become spaces), so PostgreSQL's error positions are positions in the file.

use squawk_syntax::SourceFile;
use squawk_syntax::ast::{AstNode, Stmt};

/// `(types, rest)`. A file squawk cannot read is all `rest`: it runs whole, after the tables, and
/// PostgreSQL reports what is wrong with it.
pub fn split(sql: &str) -> (String, String) {
    if crate::sql_depth::too_deep(sql).is_some() {
        return (blank(sql), sql.to_string());
    }
    crate::sql_depth::on_big_stack(|| split_parsed(sql))
}

fn split_parsed(sql: &str) -> (String, String) {
    let parse = SourceFile::parse(sql);
    if !parse.errors().is_empty() {
        return (blank(sql), sql.to_string());
    }
    let mut types = String::with_capacity(sql.len());
    let mut rest = String::with_capacity(sql.len());
    let mut at = 0;
    for stmt in parse.tree().stmts() {
        let range = stmt.syntax().text_range();
        let (start, end) = (usize::from(range.start()), usize::from(range.end()));
        // Between statements: comments and semicolons, kept on both sides.
        types.push_str(&sql[at..start]);
        rest.push_str(&sql[at..start]);
        let text = &sql[start..end];
        match kind(&stmt, text) {
            Part::Types => {
                types.push_str(text);
                rest.push_str(&blank(text));
            }
            Part::Rest => {
                types.push_str(&blank(text));
                rest.push_str(text);
            }
            Part::Both => {
                types.push_str(text);
                rest.push_str(text);
            }
        }
        at = end;
    }
    types.push_str(&sql[at..]);
    rest.push_str(&sql[at..]);
    (types, rest)
}

enum Part {
    Types,
    Rest,
    /// Session settings (`SET search_path ...`): the statements after them in either part expect them.
    Both,
}

fn kind(stmt: &Stmt, text: &str) -> Part {
    match stmt {
        Stmt::CreateSchema(_)
        | Stmt::CreateExtension(_)
        | Stmt::CreateDomain(_)
        | Stmt::AlterDomain(_)
        | Stmt::CreateType(_)
        | Stmt::AlterType(_) => Part::Types,
        Stmt::CommentOn(_) => {
            let words: Vec<String> = text.split_whitespace().take(3).map(str::to_ascii_lowercase).collect();
            match words.get(2).map(String::as_str) {
                Some("domain" | "type" | "schema" | "extension") => Part::Types,
                _ => Part::Rest,
            }
        }
        Stmt::Set(_) | Stmt::Reset(_) => Part::Both,
        _ => Part::Rest,
    }
}

/// The same number of characters, line breaks kept, everything else a space.
fn blank(text: &str) -> String {
    text.chars().map(|c| if c == '\n' || c == '\r' { c } else { ' ' }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_go_first_and_positions_stay() {
        let sql = "CREATE DOMAIN email AS text; -- mail\nCREATE VIEW v AS SELECT 1;\nCOMMENT ON DOMAIN email IS 'x';\n\
                   COMMENT ON VIEW v IS 'y';\nCREATE TYPE pair AS (a int);\nSET search_path = app;\n";
        let (types, rest) = split(sql);
        assert_eq!(types.chars().count(), sql.chars().count());
        assert_eq!(rest.chars().count(), sql.chars().count());
        assert_eq!(types.lines().count(), sql.lines().count());
        assert!(types.contains("CREATE DOMAIN email") && !types.contains("CREATE VIEW"), "{types}");
        assert!(types.contains("COMMENT ON DOMAIN") && !types.contains("COMMENT ON VIEW"), "{types}");
        assert!(types.contains("CREATE TYPE pair") && types.contains("SET search_path"), "{types}");
        assert!(rest.contains("CREATE VIEW v") && !rest.contains("CREATE DOMAIN"), "{rest}");
        assert!(rest.contains("SET search_path") && rest.contains("-- mail"), "{rest}");
        let view = sql.find("CREATE VIEW").expect("view");
        assert_eq!(rest.find("CREATE VIEW"), Some(view), "the view stays where it was");
    }

    #[test]
    fn a_file_squawk_cannot_read_runs_whole_after_the_tables() {
        let sql = "CREATE DOMAIN d AS int;\nSELEC 1;\n";
        let (types, rest) = split(sql);
        assert_eq!(rest, sql);
        assert!(types.trim().is_empty());
    }
}
