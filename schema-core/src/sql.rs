//! Quoting of identifiers and literals. Everything keel writes into SQL goes through here.

/// `"name"`, with embedded double quotes doubled. Always quoting keeps capitals, spaces and
/// reserved words exactly as the model spells them.
pub fn quote_ident(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 2);
    out.push('"');
    for ch in name.chars() {
        if ch == '"' {
            out.push('"');
        }
        out.push(ch);
    }
    out.push('"');
    out
}

/// `'text'`, with single quotes doubled. A value holding a backslash is written as an escape string
/// (`E'...'`, backslashes doubled) so it reads the same whatever `standard_conforming_strings` says.
pub fn quote_literal(value: &str) -> String {
    let escape = value.contains('\\');
    let mut out = String::with_capacity(value.len() + 3);
    if escape {
        out.push('E');
    }
    out.push('\'');
    for ch in value.chars() {
        match ch {
            '\'' => out.push_str("''"),
            '\\' => out.push_str("\\\\"),
            _ => out.push(ch),
        }
    }
    out.push('\'');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_identifiers() {
        assert_eq!(quote_ident("files"), "\"files\"");
        assert_eq!(quote_ident("My \"odd\" name"), "\"My \"\"odd\"\" name\"");
    }

    #[test]
    fn quotes_literals() {
        assert_eq!(quote_literal("it's"), "'it''s'");
        assert_eq!(quote_literal(r"a\b"), r"E'a\\b'");
    }
}
