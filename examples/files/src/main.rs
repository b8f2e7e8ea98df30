//! The demo: collects the derived schema, renders it as DDL, applies it to a scratch database (a throwaway
//! local cluster unless TEST_DATABASE_URL/DATABASE_URL names a server), reads the catalog back, and shows
//! that PostgreSQL holds exactly what the Rust structs declare.

use anyhow::{Context, bail};
use keel_diff::scratch::Server;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let desired = keel_example_files::schema()?;
    let statements = keel_diff::render::create_schema(&desired);
    println!("-- the schema the derives declare, as PostgreSQL DDL ({} statements)\n", statements.len());
    for statement in &statements {
        println!("{statement};\n");
    }

    let server = Server::from_env_or_start().context("finding a PostgreSQL server for the demo")?;
    println!("-- applying to a scratch database on the {}", server.describe());
    let normalized = keel_diff::normalize::normalize(&server, &desired).await?;
    let database = server.create_database().await?;
    let mut conn = database.connect().await?;
    keel_diff::apply_in_transaction(&mut conn, &statements).await?;
    let actual = keel_diff::introspect(&mut conn, None).await?;
    let rewritten = expressions_rewritten(&desired, &normalized);
    drop(conn);
    database.drop_database().await?;
    server.stop()?;

    let tables: usize = actual.schemas.values().map(|ns| ns.tables.len()).sum();
    let enums: usize = actual.schemas.values().map(|ns| ns.enums.len()).sum();
    if actual != normalized {
        eprintln!("expected:\n{}\nthe catalog holds:\n{}", normalized.to_json(), actual.to_json());
        bail!("the catalog differs from the declared schema");
    }
    println!("-- the catalog matches the declared schema: {tables} tables, {enums} enum");
    for (what, declared, stored) in rewritten {
        println!("--   {what}: declared `{declared}`, PostgreSQL stores `{stored}`");
    }
    println!();
    println!("-- the schema model as JSON (what `keel` compares):\n{}", actual.to_json());
    Ok(())
}

/// Check expressions PostgreSQL stores in its own spelling, to show what normalization is for.
fn expressions_rewritten(declared: &keel::Schema, normalized: &keel::Schema) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for (name, table) in declared.tables() {
        let Some(stored) = normalized.table(&name.schema, &name.name) else {
            continue;
        };
        for (check, c) in &table.checks {
            if let Some(s) = stored.checks.get(check)
                && s.expression != c.expression
            {
                out.push((format!("check {check} on {name}"), c.expression.clone(), s.expression.clone()));
            }
        }
    }
    out
}
