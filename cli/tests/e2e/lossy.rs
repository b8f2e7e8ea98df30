//! Issue 14: a lossy type change is data loss. `keel push` without a terminal refuses it (exit 2) with the
//! measured count and changes nothing; `--force` applies it; `keel generate` refuses it without `--force`
//! and writes its `alters_data` hazard into the migration's header. A narrowing that a value does not fit
//! fails instead of truncating.

use crate::harness::{Db, TempDir, keel, sql_files};

const CENTS: &str = "CREATE TABLE items (id bigint PRIMARY KEY, price numeric(10, 2), code varchar(100));";
const WHOLE: &str = "CREATE TABLE items (id bigint PRIMARY KEY, price numeric(10, 0), code varchar(100));";
const SHORT: &str = "CREATE TABLE items (id bigint PRIMARY KEY, price numeric(10, 2), code varchar(5));";

#[test]
fn push_refuses_a_lossy_cast_without_force_and_generate_writes_its_hazard() {
    let project = TempDir::new("lossy");
    project.write("whole.sql", WHOLE);
    project.write("short.sql", SHORT);
    let db = Db::new();
    db.exec(&format!("{CENTS} INSERT INTO items VALUES (1, 12.34, 'a'), (2, 5.00, 'b'), (3, 7.5, 'hello world');"));
    let push = |schema: &str, extra: &[&str]| {
        let mut args = vec!["push", "--schema", schema];
        args.extend_from_slice(extra);
        keel(project.path(), &args).db(&db.url).dev().run()
    };
    let prices = |db: &Db| db.texts("SELECT price::text FROM items ORDER BY id");
    let cents = [Some("12.34".to_string()), Some("5.00".to_string()), Some("7.50".to_string())];

    // No terminal, no --force: refused with the count of values that would change; nothing changed.
    push("whole.sql", &[])
        .expect(2)
        .says("change type of public.items.price from numeric(10,2) to numeric(10,0): 2 values change")
        .says("--force");
    assert_eq!(prices(&db), cents);
    let refused = push("whole.sql", &["--output", "json"]).expect(2).json();
    let statements = refused["plan"]["statements"].as_array().expect("statements");
    let retype = statements.iter().find(|s| s["sql"].as_str().is_some_and(|q| q.contains("TYPE"))).expect("a retype");
    assert_eq!(retype["data_loss"], 2, "{refused:#}");
    assert!(retype["hazards"].as_array().is_some_and(|h| h.iter().any(|h| h == "alters_data")), "{refused:#}");
    assert_eq!(prices(&db), cents);

    // A narrowing that a value does not fit is not data loss: it fails loudly and cuts nothing.
    push("short.sql", &["--force"]).expect(1).says("value too long");
    assert_eq!(db.texts("SELECT code FROM items WHERE id = 3"), [Some("hello world".to_string())]);

    // --force applies the lossy cast.
    push("whole.sql", &["--force"]).expect(0);
    assert_eq!(prices(&db), [Some("12".to_string()), Some("5".to_string()), Some("8".to_string())]);

    // generate: refused without --force; with it, the hazard is in the migration's header.
    project.write("cents.sql", CENTS);
    keel(project.path(), &["generate", "items", "--schema", "cents.sql"]).dev().run().expect(0);
    keel(project.path(), &["generate", "whole", "--schema", "whole.sql"]).dev().run().expect(2).says("--force");
    keel(project.path(), &["generate", "whole", "--schema", "whole.sql", "--force"]).dev().run().expect(0);
    let files = sql_files(&project.join("migrations"));
    let last = files.iter().find(|f| f.contains("whole")).expect("the lossy migration");
    let text = project.read(&format!("migrations/{last}"));
    let header: Vec<&str> = text.lines().take_while(|l| l.starts_with("--")).collect();
    assert!(header.iter().any(|l| l.contains("alters_data")), "{text}");
    assert!(text.contains("TYPE numeric(10,0);"), "no USING that would hide a check:\n{text}");
}
