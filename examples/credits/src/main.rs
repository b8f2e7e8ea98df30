//! The demo: migrate a database with keel's runner (what a service does at start-up), then run the credits
//! flow against it: a purchase, usage, a write based on a stale read refused, a metadata search, settings
//! upserted twice.
//!
//! The database is `DATABASE_URL`. The service links keel's migration runtime only (`keel` with the
//! `migrate` feature): no planner, no SQL parser, no scratch clusters.
//!
//! `DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres cargo run -p keel-example-credits`

use anyhow::{Context, bail, ensure};
use keel::migrate::{MigrateOptions, migrate, read_migrations};
use keel_example_credits::{
    Change, CreditsError, Metadata, Settings, TransactionType, apply_change, find_transactions_by_metadata,
    get_balance, grant, migrations_dir, spend, upsert_settings,
};
use sqlx::PgPool;

const USER: &str = "otUe1YrfENPdHnrF3g1vSBfpkQfambCZ";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let Ok(url) = std::env::var("DATABASE_URL") else {
        bail!("DATABASE_URL is not set: point it at a PostgreSQL database, e.g. postgres://localhost/credits");
    };
    run(&url).await
}

async fn run(url: &str) -> anyhow::Result<()> {
    let migrations = read_migrations(&migrations_dir())?;
    let report = migrate(url, &migrations, &MigrateOptions::default(), &mut |_| {}).await?;
    println!("-- migrated: {} applied now, {} before", report.applied.len(), report.already_applied);

    let pool = PgPool::connect(url).await?;
    let purchase = Metadata { source: Some("stripe".into()), order_id: Some("ord_1001".into()), ..Metadata::default() };
    let bought = grant(&pool, USER, TransactionType::Purchase, 100, purchase).await?;
    println!("purchase: balance {} (version {})", bought.balance.balance, bought.balance.version);

    let export = Metadata { feature: Some("export".into()), tags: vec!["pdf".into()], ..Metadata::default() };
    let spent = spend(&pool, USER, 30, export).await?;
    println!("usage:    balance {} (version {})", spent.balance.balance, spent.balance.version);

    // Two writers read the same version; the second write finds it moved on.
    let read = get_balance(&pool, USER).await?.context("the user has a balance")?;
    let bonus = Change { transaction_type: TransactionType::Bonus, amount: 5, metadata: Metadata::default() };
    apply_change(&pool, &read, &bonus).await?;
    match apply_change(&pool, &read, &bonus).await {
        Err(e @ CreditsError::Conflict { .. }) => println!("stale write refused: {e}"),
        other => anyhow::bail!("a write based on a stale read was not refused: {other:?}"),
    }

    let fragment = Metadata { feature: Some("export".into()), ..Metadata::default() };
    let found = find_transactions_by_metadata(&pool, USER, &fragment).await?;
    println!("entries with metadata @> {}: {}", sqlx::types::Json(&fragment).encode_to_string()?, found.len());
    ensure!(found.len() == 1, "expected the one export entry");

    let mut settings = Settings { low_balance_alert: Some(10), ..Settings::default() };
    let first = upsert_settings(&pool, USER, &settings).await?;
    settings.email_receipts = true;
    let second = upsert_settings(&pool, USER, &settings).await?;
    println!("settings: version {} then {}, same row: {}", first.version, second.version, first.id == second.id);

    let balance = get_balance(&pool, USER).await?.context("the user has a balance")?;
    println!("final:    balance {} (version {})", balance.balance, balance.version);
    pool.close().await;
    Ok(())
}
