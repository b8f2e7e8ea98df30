//! The schema evolves once: migration 1 (`create_file_storage`) is the first release; the second release
//! adds `files.download_count integer NOT NULL DEFAULT 0` with a check, generated online as two files (the
//! column and the check `NOT VALID`, then `VALIDATE`). A database holding first-release rows takes the
//! second release without losing or changing a row, and the old rows count downloads from zero.

mod support;

use keel_example_files::service::{self, PageRequest};
use sqlx::PgPool;
use support::{TestDb, migrations};
use uuid::Uuid;

const USER: &str = "otUe1YrfENPdHnrF3g1vSBfpkQfambCZ";

/// First-release rows, written as that release's code wrote them: no `download_count` anywhere.
const V1_ROWS: &str = "
INSERT INTO folders (id, user_id, name) VALUES
    ('00000000-0000-0000-0000-00000000f001', 'otUe1YrfENPdHnrF3g1vSBfpkQfambCZ', 'Documents');
INSERT INTO files (id, user_id, parent_folder_id, name, mime_type, size, storage_path, storage_key, description,
                   is_favorite, created_at)
VALUES
    ('00000000-0000-0000-0000-000000000001', 'otUe1YrfENPdHnrF3g1vSBfpkQfambCZ',
     '00000000-0000-0000-0000-00000000f001', 'report.pdf', 'application/pdf', 1204, '/bucket/report', 'key-report',
     'quarterly', true, '2025-01-02 03:04:05+00'),
    ('00000000-0000-0000-0000-000000000002', 'otUe1YrfENPdHnrF3g1vSBfpkQfambCZ', NULL, 'photo.jpg', 'image/jpeg',
     88000, '/bucket/photo', 'key-photo', NULL, false, '2025-01-03 00:00:00+00'),
    ('00000000-0000-0000-0000-000000000003', 'b0bZr4kE9wQn2LmP7xYcVt5uJhGfDsAa', NULL, 'notes.txt', 'text/plain',
     12, '/bucket/notes', 'key-notes', NULL, false, '2025-01-04 00:00:00+00');
INSERT INTO files (id, user_id, name, mime_type, size, storage_path, storage_key, is_deleted, deleted_at)
VALUES ('00000000-0000-0000-0000-000000000004', 'otUe1YrfENPdHnrF3g1vSBfpkQfambCZ', 'old.doc', 'application/msword',
        10, '/bucket/old', 'key-old', true, '2025-02-01 00:00:00+00');
INSERT INTO file_versions (file_id, version_number, storage_path, size)
SELECT id, 1, storage_path, size FROM files;
INSERT INTO file_versions (file_id, version_number, storage_path, size)
VALUES ('00000000-0000-0000-0000-000000000001', 2, '/bucket/report-v2', 1300);
INSERT INTO tags (id, user_id, name, color) VALUES
    ('00000000-0000-0000-0000-00000000a001', 'otUe1YrfENPdHnrF3g1vSBfpkQfambCZ', 'work', '#ff0000');
INSERT INTO file_tags (file_id, tag_id) VALUES
    ('00000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-00000000a001');";

/// Every first-release column of every row, as text, ordered: what must not change.
async fn first_release_rows(pool: &PgPool) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT 'files ' || (id, user_id, parent_folder_id, name, mime_type, size, storage_path, storage_key, \
                description, is_favorite, is_public, is_deleted, deleted_at, created_at, updated_at)::text \
           FROM files \
         UNION ALL SELECT 'folders ' || f::text FROM folders f \
         UNION ALL SELECT 'file_versions ' || v::text FROM file_versions v \
         UNION ALL SELECT 'tags ' || t::text FROM tags t \
         UNION ALL SELECT 'file_tags ' || ft::text FROM file_tags ft \
         ORDER BY 1",
    )
    .fetch_all(pool)
    .await
    .expect("the first release's rows")
}

async fn has_download_count(pool: &PgPool) -> bool {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM information_schema.columns \
                        WHERE table_schema = 'public' AND table_name = 'files' AND column_name = 'download_count')",
    )
    .fetch_one(pool)
    .await
    .expect("information_schema")
}

#[tokio::test]
async fn first_release_rows_survive_the_second_release_and_count_downloads_from_zero() {
    let migrations = migrations();
    let names: Vec<&str> = migrations.iter().map(|m| m.description.as_str()).collect();
    assert_eq!(
        names,
        [
            "create file storage",
            "add download count 1",
            "add download count 2",
            "add active files view",
            "add updated at triggers"
        ]
    );

    let db = TestDb::new().await;
    db.migrate(&migrations[..1]).await;
    assert!(!has_download_count(&db.pool).await, "migration 1 is the first release");
    sqlx::raw_sql(V1_ROWS).execute(&db.pool).await.expect("first-release rows");
    let before = first_release_rows(&db.pool).await;
    assert_eq!(before.len(), 4 + 1 + 5 + 1 + 1);

    db.migrate(&migrations).await;

    assert!(has_download_count(&db.pool).await);
    assert_eq!(first_release_rows(&db.pool).await, before, "no row lost or changed");
    let counts: Vec<(Uuid, i32)> = sqlx::query_as("SELECT id, download_count FROM files ORDER BY id")
        .fetch_all(&db.pool)
        .await
        .expect("download counts");
    assert_eq!(counts.len(), 4);
    assert!(counts.iter().all(|&(_, n)| n == 0), "the default filled the old rows: {counts:?}");
    let validated: bool =
        sqlx::query_scalar("SELECT convalidated FROM pg_constraint WHERE conname = 'files_download_count_check'")
            .fetch_one(&db.pool)
            .await
            .expect("the check exists");
    assert!(validated, "the second file validated the check the first added NOT VALID");
    let refused = sqlx::query("UPDATE files SET download_count = -1").execute(&db.pool).await;
    assert!(
        matches!(&refused, Err(sqlx::Error::Database(e)) if e.constraint() == Some("files_download_count_check")),
        "{refused:?}"
    );

    // The second release's service on the old rows.
    let report = Uuid::from_u128(1);
    let page = service::list_files_with_tags(&db.pool, USER, PageRequest::new(1, 10).unwrap()).await.expect("list");
    let listed: Vec<(&str, &[String], i32)> =
        page.iter().map(|f| (f.file.name.as_str(), f.tags.as_slice(), f.file.download_count)).collect();
    assert_eq!(listed, [("photo.jpg", &[][..], 0), ("report.pdf", &["work".to_string()][..], 0)]);
    assert_eq!(service::record_download(&db.pool, USER, report).await.expect("download"), 1);
    assert_eq!(service::file_versions(&db.pool, USER, report).await.expect("versions").len(), 2);
    db.drop().await;
}
