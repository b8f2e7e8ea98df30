//! The derive's attribute-string grammars (column lists, index keys, references), read back exactly as
//! `schema-macros/src/keys.rs` reads them. The generator writes a string, reads it back with these, and
//! only keeps it when it means what the database has: what the derive would misread becomes a warning
//! instead of a compile error or a different schema.

/// One index key as the derive reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    pub column: Option<String>,
    pub expression: Option<String>,
    pub opclass: Option<String>,
    pub descending: bool,
    pub nulls_first: Option<bool>,
}

/// A foreign key target: schema (if written), table, columns.
pub type Reference = (Option<String>, String, Vec<String>);

/// Splits at commas that are not inside parentheses or quotes.
fn split_top_level(text: &str) -> Option<Vec<String>> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut current = String::new();
    for ch in text.chars() {
        match (quote, ch) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(ch),
            (None, '(') => depth += 1,
            (None, ')') => depth = depth.checked_sub(1)?,
            (None, ',') if depth == 0 => {
                parts.push(std::mem::take(&mut current).trim().to_string());
                continue;
            }
            _ => {}
        }
        current.push(ch);
    }
    if depth != 0 || quote.is_some() {
        return None;
    }
    parts.push(current.trim().to_string());
    Some(parts)
}

fn identifier(word: &str) -> Option<String> {
    if let Some(inner) = word.strip_prefix('"').and_then(|w| w.strip_suffix('"')) {
        return (!inner.is_empty()).then(|| inner.replace("\"\"", "\""));
    }
    let ok = !word.is_empty()
        && word.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '$')
        && !word.starts_with(|c: char| c.is_ascii_digit());
    ok.then(|| word.to_string())
}

/// `"a, b"` → `["a", "b"]`.
pub fn columns(text: &str) -> Option<Vec<String>> {
    split_top_level(text)?.iter().map(|part| identifier(part)).collect()
}

pub fn index_keys(text: &str) -> Option<Vec<Key>> {
    split_top_level(text)?.iter().map(|part| index_key(part)).collect()
}

fn index_key(part: &str) -> Option<Key> {
    if part.is_empty() {
        return None;
    }
    let mut key = Key { column: None, expression: None, opclass: None, descending: false, nulls_first: None };
    let rest = if part.starts_with('(') {
        let close = matching_paren(part)?;
        let expr = part[1..close].trim();
        if expr.is_empty() {
            return None;
        }
        key.expression = Some(expr.to_string());
        &part[close + 1..]
    } else {
        let end = first_word_end(part);
        key.column = Some(identifier(&part[..end])?);
        &part[end..]
    };
    let words: Vec<&str> = rest.split_whitespace().collect();
    let mut i = 0;
    if let Some(w) = words.first()
        && !matches!(w.to_ascii_uppercase().as_str(), "ASC" | "DESC" | "NULLS")
    {
        key.opclass = Some(identifier(w)?);
        i = 1;
    }
    if let Some(w) = words.get(i) {
        match w.to_ascii_uppercase().as_str() {
            "ASC" => i += 1,
            "DESC" => {
                key.descending = true;
                i += 1;
            }
            _ => {}
        }
    }
    if let Some(w) = words.get(i)
        && w.eq_ignore_ascii_case("NULLS")
    {
        key.nulls_first = match words.get(i + 1).map(|w| w.to_ascii_uppercase()).as_deref() {
            Some("FIRST") => Some(true),
            Some("LAST") => Some(false),
            _ => return None,
        };
        i += 2;
    }
    (i == words.len()).then_some(key)
}

fn first_word_end(part: &str) -> usize {
    if part.starts_with('"') {
        let mut chars = part.char_indices().skip(1).peekable();
        while let Some((i, c)) = chars.next() {
            if c == '"' {
                if chars.peek().is_some_and(|(_, c)| *c == '"') {
                    chars.next();
                } else {
                    return i + 1;
                }
            }
        }
        return part.len();
    }
    part.find(char::is_whitespace).unwrap_or(part.len())
}

fn matching_paren(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// `table`, `table(col, ...)`, `schema.table(col, ...)`.
pub fn reference(text: &str) -> Option<Reference> {
    let text = text.trim();
    let (target, cols) = match text.find('(') {
        Some(open) => (&text[..open], columns(text[open + 1..].strip_suffix(')')?)?),
        None => (text, vec!["id".to_string()]),
    };
    let target = target.trim();
    let (schema, table) = match target.split_once('.') {
        Some((s, t)) => (Some(identifier(s)?), t),
        None => (None, target),
    };
    Some((schema, identifier(table)?, cols))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_the_derive_reads() {
        let keys =
            index_keys("user_id, (lower(name)) text_pattern_ops, created_at DESC NULLS LAST, \"Odd Col\"").unwrap();
        assert_eq!(keys[1].expression.as_deref(), Some("lower(name)"));
        assert_eq!(keys[1].opclass.as_deref(), Some("text_pattern_ops"));
        assert_eq!((keys[2].descending, keys[2].nulls_first), (true, Some(false)));
        assert_eq!(keys[3].column.as_deref(), Some("Odd Col"));
        assert!(index_keys("(a = ')')").is_none_or(|k| k[0].expression.as_deref() != Some("a = ')'")));
        assert_eq!(
            reference("auth.\"Users\"(id, \"tenant id\")").unwrap(),
            (Some("auth".into()), "Users".into(), vec!["id".into(), "tenant id".into()])
        );
        assert_eq!(columns("a, \"b, c\"").unwrap(), ["a", "b, c"]);
    }
}
