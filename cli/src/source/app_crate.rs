//! An app crate as a schema source. rustc resolves what the derives declare (aliases, `cfg`, re-exports),
//! so keel does not parse Rust: it builds and runs the crate's dump target, which prints `keel::collect()`
//! as JSON (DESIGN, "Where a desired schema comes from").

use anyhow::{Context, bail};
use keel_core::dump;
use std::io::{BufRead, Read, Write};
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
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let metadata = CrateMetadata::read(&cargo, dir)?;
    let Some(bin) = metadata.dump_target.clone() else {
        bail!(missing_target_help(dir)?);
    };
    // Dump targets of different crates may share a binary path in one target directory (every
    // `src/bin/keel-schema.rs` is `<target>/debug/keel-schema`): two keel processes building different crates
    // would run each other's binary. One at a time per target directory.
    let _lock = lock_target_dir(&metadata.target_directory)?;
    let announce = if metadata.built(&bin) {
        format!("building the crate's schema dump (`{bin}`)")
    } else {
        format!(
            "building the crate's schema dump (`{bin}`) for the first time: cargo compiles the crate's dependencies, \
             which can take minutes; later runs reuse the build"
        )
    };
    let run = || run_dump(&cargo, dir, &bin, &announce);
    let mut output = run()?;
    if output.status.code() == Some(dump::BUILT_ELSEWHERE) {
        // Another crate of the same name and version built into this target directory after this one, and
        // cargo took its outputs for fresh: newer sources make cargo rebuild this crate's.
        for source in &metadata.sources {
            touch(source)?;
        }
        output = run()?;
        if output.status.code() == Some(dump::BUILT_ELSEWHERE) {
            bail!(
                "cargo keeps running another crate's build of `{bin}` for the crate in {}: another crate with the \
                 same package name and version shares its target directory; give it another CARGO_TARGET_DIR",
                dir.display()
            );
        }
    }
    if !output.status.success() {
        bail!(
            "building or running the `{bin}` target of the crate in {} failed ({}); cargo's messages are above",
            dir.display(),
            output.status
        );
    }
    let text = String::from_utf8(output.stdout).context("the dump target printed something that is not UTF-8")?;
    keel_core::Schema::from_json(&text).with_context(|| {
        format!("reading what the `{bin}` target of {} printed (it must print keel's schema JSON only)", dir.display())
    })
}

/// What `cargo run` of the dump target printed on stdout, and how it ended.
struct DumpOutput {
    status: std::process::ExitStatus,
    stdout: Vec<u8>,
}

/// `cargo run`s the dump target. cargo's stderr goes through to keel's (its "Compiling" lines are the
/// progress of a build that can take minutes) without the lines it prints on every run, and keel says what
/// is being built before cargo starts building; stdout is the schema, read here.
fn run_dump(cargo: &std::ffi::OsStr, dir: &Path, bin: &str, announce: &str) -> anyhow::Result<DumpOutput> {
    let mut child = Command::new(cargo)
        .args(["run", "--bin", bin, "--manifest-path"])
        .arg(dir.join("Cargo.toml"))
        .env(dump::FOR_ENV, std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf()))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("running `{} run` (is the Rust toolchain installed?)", cargo.to_string_lossy()))?;
    let stderr = child.stderr.take().context("cargo's stderr")?;
    let announce = announce.to_string();
    let relay = std::thread::spawn(move || relay_cargo_stderr(stderr, std::io::stderr(), &announce));
    let mut stdout = Vec::new();
    let read = child.stdout.take().context("cargo's stdout")?.read_to_end(&mut stdout);
    let status = child.wait().context("waiting for `cargo run`")?;
    // A relay that failed (stderr closed) loses messages, never the schema.
    let _ = relay.join();
    read.context("reading what the dump target printed")?;
    Ok(DumpOutput { status, stdout })
}

/// cargo's status words when it fetches or compiles something (a fresh build prints none of them).
const BUILD_STEPS: [&str; 5] = ["Updating ", "Locking ", "Downloading ", "Downloaded ", "Compiling "];

/// Copies cargo's stderr to keel's, line by line, leaving out `Finished` and `Running` (printed on every
/// run, built or not) and saying `announce` before the first line of a build ([`BUILD_STEPS`]). Reads to the
/// end even when writing fails (keel's stderr closed, as in `keel export 2>&1 | head`): cargo, blocked on a
/// full pipe nobody reads, would never end, and `dump` waits for it.
fn relay_cargo_stderr(stderr: impl Read, mut out: impl Write, announce: &str) -> std::io::Result<()> {
    let mut lines = std::io::BufReader::new(stderr);
    let mut announced = false;
    let mut line = Vec::new();
    let mut written = Ok(());
    while lines.read_until(b'\n', &mut line)? > 0 {
        if written.is_ok() {
            written = relay_line(&line, &mut out, announce, &mut announced);
        }
        line.clear();
    }
    written
}

fn relay_line(line: &[u8], out: &mut impl Write, announce: &str, announced: &mut bool) -> std::io::Result<()> {
    let text = String::from_utf8_lossy(line);
    let status = strip_ansi(&text);
    let status = status.trim_start();
    if status.starts_with("Finished ") || status.starts_with("Running `") {
        return Ok(());
    }
    if !*announced && BUILD_STEPS.iter().any(|step| status.starts_with(step)) {
        writeln!(out, "{announce}")?;
        *announced = true;
    }
    out.write_all(line)
}

