//! `transaction_type`: the Rust enum, keel's `CREATE TYPE` and sqlx's encoding agree on every value.

use keel::PgEnum;
use keel_example_credits::{CreditTransaction, TransactionType};

use crate::support::{TestDb, transaction_type_labels};

#[tokio::test]
async fn every_value_round_trips_through_sqlx() {
    let db = TestDb::migrated().await;

    // The type keel created has the derive's labels, in order.
    let labels = transaction_type_labels(&db.pool).await;
    assert_eq!(labels, <TransactionType as PgEnum>::VALUES);
    assert_eq!(TransactionType::ALL.len(), labels.len(), "ALL lists every variant");

    for &value in TransactionType::ALL {
        // Bound by sqlx, stored by PostgreSQL as the derive's label...
        let stored: String = sqlx::query_scalar("SELECT $1::transaction_type::text")
            .bind(value)
            .fetch_one(&db.pool)
            .await
            .expect("bind the enum");
        assert_eq!(stored, value.as_label());
        // ...decoded back from a column, in a row read through FromRow.
        let row: CreditTransaction = sqlx::query_as(
            "INSERT INTO credit_transactions (user_id, transaction_type, amount, balance_after) \
             VALUES ('u_enum', $1, 1, 1) RETURNING *",
        )
        .bind(value)
        .fetch_one(&db.pool)
        .await
        .expect("insert a row of each type");
        assert_eq!(row.transaction_type, value);
        let read: TransactionType =
            sqlx::query_scalar("SELECT transaction_type FROM credit_transactions WHERE id = $1")
                .bind(row.id)
                .fetch_one(&db.pool)
                .await
                .expect("read the value back");
        assert_eq!(read, value);
        assert_eq!(TransactionType::from_label(&stored), Some(value));
    }

    let unknown = sqlx::query("SELECT 'transfer'::transaction_type").execute(&db.pool).await;
    assert!(unknown.is_err(), "values outside the type are refused");
    db.finish().await;
}
