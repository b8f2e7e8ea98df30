//! End-to-end tests of the built `keel` binary against real PostgreSQL: `TEST_DATABASE_URL` (or
//! `DATABASE_URL`) when set, else a throwaway cluster. App crates are written to temporary directories and
//! built in `target/e2e-apps`, so their dependencies compile once across tests and runs.

#[path = "e2e/harness.rs"]
mod harness;

#[path = "e2e/release.rs"]
mod release;

#[path = "e2e/sqlx_compat.rs"]
mod sqlx_compat;

#[path = "e2e/concurrency.rs"]
mod concurrency;

#[path = "e2e/edited.rs"]
mod edited;

#[path = "e2e/wait_for_db.rs"]
mod wait_for_db;

#[path = "e2e/push.rs"]
mod push;

#[path = "e2e/pull.rs"]
mod pull;

#[path = "e2e/diff.rs"]
mod diff;

#[path = "e2e/cross_version.rs"]
mod cross_version;

#[path = "e2e/generated.rs"]
mod generated;

#[path = "e2e/secrets.rs"]
mod secrets;

#[path = "e2e/help.rs"]
mod help;

#[path = "e2e/prompts.rs"]
mod prompts;

#[path = "e2e/check.rs"]
mod check;

#[path = "e2e/lint.rs"]
mod lint;

#[path = "e2e/twins.rs"]
mod twins;

#[path = "e2e/sql_folder.rs"]
mod sql_folder;

#[path = "e2e/exactly_once.rs"]
mod exactly_once;

#[path = "e2e/out_of_order.rs"]
mod out_of_order;

#[path = "e2e/hostile.rs"]
mod hostile;

#[path = "e2e/push_safety.rs"]
mod push_safety;

#[path = "e2e/lossy.rs"]
mod lossy;

#[path = "e2e/migrate_report.rs"]
mod migrate_report;

#[path = "e2e/removed_values.rs"]
mod removed_values;

#[path = "e2e/first_build.rs"]
mod first_build;

#[path = "e2e/scratch_server.rs"]
mod scratch_server;
