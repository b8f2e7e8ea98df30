//! `migrations/keel.sum`: a hash chained over the migration files, one line per file plus a total. Two
//! branches that each add a migration both change the total line and append after the same last line,
//! so git reports a conflict instead of merging two histories silently; an edited, added or removed file
//! no longer matches the sum.

use anyhow::Context;
use keel_diff::migrate::Migration;
use sha2::{Digest, Sha256};
use std::path::Path;

pub const SUM_FILE: &str = "keel.sum";

const HEADER: &str = "# keel.sum: chained SHA-256 of the migrations in this directory, written by keel. Do not edit:\n\
                      # `keel rehash` rewrites it after a deliberate change to a migration not yet applied anywhere.\n";

/// The file's content for these migrations (sorted by version, as `read_migrations` gives them).
pub fn render(migrations: &[Migration]) -> String {
    let mut chain = [0u8; 32];
    let mut lines = String::new();
    for m in migrations {
        chain = link(&chain, m);
        lines.push_str(&format!("{} h1:{}\n", m.file_name, hex(&chain)));
    }
    format!("{HEADER}total h1:{}\n{lines}", hex(&chain))
}

/// The chain after `m`, from the chain before it.
fn link(chain: &[u8; 32], m: &Migration) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(chain);
    hasher.update(m.file_name.as_bytes());
    hasher.update([0]);
    hasher.update(Sha256::digest(m.sql.as_bytes()));
    hasher.finalize().into()
}

/// What rewriting the sum file would change, file by file: migrations whose text differs from the one
/// the sum file recorded (each checked against the chain recorded before it, so an edit is not blamed on
/// the files after it), and files it lists that are gone. Added files are not listed. Empty when there is
/// no sum file to compare with.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Changes {
    pub edited: Vec<String>,
    pub gone: Vec<String>,
}

pub fn changes(dir: &Path, migrations: &[Migration]) -> Changes {
    let Ok(recorded) = std::fs::read_to_string(dir.join(SUM_FILE)) else { return Changes::default() };
    let mut changes = Changes::default();
    let mut before = [0u8; 32];
    for line in recorded.lines().filter(|l| !l.starts_with('#') && !l.starts_with("total ")) {
        let Some((file, hash)) = line.rsplit_once(' ') else { continue };
        let Some(after) = hash.strip_prefix("h1:").and_then(unhex) else { continue };
        match migrations.iter().find(|m| m.file_name == file) {
            Some(m) if link(&before, m) != after => changes.edited.push(file.to_string()),
            Some(_) => {}
            None => changes.gone.push(file.to_string()),
        }
        before = after;
    }
    changes
}

fn unhex(text: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    if text.len() != 64 {
        return None;
    }
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

pub fn write(dir: &Path, migrations: &[Migration]) -> anyhow::Result<()> {
    let path = dir.join(SUM_FILE);
    std::fs::write(&path, render(migrations)).with_context(|| format!("writing {}", path.display()))
}

/// What is wrong with the sum file, if anything: missing, unreadable, or which files differ from it.
pub fn problems(dir: &Path, migrations: &[Migration]) -> Vec<String> {
    let path = dir.join(SUM_FILE);
    let recorded = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if migrations.is_empty() {
                return Vec::new();
            }
            return vec![format!("{} is missing: run `keel rehash` to create it", path.display())];
        }
        Err(e) => return vec![format!("reading {}: {e}", path.display())],
    };
    let expected = render(migrations);
    if recorded == expected {
        return Vec::new();
    }
    if recorded.contains("<<<<<<<") || recorded.contains(">>>>>>>") {
        return vec![format!(
            "{} has a merge conflict: two branches added migrations. Regenerate yours on top of the other \
             branch's: delete your migration files, `keel rehash`, then `keel generate` again",
            path.display()
        )];
    }
    let entries = |text: &str| -> Vec<(String, String)> {
        text.lines()
            .filter(|l| !l.starts_with('#') && !l.starts_with("total "))
            .filter_map(|l| l.rsplit_once(' ').map(|(f, h)| (f.to_string(), h.to_string())))
            .collect()
    };
    let (was, is) = (entries(&recorded), entries(&expected));
    let mut out = Vec::new();
    for (file, hash) in &is {
        match was.iter().find(|(f, _)| f == file) {
            None => out.push(format!("{file} is not in {SUM_FILE} (added by hand, or by another branch)")),
            Some((_, h)) if h != hash && !out.iter().any(|p: &String| p.contains("edited")) => {
                out.push(format!("{file} (or a migration before it) was edited after keel wrote it"))
            }
            _ => {}
        }
    }
    for (file, _) in &was {
        if !is.iter().any(|(f, _)| f == file) {
            out.push(format!("{file} is in {SUM_FILE} but the file is gone"));
        }
    }
    if out.is_empty() {
        out.push(format!(
            "{} does not match the migrations: run `keel rehash` if the change is deliberate",
            path.display()
        ));
    } else {
        out.iter_mut().for_each(|p| p.insert_str(0, &format!("{}: ", dir.display())));
        // Each cause above can be deliberate (a migration replaced before it was applied anywhere).
        if let Some(last) = out.last_mut() {
            last.push_str(&format!(
                "; if that is deliberate and none of it was applied anywhere, `keel rehash` rewrites {SUM_FILE}"
            ));
        }
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn migration(file_name: &str, sql: &str) -> Migration {
        Migration {
            version: file_name.split('_').next().and_then(|v| v.parse().ok()).unwrap_or(0),
            description: String::new(),
            file_name: file_name.to_string(),
            path: file_name.into(),
            sql: sql.to_string(),
            checksum: Vec::new(),
            no_transaction: false,
        }
    }

    #[test]
    fn any_edit_changes_the_total_and_every_later_line() {
        let a = [migration("1_a.sql", "create table a ()"), migration("2_b.sql", "create table b ()")];
        let b = [migration("1_a.sql", "create table a (x int)"), migration("2_b.sql", "create table b ()")];
        let (ra, rb) = (render(&a), render(&b));
        let lines = |s: &str| s.lines().map(str::to_string).collect::<Vec<_>>();
        let (la, lb) = (lines(&ra), lines(&rb));
        assert_eq!(la.len(), lb.len());
        assert!(la.iter().zip(&lb).skip(2).all(|(x, y)| x != y), "total and both files change:\n{ra}\n{rb}");
        assert_eq!(render(&a), ra, "deterministic");
    }

    #[test]
    fn problems_name_the_file() {
        let dir = std::env::temp_dir().join(format!("keel-sum-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let one = [migration("1_a.sql", "select 1")];
        assert_eq!(problems(&dir, &one).len(), 1, "missing sum file");
        write(&dir, &one).expect("write");
        assert!(problems(&dir, &one).is_empty());
        let edited = [migration("1_a.sql", "select 2")];
        assert!(problems(&dir, &edited)[0].contains("1_a.sql"));
        let added = [migration("1_a.sql", "select 1"), migration("2_b.sql", "select 1")];
        assert!(problems(&dir, &added)[0].contains("2_b.sql is not in keel.sum"));
        write(&dir, &added).expect("write");
        let edited_first = [migration("1_a.sql", "select 3"), migration("3_c.sql", "select 1")];
        let expected = Changes { edited: vec!["1_a.sql".into()], gone: vec!["2_b.sql".into()] };
        assert_eq!(changes(&dir, &edited_first), expected, "the file after an edit is not blamed");
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }
}
