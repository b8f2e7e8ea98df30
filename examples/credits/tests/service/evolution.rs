//! The schema's one evolution: `transaction_type` gains `adjustment` (migration 2, keel's
//! `ALTER TYPE ... ADD VALUE`). Data written under migration 1 survives it, and the new value works.

use keel::PgEnum;
use keel_example_credits::{
    CreditBalance, CreditTransaction, Metadata, Settings, TransactionType, adjust, get_balance, get_settings,
    list_transactions,
};

use crate::support::{TestDb, migrations, transaction_type_labels};

/// Rows shaped like the first release: its four transaction types only.
const RELEASE_1_ROWS: &str = r#"
INSERT INTO credit_balances (user_id, balance, version) VALUES ('u_old', 60, 4);
INSERT INTO credit_transactions (user_id, transaction_type, amount, balance_after, metadata) VALUES
    ('u_old', 'purchase', 100, 100, '{"source": "stripe", "order_id": "ord_7"}'),
    ('u_old', 'usage', -50, 50, '{"feature": "export", "tags": ["pdf"]}'),
    ('u_old', 'refund', 5, 55, '{"order_id": "ord_7"}'),
    ('u_old', 'bonus', 5, 60, '{}');
INSERT INTO user_settings (user_id, settings) VALUES ('u_old', '{"email_receipts": true}');
"#;

#[tokio::test]
async fn release_1_data_survives_adding_adjustment_and_adjustment_works() {
    let migrations = migrations();
    assert_eq!(migrations.len(), 2, "create_credits, then add_adjustment");
    let db = TestDb::empty().await;
    db.migrate(&migrations[..1]).await;
    sqlx::raw_sql(RELEASE_1_ROWS).execute(&db.pool).await.expect("release 1 rows");
    let before_adjustment = sqlx::query("SELECT 'adjustment'::transaction_type").execute(&db.pool).await;
    assert!(before_adjustment.is_err(), "release 1 has no adjustment");
    let balance_before: CreditBalance =
        sqlx::query_as("SELECT * FROM credit_balances").fetch_one(&db.pool).await.expect("balance");
    let mut ledger_before: Vec<CreditTransaction> =
        sqlx::query_as("SELECT * FROM credit_transactions").fetch_all(&db.pool).await.expect("ledger");
    ledger_before.sort_by_key(|t| t.id);

    let report = db.migrate(&migrations).await;
    assert_eq!((report.already_applied, report.applied.len()), (1, 1));

    // Everything written before is there, unchanged.
    let labels = transaction_type_labels(&db.pool).await;
    assert_eq!(labels, <TransactionType as PgEnum>::VALUES);
    assert_eq!(labels.last().map(String::as_str), Some("adjustment"));
    assert_eq!(get_balance(&db.pool, "u_old").await.expect("read"), Some(balance_before.clone()));
    let mut ledger_after = list_transactions(&db.pool, "u_old").await.expect("ledger");
    ledger_after.sort_by_key(|t| t.id);
    assert_eq!(ledger_after, ledger_before);
    // Release 1's labels decode to the right variants.
    let mut by_balance = ledger_after.clone();
    by_balance.sort_by_key(|t| t.balance_after);
    let kinds: Vec<TransactionType> = by_balance.iter().map(|t| t.transaction_type).collect();
    use TransactionType::{Bonus, Purchase, Refund, Usage};
    assert_eq!(kinds, [Usage, Refund, Bonus, Purchase]);
    let settings = get_settings(&db.pool, "u_old").await.expect("read").expect("a row");
    assert_eq!(settings.settings.0, Settings { email_receipts: true, ..Settings::default() });

    // The new value: an operator's correction, through the service.
    let correction = Metadata { source: Some("admin".into()), ..Metadata::default() };
    let recorded = adjust(&db.pool, "u_old", -20, correction.clone()).await.expect("an adjustment");
    assert_eq!(recorded.transaction.transaction_type, TransactionType::Adjustment);
    assert_eq!((recorded.balance.balance, recorded.balance.version), (40, balance_before.version + 1));
    assert_eq!(recorded.transaction.metadata.0, correction);
    let stored: String = sqlx::query_scalar("SELECT transaction_type::text FROM credit_transactions WHERE id = $1")
        .bind(recorded.transaction.id)
        .fetch_one(&db.pool)
        .await
        .expect("the adjustment row");
    assert_eq!(stored, "adjustment");
    db.finish().await;
}
