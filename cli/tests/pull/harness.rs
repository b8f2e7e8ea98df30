//! The harness: the workspace root and the scratch crate the generated code is compiled in.

use keel_cli::pull::Generated;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("cli/ is in the workspace").to_path_buf()
}

/// The scratch crate: `src/schema/<case>/` per case, and the dump target `keel-schema`.
pub struct ScratchCrate {
    pub dir: PathBuf,
}

impl ScratchCrate {
    pub fn write(generated: &BTreeMap<&str, Generated>) -> ScratchCrate {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let dir = std::env::temp_dir().join(format!("keel-pull-{}-{nanos}", std::process::id()));
        let write = |path: &Path, text: &str| {
            std::fs::create_dir_all(path.parent().expect("a parent")).expect("create a directory");
            std::fs::write(path, text).expect("write a file");
        };
        let keel = workspace().join("keel");
        write(
            &dir.join("Cargo.toml"),
            &format!(
                "[package]\nname = \"keel_pull_scratch\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
                 [workspace]\n\n\
                 [dependencies]\n\
                 keel = {{ path = {keel:?} }}\n\
                 uuid = \"1\"\n\
                 chrono = {{ version = \"0.4\", default-features = false, features = [\"std\"] }}\n\
                 serde_json = \"1\"\n\
                 rust_decimal = {{ version = \"1\", default-features = false, features = [\"std\"] }}\n",
                keel = keel.display().to_string()
            ),
        );
        std::fs::copy(workspace().join("Cargo.lock"), dir.join("Cargo.lock")).expect("copy Cargo.lock");
        write(&dir.join("src/lib.rs"), "#![deny(warnings)]\n\npub mod schema;\n");
        let modules: String = generated.keys().map(|case| format!("pub mod {case};\n")).collect();
        write(&dir.join("src/schema/mod.rs"), &modules);
        for (case, g) in generated {
            for (path, source) in &g.files {
                write(&dir.join("src/schema").join(case).join(path), source);
            }
        }
        write(
            &dir.join("src/bin/keel-schema.rs"),
            "use keel_pull_scratch as _;\n\nfn main() {\n    print!(\"{}\", keel::collect().expect(\"schema\").to_json())\n}\n",
        );
        ScratchCrate { dir }
    }

    /// `rustfmt --check` accepts every generated file as it is.
    pub fn rustfmt_check(&self, generated: &BTreeMap<&str, Generated>) {
        if Command::new("rustfmt").arg("--version").output().is_err() {
            eprintln!("rustfmt is not installed: skipping the check that generated files are formatted");
            return;
        }
        let mut command = Command::new("rustfmt");
        command.args(["--check", "--edition", "2024", "--config", "max_width=120"]);
        for (case, g) in generated {
            for path in g.files.keys() {
                command.arg(self.dir.join("src/schema").join(case).join(path));
            }
        }
        let output = command.output().expect("run rustfmt");
        assert!(
            output.status.success(),
            "rustfmt would change generated files:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// Builds the crate and runs its dump target. Not `--offline`: on a fresh machine the crates the copied
    /// Cargo.lock pins may not be downloaded yet.
    pub fn build_and_collect(&self) -> String {
        let target = workspace().join("target").join("pull-scratch");
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
        let output = Command::new(&cargo)
            .current_dir(&self.dir)
            .env("CARGO_TARGET_DIR", &target)
            .args(["build", "--bin", "keel-schema"])
            .output()
            .expect("run cargo");
        assert!(
            output.status.success(),
            "the generated code does not compile:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let run = Command::new(target.join("debug").join("keel-schema")).output().expect("run keel-schema");
        assert!(run.status.success(), "keel::collect() failed:\n{}", String::from_utf8_lossy(&run.stderr));
        String::from_utf8(run.stdout).expect("UTF-8 JSON")
    }

    /// A case's generated files, for failure messages.
    pub fn sources(&self, case: &str) -> String {
        let dir = self.dir.join("src/schema").join(case);
        let mut files: Vec<PathBuf> =
            std::fs::read_dir(&dir).map(|d| d.flatten().map(|e| e.path()).collect()).unwrap_or_default();
        files.sort();
        files
            .iter()
            .map(|f| format!("// {}\n{}", f.display(), std::fs::read_to_string(f).unwrap_or_default()))
            .collect()
    }

    pub fn remove(self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
