//! The migration runner against a real PostgreSQL (each test in its own scratch database): applying and
//! re-running, the tracking table and its compatibility with `sqlx migrate` both ways, refusing edited,
//! missing and failed migrations, `-- no-transaction` files, failure reports, the advisory lock (held
//! elsewhere, shared with sqlx, concurrent runners), the overall timeout, dry runs, status, connection
//! retries, and reading a migrations directory as sqlx does.

#[path = "migrate/harness.rs"]
mod harness;

#[path = "migrate/applying.rs"]
mod applying;

#[path = "migrate/verification.rs"]
mod verification;

#[path = "migrate/lock.rs"]
mod lock;

#[path = "migrate/sqlx_compat.rs"]
mod sqlx_compat;

#[path = "migrate/connecting.rs"]
mod connecting;

#[path = "migrate/reading.rs"]
mod reading;

#[path = "migrate/exactly_once.rs"]
mod exactly_once;

#[path = "migrate/safety.rs"]
mod safety;

#[path = "migrate/hostile.rs"]
mod hostile;
