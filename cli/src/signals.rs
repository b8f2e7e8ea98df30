//! SIGINT (Ctrl-C) and SIGTERM. During most commands the scratch databases the command made are dropped
//! before keel exits 130 / 143 (128 + the signal), as a shell reports a process the signal ended; `keel
//! migrate` instead cancels its running statement server-side (see `commands::migrate`).

use std::future::Future;
use std::process::ExitCode;
use std::time::Duration;

/// How long dropping the scratch databases may take before keel exits anyway (a later run sweeps them).
const CLEANUP_WAIT: Duration = Duration::from_secs(10);

/// A signal that asks keel to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    Interrupt,
    Terminate,
}

impl Stop {
    pub fn name(self) -> &'static str {
        match self {
            Stop::Interrupt => "SIGINT",
            Stop::Terminate => "SIGTERM",
        }
    }

    /// 128 + the signal's number.
    fn exit_code(self) -> u8 {
        match self {
            Stop::Interrupt => 130,
            Stop::Terminate => 143,
        }
    }
}

/// The first SIGINT or SIGTERM. Never completes when the handlers cannot be installed: keel then dies by
/// the signal's default action, and a later run sweeps what it left.
pub async fn first() -> Stop {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut interrupt), Ok(mut terminate)) = (signal(SignalKind::interrupt()), signal(SignalKind::terminate()))
        else {
            return std::future::pending().await;
        };
        tokio::select! {
            _ = interrupt.recv() => Stop::Interrupt,
            _ = terminate.recv() => Stop::Terminate,
        }
    }
    #[cfg(not(unix))]
    {
        if tokio::signal::ctrl_c().await.is_err() {
            return std::future::pending().await;
        }
        Stop::Interrupt
    }
}

/// Runs `work`; on SIGINT or SIGTERM stops it (its connections close), drops this process's scratch
/// databases and returns the signal's exit code.
pub async fn until_signal<T>(work: impl Future<Output = T>) -> Result<T, ExitCode> {
    let stop = tokio::select! {
        out = work => return Ok(out),
        stop = first() => stop,
    };
    eprintln!("interrupted by {}: dropping the scratch databases of this run", stop.name());
    let _ = tokio::time::timeout(CLEANUP_WAIT, keel_scratch::drop_live()).await;
    Err(ExitCode::from(stop.exit_code()))
}
