//! Scratch databases migrated with keel's runner.

use keel::migrate::{MigrateOptions, Migration, Report, migrate, read_migrations};
use keel_test_support::{ScratchDatabase, shared_server};
use sqlx::PgPool;

/// A scratch database and a pool on it; [`TestDb::finish`] drops it.
pub struct TestDb {
    pub database: ScratchDatabase,
    pub pool: PgPool,
}

impl TestDb {
    /// An empty scratch database.
    pub async fn empty() -> TestDb {
        let server = shared_server().expect("a PostgreSQL server");
        let database = server.create_database().await.expect("scratch database");
        let pool = PgPool::connect(&database.url).await.expect("connect");
        TestDb { database, pool }
    }

    /// A scratch database with every migration applied.
    pub async fn migrated() -> TestDb {
        let db = TestDb::empty().await;
        let report = db.migrate(&migrations()).await;
        assert_eq!(report.applied.len(), migrations().len(), "every migration applies to an empty database");
        db
    }

    pub async fn migrate(&self, migrations: &[Migration]) -> Report {
        migrate(&self.database.url, migrations, &MigrateOptions::default(), &mut |_| {})
            .await
            .expect("migrations apply")
    }

    pub async fn finish(self) {
        self.pool.close().await;
        self.database.drop_database().await.expect("drop the scratch database");
    }
}

/// The crate's migrations, in order.
pub fn migrations() -> Vec<Migration> {
    read_migrations(&keel_example_credits::migrations_dir()).expect("read migrations/")
}

/// How many ledger entries the user has.
pub async fn ledger_count(pool: &PgPool, user_id: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM credit_transactions WHERE user_id = $1")
        .bind(user_id)
        .fetch_one(pool)
        .await
        .expect("count ledger entries")
}

/// The labels of the database's `transaction_type`, in their sort order.
pub async fn transaction_type_labels(pool: &PgPool) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT enumlabel::text FROM pg_enum WHERE enumtypid = 'public.transaction_type'::regtype ORDER BY enumsortorder",
    )
    .fetch_all(pool)
    .await
    .expect("labels")
}
