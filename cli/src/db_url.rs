//! Database URLs, wherever they come from (flags, `DATABASE_URL` from the environment or ./.env, keel.toml,
//! `KEEL_DEV_URL`, schema sources): one check, so that no path prints a password or quietly connects
//! somewhere the user did not name (a driver given `u:pw@host` may fall back to localhost:5432).

use crate::redact::{redact, register};
use anyhow::bail;
use sqlx::postgres::PgConnectOptions;
use std::str::FromStr;

/// What a database URL looks like, for messages.
pub const EXPECTED: &str = "postgres://user:password@host:port/database";

/// `text` (trimmed) when it is a `postgres://` or `postgresql://` URL that parses; else an error naming
/// `from` (where the URL came from) that never repeats the text, which may hold a password.
pub fn parse(text: &str, from: &str) -> anyhow::Result<String> {
    let text = text.trim();
    register(text);
    match text.split_once("://").map(|(scheme, _)| scheme) {
        Some(scheme) if scheme.eq_ignore_ascii_case("postgres") || scheme.eq_ignore_ascii_case("postgresql") => {}
        Some(scheme) if is_scheme(scheme) => {
            bail!("{from}: {scheme}:// is not a PostgreSQL URL; expected {EXPECTED}")
        }
        _ => bail!("{from} is not a PostgreSQL URL: it does not start with postgres://; expected {EXPECTED}"),
    }
    if let Err(e) = PgConnectOptions::from_str(text) {
        bail!(
            "{from} is not a valid PostgreSQL URL ({}); expected {EXPECTED}, with any `/`, `@`, `:` or `?` in the \
             user name or password percent-encoded (`%2F`, `%40`, `%3A`, `%3F`)",
            redact(&e.to_string())
        );
    }
    Ok(text.to_string())
}

/// Whether text before `://` is a URL scheme (and not, say, part of a password).
fn is_scheme(text: &str) -> bool {
    text.starts_with(|c: char| c.is_ascii_alphabetic())
        && text.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_postgres_urls_pass_and_errors_hold_no_password() {
        assert_eq!(parse(" postgres://u@h/db ", "x").expect("valid"), "postgres://u@h/db");
        assert!(parse("postgresql://u:pw@h:5432/db?sslmode=disable", "x").is_ok());
        for (url, says) in [
            ("mysql://u:hunter22@h/db", "mysql:// is not a PostgreSQL URL"),
            ("u:hunter22@h:1/db", "does not start with postgres://"),
            ("postgres://u:hunter22/x@h:1/x", "not a valid PostgreSQL URL"),
            ("hunter22", "does not start with postgres://"),
        ] {
            let error = parse(url, "--database-url").expect_err(url).to_string();
            assert!(error.contains(says) && error.starts_with("--database-url"), "{error}");
            assert!(!redact(&error).contains("hunter22") && !error.contains("hunter22"), "{error}");
        }
    }
}
