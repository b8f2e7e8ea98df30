//! The guidelines' tables, declared with derives, applied to a real PostgreSQL: the catalog must show every
//! column type, default, nullability, constraint, index name and foreign key action the guidelines specify.
//! The catalog is read here with plain information_schema/pg_catalog queries, independently of keel's
//! own introspection.

use keel_example_files::{File, FileTag, Folder, NewFile};
use keel_test_support::{ScratchDatabase, shared_server};
use sqlx::{Connection, PgConnection, Row};

async fn database_with_schema() -> (ScratchDatabase, PgConnection) {
    let server = shared_server().expect("a PostgreSQL server for the tests");
    let database = server.create_database().await.expect("a scratch database");
    let mut conn = database.connect().await.expect("connect");
    let schema = keel_example_files::schema().expect("the registered tables form a schema");
    let statements = keel_diff::render::create_schema(&schema);
    keel_diff::apply_in_transaction(&mut conn, &statements).await.expect("the schema applies");
    (database, conn)
}

/// (column, data type with length, nullable, default) as information_schema reports them.
async fn columns(conn: &mut PgConnection, table: &str) -> Vec<(String, String, bool, Option<String>)> {
    sqlx::query(
        "SELECT column_name::text, \
                CASE WHEN character_maximum_length IS NOT NULL \
                     THEN data_type || '(' || character_maximum_length || ')' \
                     WHEN data_type = 'USER-DEFINED' THEN udt_name::text ELSE data_type END, \
                is_nullable = 'YES', column_default::text \
         FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position",
    )
    .bind(table)
    .fetch_all(conn)
    .await
    .expect("columns")
    .into_iter()
    .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
    .collect()
}

fn col(name: &str, ty: &str, nullable: bool, default: Option<&str>) -> (String, String, bool, Option<String>) {
    (name.to_string(), ty.to_string(), nullable, default.map(str::to_string))
}

