//! Fuzz-style properties of the engine's inputs that need no server: migrations directories (random file
//! names and contents), database URLs holding a password (the refusal never repeats it), and damaged
//! schema JSON carried on through rendering and planning. Each gives `Ok` or `Err`, never a panic.

use keel_core::model::Schema;
use keel_diff::migrate::{MigrateOptions, migrate, read_migrations};
use keel_diff::render::create_schema;
use keel_diff::{PlanOptions, plan};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use sqlx::postgres::PgConnectOptions;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::atomic::{AtomicU32, Ordering};

#[path = "../../schema-core/tests/support/mutate.rs"]
mod mutate;

fn run<T: std::fmt::Debug>(strategy: impl Strategy<Value = T>, test: impl Fn(T) -> Result<(), TestCaseError>) {
    run_with(mutate::config(), strategy, test);
}

fn run_with<T: std::fmt::Debug>(
    config: Config,
    strategy: impl Strategy<Value = T>,
    test: impl Fn(T) -> Result<(), TestCaseError>,
) {
    let mut runner = TestRunner::new(config);
    if let Err(e) = runner.run(&strategy, test) {
        panic!("{e}");
    }
}

// ---------------------------------------------------------------------------------------------------------
// Migrations directories
// ---------------------------------------------------------------------------------------------------------

const FILE_NAMES: &[&str] = &[
    "20240101120000_create_users.sql",
    "1_a_b_c.sql",
    "9223372036854775807_last.sql",
    "-5_negative.sql",
    "keel.sum",
    "2_x.up.sql",
    "3_.sql",
    "4_x.sql.sql",
    "README.md",
];
const CONTENTS: &[&str] = &[
    "CREATE TABLE a (id integer);\n",
    "-- no-transaction\nCREATE INDEX CONCURRENTLY i ON a (id);\n",
    "\u{feff}-- no-transaction\r\nSELECT 1;\r\n",
    "",
    "-- keel: hazards none\nBEGIN;\nCOMMIT;\n",
    "SELECT '--no-transaction';",
];

/// A temporary directory, removed when dropped.
struct Dir(PathBuf);

