//! Shared by the engine's test binaries (each includes this module).

/// The lines between the common head and tail of two JSON texts, with some context before them, so that a
/// failing comparison of two schemas shows only what differs.
pub fn json_diff(left: &str, right: &str, left_name: &str, right_name: &str) -> String {
    let (l, r): (Vec<&str>, Vec<&str>) = (left.lines().collect(), right.lines().collect());
    let head = l.iter().zip(&r).take_while(|(a, b)| a == b).count();
    let tail = l[head..].iter().rev().zip(r[head..].iter().rev()).take_while(|(a, b)| a == b).count();
    let mut out = String::from("-- context:\n");
    l[head.saturating_sub(8)..head].iter().for_each(|line| out.push_str(&format!("   {line}\n")));
    out.push_str(&format!("-- {left_name}:\n"));
    l[head..l.len() - tail].iter().for_each(|line| out.push_str(&format!(" < {line}\n")));
    out.push_str(&format!("-- {right_name}:\n"));
    r[head..r.len() - tail].iter().for_each(|line| out.push_str(&format!(" > {line}\n")));
    out
}

/// Tests skipped in this process because the server is older than they need.
static SKIPPED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// The `server_version_num` of the server at `url` (`130023`, `150008`).
#[allow(dead_code)] // Not every test binary that includes this module skips by version.
pub async fn server_version_num(url: &str) -> i32 {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(url).await.expect("connect to the server");
    let text: String =
        sqlx::query_scalar("SHOW server_version_num").fetch_one(&mut conn).await.expect("read server_version_num");
    text.trim().parse().unwrap_or_else(|e| panic!("server_version_num {text:?}: {e}"))
}

/// Whether the running test (or the part of it named by `what`) must be skipped because the server
/// (`have`, a `server_version_num`) is older than `need`. A skip is never silent: it prints `skipped (needs
/// PostgreSQL 15, server is 13): <test>` to stderr (shown with `--nocapture`; written past libtest's capture
/// otherwise, so that the run's output shows it either way) and counts it process-wide.
#[allow(dead_code)] // Not every test binary that includes this module skips by version.
pub fn skip_below(need: i32, have: i32, what: Option<&str>) -> bool {
    use std::io::Write;
    if have >= need {
        return false;
    }
    let thread = std::thread::current();
    let test = thread.name().unwrap_or("an unnamed test");
    let what = what.map(|w| format!(" ({w})")).unwrap_or_default();
    let line = format!("skipped (needs PostgreSQL {}, server is {}): {test}{what}", need / 10000, have / 10000);
    let n = SKIPPED.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
    if output_captured() {
        // libtest captures `eprintln!` of a passing test and throws it away; a direct write is not captured.
        let _ = writeln!(std::io::stderr(), "{line} [{n} skipped so far]");
    } else {
        eprintln!("{line}");
    }
    true
}

/// Whether libtest captures the tests' output (no `--nocapture` and no `RUST_TEST_NOCAPTURE`).
fn output_captured() -> bool {
    let flag = std::env::args().any(|a| a == "--nocapture" || a == "--no-capture");
    let env = std::env::var_os("RUST_TEST_NOCAPTURE").is_some_and(|v| v != "0");
    !(flag || env)
}
