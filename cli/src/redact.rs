//! Passwords never reach the terminal or a log: every message keel prints goes through [`redact`], which
//! hides the password of any URL in it, and any password of a URL keel was given.

use std::sync::Mutex;

static SECRETS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Remembers the password of a URL keel was given, so it is hidden wherever it shows up.
pub fn register(url: &str) {
    if let Some(password) = password(url).filter(|p| !p.is_empty())
        && let Ok(mut secrets) = SECRETS.lock()
        && !secrets.iter().any(|s| *s == password)
    {
        secrets.push(password.to_string());
    }
    // A password with an unencoded `/` (`postgres://u:pa/ss@host/db`): everything from the user's `:` to
    // the last `@` may be the password.
    if let Some(password) = loose_password(url).filter(|p| !p.is_empty())
        && let Ok(mut secrets) = SECRETS.lock()
        && !secrets.iter().any(|s| *s == password)
    {
        secrets.push(password.to_string());
    }
    // A percent-encoded password may be printed decoded by a driver; hide that form too.
    if let Some(password) = password(url).map(percent_decode).filter(|p| !p.is_empty())
        && let Ok(mut secrets) = SECRETS.lock()
        && !secrets.contains(&password)
    {
        secrets.push(password);
    }
}

/// `text` with URL passwords and registered secrets replaced by `***`.
pub fn redact(text: &str) -> String {
    // Registered passwords first: hiding a URL's password changes the text around it, and a password that
    // holds `@` or a space would no longer be found whole.
    let mut out = text.to_string();
    if let Ok(secrets) = SECRETS.lock() {
        for secret in secrets.iter().filter(|s| s.len() >= 3) {
            out = out.replace(secret.as_str(), "***");
        }
    }
    hide_password_parameters(&hide_url_passwords(&out))
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

/// `scheme://user:` up to the last `@`, whatever is between (a password may hold an unencoded `/` or
/// `?`). It may take in more than the password (an `@` in the query): hiding too much is the safe side.
fn loose_password(url: &str) -> Option<&str> {
    let rest = &url[url.find("://")? + 3..];
    let at = rest.rfind('@')?;
    let colon = rest[..at].find(':')?;
    Some(&rest[colon + 1..at])
}

/// `password=...` (a libpq-style parameter, in a URL query or a key/value string) as `password=***`.
fn hide_password_parameters(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("password=") {
        let (before, after) = rest.split_at(i + "password=".len());
        out.push_str(before);
        let end = after.find(|c: char| c.is_whitespace() || c == '&' || c == '"' || c == '\'').unwrap_or(after.len());
        out.push_str(if end > 0 { "***" } else { "" });
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

fn hide_url_passwords(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let (before, after) = rest.split_at(i + 3);
        out.push_str(before);
        let token_end = after.find(|c: char| c.is_whitespace() || c == '"' || c == '\'').unwrap_or(after.len());
        let token = &after[..token_end];
        let authority = &token[..token.find(['/', '?']).unwrap_or(token.len())];
        // From the user's `:` to the token's last `@`: a password may hold `@`, `/` or `?` unencoded. An
        // `@` further on (in the query) hides more than the password: the safe side.
        let hidden = match (authority.find(':'), token.rfind('@')) {
            (Some(colon), Some(at)) if colon < at => Some((colon, at)),
            _ => None,
        };
        match hidden {
            Some((colon, at)) => {
                out.push_str(&token[..colon]);
                out.push_str(":***");
                out.push_str(&token[at..]);
            }
            None => out.push_str(token),
        }
        rest = &after[token.len()..];
    }
    out.push_str(rest);
    out
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
        register("postgres://app:hunter2%21@db/app");
        assert_eq!(redact("password hunter2! rejected"), "password *** rejected");
    }
}
