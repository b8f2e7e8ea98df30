//! `keel init`: `keel.toml` and, in an app crate, the schema dump target.

use super::Outcome;
use crate::args::{Global, ProjectArgs, SqlArgs};
use crate::config;
use crate::output::print_json;
use crate::source::{DUMP_TARGET, dump_target_source, lib_name};
use anyhow::{Context, bail};
use serde::Serialize;
use std::path::Path;

#[derive(Serialize)]
struct InitJson {
    written: Vec<String>,
    notes: Vec<String>,
}

pub fn run(global: Global, project: ProjectArgs, sql: &SqlArgs, force: bool) -> anyhow::Result<Outcome> {
    let config_path = &global.config;
    let dir = config_path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")).to_path_buf();
    let mut out = InitJson { written: Vec::new(), notes: Vec::new() };
    // An existing keel.toml is kept (it is the project's), and what else is missing is still written: a
    // deleted dump target is restored by running `keel init` again.
    let keep_config = config_path.exists() && !force;
    let is_crate = dir.join("Cargo.toml").is_file();
    let schema = project.schema.clone().unwrap_or_else(|| ".".to_string());
    if !is_crate && project.schema.is_none() {
        bail!(
            "no Cargo.toml in {}: run `keel init` in the app crate, or pass --schema SRC (e.g. schema.sql)",
            dir.display()
        );
    }
    // Everything that can fail is checked before anything is written.
    let lib = if is_crate && project.schema.is_none() {
        match lib_name(&dir)? {
            Some(lib) => Some(lib),
            None => bail!(
                "the crate in {} has no library target: keel reads tables through a `{DUMP_TARGET}` binary that links \
                 the library, so move the #[derive(Table)] structs into src/lib.rs and run `keel init` again",
                dir.display()
            ),
        }
    } else {
        None
    };
    let migrations = project.migrations.as_deref().unwrap_or(Path::new("migrations")).display().to_string();
    if keep_config {
        out.notes.push(format!("kept the existing {} (--force rewrites it)", config_path.display()));
    } else {
        let sql: Vec<String> = sql.paths.iter().map(|p| p.display().to_string()).collect();
        std::fs::write(config_path, config::template(&schema, &migrations, &sql))
            .with_context(|| format!("writing {}", config_path.display()))?;
        out.written.push(config_path.display().to_string());
    }

    if let Some(lib) = lib {
        let target = dir.join("src/bin").join(format!("{DUMP_TARGET}.rs"));
        if !target.exists() {
            std::fs::create_dir_all(dir.join("src/bin"))?;
            std::fs::write(&target, dump_target_source(&lib))
                .with_context(|| format!("writing {}", target.display()))?;
            out.written.push(target.display().to_string());
        }
        if let Some(note) = keep_default_run(&dir)? {
            out.notes.push(note);
        }
    }
    if global.output == Some(crate::args::Output::Json) {
        print_json(&out)?;
    } else {
        for path in &out.written {
            println!("wrote {path}");
        }
        for note in &out.notes {
            println!("{note}");
        }
        println!("next: `keel generate init` writes the first migration; `keel push` syncs a development database");
    }
    Ok(Outcome::Done)
}

/// A crate whose only binary was `src/main.rs` now has two: `cargo run` needs `default-run` to stay as
/// it was. Added to `[package]` when missing.
fn keep_default_run(dir: &Path) -> anyhow::Result<Option<String>> {
    let manifest = dir.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest)?;
    let toml: toml::Table = toml::from_str(&text).with_context(|| format!("reading {}", manifest.display()))?;
    let package = toml.get("package").and_then(|p| p.as_table());
    if !dir.join("src/main.rs").is_file() || package.is_some_and(|p| p.contains_key("default-run")) {
        return Ok(None);
    }
    let Some(name) = package.and_then(|p| p.get("name")).and_then(|n| n.as_str()) else { return Ok(None) };
    let Some(at) = text.find("[package]") else { return Ok(None) };
    let line_end = at + "[package]".len();
    let entry = format!("\ndefault-run = {}", toml::Value::String(name.to_string()));
    let updated = format!("{}{entry}{}", &text[..line_end], &text[line_end..]);
    std::fs::write(&manifest, updated).with_context(|| format!("writing {}", manifest.display()))?;
    Ok(Some(format!("added default-run = \"{name}\" to {} so `cargo run` still runs the app", manifest.display())))
}
