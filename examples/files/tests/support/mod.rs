//! A scratch database per test, a pool on it, and keel's runner for this crate's migrations.

use keel_diff::migrate::{MigrateOptions, Migration, migrate, read_migrations};
use keel_test_support::{ScratchDatabase, shared_server};
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;
use std::path::Path;

/// The crate's `migrations/`, in order.
pub fn migrations() -> Vec<Migration> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    read_migrations(&dir).expect("the example's migrations read")
}

/// An empty scratch database and a small pool on it.
pub struct TestDb {
    database: ScratchDatabase,
    pub pool: PgPool,
}

impl TestDb {
    pub async fn new() -> TestDb {
        let server = shared_server().expect("a PostgreSQL server");
        let database = server.create_database().await.expect("scratch database");
        // Enough connections for the service's parallel queries and the concurrency test, few enough for a
        // server shared by parallel tests.
        let pool = PgPoolOptions::new().max_connections(4).connect(&database.url).await.expect("a pool");
        TestDb { database, pool }
    }

    /// Applies `migrations` with keel's runner, as an app does at start-up.
    pub async fn migrate(&self, migrations: &[Migration]) {
        migrate(&self.database.url, migrations, &MigrateOptions::default(), &mut |_| {})
            .await
            .expect("the migrations apply");
    }

    pub async fn drop(self) {
        self.pool.close().await;
        self.database.drop_database().await.expect("drop the scratch database");
    }
}
