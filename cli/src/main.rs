//! `keel`: schema-as-code for PostgreSQL. See `keel --help`.

use clap::Parser;
use keel_cli::args::Cli;
use keel_cli::output::error_text;
use std::process::ExitCode;

fn main() -> ExitCode {
    // ./.env first, so `DATABASE_URL` in it reaches the flags' environment defaults; the environment wins.
    let _ = dotenvy::from_path(".env");
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: starting the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(keel_cli::commands::run(cli)) {
        Ok(outcome) => outcome.exit_code(),
        Err(e) => {
            eprintln!("{} {}", console::style("error:").red().bold(), error_text(&e));
            ExitCode::FAILURE
        }
    }
}
