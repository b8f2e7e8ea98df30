//! What keel's tests (and benchmarks) share: one scratch PostgreSQL server per test process.

pub use keel_scratch::{ScratchDatabase, ScratchError, Server};

/// One server per process, started on first use: `TEST_DATABASE_URL`, else `DATABASE_URL`, else a
/// throwaway local cluster. Every test of the process gets the same server, or the same error.
pub fn shared_server() -> Result<&'static Server, &'static ScratchError> {
    static SERVER: std::sync::OnceLock<Result<Server, ScratchError>> = std::sync::OnceLock::new();
    SERVER.get_or_init(Server::from_env_or_start).as_ref()
}