#[tokio::test]
async fn files_table_is_the_guideline_table() {
    let (database, mut conn) = database_with_schema().await;
    let ts = "timestamp with time zone";
    assert_eq!(
        columns(&mut conn, "files").await,
        vec![
            col("id", "uuid", false, Some("gen_random_uuid()")),
            col("user_id", "text", false, None),
            col("parent_folder_id", "uuid", true, None),
            col("name", "character varying(500)", false, None),
            col("mime_type", "character varying(255)", false, None),
            col("size", "bigint", false, None),
            col("storage_path", "character varying(1000)", false, None),
            col("storage_key", "character varying(500)", false, None),
            col("description", "text", true, None),
            col("is_favorite", "boolean", false, Some("false")),
            col("is_public", "boolean", false, Some("false")),
            col("is_deleted", "boolean", false, Some("false")),
            col("deleted_at", ts, true, None),
            col("created_at", ts, false, Some("now()")),
            col("updated_at", ts, false, Some("now()")),
            col("download_count", "integer", false, Some("0")),
        ]
    );

    let constraints: Vec<(String, String, String)> = sqlx::query(
        "SELECT conname::text, contype::text, pg_get_constraintdef(oid) FROM pg_constraint \
         WHERE conrelid = 'public.files'::regclass ORDER BY conname",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap()
    .into_iter()
    .map(|r| (r.get(0), r.get(1), r.get(2)))
    .collect();
    assert_eq!(
        constraints,
        vec![
            ("files_download_count_check".to_string(), "c".to_string(), "CHECK ((download_count >= 0))".to_string()),
            (
                "files_parent_folder_id_fkey".to_string(),
                "f".to_string(),
                "FOREIGN KEY (parent_folder_id) REFERENCES folders(id) ON DELETE SET NULL".to_string()
            ),
            ("files_pkey".to_string(), "p".to_string(), "PRIMARY KEY (id)".to_string()),
            ("files_storage_key_key".to_string(), "u".to_string(), "UNIQUE (storage_key)".to_string()),
        ]
    );

    let indexes: Vec<(String, String)> = sqlx::query(
        "SELECT indexname::text, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = 'files' \
         ORDER BY indexname",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap()
    .into_iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect();
    let expected = [
        ("files_pkey", "CREATE UNIQUE INDEX files_pkey ON public.files USING btree (id)"),
        (
            "files_storage_key_key",
            "CREATE UNIQUE INDEX files_storage_key_key ON public.files USING btree (storage_key)",
        ),
        ("idx_files_created_at", "CREATE INDEX idx_files_created_at ON public.files USING btree (created_at)"),
        (
            "idx_files_parent_folder",
            "CREATE INDEX idx_files_parent_folder ON public.files USING btree (parent_folder_id)",
        ),
        ("idx_files_user_id", "CREATE INDEX idx_files_user_id ON public.files USING btree (user_id)"),
    ];
    assert_eq!(indexes, expected.map(|(n, d)| (n.to_string(), d.to_string())).to_vec());
    drop(conn);
    database.drop_database().await.unwrap();
}

#[tokio::test]
async fn related_tables_match_the_guidelines() {
    let (database, mut conn) = database_with_schema().await;
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    assert_eq!(tables, ["file_tags", "file_versions", "files", "folders", "tags"]);

    // The credits example owns `transaction_type`: a file service declares no enum.
    let enums: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace \
         WHERE t.typtype = 'e' AND n.nspname = 'public'",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(enums, 0);

    let definitions: Vec<(String, String)> = sqlx::query(
        "SELECT conname::text, pg_get_constraintdef(oid) FROM pg_constraint \
         WHERE conrelid IN ('public.folders'::regclass, 'public.file_tags'::regclass, 'public.file_versions'::regclass) \
           AND contype IN ('p', 'f', 'u', 'c') ORDER BY conname",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap()
    .into_iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect();
    let expected = [
        ("file_tags_file_id_fkey", "FOREIGN KEY (file_id) REFERENCES files(id) ON DELETE CASCADE"),
        ("file_tags_pkey", "PRIMARY KEY (file_id, tag_id)"),
        ("file_tags_tag_id_fkey", "FOREIGN KEY (tag_id) REFERENCES tags(id) ON DELETE CASCADE"),
        ("file_versions_file_id_fkey", "FOREIGN KEY (file_id) REFERENCES files(id) ON DELETE CASCADE"),
        ("file_versions_file_id_version_number_key", "UNIQUE (file_id, version_number)"),
        ("file_versions_pkey", "PRIMARY KEY (id)"),
        ("file_versions_version_number_check", "CHECK ((version_number > 0))"),
        ("folders_parent_folder_id_fkey", "FOREIGN KEY (parent_folder_id) REFERENCES folders(id) ON DELETE CASCADE"),
        ("folders_pkey", "PRIMARY KEY (id)"),
    ];
    assert_eq!(definitions, expected.map(|(n, d)| (n.to_string(), d.to_string())).to_vec());
    drop(conn);
    database.drop_database().await.unwrap();
}

/// The derive and `sqlx::FromRow` on one struct: rows inserted from the insert type read back into it.
#[tokio::test]
async fn derived_structs_read_and_write_rows_with_sqlx() {
    let (database, mut conn) = database_with_schema().await;
    let folder: Folder = sqlx::query_as("INSERT INTO folders (user_id, name) VALUES ($1, $2) RETURNING *")
        .bind("otUe1YrfENPdHnrF3g1vSBfpkQfambCZ")
        .bind("Documents")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(folder.user_id, "otUe1YrfENPdHnrF3g1vSBfpkQfambCZ");
    assert!(!folder.is_deleted);

    let new = NewFile {
        id: None,
        user_id: folder.user_id.clone(),
        parent_folder_id: Some(folder.id),
        name: "report.pdf".into(),
        mime_type: "application/pdf".into(),
        size: 1204,
        storage_path: "/bucket/report.pdf".into(),
        storage_key: "report-1".into(),
        description: None,
        is_favorite: None,
        is_public: Some(true),
        is_deleted: None,
        deleted_at: None,
        created_at: None,
        updated_at: None,
        download_count: None,
    };
    let sql = format!(
        "INSERT INTO files ({}, {}, {}, {}, {}, {}, {}, {}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *",
        File::USER_ID,
        File::PARENT_FOLDER_ID,
        File::NAME,
        File::MIME_TYPE,
        File::SIZE,
        File::STORAGE_PATH,
        File::STORAGE_KEY,
        File::IS_PUBLIC
    );
    let file: File = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(&new.user_id)
        .bind(new.parent_folder_id)
        .bind(&new.name)
        .bind(&new.mime_type)
        .bind(new.size)
        .bind(&new.storage_path)
        .bind(&new.storage_key)
        .bind(new.is_public)
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!((file.name.as_str(), file.size, file.is_public, file.is_favorite), ("report.pdf", 1204, true, false));
    assert_eq!(file.download_count, 0, "the column default");
    assert_eq!(file.parent_folder_id, Some(folder.id));

    // The guideline's composite key and cascade: deleting the file removes its tag links.
    sqlx::query("INSERT INTO tags (user_id, name) VALUES ($1, 'work')")
        .bind(&file.user_id)
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::query("INSERT INTO file_tags (file_id, tag_id) SELECT $1, id FROM tags")
        .bind(file.id)
        .execute(&mut conn)
        .await
        .unwrap();
    let links: Vec<FileTag> = sqlx::query_as("SELECT * FROM file_tags").fetch_all(&mut conn).await.unwrap();
    assert_eq!(links.len(), 1);
    sqlx::query("DELETE FROM files WHERE id = $1").bind(file.id).execute(&mut conn).await.unwrap();
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM file_tags").fetch_one(&mut conn).await.unwrap();
    assert_eq!(left, 0);

    conn.close().await.unwrap();
    database.drop_database().await.unwrap();
}

/// Invariant 1 for the example: what keel reads back is the declared schema as PostgreSQL normalizes it.
#[tokio::test]
async fn introspection_returns_the_declared_schema() {
    let server = shared_server().unwrap();
    let declared = keel_example_files::schema().unwrap();
    let normalized = keel_diff::normalize::normalize(server, &declared).await.unwrap();
    let (database, mut conn) = database_with_schema().await;
    let actual = keel_diff::introspect(&mut conn, None).await.unwrap();
    assert_eq!(actual.to_json(), normalized.to_json());
    // Only the check expressions differ from the declaration: PostgreSQL parenthesizes them.
    let mut expected = declared.without_hints();
    let public = expected.schemas.get_mut("public").unwrap();
    let versions = public.tables.get_mut("file_versions").unwrap();
    versions.checks.get_mut("file_versions_version_number_check").unwrap().expression = "(version_number > 0)".into();
    let files = public.tables.get_mut("files").unwrap();
    files.checks.get_mut("files_download_count_check").unwrap().expression = "(download_count >= 0)".into();
    assert_eq!(actual.to_json(), expected.to_json());
    drop(conn);
    database.drop_database().await.unwrap();
}
