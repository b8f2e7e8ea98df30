//! Ctrl-C (SIGINT) or SIGTERM during a command: the scratch databases the command made are dropped before
//! keel exits 130 / 143 (128 + the signal), as a shell reports a process the signal ended.

use std::future::Future;
use std::process::ExitCode;
use std::time::Duration;
use tokio::signal::unix::{SignalKind, signal};

/// How long dropping the scratch databases may take before keel exits anyway (a later run sweeps them).
const CLEANUP_WAIT: Duration = Duration::from_secs(10);

/// Runs `work`; on SIGINT or SIGTERM stops it (its connections close), drops this process's scratch
/// databases and returns the signal's exit code.
pub async fn until_signal<T>(work: impl Future<Output = T>) -> Result<T, ExitCode> {
    let (Ok(mut interrupt), Ok(mut terminate)) = (signal(SignalKind::interrupt()), signal(SignalKind::terminate()))
    else {
        // No handler (an unusual platform): the default action ends keel, and a later run sweeps.
        return Ok(work.await);
    };
    let code = tokio::select! {
        out = work => return Ok(out),
        _ = interrupt.recv() => 130,
        _ = terminate.recv() => 143,
    };
    eprintln!("interrupted: dropping the scratch databases of this run");
    let _ = tokio::time::timeout(CLEANUP_WAIT, keel_diff::scratch::drop_live()).await;
    Err(ExitCode::from(code))
}
