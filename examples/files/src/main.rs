//! The demo: the guideline tables declared as Rust structs, taken through keel's engine against a real
//! PostgreSQL (a throwaway local cluster unless TEST_DATABASE_URL/DATABASE_URL names a server):
//!
//! 1. the declared schema is normalized (materialized in a scratch database and read back);
//! 2. a database is at the previous release (no `files.description`, no `files.download_count`, no
//!    `file_versions`, one index fewer) and holds rows;
//! 3. keel plans previous → declared, shows each statement with its hazards, applies it, reads the
//!    database back: it equals the declaration, planning again gives nothing, the rows are all there;
//! 4. the service (`keel_example_files::service`) works on the upgraded database;
//! 5. keel plans the way back and measures, on the live rows, what that would delete (not applied).

use anyhow::{Context, bail, ensure};
use keel::Schema;
use keel_diff::{Plan, PlanOptions};
use keel_example_files::service::{self, PageRequest, Upload};
use keel_scratch::Server;
use sqlx::PgPool;

/// The auth system's id of the demo's user: text, not a UUID.
const USER: &str = "otUe1YrfENPdHnrF3g1vSBfpkQfambCZ";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let declared = keel_example_files::schema()?;
    let server = Server::from_env_or_start().context("finding a PostgreSQL server for the demo")?;
    println!("-- PostgreSQL: {}", server.describe());
    let desired = keel_diff::normalize::normalize(&server, &declared).await?;
    let tables: usize = desired.schemas.values().map(|ns| ns.tables.len()).sum();
    println!("-- declared: {tables} tables, from the structs in examples/files/src/schema.rs\n");

    let previous = previous_release(&desired)?;
    let database = server.create_database().await?;
    let result = async {
        let mut conn = database.connect().await?;
        let setup = keel_diff::plan(&Schema::default(), &previous, &PlanOptions::default())?;
        keel_diff::apply_plan(&mut conn, &setup).await?;
        sqlx::raw_sql(SAMPLE_ROWS).execute(&mut conn).await.context("inserting sample rows")?;
        println!("-- a database at the previous release ({} statements), with sample rows\n", setup.statements.len());

        let current = keel_diff::introspect(&mut conn, None).await?;
        let forward = keel_diff::plan(&current, &desired, &PlanOptions::default())?;
        println!("-- plan: previous release → declared schema");
        print_plan(&forward);
        keel_diff::apply_plan(&mut conn, &forward).await?;
        let after = keel_diff::introspect(&mut conn, None).await?;
        // Equal but for column order: PostgreSQL appends the new column.
        let same = after.without_column_order() == desired.without_column_order();
        ensure!(same, "the database differs from the declared schema after the plan");
        let again = keel_diff::plan(&after, &desired, &PlanOptions::default())?;
        ensure!(again.is_empty(), "planning again is not empty:\n{}", again.to_sql());
        let files: i64 = sqlx::query_scalar("SELECT count(*) FROM files").fetch_one(&mut conn).await?;
        println!(
            "-- applied: the database now equals the declaration, planning again gives nothing, {files} files kept\n"
        );

        sqlx::raw_sql(NEW_RELEASE_ROWS).execute(&mut conn).await.context("inserting rows of the new release")?;
        let pool = PgPool::connect(&database.url).await?;
        let used = use_the_service(&pool).await;
        pool.close().await;
        used?;

        let mut back = keel_diff::plan(&after, &previous, &PlanOptions::default())?;
        keel_diff::measure_data_loss(&mut conn, &mut back).await?;
        println!("-- plan: back to the previous release (measured on the live rows; not applied)");
        print_plan(&back);
        Ok::<_, anyhow::Error>(())
    }
    .await;
    database.drop_database().await?;
    server.stop()?;
    result
}

/// The declared schema as it was one release earlier.
fn previous_release(desired: &Schema) -> anyhow::Result<Schema> {
    let mut previous = desired.clone();
    let public = previous.schemas.get_mut("public").context("the example declares tables in public")?;
    public.tables.remove("file_versions");
    let files = public.tables.get_mut("files").context("the example declares files")?;
    files.columns.retain(|c| c.name != "description" && c.name != "download_count");
    if files.indexes.remove("idx_files_created_at").is_none() {
        bail!("the example declares idx_files_created_at");
    }
    if files.checks.remove("files_download_count_check").is_none() {
        bail!("the example declares files_download_count_check");
    }
    Ok(previous)
}

/// The new release's service on the upgraded database: the old rows are listed (with their backfilled
/// versions), a new upload gets version 1, a tag and downloads.
async fn use_the_service(pool: &PgPool) -> anyhow::Result<()> {
    let documents = service::folder_contents(pool, USER, None).await?;
    let folder = documents.folders.first().context("the sample rows have a folder")?;
    let upload = Upload {
        parent_folder_id: Some(folder.id),
        name: "budget.xlsx".into(),
        mime_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".into(),
        size: 52_000,
        storage_path: "/files/budget".into(),
        storage_key: "key-budget".into(),
        description: Some("next year".into()),
    };
    let file = service::create_file(pool, USER, &upload).await?;
    let tag = service::create_tag(pool, USER, "finance", Some("#2e7d32")).await?;
    service::tag_file(pool, USER, file.id, tag.id).await?;
    service::record_download(pool, USER, file.id).await?;
    let downloads = service::record_download(pool, USER, file.id).await?;
    let page = service::list_files_with_tags(pool, USER, PageRequest::new(1, 3)?).await?;
    let total = service::list_files(pool, USER, PageRequest::new(1, 1)?).await?.total;
    println!("-- the service on the upgraded database: uploaded {}, tagged, downloaded {downloads} times", file.name);
    println!("--   page 1 of {total} files, newest first:");
    for entry in &page {
        let versions = service::file_versions(pool, USER, entry.file.id).await?.len();
        println!(
            "--     {:<14} {versions} version(s), {} download(s), tags {:?}",
            entry.file.name, entry.file.download_count, entry.tags
        );
    }
    println!();
    Ok(())
}

fn print_plan(plan: &Plan) {
    for (n, unit) in plan.units().iter().enumerate() {
        let how = if unit.transactional { "in a transaction" } else { "without a transaction" };
        println!("--   unit {} ({how}):", n + 1);
        for &i in &unit.statements {
            let statement = &plan.statements[i];
            println!("{};", statement.sql);
            for hazard in &statement.hazards {
                println!("--     hazard {hazard}: {}", hazard.explain());
            }
            if let Some(report) = statement.data_loss_report() {
                println!("--     measured: {report}");
            }
        }
    }
    println!();
}

const SAMPLE_ROWS: &str = "
INSERT INTO folders (id, user_id, name) VALUES ('00000000-0000-0000-0000-000000000001', 'otUe1YrfENPdHnrF3g1vSBfpkQfambCZ', 'Documents');
INSERT INTO files (user_id, parent_folder_id, name, mime_type, size, storage_path, storage_key)
SELECT 'otUe1YrfENPdHnrF3g1vSBfpkQfambCZ', '00000000-0000-0000-0000-000000000001', 'report-' || n || '.pdf',
       'application/pdf', 1000 * n, '/files/report-' || n, 'key-' || n
FROM generate_series(1, 5) AS n;";

const NEW_RELEASE_ROWS: &str = "
UPDATE files SET description = 'quarterly report' WHERE name IN ('report-1.pdf', 'report-2.pdf');
INSERT INTO file_versions (file_id, version_number, storage_path, size)
SELECT id, 1, storage_path, size FROM files;";
