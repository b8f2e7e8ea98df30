//! A scratch database per test, built by the example's own migrations through keel's runner.

#![allow(dead_code)] // each test file uses a different part

use keel::migrate::{MigrateOptions, Migration, migrate};
use keel_test_support::{ScratchDatabase, shared_server};
use sqlx::PgPool;

pub struct Db {
    pub database: ScratchDatabase,
    pub pool: PgPool,
}

impl Db {
    /// A fresh database with `migrations` applied.
    pub async fn with(migrations: &[Migration]) -> Db {
        let server = shared_server().expect("a PostgreSQL server");
        let database = server.create_database().await.expect("scratch database");
        migrate_to(&database.url, migrations).await;
        let pool = PgPool::connect(&database.url).await.expect("connect");
        Db { database, pool }
    }

    /// A fresh database at the current release: every migration applied.
    pub async fn migrated() -> Db {
        Db::with(&migrations()).await
    }

    pub async fn drop(self) {
        self.pool.close().await;
        self.database.drop_database().await.expect("drop the scratch database");
    }
}

pub fn migrations() -> Vec<Migration> {
    keel_example_todo::migrations().expect("the example's migrations read")
}

pub async fn migrate_to(url: &str, migrations: &[Migration]) {
    migrate(url, migrations, &MigrateOptions::default(), &mut |_| {}).await.expect("the migrations apply");
}

/// Ids as external auth systems issue them: none is a UUID but the last, and all are text.
pub const AUTH_IDS: &[&str] = &[
    // Better Auth (the guidelines' example)
    "otUe1YrfENPdHnrF3g1vSBfpkQfambCZ",
    // Clerk
    "user_2NNEqL2nrIRdJ194ndJqAHwEfxC",
    // Auth0, database connection and social login: `|` inside
    "auth0|64f1c0e2a3b4c5d6e7f80912",
    "google-oauth2|109876543210987654321",
    // Firebase Auth
    "kH3Zq9xVbLd2PpR8sT1uYw0nM5c2",
    // Cognito identity id: region prefix, then a UUID
    "us-east-1:7f3c2b1a-9d8e-4f6a-b5c4-3e2d1f0a9b8c",
    // Supabase / Cognito user pool `sub`: a UUID, stored as text like the rest
    "3f1e7c52-8b9a-4d2e-9f60-1a2b3c4d5e6f",
];
