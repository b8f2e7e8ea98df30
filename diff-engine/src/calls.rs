//! The functions an expression calls, read off the text PostgreSQL printed for it (defaults, checks, index
//! expressions and predicates, view queries, policies, SQL function bodies).
//!
//! PostgreSQL records these dependencies in `pg_depend`, but keel compares a declaration with a database as
//! expressions, and both sides print names the same way: introspection runs with `search_path =
//! pg_catalog, public`, so a call is printed `f(...)` for a function in `public` and `app.f(...)` elsewhere
//! (view queries qualify `public` too). A name that is not a function of the schema (`coalesce`, a type's
//! `varchar(10)`) matches nothing, so reading a little too much is harmless; missing a call is not, and a
//! call is always a name followed by `(`.

use keel_core::model::QualifiedName;

/// Every `name(` and `schema.name(` outside string literals, unqualified names in `public`, in order of
/// appearance, duplicates removed.
pub(crate) fn called_functions(sql: &str) -> Vec<QualifiedName> {
    let tokens = tokens(sql);
    let mut out: Vec<QualifiedName> = Vec::new();
    for (at, token) in tokens.iter().enumerate() {
        if *token != Token::Open || at == 0 {
            continue;
        }
        let Token::Name(name) = &tokens[at - 1] else { continue };
        let name = match (at.checked_sub(3).map(|i| &tokens[i]), tokens.get(at.wrapping_sub(2))) {
            (Some(Token::Name(schema)), Some(Token::Dot)) => QualifiedName::new(schema, name),
            _ => QualifiedName::new(keel_core::DEFAULT_SCHEMA, name),
        };
        if !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

#[derive(Debug, PartialEq, Eq)]
enum Token {
    /// An identifier, folded to lower case unless it was quoted.
    Name(String),
    Dot,
    Open,
    /// Anything else: operators, numbers, literals, other punctuation.
    Other,
}

fn tokens(sql: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {}
            '\'' => {
                // A string literal; `''` inside is an escaped quote.
                while let Some(c) = chars.next() {
                    if c == '\'' && chars.next_if_eq(&'\'').is_none() {
                        break;
                    }
                }
                out.push(Token::Other);
            }
            '"' => {
                let mut name = String::new();
                while let Some(c) = chars.next() {
                    if c == '"' && chars.next_if_eq(&'"').is_none() {
                        break;
                    }
                    name.push(c);
                }
                out.push(Token::Name(name));
            }
            c if c.is_alphabetic() || c == '_' => {
                let mut name = c.to_lowercase().collect::<String>();
                while let Some(c) = chars.next_if(|c| c.is_alphanumeric() || *c == '_' || *c == '$') {
                    name.extend(c.to_lowercase());
                }
                out.push(Token::Name(name));
            }
            '.' => out.push(Token::Dot),
            '(' => out.push(Token::Open),
            _ => out.push(Token::Other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(sql: &str) -> Vec<String> {
        called_functions(sql).into_iter().map(|n| n.to_string()).collect()
    }

    #[test]
    fn reads_unqualified_calls_as_public() {
        assert_eq!(names("next_code()"), ["public.next_code"]);
        assert_eq!(names("(lower(name) = slug(title))"), ["public.lower", "public.slug"]);
    }

    #[test]
    fn reads_qualified_and_quoted_calls() {
        assert_eq!(names("app.next_id() + 1"), ["app.next_id"]);
        assert_eq!(names(r#""My App"."Next ""Id"""(x)"#), [r#"My App.Next "Id""#]);
        assert_eq!(names("public.f (x)"), ["public.f"]);
    }

    #[test]
    fn skips_string_literals_and_plain_words() {
        assert!(names("'f(x)'::text").is_empty());
        assert!(names("'it''s f(x)' || name").is_empty());
        assert!(names("(status = 'a'::text)").is_empty());
        assert_eq!(names("n > 0 AND g(n)"), ["public.g"]);
    }

    #[test]
    fn a_column_of_a_table_is_not_a_call() {
        assert!(names("t.n > 0").is_empty());
        assert_eq!(names("t.n > app.f(t.n)"), ["app.f"]);
    }
}
