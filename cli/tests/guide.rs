//! The user guide (`docs/*.md`) cannot go stale: every code block in it is compiled or executed here,
//! against real PostgreSQL and the built `keel` binary. How each kind of block is checked is in
//! `docs/README.md` ("How this guide is tested") and `guide/markdown.rs`.
//!
//! `KEEL_GUIDE_CHAPTER=enums.md cargo test -p keel-cli --test guide` checks one chapter (and the chapters it
//! starts from) while writing it.

#[allow(dead_code)]
#[path = "e2e/harness.rs"]
mod harness;

#[path = "guide/markdown.rs"]
mod markdown;

#[path = "guide/output.rs"]
mod output;

#[path = "guide/rust_blocks.rs"]
mod rust_blocks;

#[path = "guide/sandbox.rs"]
mod sandbox;

use harness::{block_on, server, workspace};
use markdown::{Block, Chapter, Kind};
use sandbox::Sandbox;
use sqlx::{AssertSqlSafe, Connection};
use std::collections::BTreeMap;

/// The chapters to check: all of them, or the one `KEEL_GUIDE_CHAPTER` names and those it starts from.
fn chapters() -> Vec<Chapter> {
    let all = markdown::chapters(&workspace().join("docs"))
        .unwrap_or_else(|errors| panic!("the guide has blocks the harness cannot check:\n{}", errors.join("\n")));
    let Some(wanted) = std::env::var("KEEL_GUIDE_CHAPTER").ok().filter(|c| !c.is_empty()) else { return all };
    let mut names = vec![wanted];
    while let Some(from) = all.iter().find(|c| Some(&c.name) == names.last()).and_then(|c| c.start_from.clone()) {
        names.push(from);
    }
    all.into_iter().filter(|c| names.contains(&c.name)).collect()
}

#[test]
fn every_block_of_the_guide_is_one_the_harness_checks() {
    let chapters = chapters();
    if std::env::var_os("KEEL_GUIDE_CHAPTER").is_none() {
        assert!(chapters.iter().any(|c| c.name == "getting-started.md"), "docs/getting-started.md exists");
    }
    for chapter in &chapters {
        if let Some(from) = &chapter.start_from {
            assert!(chapters.iter().any(|c| &c.name == from), "docs/{}: starts from a missing {from}", chapter.name);
        }
    }
}

/// Every `rust` block compiles; every `sql schema` block is exactly what the declarations above it produce:
/// its SQL, run in an empty database and read back, equals the declarations normalized in another one.
#[test]
fn rust_blocks_compile_and_schema_blocks_show_what_they_declare() {
    let chapters = chapters();
    let blocks: Vec<&Block> = chapters.iter().flat_map(|c| &c.blocks).filter(|b| b.kind == Kind::Rust).collect();
    let schemas = rust_blocks::compile(&blocks).unwrap_or_else(|errors| panic!("the guide's rust blocks:\n{errors}"));
    let mut failures = Vec::new();
    for chapter in &chapters {
        for pair in chapter.blocks.windows(2) {
            let [rust, sql] = pair else { continue };
            if sql.kind != Kind::SqlSchema {
                continue;
            }
            let result = match &schemas[&rust.place] {
                Ok(declared) => same_schema(declared, &sql.code),
                Err(e) => Err(format!("the declarations do not form a schema: {e}")),
            };
            if let Err(e) = result {
                failures.push(format!("{}: {e}", sql.place));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// `sql`, run in an empty database, builds what `declared` normalizes to.
fn same_schema(declared: &keel_core::Schema, sql: &str) -> Result<(), String> {
    block_on(async {
        let server = server();
        let desired = keel_diff::normalize::normalize(server, declared).await.map_err(|e| e.to_string())?;
        let database = server.create_database().await.map_err(|e| e.to_string())?;
        let built = async {
            let mut conn = database.connect().await.map_err(|e| e.to_string())?;
            sqlx::raw_sql(AssertSqlSafe(sql.to_string()))
                .execute(&mut conn)
                .await
                .map_err(|e| format!("the SQL fails: {e}"))?;
            let built = keel_diff::introspect(&mut conn, None).await.map_err(|e| e.to_string());
            let _ = conn.close().await;
            built
        }
        .await;
        database.drop_database().await.map_err(|e| e.to_string())?;
        let built = built?;
        let plan = keel_diff::plan(&built, &desired, &keel_diff::PlanOptions::default()).map_err(|e| e.to_string())?;
        if !plan.is_empty() {
            return Err(format!(
                "the SQL differs from what the rust block declares; from the SQL to the declarations keel plans:\n{}",
                plan.to_sql()
            ));
        }
        // `renamed_from` is a hint for planning; no database stores it.
        if built.without_column_order() != desired.without_hints().without_column_order() {
            return Err(format!(
                "the SQL and the declarations differ in ways no statement expresses:\n{built:#?}\n{desired:#?}"
            ));
        }
        Ok(())
    })
}

/// Every chapter runs as written: files, shell sessions with `keel`, SQL and the output the chapter shows.
#[test]
fn chapters_run_as_written() {
    let chapters = chapters();
    let by_name: BTreeMap<&str, &Chapter> = chapters.iter().map(|c| (c.name.as_str(), c)).collect();
    let mut sandboxes: BTreeMap<String, Sandbox> = BTreeMap::new();
    let mut failures = Vec::new();
    // Chapters others start from run first.
    let mut order: Vec<&Chapter> = Vec::new();
    fn visit<'a>(c: &'a Chapter, by_name: &BTreeMap<&str, &'a Chapter>, order: &mut Vec<&'a Chapter>) {
        if order.iter().any(|o| o.name == c.name) {
            return;
        }
        if let Some(from) = c.start_from.as_deref().and_then(|f| by_name.get(f)) {
            visit(from, by_name, order);
        }
        order.push(c);
    }
    for chapter in &chapters {
        visit(chapter, &by_name, &mut order);
    }
    for chapter in order {
        let start = chapter.start_from.as_deref().and_then(|name| Some((name, sandboxes.get(name)?)));
        let mut sandbox = match start {
            Some((from_name, from)) => match Sandbox::copy_of(from, &chapter.name) {
                Ok(sandbox) => sandbox,
                Err(e) => {
                    failures.push(format!("docs/{}: starting from {from_name}: {e}", chapter.name));
                    continue;
                }
            },
            None => Sandbox::new(&chapter.name),
        };
        failures.extend(sandbox::run(chapter, &mut sandbox));
        // Renamed, so each chapter starting from this one copies it under the name its DATABASE_URL gives.
        if let Err(e) = sandbox.park_database(&chapter.name) {
            failures.push(format!("docs/{}: {e}", chapter.name));
        }
        sandboxes.insert(chapter.name.clone(), sandbox);
    }
    let failed = !failures.is_empty();
    for sandbox in sandboxes.values() {
        if !failed {
            sandbox.drop_database();
        }
    }
    assert!(!failed, "{}", failures.join("\n\n"));
}
