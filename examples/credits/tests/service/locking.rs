//! Optimistic locking on `credit_balances.version`: of two writers that read the same version, exactly one
//! writes; the other gets `Conflict` and changes nothing.

use std::sync::Arc;

use keel_example_credits::{
    Change, CreditsError, Metadata, TransactionType, apply_change, get_balance, grant, list_transactions, spend,
};
use tokio::sync::Barrier;

use crate::support::{TestDb, ledger_count};

#[tokio::test]
async fn of_two_writers_that_read_the_same_version_exactly_one_wins() {
    let db = TestDb::migrated().await;
    let user = "u_conflict";
    let funded = grant(&db.pool, user, TransactionType::Purchase, 100, Metadata::default()).await.expect("grant");
    let read_version = funded.balance.version;

    // Both tasks read, then wait until the other has read too, then write: both write from version N.
    let barrier = Arc::new(Barrier::new(2));
    let writers = [10_i64, 25].map(|amount| {
        let (pool, barrier) = (db.pool.clone(), barrier.clone());
        tokio::spawn(async move {
            let read = get_balance(&pool, user).await.expect("read").expect("a balance");
            barrier.wait().await;
            let change =
                Change { transaction_type: TransactionType::Usage, amount: -amount, metadata: Metadata::default() };
            (amount, read.version, apply_change(&pool, &read, &change).await)
        })
    });
    let mut won = Vec::new();
    let mut conflicts = 0;
    for writer in writers {
        let (amount, version_read, result) = writer.await.expect("the writer task finishes");
        assert_eq!(version_read, read_version, "both writers read version N");
        match result {
            Ok(recorded) => won.push((amount, recorded)),
            Err(CreditsError::Conflict { user_id, read_version: v }) => {
                assert_eq!((user_id.as_str(), v), (user, read_version));
                conflicts += 1;
            }
            Err(e) => panic!("a writer failed with something other than a conflict: {e}"),
        }
    }
    assert_eq!((won.len(), conflicts), (1, 1), "exactly one writer wins, the other gets a conflict");
    let (amount, recorded) = won.pop().expect("a winner");

    let balance = get_balance(&db.pool, user).await.expect("read").expect("a balance");
    assert_eq!(balance.balance, 100 - amount, "the balance reflects exactly the winning write");
    assert_eq!(balance.version, read_version + 1, "one write, one version step");
    assert_eq!(balance, recorded.balance, "the winner's returned row is what is stored");
    assert_eq!(ledger_count(&db.pool, user).await, 2, "the grant and the winning write, nothing of the loser");
    let ledger = list_transactions(&db.pool, user).await.expect("ledger");
    let usage: Vec<_> = ledger.iter().filter(|t| t.transaction_type == TransactionType::Usage).collect();
    assert_eq!(usage.len(), 1);
    assert_eq!((usage[0].amount, usage[0].balance_after), (-amount, 100 - amount));
    db.finish().await;
}

#[tokio::test]
async fn concurrent_spends_never_lose_an_update() {
    let db = TestDb::migrated().await;
    let user = "u_many";
    grant(&db.pool, user, TransactionType::Purchase, 1_000, Metadata::default()).await.expect("grant");

    let tasks = 8;
    let barrier = Arc::new(Barrier::new(tasks));
    let spenders: Vec<_> = (0..tasks)
        .map(|_| {
            let (pool, barrier) = (db.pool.clone(), barrier.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                spend(&pool, user, 10, Metadata::default()).await
            })
        })
        .collect();
    let mut succeeded = 0;
    for spender in spenders {
        match spender.await.expect("the task finishes") {
            Ok(_) => succeeded += 1,
            Err(CreditsError::Conflict { .. }) => {}
            Err(e) => panic!("a spend failed with something other than a conflict: {e}"),
        }
    }
    // Whichever interleaving happened, every success is in the balance, the version and the ledger.
    assert!(succeeded >= 1, "the first write to reach the row always finds the version it read");
    let balance = get_balance(&db.pool, user).await.expect("read").expect("a balance");
    assert_eq!(balance.balance, 1_000 - 10 * succeeded);
    assert_eq!(balance.version, 2 + i32::try_from(succeeded).expect("few tasks"));
    assert_eq!(ledger_count(&db.pool, user).await, 1 + succeeded);
    db.finish().await;
}

#[tokio::test]
async fn a_write_on_a_stale_read_changes_nothing() {
    let db = TestDb::migrated().await;
    let user = "u_stale";
    grant(&db.pool, user, TransactionType::Purchase, 50, Metadata::default()).await.expect("grant");
    let stale = get_balance(&db.pool, user).await.expect("read").expect("a balance");
    spend(&db.pool, user, 5, Metadata::default()).await.expect("a fresh spend");

    let change = Change { transaction_type: TransactionType::Bonus, amount: 7, metadata: Metadata::default() };
    let result = apply_change(&db.pool, &stale, &change).await;
    assert!(matches!(result, Err(CreditsError::Conflict { read_version, .. }) if read_version == stale.version));
    let balance = get_balance(&db.pool, user).await.expect("read").expect("a balance");
    assert_eq!((balance.balance, balance.version), (45, stale.version + 1));
    assert_eq!(ledger_count(&db.pool, user).await, 2);
    db.finish().await;
}

#[tokio::test]
async fn spending_more_than_the_balance_is_refused_and_the_table_refuses_negatives() {
    let db = TestDb::migrated().await;
    let user = "u_poor";
    grant(&db.pool, user, TransactionType::Bonus, 20, Metadata::default()).await.expect("grant");
    let before = get_balance(&db.pool, user).await.expect("read").expect("a balance");

    let result = spend(&db.pool, user, 21, Metadata::default()).await;
    assert!(
        matches!(result, Err(CreditsError::InsufficientBalance { available: 20, requested: 21 })),
        "got {result:?}"
    );
    assert!(matches!(spend(&db.pool, "nobody", 1, Metadata::default()).await, Err(CreditsError::NoBalance(_))));
    assert!(matches!(spend(&db.pool, user, 0, Metadata::default()).await, Err(CreditsError::InvalidAmount(0))));
    assert!(matches!(
        grant(&db.pool, user, TransactionType::Usage, 5, Metadata::default()).await,
        Err(CreditsError::NotACredit(TransactionType::Usage))
    ));
    assert_eq!(get_balance(&db.pool, user).await.expect("read"), Some(before), "nothing was written");
    assert_eq!(ledger_count(&db.pool, user).await, 1);

    // The CHECK keel declared from `#[keel(check = "balance >= 0")]` backs the service up.
    let error = sqlx::query("UPDATE credit_balances SET balance = -1 WHERE user_id = $1")
        .bind(user)
        .execute(&db.pool)
        .await
        .expect_err("a negative balance violates the check");
    let constraint = error.as_database_error().and_then(|e| e.constraint().map(str::to_string));
    assert_eq!(constraint.as_deref(), Some("credit_balances_balance_check"));
    db.finish().await;
}