/// A line without its terminal colour codes (`CARGO_TERM_COLOR=always`).
fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // CSI: ESC [ parameters, ended by a letter.
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// What `cargo metadata` says about the crate in a directory.
struct CrateMetadata {
    target_directory: String,
    /// The binary named `keel-schema`, or the one built from `src/bin/keel-schema.rs` under another name
    /// (crates of one workspace rename it, since their binaries share one directory).
    dump_target: Option<String>,
    /// The root source files of the library and the dump target.
    sources: Vec<std::path::PathBuf>,
}

impl CrateMetadata {
    /// Whether a binary of that name was built in the dev profile before (by this crate or another).
    fn built(&self, bin: &str) -> bool {
        let file = format!("{bin}{}", std::env::consts::EXE_SUFFIX);
        Path::new(&self.target_directory).join("debug").join(file).is_file()
    }

    fn read(cargo: &std::ffi::OsStr, dir: &Path) -> anyhow::Result<CrateMetadata> {
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
        let target_directory =
            metadata["target_directory"].as_str().context("`cargo metadata` names no target directory")?.to_string();
        let manifest = std::fs::canonicalize(dir.join("Cargo.toml")).unwrap_or_else(|_| dir.join("Cargo.toml"));
        let package = metadata["packages"].as_array().and_then(|packages| {
            packages.iter().find(|p| p["manifest_path"].as_str().is_some_and(|m| Path::new(m) == manifest))
        });
        let bins = package
            .and_then(|p| p["targets"].as_array())
            .into_iter()
            .flatten()
            .filter(|t| t["kind"].as_array().is_some_and(|kinds| kinds.iter().any(|k| k == "bin")));
        let source = Path::new("src/bin").join(format!("{DUMP_TARGET}.rs"));
        let mut named = None;
        let mut by_source = None;
        for bin in bins {
            let name = bin["name"].as_str().unwrap_or_default();
            let path = bin["src_path"].as_str().map(std::path::PathBuf::from);
            if name == DUMP_TARGET {
                named = Some((name.to_string(), path));
            } else if path.as_deref().is_some_and(|p| p.ends_with(&source)) {
                by_source = Some((name.to_string(), path));
            }
        }
        let dump = named.or(by_source);
        let lib_source = package.and_then(|p| p["targets"].as_array()).into_iter().flatten().find_map(|t| {
            let is_lib = t["kind"].as_array().is_some_and(|kinds| kinds.iter().any(|k| k == "lib" || k == "rlib"));
            is_lib.then(|| t["src_path"].as_str().map(std::path::PathBuf::from)).flatten()
        });
        let sources = lib_source.into_iter().chain(dump.as_ref().and_then(|(_, p)| p.clone())).collect();
        Ok(CrateMetadata { target_directory, dump_target: dump.map(|(name, _)| name), sources })
    }
}

/// An exclusive lock on `<target dir>/keel-schema.lock`, held until the value is dropped.
fn lock_target_dir(target: &str) -> anyhow::Result<std::fs::File> {
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

/// Sets a file's modification time to now.
fn touch(path: &Path) -> anyhow::Result<()> {
    std::fs::File::options()
        .write(true)
        .open(path)
        .and_then(|f| f.set_modified(std::time::SystemTime::now()))
        .with_context(|| format!("updating the modification time of {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::relay_cargo_stderr;

    fn relayed(cargo: &str) -> String {
        let mut out = Vec::new();
        relay_cargo_stderr(cargo.as_bytes(), &mut out, "building").expect("relay");
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn a_build_is_announced_and_shown_and_a_fresh_run_is_silent() {
        let built = "   Compiling notes v0.1.0 (/app)\nwarning: unused import\n    Finished `dev` profile in 2.1s\n     \
                     Running `target/debug/keel-schema`\n";
        assert_eq!(relayed(built), "building\n   Compiling notes v0.1.0 (/app)\nwarning: unused import\n");
        assert_eq!(relayed("    Finished `dev` profile in 0.1s\n     Running `target/debug/keel-schema`\n"), "");
        // A warning cargo replays on a fresh run is shown, and is no build.
        assert_eq!(relayed("warning: unused import\n    Finished `dev`\n"), "warning: unused import\n");
        // CARGO_TERM_COLOR=always.
        let coloured =
            "\u{1b}[1m\u{1b}[32m    Finished\u{1b}[0m `dev`\n\u{1b}[1m\u{1b}[32m   Compiling\u{1b}[0m a v1\n";
        assert_eq!(relayed(coloured), "building\n\u{1b}[1m\u{1b}[32m   Compiling\u{1b}[0m a v1\n");
    }

    /// Counts what was read of it.
    struct Counted<'a>(&'a [u8], usize);

    impl std::io::Read for Counted<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.0.read(buf)?;
            self.1 += n;
            Ok(n)
        }
    }

    struct Closed;

    impl std::io::Write for Closed {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::ErrorKind::BrokenPipe.into())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_closed_stderr_still_drains_cargo() {
        let cargo = "   Compiling a v1\n".repeat(10_000);
        let mut stderr = Counted(cargo.as_bytes(), 0);
        let relayed = relay_cargo_stderr(&mut stderr, Closed, "building");
        assert_eq!(relayed.expect_err("the write failed").kind(), std::io::ErrorKind::BrokenPipe);
        // Left unread, it would fill the pipe and block cargo forever.
        assert_eq!(stderr.1, cargo.len());
    }
}