impl Dir {
    fn new() -> Dir {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("keel-fuzz-migrations-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&path).expect("create a temporary directory");
        Dir(path)
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A name the file system takes: one path component, not too long.
fn writable(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.contains(['/', '\0']) && name.len() < 200
}

#[test]
fn migrations_directories_never_panic() {
    let file = (mutate::input(FILE_NAMES), mutate::input(CONTENTS), any::<bool>());
    run(prop::collection::vec(file, 0..6), |files| {
        let dir = Dir::new();
        for (name, text, raw) in &files {
            if writable(name) {
                // Some files are not UTF-8 at all: the bytes of the text with one cut in half.
                let bytes =
                    if *raw { text.as_bytes().iter().rev().copied().collect() } else { text.clone().into_bytes() };
                std::fs::write(dir.0.join(name), bytes).map_err(|e| TestCaseError::reject(e.to_string()))?;
            }
        }
        if let Ok(migrations) = read_migrations(&dir.0) {
            let versions: Vec<i64> = migrations.iter().map(|m| m.version).collect();
            prop_assert!(versions.windows(2).all(|w| w[0] < w[1]), "sorted and unique: {versions:?}");
            for m in &migrations {
                prop_assert_eq!(m.checksum.len(), 48);
                prop_assert!(m.file_name.ends_with(".sql") && m.file_name.starts_with(&m.version.to_string()));
            }
        }
        Ok(())
    });
}

// ---------------------------------------------------------------------------------------------------------
// Database URLs
// ---------------------------------------------------------------------------------------------------------

/// The password every generated URL holds (between random punctuation).
const PASSWORD: &str = "s3cretPW";

/// URLs holding [`PASSWORD`] in many shapes, most of them malformed, on this machine's addresses only.
fn urls() -> impl Strategy<Value = String> {
    let punctuation = prop::sample::select(vec![
        "", "@", ":", "/", "?", "#", "%", "%2", "%zz", "%40", "[", "]", " ", "'", "\"", "\\", "&", "=", "é", "\0", "\n",
    ]);
    let password = (punctuation.clone(), punctuation).prop_map(|(a, b)| format!("{a}{PASSWORD}{b}"));
    let shape = prop::sample::select(vec![
        "postgres://user:{pw}@127.0.0.1/db",
        "postgresql://user:{pw}@localhost:99999/db?sslmode=require",
        "postgres://:{pw}@127.0.0.1",
        "postgres://user:{pw}@",
        "postgres://user:{pw}@[::1/db",
        "postgres://user:{pw}@127.0.0.1:port/db",
        "postgres://user:{pw}@127.0.0.1/db?sslmode=bogus",
        "postgres://user@127.0.0.1/db?password={pw}&sslmode=bogus",
        "postgres://user@127.0.0.1/db?sslmode=bogus&password={pw}",
        "POSTGRES://user:{pw}@127.0.0.1:0/db?port=x",
        "mysql://user:{pw}@127.0.0.1/db",
        "postgres:/user:{pw}@127.0.0.1/db",
        "postgres//user:{pw}@127.0.0.1/db",
        "user:{pw}@127.0.0.1/db",
        "host=127.0.0.1 password={pw} dbname=db",
        "{pw}",
        "postgres://user:{pw}@127.0.0.1/db?options=-c%20x%3D{pw}&sslmode=bogus",
    ]);
    (shape, password).prop_map(|(shape, pw)| shape.replace("{pw}", &pw))
}

#[test]
fn a_refused_url_is_never_repeated_with_its_password() {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a tokio runtime");
    let options = MigrateOptions::default();
    run(urls(), |url| {
        let scheme = url.split_once("://").map(|(s, _)| s.to_ascii_lowercase());
        let parses =
            PgConnectOptions::from_str(&url).is_ok() && matches!(scheme.as_deref(), Some("postgres" | "postgresql"));
        // A URL that parses would be connected to: only refusals are checked, and nothing leaves the machine.
        prop_assume!(!parses);
        let error = runtime.block_on(migrate(&url, &[], &options, &mut |_| {})).expect_err("a refused URL");
        let mut text = error.to_string();
        let mut source = std::error::Error::source(&error);
        while let Some(cause) = source {
            text.push_str(&format!(": {cause}"));
            source = cause.source();
        }
        prop_assert!(!text.contains(PASSWORD), "{url:?} → {text}");
        Ok(())
    });
}

// ---------------------------------------------------------------------------------------------------------
// Schema JSON, loaded and then rendered and planned
// ---------------------------------------------------------------------------------------------------------

/// A change to one node of a JSON document, so that most damaged documents still load (text damage mostly
/// breaks the syntax) and carry a broken schema on: a name duplicated or emptied, a column removed, a
/// number out of range.
#[derive(Debug, Clone)]
enum JsonEdit {
    Text(String),
    Number(serde_json::Number),
    Null,
    Remove,
    Empty,
    /// Another node's value here: duplicate names, a key naming the wrong thing.
    CopyFrom(prop::sample::Index),
}

fn json_edit() -> impl Strategy<Value = JsonEdit> {
    let numbers = prop_oneof![
        any::<i64>().prop_map(serde_json::Number::from),
        any::<u64>().prop_map(serde_json::Number::from),
        Just(serde_json::Number::from_f64(1e300).expect("finite")),
    ];
    prop_oneof![
        4 => mutate::fragment().prop_map(JsonEdit::Text),
        1 => numbers.prop_map(JsonEdit::Number),
        1 => Just(JsonEdit::Null),
        2 => Just(JsonEdit::Remove),
        1 => Just(JsonEdit::Empty),
        3 => any::<prop::sample::Index>().prop_map(JsonEdit::CopyFrom),
    ]
}

/// JSON pointers of every node below the root.
fn pointers(value: &serde_json::Value, at: String, out: &mut Vec<String>) {
    let children: Vec<(String, &serde_json::Value)> = match value {
        serde_json::Value::Object(map) => {
            map.iter().map(|(k, v)| (k.replace('~', "~0").replace('/', "~1"), v)).collect()
        }
        serde_json::Value::Array(items) => items.iter().enumerate().map(|(i, v)| (i.to_string(), v)).collect(),
        _ => Vec::new(),
    };
    for (key, child) in children {
        let pointer = format!("{at}/{key}");
        out.push(pointer.clone());
        pointers(child, pointer, out);
    }
}

/// Edits keep a node's JSON type (a string stays a string...) except `Null` and `Remove`, so that most
/// edited documents still load.
fn edit_json(document: &mut serde_json::Value, (at, edit): &(prop::sample::Index, JsonEdit)) {
    let mut all = Vec::new();
    pointers(document, String::new(), &mut all);
    let kind = |pointer: &str| std::mem::discriminant(document.pointer(pointer).expect("a listed node"));
    let fits = |pointer: &str| match (edit, document.pointer(pointer)) {
        (JsonEdit::Text(_), Some(node)) => node.is_string(),
        (JsonEdit::Number(_), Some(node)) => node.is_number(),
        (JsonEdit::Empty, Some(node)) => node.is_array() || node.is_object(),
        _ => true,
    };
    let all: Vec<String> = all.into_iter().filter(|p| fits(p)).collect();
    if all.is_empty() {
        return;
    }
    let pointer = &all[at.index(all.len())];
    let all: Vec<&String> = match edit {
        JsonEdit::CopyFrom(_) => all.iter().filter(|p| kind(p) == kind(pointer)).collect(),
        _ => all.iter().collect(),
    };
    let replacement = match edit {
        JsonEdit::Text(text) => serde_json::Value::String(text.clone()),
        JsonEdit::Number(n) => serde_json::Value::Number(n.clone()),
        JsonEdit::Null => serde_json::Value::Null,
        JsonEdit::Empty => match document.pointer(pointer) {
            Some(serde_json::Value::Array(_)) => serde_json::Value::Array(Vec::new()),
            Some(serde_json::Value::Object(_)) => serde_json::Value::Object(Default::default()),
            _ => serde_json::Value::String(String::new()),
        },
        JsonEdit::CopyFrom(from) => document.pointer(all[from.index(all.len())]).cloned().unwrap_or_default(),
        JsonEdit::Remove => {
            let (parent, key) = pointer.rsplit_once('/').expect("pointers start with /");
            let key = key.replace("~1", "/").replace("~0", "~");
            match document.pointer_mut(parent) {
                Some(serde_json::Value::Object(map)) => drop(map.remove(&key)),
                Some(serde_json::Value::Array(items)) => {
                    if let Ok(i) = key.parse::<usize>() {
                        items.remove(i);
                    }
                }
                _ => {}
            }
            return;
        }
    };
    if let Some(node) = document.pointer_mut(pointer) {
        *node = replacement;
    }
}

/// A loaded schema is rendered and planned both ways: neither may panic, whatever the document held.
fn render_and_plan(text: &str) {
    if let Ok(schema) = Schema::from_json(text) {
        let _ = create_schema(&schema);
        let _ = plan(&Schema::default(), &schema, &PlanOptions::default()).map(|p| p.to_sql());
        let _ = plan(&schema, &Schema::default(), &PlanOptions::default()).map(|p| p.to_sql());
    }
}

fn example_json() -> String {
    keel_example_files::schema().expect("the example's schema is valid").to_json()
}

#[test]
fn damaged_schema_json_text_never_panics_when_rendered_or_planned() {
    run(mutate::input(&[&example_json()]), |text| {
        render_and_plan(&text);
        Ok(())
    });
}

#[test]
fn damaged_schema_json_documents_never_panic_when_rendered_or_planned() {
    let example: serde_json::Value = serde_json::from_str(&example_json()).expect("valid JSON");
    let edits = prop::collection::vec((any::<prop::sample::Index>(), json_edit()), 1..4);
    // Cheap cases, and only a third of them load: twice the usual number.
    let config = Config { cases: 2 * mutate::CASES, ..mutate::config() };
    run_with(config, edits, |edits| {
        let mut document = example.clone();
        edits.iter().for_each(|edit| edit_json(&mut document, edit));
        render_and_plan(&document.to_string());
        Ok(())
    });
}
