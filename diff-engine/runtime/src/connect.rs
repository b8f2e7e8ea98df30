//! Connecting, with retries of the errors a database that is starting, restarting or busy gives.

use super::{ConnectAdvice, Event, MigrateError};
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{ConnectOptions, Connection};
use std::str::FromStr;
use std::time::Duration;
use tokio::time::Instant;

/// Attempts made even when `wait_for_db` is zero.
const MIN_ATTEMPTS: u32 = 3;
const FIRST_DELAY: Duration = Duration::from_millis(100);
const MAX_DELAY: Duration = Duration::from_secs(5);

/// The URL's options, named `keel migrate` in `pg_stat_activity` unless the URL names the application.
/// sqlx's statement logging is off: progress is reported through events, and a migration's whole text
/// (or a "slow statement" warning for every long one) does not belong in an app's log.
pub fn options(database_url: &str) -> Result<PgConnectOptions, MigrateError> {
    let scheme = database_url.split_once("://").map(|(scheme, _)| scheme.to_ascii_lowercase());
    if !matches!(scheme.as_deref(), Some("postgres" | "postgresql")) {
        return Err(MigrateError::BadUrl("expected postgres://user@host:port/database".to_string()));
    }
    // sqlx's message does not repeat the URL (which may hold a password).
    let options = PgConnectOptions::from_str(database_url).map_err(|e| MigrateError::BadUrl(e.to_string()))?;
    let options =
        if options.get_application_name().is_none() { options.application_name("keel migrate") } else { options };
    Ok(options.disable_statement_logging())
}

/// Connects, retrying transient errors with exponential backoff while `wait_for_db` has not passed since
/// the first attempt (and for at least [`MIN_ATTEMPTS`] attempts), never past `deadline`.
pub(crate) async fn connect(
    options: &PgConnectOptions,
    wait_for_db: Duration,
    deadline: Instant,
    timeout: Duration,
    on_event: &mut (dyn FnMut(&Event) + Send),
) -> Result<PgConnection, MigrateError> {
    let started = Instant::now();
    let mut delay = FIRST_DELAY;
    let mut attempt = 0;
    loop {
        attempt += 1;
        on_event(&Event::Connecting { attempt });
        let error = match tokio::time::timeout_at(deadline, PgConnection::connect_with(options)).await {
            Ok(Ok(conn)) => return Ok(conn),
            Ok(Err(error)) => error,
            Err(_) => {
                return Err(MigrateError::Timeout {
                    timeout,
                    version: None,
                    during: format!("while connecting to the database (attempt {attempt})"),
                });
            }
        };
        if !is_transient(&error) {
            return Err(MigrateError::Connect { attempts: attempt, error: error.to_string(), advice: None });
        }
        let waiting = started.elapsed() < wait_for_db || attempt < MIN_ATTEMPTS;
        let in_time = Instant::now() + delay < deadline;
        if !waiting || !in_time {
            let advice = if in_time { ConnectAdvice::WaitLonger } else { ConnectAdvice::NoTimeLeft };
            return Err(MigrateError::Connect { attempts: attempt, error: error.to_string(), advice: Some(advice) });
        }
        on_event(&Event::ConnectFailed {
            attempt,
            error: error.to_string(),
            retry_in_ms: u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
        });
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(MAX_DELAY);
    }
}

/// Errors worth another attempt: the network, a server starting or shutting down, too many connections.
/// Authentication failures and unknown databases are not.
fn is_transient(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(_) => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| {
            // 08: connection exception; 57P01/57P02/57P03: shutting down, crashed, starting up;
            // 53300: too many connections.
            code.starts_with("08") || matches!(code.as_ref(), "57P01" | "57P02" | "57P03" | "53300")
        }),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_url_is_reported_without_its_password() {
        for url in ["postgres://user:hunter2@host:99999/db", "mysql://user:hunter2@host/db", "hunter2"] {
            let error = options(url).expect_err(url).to_string();
            assert!(error.starts_with("invalid database URL") && !error.contains("hunter2"), "{error}");
        }
        let named = options("postgres://u@h/db?application_name=app").unwrap();
        assert_eq!(named.get_application_name(), Some("app"));
        assert_eq!(options("postgres://u@h/db").unwrap().get_application_name(), Some("keel migrate"));
    }
}
