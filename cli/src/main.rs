//! `keel`: the command line. This first cut reads schemas: `keel inspect` prints a live database as keel's
//! schema JSON, `keel sql` prints a schema JSON file as the DDL that creates it.

use anyhow::Context;
use clap::{Parser, Subcommand};
use sqlx::Connection;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "keel", version, about = "Schema-as-code for PostgreSQL", long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print a live database's schema as keel's versioned JSON (the form every keel command compares).
    Inspect {
        /// The database to read.
        #[arg(long, env = "DATABASE_URL")]
        database_url: String,
        /// Only these PostgreSQL schemas (repeatable); default: every non-system schema.
        #[arg(long = "only-schema")]
        schemas: Vec<String>,
    },
    /// Print the DDL that creates a schema JSON file in an empty database.
    Sql {
        /// A schema JSON file, as `keel inspect` writes it.
        file: PathBuf,
    },
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Inspect { database_url, schemas } => {
            let mut conn = sqlx::PgConnection::connect(&database_url).await.context("connecting to the database")?;
            let only = (!schemas.is_empty()).then_some(schemas.as_slice());
            let schema = keel_diff::introspect(&mut conn, only).await?;
            print!("{}", schema.to_json());
        }
        Command::Sql { file } => {
            let text = std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
            let schema = keel_core::Schema::from_json(&text).with_context(|| format!("reading {}", file.display()))?;
            for statement in keel_diff::render::create_schema(&schema) {
                println!("{statement};");
            }
        }
    }
    Ok(())
}
