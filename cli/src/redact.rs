//! Passwords never reach the terminal or a log: every message keel prints goes through [`redact`], which
//! hides the password of any URL in it, and any password of a URL keel was given.

use std::sync::Mutex;

static SECRETS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Remembers the password of a URL keel was given, so it is hidden wherever it shows up.
pub fn register(url: &str) {
    let Ok(mut secrets) = SECRETS.lock() else { return };
    for candidate in candidates(url) {
        // A percent-encoded password may be printed decoded by a driver; hide that form too.
        let decoded = percent_decode(candidate);
        for secret in [candidate.to_string(), decoded] {
            if !secret.is_empty() && !secrets.contains(&secret) {
                secrets.push(secret);
            }
        }
    }
}

/// Every span that may be the password of `url`: the parsed one, and, because a password may hold an
/// unencoded `@`, `/` or `?` (`postgres://u:@pa/ss@host/db`), each span from the user's `:` to one of the
/// `@` that follow it. Some spans take in more than the password: hiding too much is the safe side.
fn candidates(url: &str) -> Vec<&str> {
    let mut found: Vec<&str> = password(url).into_iter().collect();
    if let Some(scheme_end) = url.find("://") {
        let rest = &url[scheme_end + 3..];
        // The user's `:` comes before the first `@`; a `:` after it is a port's.
        if let Some(colon) = rest.find(':').filter(|&colon| rest.find('@').is_some_and(|at| colon < at)) {
            let after = &rest[colon + 1..];
            found.extend(after.match_indices('@').map(|(at, _)| &after[..at]));
        }
    }
    found
}

/// `text` with URL passwords and registered secrets replaced by `***`.
pub fn redact(text: &str) -> String {
    // Each finder reads the original text and the spans are merged: hiding one never changes the text
    // another one reads (a registered password inside a URL would otherwise break the URL's shape).
    let mut spans = secret_spans(text);
    spans.extend(url_password_spans(text));
    spans.extend(parameter_spans(text));
    spans.sort_unstable();
    // Spans that overlap or touch become one `***`.
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (start, end) in spans {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut written = 0;
    for (start, end) in merged {
        out.push_str(&text[written..start]);
        out.push_str("***");
        written = end;
    }
    out.push_str(&text[written..]);
    out
}

/// The password in `scheme://user:password@host` or in a `password=` query parameter, if any.
fn password(url: &str) -> Option<&str> {
    let rest = &url[url.find("://")? + 3..];
    let authority = &rest[..rest.find(['/', '?']).unwrap_or(rest.len())];
    if let Some(at) = authority.rfind('@')
        && let Some(colon) = authority[..at].find(':')
    {
        return Some(&authority[colon + 1..at]);
    }
    let query = &url[url.find('?')? + 1..];
    query.split('&').find_map(|pair| pair.strip_prefix("password="))
}

/// Where a registered password occurs in `text`.
fn secret_spans(text: &str) -> Vec<(usize, usize)> {
    let Ok(secrets) = SECRETS.lock() else { return Vec::new() };
    // Shorter than three characters, a password would hide ordinary words.
    let long_enough = secrets.iter().filter(|s| s.len() >= 3);
    long_enough.flat_map(|secret| text.match_indices(secret.as_str()).map(|(at, s)| (at, at + s.len()))).collect()
}

/// The value of each `password=...` (a libpq-style parameter, in a URL query or a key/value string).
fn parameter_spans(text: &str) -> Vec<(usize, usize)> {
    let value_end = |value: &str| value.find(|c: char| c.is_whitespace() || c == '&' || c == '"' || c == '\'');
    text.match_indices("password=")
        .map(|(at, key)| at + key.len())
        .map(|start| (start, start + value_end(&text[start..]).unwrap_or(text.len() - start)))
        .filter(|(start, end)| start < end)
        .collect()
}

/// In each `scheme://...` of `text`, from the user's `:` to the last `@`: a password may hold `@`, `/` or
/// `?` unencoded. An `@` further on (in the query) hides more than the password: the safe side.
fn url_password_spans(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    for (scheme_end, _) in text.match_indices("://") {
        let start = scheme_end + 3;
        let after = &text[start..];
        let token = &after[..after.find(|c: char| c.is_whitespace() || c == '"' || c == '\'').unwrap_or(after.len())];
        let authority = &token[..token.find(['/', '?']).unwrap_or(token.len())];
        if let (Some(colon), Some(at)) = (authority.find(':'), token.rfind('@'))
            && colon + 1 < at
        {
            spans.push((start + colon + 1, start + at));
        }
    }
    spans
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_passwords_are_hidden_wherever_they_appear() {
        assert_eq!(
            redact("connecting to postgres://app:s3cr%40t@db:5432/app?sslmode=require failed"),
            "connecting to postgres://app:***@db:5432/app?sslmode=require failed"
        );
        assert_eq!(redact("postgres://app@db/app"), "postgres://app@db/app");
        assert_eq!(
            redact("postgres://app@db/app?password=pw1&sslmode=require"),
            "postgres://app@db/app?password=***&sslmode=require"
        );
        register("postgres://app:pass/word@db/app");
        assert_eq!(redact("port pass/word is invalid"), "port *** is invalid");
        // A password that starts with `@` and holds `/`: the parser reads it as the host; every span up
        // to an `@` is hidden.
        register("postgres://user:@s3cretPW/@db/app?options=-c%20x%3D@s3cretPW/");
        assert_eq!(redact("options x=@s3cretPW/ rejected"), "options x=*** rejected");
        register("postgres://app:hunter2%21@db/app");
        assert_eq!(redact("password hunter2! rejected"), "password *** rejected");
    }
}
