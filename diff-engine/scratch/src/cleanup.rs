//! Scratch databases never outlive their process for long: their names say which process on which host
//! made them and when, the ones this process holds are dropped when a signal ends it ([`drop_live`]), and
//! those of keel processes of this host that are gone are dropped at the next start ([`Server::sweep_stale`]).
//!
//! A database is only swept when all of these hold, so no run of keel (or a test) loses its database:
//! its name is `keel_scratch_<pid>_<host>_<created>_<n>`; `<host>` is this host's (another host's
//! processes cannot be checked from here); no process `<pid>` exists here; nobody is connected to it; and
//! it was created more than [`GRACE`] ago (a database between its creation and its first connection, of a
//! keel in another pid namespace that shares this host name, is left alone).

use super::{DATABASE_PREFIX, ScratchError, Server};
use sqlx::{Connection, PgConnection};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How old a database of a dead process must be before it is swept.
pub const GRACE: Duration = Duration::from_secs(10 * 60);

/// The scratch databases this process created and has not dropped: `(admin URL, name)`.
static LIVE: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());

/// `keel_scratch_<pid>_<host>_<created unix seconds>_<n>`: what [`Server::sweep_stale`] reads back. The
/// pid comes first, as in the older `keel_scratch_<pid>_<n>` names.
pub fn database_name_for(pid: u32, created_unix_secs: u64, n: u32) -> String {
    format!("{DATABASE_PREFIX}_{pid}_{}_{created_unix_secs}_{n}", host_tag())
}

/// A new database's name, remembered until [`forget`] so a signal can drop it.
pub(super) fn new_name(admin_url: &str, n: u32) -> String {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let name = database_name_for(std::process::id(), now, n);
    if let Ok(mut live) = LIVE.lock() {
        live.push((admin_url.to_string(), name.clone()));
    }
    name
}

/// The database was dropped.
pub(super) fn forget(name: &str) {
    if let Ok(mut live) = LIVE.lock() {
        live.retain(|(_, n)| n != name);
    }
}

/// Drops every scratch database this process still holds (a signal is ending it); errors are ignored:
/// what cannot be dropped now is swept by a later run.
pub async fn drop_live() {
    let live = LIVE.lock().map(|mut live| std::mem::take(&mut *live)).unwrap_or_default();
    for (admin_url, name) in live {
        let _ = super::drop_named(&admin_url, &name).await;
    }
}

impl Server {
    /// Drops the scratch databases that keel processes of this host left behind (see the module); returns
    /// their names. A throwaway cluster has none: it is new.
    pub async fn sweep_stale(&self) -> Result<Vec<String>, ScratchError> {
        if self.cluster.is_some() {
            return Ok(Vec::new());
        }
        let mut admin = PgConnection::connect(&self.admin_url).await?;
        let unused: Vec<String> = sqlx::query_scalar(
            "SELECT d.datname::text FROM pg_database d \
             WHERE d.datname LIKE 'keel\\_scratch\\_%' \
               AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datid = d.oid) \
             ORDER BY 1",
        )
        .fetch_all(&mut admin)
        .await?;
        admin.close().await?;
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let mut swept = Vec::new();
        for name in unused.into_iter().filter(|name| is_stale(name, now)) {
            // Another keel starting at the same moment may be dropping it too: one failure is no reason to
            // leave the others.
            if super::drop_named(&self.admin_url, &name).await.is_ok() {
                swept.push(name);
            }
        }
        Ok(swept)
    }
}

/// A name of this host's, of a process that is gone, older than [`GRACE`].
fn is_stale(name: &str, now: u64) -> bool {
    let Some(rest) = name.strip_prefix(DATABASE_PREFIX).and_then(|r| r.strip_prefix('_')) else { return false };
    let parts: Vec<&str> = rest.split('_').collect();
    let [pid, host, created, n] = parts.as_slice() else { return false };
    let (Ok(pid), Ok(created), Ok(_)) = (pid.parse::<u32>(), created.parse::<u64>(), n.parse::<u32>()) else {
        return false;
    };
    *host == host_tag() && now.saturating_sub(created) > GRACE.as_secs() && !process_exists(pid)
}

/// Whether a process with this pid exists on this host (whoever owns it).
fn process_exists(pid: u32) -> bool {
    if std::path::Path::new("/proc/self").exists() {
        return std::path::Path::new(&format!("/proc/{pid}")).exists();
    }
    // No /proc (macOS): `ps` sees every user's processes. When it cannot run, assume the process lives.
    std::process::Command::new("ps")
        .args(["-p", &pid.to_string()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .map_or(true, |status| status.success())
}

/// Eight hex digits of this host's name (FNV-1a): short enough for a 63-byte database name.
fn host_tag() -> String {
    static TAG: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TAG.get_or_init(|| {
        let name = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .or_else(|_| std::fs::read_to_string("/etc/hostname"))
            .ok()
            .or_else(|| std::env::var("HOSTNAME").ok())
            .or_else(|| {
                let out = std::process::Command::new("hostname").output().ok()?;
                Some(String::from_utf8_lossy(&out.stdout).into_owned())
            })
            .unwrap_or_default();
        let hash = name.trim().bytes().fold(0x811c_9dc5_u32, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193));
        format!("{hash:08x}")
    })
    .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_old_names_of_this_host_and_of_gone_processes_are_stale() {
        let now = 10_000_000;
        let gone = u32::MAX - 1;
        let mine = std::process::id();
        assert!(is_stale(&database_name_for(gone, 1, 0), now));
        assert!(!is_stale(&database_name_for(gone, now - 5, 0), now), "too young");
        assert!(!is_stale(&database_name_for(mine, 1, 0), now), "alive");
        assert!(!is_stale(&format!("keel_scratch_{gone}_0000beef_1_0"), now) || host_tag() == "0000beef");
        assert!(!is_stale(&format!("keel_scratch_{gone}_3"), now), "the old form says no host");
        assert!(database_name_for(u32::MAX, u64::from(u32::MAX) * 100, u32::MAX).len() <= 63);
    }
}
