//! Fuzz-style property of the runner's durations against a real server: any `timeout`, `lock_wait` and
//! `wait_for_db` (keel.toml and flags take whole seconds up to `u64::MAX`) gives `Ok` or `Err`, never a
//! panic from an `Instant` that overflows. Each case runs `migrate` once (`PROPTEST_CASES` overrides).

use keel_diff::migrate::{MigrateOptions, Migration, migrate};
use keel_test_support::shared_server;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use std::time::Duration;

const DEFAULT_CASES: u32 = 32;

/// Seconds from zero to `u64::MAX`, the edges likeliest.
fn seconds() -> impl Strategy<Value = Duration> {
    prop_oneof![
        Just(0),
        1u64..600,
        Just(u64::MAX),
        Just(u64::MAX / 1000),
        Just(i64::MAX as u64),
        (1u64 << 33)..u64::MAX,
    ]
    .prop_map(Duration::from_secs)
}

#[test]
fn any_duration_is_refused_or_used_never_a_panic() {
    let server = shared_server().unwrap_or_else(|e| panic!("no PostgreSQL for the tests: {e}"));
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(DEFAULT_CASES);
    let config = Config { cases, failure_persistence: None, max_shrink_iters: 100, ..Config::default() };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a tokio runtime");
    let database = runtime.block_on(server.create_database()).expect("a scratch database");
    let migrations = [Migration::new(1, "a", "1_a.sql", "CREATE TABLE IF NOT EXISTS a (id integer);")];
    let mut runner = TestRunner::new(config);
    let result = runner.run(&(seconds(), seconds(), seconds()), |(timeout, lock_wait, wait_for_db)| {
        let options = MigrateOptions { timeout, lock_wait, wait_for_db, ..MigrateOptions::default() };
        // A zero timeout times out and a huge one may be refused: any answer but a panic will do.
        let _ = runtime.block_on(migrate(&database.url, &migrations, &options, &mut |_| {}));
        Ok(())
    });
    runtime.block_on(database.drop_database()).expect("drop the scratch database");
    if let Err(e) = result {
        panic!("{e}");
    }
}
