//! `#[keel(partition_by = "RANGE (created_at)")]`: the partition key of a table, written as
//! `pg_get_partkeydef` prints it (method in capitals, keys separated by `, `) so that the declaration and
//! the database compare equal. PostgreSQL requires the primary key and unique constraints of a
//! partitioned table to include every key column: checked here when the key names plain columns.

/// The key in its printed form, or a message.
pub fn normalize(key: &str) -> Result<(String, Vec<String>), String> {
    let key = key.trim();
    let (method, rest) = key.split_once(|c: char| c.is_whitespace() || c == '(').ok_or_else(usage)?;
    let method = method.to_ascii_uppercase();
    if !matches!(method.as_str(), "RANGE" | "LIST" | "HASH") {
        return Err(format!("unknown partitioning method `{method}`: expected RANGE, LIST or HASH"));
    }
    let rest = if key.as_bytes()[method.len()] == b'(' { &key[method.len()..] } else { rest.trim_start() };
    let inner = rest.strip_prefix('(').and_then(|r| r.strip_suffix(')')).ok_or_else(usage)?;
    let keys: Vec<&str> = inner.split(',').map(str::trim).collect();
    if keys.iter().any(|k| k.is_empty()) {
        return Err(usage());
    }
    let plain = |k: &str| {
        k.chars().next().is_some_and(|c| c.is_ascii_lowercase() || c == '_')
            && k.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    };
    // Expressions (and their commas) are passed through as written; only plain column lists are checked.
    let columns = if keys.iter().all(|k| plain(k)) { keys.iter().map(|k| k.to_string()).collect() } else { Vec::new() };
    let printed = if columns.is_empty() { inner.trim().to_string() } else { keys.join(", ") };
    Ok((format!("{method} ({printed})"), columns))
}

fn usage() -> String {
    "expected `partition_by = \"RANGE (column, ...)\"` (or LIST, HASH)".to_string()
}

/// The key columns a primary key or unique constraint over `columns` lacks.
pub fn missing<'a>(key: &'a [String], columns: &[String]) -> Vec<&'a str> {
    key.iter().filter(|k| !columns.contains(k)).map(String::as_str).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_the_key_as_postgres_does() {
        assert_eq!(normalize("range(created_at)").unwrap(), ("RANGE (created_at)".into(), vec!["created_at".into()]));
        assert_eq!(normalize(" LIST ( a ,b )").unwrap().0, "LIST (a, b)");
        assert_eq!(normalize("RANGE (lower(name))").unwrap(), ("RANGE (lower(name))".into(), vec![]));
        assert!(normalize("ranges (a)").is_err());
        assert!(normalize("RANGE a").is_err());
        assert!(normalize("RANGE ()").is_err());
    }
}
