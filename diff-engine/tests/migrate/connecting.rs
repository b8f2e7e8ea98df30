//! Connecting: retrying a refused connection, not retrying an unknown database.

use crate::harness::{connect, database_name, run, with_database};
use keel_diff::migrate::{Event, MigrateError, MigrateOptions};
use sqlx::Connection;
use std::time::Duration;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[tokio::test]
async fn retries_a_refused_connection_a_few_times() {
    let url = format!("postgres://postgres@127.0.0.1:{}/postgres", free_port());
    let (result, events) = run(&url, &[], &MigrateOptions::default()).await;
    let error = result.expect_err("nothing listens there");
    assert!(matches!(error, MigrateError::Connect { attempts: 3, .. }), "{error:?}");
    // The library names the option; `keel migrate` names its flag (`--wait-for-db`).
    assert!(error.to_string().contains("raise `wait_for_db`"), "{error}");
    let retries: Vec<u64> = events
        .iter()
        .filter_map(|e| if let Event::ConnectFailed { retry_in_ms, .. } = e { Some(*retry_in_ms) } else { None })
        .collect();
    assert_eq!(retries, [100, 200], "exponential backoff from 100 ms");

    // With --wait-for-db it keeps trying for that long.
    let options = MigrateOptions { wait_for_db: Duration::from_secs(1), ..MigrateOptions::default() };
    let (result, _) = run(&url, &[], &options).await;
    assert!(matches!(result, Err(MigrateError::Connect { attempts, .. }) if attempts > 3), "{result:?}");
}

#[tokio::test]
async fn does_not_retry_an_unknown_database() {
    with_database(|url| async move {
        let mut conn = connect(&url).await;
        let name = database_name(&mut conn).await;
        conn.close().await.unwrap();
        let missing = url.replacen(&name, "keel_no_such_database", 1);
        let (result, events) = run(&missing, &[], &MigrateOptions::default()).await;
        let error = result.expect_err("the database does not exist");
        assert!(matches!(error, MigrateError::Connect { attempts: 1, .. }), "{error:?}");
        assert!(!events.iter().any(|e| matches!(e, Event::ConnectFailed { .. })));
    })
    .await;
}
