//! `keel`: schema-as-code for PostgreSQL. See `keel --help`.

use clap::Parser;
use keel_cli::args::{Cli, Command, Output};
use keel_cli::commands::run;
use keel_cli::output::error_text;
use keel_cli::signals::until_signal;
use std::process::ExitCode;

fn main() -> ExitCode {
    // ./.env first, so `DATABASE_URL` in it reaches the flags' environment defaults; the environment wins.
    let _ = dotenvy::from_path(".env");
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // clap would exit 2 on a usage error, which keel reserves for "differences found / refused".
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { ExitCode::FAILURE } else { ExitCode::SUCCESS };
        }
    };
    let json = cli.global.output == Some(Output::Json);
    // `keel migrate` makes no scratch databases; how a signal ends a migration is the runner's business.
    let watch_signals = !matches!(cli.command, Command::Migrate { .. });
    let result = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(anyhow::Error::from).map(
        |runtime| {
            runtime.block_on(async { if watch_signals { until_signal(run(cli)).await } else { Ok(run(cli).await) } })
        },
    );
    let result = match result {
        Ok(Ok(result)) => result,
        Ok(Err(signalled)) => return signalled,
        Err(e) => Err(e),
    };
    match result {
        Ok(outcome) => outcome.exit_code(),
        Err(e) => {
            let message = error_text(&e);
            if json {
                println!("{}", serde_json::json!({ "error": message }));
            }
            eprintln!("{} {message}", console::style("error:").red().bold());
            ExitCode::FAILURE
        }
    }
}
