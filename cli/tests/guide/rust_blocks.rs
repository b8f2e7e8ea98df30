//! The guide's `rust` blocks compiled together: one generated crate, each block a module in its own file,
//! and a `main` that prints, per block, the schema its `#[derive(Table)]`/`#[derive(PgEnum)]` items form
//! (assembled from those items alone: every block is its own schema, though all of them register globally).

use crate::harness::{TempDir, app_target_dir, workspace};
use crate::markdown::{Block, Kind};
use keel_core::Schema;
use std::collections::BTreeMap;
use std::process::Command;

/// Each `rust` block's place (`docs/x.md:12`) and the schema of its declarations (`Err`: they do not form
/// one, e.g. a foreign key to a table of another block).
pub type Schemas = BTreeMap<String, Result<Schema, String>>;

/// Builds and runs the block crate. `Err`: the compiler's output, with block files named by their place.
pub fn compile(blocks: &[&Block]) -> Result<Schemas, String> {
    let dir = TempDir::new("guide-blocks");
    let workspace = workspace();
    let path = |krate: &str| workspace.join(krate).display().to_string();
    dir.write(
        "Cargo.toml",
        &format!(
            r#"[package]
name = "keel_guide_blocks"
version = "0.1.0"
edition = "2024"
publish = false

[workspace]

[dependencies]
keel = {{ path = {keel:?}, features = ["time", "rust_decimal", "sqlx", "migrate"] }}
keel-core = {{ path = {keel_core:?} }}
time = "0.3"
rust_decimal = {{ version = "1", default-features = false, features = ["std"] }}
keel-diff = {{ path = {keel_diff:?} }}
uuid = {{ version = "1", features = ["v4", "serde"] }}
chrono = {{ version = "0.4", default-features = false, features = ["std", "clock", "serde"] }}
serde = {{ version = "1", features = ["derive"] }}
serde_json = "1"
sqlx = {{ version = "0.9", default-features = false, features = ["runtime-tokio", "postgres", "derive", "uuid", "chrono", "json"] }}
tokio = {{ version = "1", features = ["rt-multi-thread", "macros", "sync", "time"] }}
anyhow = "1"
thiserror = "2"
"#,
            keel = path("keel"),
            keel_diff = path("diff-engine"),
            keel_core = path("schema-core"),
        ),
    );
    std::fs::copy(workspace.join("Cargo.lock"), dir.join("Cargo.lock")).expect("copy Cargo.lock");

    let mut main = String::from(
        "//! Generated from the guide's rust blocks.\n#![allow(dead_code, unused_imports, unused_variables)]\n\n",
    );
    let mut places = Vec::new();
    for (n, block) in blocks.iter().enumerate() {
        assert_eq!(block.kind, Kind::Rust);
        let module = format!("block_{n}");
        let (tables, enums) = declarations(&block.code).map_err(|e| format!("{}: {e}", block.place))?;
        let assemble = format!(
            "\n\n// Added by the guide harness: this block's declarations as one schema.\n\
             pub fn __guide_schema() -> Result<keel::Schema, keel::CollectError> {{\n    \
             keel_core::registry::assemble(vec![{}], vec![{}])\n}}\n",
            tables.iter().map(|t| format!("<{t} as keel::Table>::definition()")).collect::<Vec<_>>().join(", "),
            enums.iter().map(|e| format!("<{e} as keel::PgEnum>::definition()")).collect::<Vec<_>>().join(", "),
        );
        dir.write(&format!("src/{module}.rs"), &format!("// {}\n{}{assemble}", block.place, block.code));
        main.push_str(&format!("mod {module};\n"));
        places.push((module, block.place.clone()));
    }
    main.push_str("\nfn main() {\n    let mut out = serde_json::Map::new();\n");
    for (module, place) in &places {
        main.push_str(&format!(
            "    out.insert({place:?}.into(), match {module}::__guide_schema() {{\n        \
             Ok(s) => serde_json::json!({{ \"schema\": s.to_json() }}),\n        \
             Err(e) => serde_json::json!({{ \"error\": e.to_string() }}),\n    }});\n"
        ));
    }
    main.push_str("    println!(\"{}\", serde_json::Value::Object(out));\n}\n");
    dir.write("src/main.rs", &main);

    // Not `--offline`: the block crate enables features the workspace does not (sqlx `derive`, tokio
    // `macros`), whose crates a fresh machine has not downloaded yet; the copied Cargo.lock pins versions.
    let output = Command::new(env!("CARGO"))
        .args(["run", "--quiet"])
        .current_dir(dir.path())
        .env("CARGO_TARGET_DIR", app_target_dir())
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs");
    if !output.status.success() {
        let mut text = String::from_utf8_lossy(&output.stderr).into_owned();
        for (module, place) in &places {
            text = text.replace(&format!("src/{module}.rs"), &format!("{place} (block)"));
        }
        return Err(text);
    }
    let printed: serde_json::Value = serde_json::from_slice(&output.stdout).expect("the block crate prints JSON");
    let mut schemas = Schemas::new();
    for (place, result) in printed.as_object().expect("an object") {
        let schema = match (&result["schema"], &result["error"]) {
            (serde_json::Value::String(json), _) => Schema::from_json(json).map_err(|e| e.to_string()),
            (_, error) => Err(error.to_string()),
        };
        schemas.insert(place.clone(), schema);
    }
    Ok(schemas)
}

/// The names of the structs deriving `Table` and the enums deriving `PgEnum` at the top of a block.
fn declarations(code: &str) -> Result<(Vec<String>, Vec<String>), String> {
    let file = syn::parse_file(code).map_err(|e| format!("not Rust items: {e}"))?;
    let derives = |attrs: &[syn::Attribute], wanted: &str| {
        attrs.iter().filter(|a| a.path().is_ident("derive")).any(|a| {
            a.parse_args_with(syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated)
                .is_ok_and(|paths| paths.iter().any(|p| p.segments.last().is_some_and(|s| s.ident == wanted)))
        })
    };
    let mut tables = Vec::new();
    let mut enums = Vec::new();
    for item in &file.items {
        match item {
            syn::Item::Struct(s) if derives(&s.attrs, "Table") => tables.push(s.ident.to_string()),
            syn::Item::Enum(e) if derives(&e.attrs, "PgEnum") => enums.push(e.ident.to_string()),
            _ => {}
        }
    }
    Ok((tables, enums))
}
