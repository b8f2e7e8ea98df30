//! `keel pull`: the database's tables and enums as Rust source using keel's derives.

use super::Outcome;
use crate::output::print_json;
use crate::session::Session;
use anyhow::{Context, bail};
use serde::Serialize;
use std::path::Path;

#[derive(Serialize)]
struct PullJson {
    written: Vec<String>,
    unchanged: Vec<String>,
    warnings: Vec<String>,
}

pub async fn run(session: Session, out: &Path, force: bool) -> anyhow::Result<Outcome> {
    let mut conn = session.connect().await?;
    let schema = session.introspect(&mut conn).await?;
    let generated = crate::pull::generate(&schema)?;
    // Rust files a person may have edited are not overwritten without --force.
    let differing: Vec<String> = generated
        .files
        .iter()
        .filter(|(name, text)| std::fs::read_to_string(out.join(name)).is_ok_and(|old| old != **text))
        .map(|(name, _)| out.join(name).display().to_string())
        .collect();
    if !differing.is_empty() && !force {
        bail!(
            "these files exist and differ from what keel would write (rerun with --force to overwrite):\n  {}",
            differing.join("\n  ")
        );
    }
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let mut result = PullJson { written: Vec::new(), unchanged: Vec::new(), warnings: generated.warnings };
    for (name, text) in &generated.files {
        let path = out.join(name);
        if std::fs::read_to_string(&path).is_ok_and(|old| old == *text) {
            result.unchanged.push(path.display().to_string());
            continue;
        }
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
        result.written.push(path.display().to_string());
    }
    if session.json() {
        print_json(&result)?;
    } else {
        for path in &result.written {
            println!("wrote {path}");
        }
        for warning in &result.warnings {
            session.say(format!("warning: {warning}"));
        }
        if !result.written.is_empty() {
            session.say(format!("add `pub mod {};` to the crate's lib.rs to use them", module_name(out)));
        }
    }
    Ok(Outcome::Done)
}

fn module_name(out: &Path) -> String {
    out.file_name().and_then(|n| n.to_str()).unwrap_or("schema").to_string()
}
