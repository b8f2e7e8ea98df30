//! Typed jsonb metadata: it round-trips through the column, and a partial `Metadata` used as a `@>` pattern
//! finds exactly the entries containing it.

use keel_example_credits::{
    CreditTransaction, Metadata, TransactionType, find_transactions_by_metadata, grant, list_transactions, spend,
};

use crate::support::TestDb;

fn meta(source: Option<&str>, order_id: Option<&str>, feature: Option<&str>, tags: &[&str]) -> Metadata {
    Metadata {
        source: source.map(str::to_string),
        order_id: order_id.map(str::to_string),
        feature: feature.map(str::to_string),
        tags: tags.iter().map(|t| t.to_string()).collect(),
    }
}

fn ids<'a>(rows: impl IntoIterator<Item = &'a CreditTransaction>) -> Vec<uuid::Uuid> {
    let mut ids: Vec<_> = rows.into_iter().map(|r| r.id).collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn metadata_round_trips_and_containment_finds_exactly_the_matching_entries() {
    let db = TestDb::migrated().await;
    let (user, other) = ("u_meta", "u_other");
    let purchase = meta(Some("stripe"), Some("ord_1"), None, &["promo"]);
    let a = grant(&db.pool, user, TransactionType::Purchase, 100, purchase.clone()).await.expect("a").transaction;
    let b = spend(&db.pool, user, 5, meta(None, None, Some("export"), &["pdf", "batch"])).await.expect("b").transaction;
    let c = spend(&db.pool, user, 5, meta(None, None, Some("export"), &["csv"])).await.expect("c").transaction;
    let d = spend(&db.pool, user, 5, meta(None, None, Some("chat"), &[])).await.expect("d").transaction;
    grant(&db.pool, other, TransactionType::Bonus, 10, meta(None, None, Some("export"), &["pdf"]))
        .await
        .expect("other");

    // Round trip: what was written is what is read, and absent fields are not stored as nulls.
    assert_eq!(a.metadata.0, purchase);
    let ledger = list_transactions(&db.pool, user).await.expect("ledger");
    let read_a = ledger.iter().find(|t| t.id == a.id).expect("a is in the ledger");
    assert_eq!(read_a.metadata.0, purchase);
    let stored: String = sqlx::query_scalar("SELECT metadata::text FROM credit_transactions WHERE id = $1")
        .bind(d.id)
        .fetch_one(&db.pool)
        .await
        .expect("raw jsonb");
    assert_eq!(stored, r#"{"feature": "chat"}"#);

    let find = |fragment: Metadata| {
        let pool = db.pool.clone();
        async move { ids(&find_transactions_by_metadata(&pool, user, &fragment).await.expect("find")) }
    };
    assert_eq!(find(meta(None, None, Some("export"), &[])).await, ids([&b, &c]));
    assert_eq!(find(meta(None, None, Some("export"), &["pdf"])).await, ids([&b]));
    assert_eq!(find(meta(None, None, None, &["batch", "pdf"])).await, ids([&b]), "tags match as a subset");
    assert_eq!(find(meta(Some("stripe"), None, None, &["promo"])).await, ids([&a]));
    assert_eq!(find(meta(Some("paypal"), None, None, &[])).await, Vec::<uuid::Uuid>::new());
    assert_eq!(find(meta(None, None, Some("export"), &["pdf", "csv"])).await, Vec::<uuid::Uuid>::new());
    assert_eq!(find(Metadata::default()).await, ids([&a, &b, &c, &d]), "every document contains the empty pattern");
    db.finish().await;
}

#[tokio::test]
async fn documents_with_unknown_or_missing_keys_decode() {
    let db = TestDb::migrated().await;
    // Written by another release or by hand: an extra key, and no metadata at all (the column default).
    let rows: Vec<CreditTransaction> = sqlx::query_as(
        "INSERT INTO credit_transactions (user_id, transaction_type, amount, balance_after, metadata) \
         VALUES ('u_doc', 'bonus', 3, 3, '{\"feature\": \"import\", \"legacy_ref\": 42}') RETURNING *",
    )
    .fetch_all(&db.pool)
    .await
    .expect("a document with an extra key");
    assert_eq!(rows[0].metadata.0, meta(None, None, Some("import"), &[]));
    let row: CreditTransaction = sqlx::query_as(
        "INSERT INTO credit_transactions (user_id, transaction_type, amount, balance_after) \
         VALUES ('u_doc', 'bonus', 1, 4) RETURNING *",
    )
    .fetch_one(&db.pool)
    .await
    .expect("the default document");
    assert_eq!(row.metadata.0, Metadata::default());
    db.finish().await;
}
