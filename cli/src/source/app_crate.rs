//! An app crate as a schema source. rustc resolves what the derives declare (aliases, `cfg`, re-exports),
//! so keel does not parse Rust: it builds and runs the crate's dump target, which prints `keel::collect()`
//! as JSON (DESIGN, "Where a desired schema comes from").

use anyhow::{Context, bail};
use std::path::Path;
use std::process::{Command, Stdio};

/// The dump target's binary name.
pub const DUMP_TARGET: &str = "keel-schema";

/// The crate's library name (tables must live in the library for a second binary to see them), or
/// `None` when it has no library target.
pub fn lib_name(dir: &Path) -> anyhow::Result<Option<String>> {
    let manifest = dir.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).with_context(|| format!("reading {}", manifest.display()))?;
    let toml: toml::Table = toml::from_str(&text).with_context(|| format!("reading {}", manifest.display()))?;
    let lib = toml.get("lib").and_then(|l| l.as_table());
    let has_lib = lib.is_some() || dir.join("src/lib.rs").is_file();
    if !has_lib {
        return Ok(None);
    }
    let name = lib
        .and_then(|l| l.get("name"))
        .or_else(|| toml.get("package").and_then(|p| p.get("name")))
        .and_then(|n| n.as_str())
        .with_context(|| format!("{} names no package", manifest.display()))?;
    Ok(Some(name.replace('-', "_")))
}

/// The file `keel init` writes as `src/bin/keel-schema.rs`.
pub fn dump_target_source(lib: &str) -> String {
    format!(
        "// keel's schema dump target, written by `keel init`: `keel` runs it to read the tables this crate declares.\n\
         keel::dump_schema_main!({lib});\n"
    )
}

fn has_dump_target(dir: &Path) -> bool {
    let declared = std::fs::read_to_string(dir.join("Cargo.toml"))
        .ok()
        .and_then(|text| toml::from_str::<toml::Table>(&text).ok())
        .and_then(|toml| toml.get("bin").and_then(|b| b.as_array()).cloned())
        .is_some_and(|bins| bins.iter().any(|b| b.get("name").and_then(|n| n.as_str()) == Some(DUMP_TARGET)));
    declared || dir.join("src/bin").join(format!("{DUMP_TARGET}.rs")).is_file()
}

/// What to add when the dump target is missing.
fn missing_target_help(dir: &Path) -> anyhow::Result<String> {
    Ok(match lib_name(dir)? {
        Some(lib) => format!(
            "the crate in {dir} has no `{DUMP_TARGET}` binary, which keel runs to read its tables. Add the file \
             {file} containing:\n\n    {line}\nor run `keel init` in {dir}, which writes it.",
            dir = dir.display(),
            file = dir.join("src/bin").join(format!("{DUMP_TARGET}.rs")).display(),
            line = dump_target_source(&lib).lines().last().unwrap_or_default(),
        ),
        None => format!(
            "the crate in {} has no library target: keel reads tables from a `{DUMP_TARGET}` binary that links the \
             crate's library, so move the `#[derive(Table)]` structs into src/lib.rs, then run `keel init`",
            dir.display()
        ),
    })
}

/// Builds and runs the crate's dump target and reads the schema it prints.
pub fn dump(dir: &Path) -> anyhow::Result<keel_core::Schema> {
    if !has_dump_target(dir) {
        bail!(missing_target_help(dir)?);
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    // Every crate's dump target is `<target dir>/debug/keel-schema`: two keel processes building different
    // crates into one target directory would run each other's binary. One at a time per target directory.
    let _lock = lock_target_dir(&cargo, dir)?;
    let output = Command::new(&cargo)
        .args(["run", "--quiet", "--bin", DUMP_TARGET, "--manifest-path"])
        .arg(dir.join("Cargo.toml"))
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .with_context(|| format!("running `{} run` (is the Rust toolchain installed?)", cargo.to_string_lossy()))?;
    if !output.status.success() {
        bail!(
            "building or running the `{DUMP_TARGET}` target of the crate in {} failed ({}); cargo's messages are above",
            dir.display(),
            output.status
        );
    }
    let text = String::from_utf8(output.stdout).context("the dump target printed something that is not UTF-8")?;
    keel_core::Schema::from_json(&text).with_context(|| {
        format!(
            "reading what the `{DUMP_TARGET}` target of {} printed (it must print keel's schema JSON only)",
            dir.display()
        )
    })
}

/// An exclusive lock on `<target dir>/keel-schema.lock`, held until the value is dropped.
fn lock_target_dir(cargo: &std::ffi::OsStr, dir: &Path) -> anyhow::Result<std::fs::File> {
    let output = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--no-deps", "--manifest-path"])
        .arg(dir.join("Cargo.toml"))
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .with_context(|| format!("running `{} metadata`", cargo.to_string_lossy()))?;
    if !output.status.success() {
        bail!("`cargo metadata` failed for the crate in {}; cargo's messages are above", dir.display());
    }
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).context("reading `cargo metadata`")?;
    let target = metadata["target_directory"].as_str().context("`cargo metadata` names no target directory")?;
    std::fs::create_dir_all(target).with_context(|| format!("creating {target}"))?;
    let path = Path::new(target).join("keel-schema.lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("opening {}", path.display()))?;
    file.lock().with_context(|| format!("locking {}", path.display()))?;
    Ok(file)
}
