//! Scale benchmark: how introspection and diff+plan grow with the number of tables, against
//! `pg_dump --schema-only` on the same database. The target: introspection + diff of 5,000 tables is no
//! slower than `pg_dump --schema-only`.
//!
//! `cargo bench -p keel-diff --bench scale [-- 100,1000]` (or `KEEL_BENCH_SIZES=100,1000`); default sizes
//! 100, 1000 and 5000. Each size gets a fresh scratch database holding a deterministic synthetic schema:
//! tables spread over four schemas, a uuid primary key, `user_id`, 5–15 mixed columns (enums, arrays, jsonb,
//! numerics...), 1–3 foreign keys to earlier tables, 2–4 indexes (partial, unique), checks.
//!
//! `KEEL_BENCH_KEEP=<seconds>` keeps the last database (and the throwaway cluster) alive that long after the
//! run and prints its URL, for `psql` and `EXPLAIN ANALYZE`.

use keel_core::model::{Column, ColumnType, Index, IndexKey, KeyExpression, Schema, Table};
use keel_diff::{Hints, PlanOptions, diff, introspect, plan};
use keel_test_support::{ScratchDatabase, Server, shared_server};
use sqlx::AssertSqlSafe;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const DEFAULT_SIZES: [usize; 3] = [100, 1000, 5000];
const SCHEMAS: [&str; 4] = ["public", "billing", "content", "audit"];
const ENUM_COUNT: usize = 12;
/// Tables per `raw_sql` batch while building the schema.
const BATCH: usize = 200;
const RUNS: usize = 3;
/// The size the target is stated for.
const TARGET_SIZE: usize = 5000;

fn main() {
    let sizes = sizes();
    let server = shared_server().unwrap_or_else(|e| panic!("no PostgreSQL for the benchmark: {e}"));
    let pg_dump = server.program("pg_dump").or_else(|| which("pg_dump")).expect("pg_dump not found");
    let keep = std::env::var("KEEL_BENCH_KEEP").ok().and_then(|s| s.parse::<u64>().ok());
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a tokio runtime");
    eprintln!("server: {}; pg_dump: {}", server.describe(), pg_dump.display());

    let mut rows = Vec::new();
    for (i, &size) in sizes.iter().enumerate() {
        let keep_this = keep.filter(|_| i + 1 == sizes.len());
        let row = runtime.block_on(measure(server, &pg_dump, size, keep_this));
        eprintln!("{}", row.line());
        rows.push(row);
    }

    println!();
    println!("{}", Row::header());
    println!("{}", "-".repeat(Row::header().len()));
    for row in &rows {
        println!("{}", row.line());
    }
    println!();
    println!("{}", verdict(&rows));
}

/// Sizes from the first non-flag argument, else `KEEL_BENCH_SIZES`, else the defaults. (`cargo bench` passes
/// `--bench` to the binary; flags are ignored.)
fn sizes() -> Vec<usize> {
    let given =
        std::env::args().skip(1).find(|a| !a.starts_with('-')).or_else(|| std::env::var("KEEL_BENCH_SIZES").ok());
    match given {
        Some(list) => list
            .split(',')
            .map(|s| s.trim().parse().unwrap_or_else(|_| panic!("not a size: {s:?} (expected e.g. 100,1000)")))
            .collect(),
        None => DEFAULT_SIZES.to_vec(),
    }
}

struct Row {
    size: usize,
    create: Duration,
    introspect: Duration,
    diff: Duration,
    /// `diff` without planning, part of `diff`.
    diff_only: Duration,
    changes: usize,
    pg_dump: Duration,
}

impl Row {
    fn header() -> String {
        format!(
            "{:>6} | {:>13} | {:>12} | {:>18} | {:>10} | {:>24}",
            "size", "introspect ms", "diff+plan ms", "introspect+diff ms", "pg_dump ms", "(introspect+diff)/pg_dump"
        )
    }

    fn line(&self) -> String {
        let total = self.introspect + self.diff;
        let columns = format!(
            "{:>6} | {:>13.1} | {:>12.1} | {:>18.1} | {:>10.1} | {:>24.2}",
            self.size,
            ms(self.introspect),
            ms(self.diff),
            ms(total),
            ms(self.pg_dump),
            total.as_secs_f64() / self.pg_dump.as_secs_f64(),
        );
        let notes = format!(
            "created in {:.1} s; diff alone {:.1} ms; {} statements",
            self.create.as_secs_f64(),
            ms(self.diff_only),
            self.changes
        );
        format!("{columns}   ({notes})")
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn verdict(rows: &[Row]) -> String {
    let target = "introspection + diff of 5,000 tables no slower than pg_dump --schema-only";
    let Some(row) = rows.iter().find(|r| r.size == TARGET_SIZE).or_else(|| rows.iter().max_by_key(|r| r.size)) else {
        return format!("verdict: nothing measured (target: {target})");
    };
    let ratio = (row.introspect + row.diff).as_secs_f64() / row.pg_dump.as_secs_f64();
    let met = if ratio <= 1.0 { "MET" } else { "NOT MET" };
    let caveat =
        if row.size == TARGET_SIZE { String::new() } else { format!(" (measured at {} tables only)", row.size) };
    format!("verdict: target {met}{caveat}: {ratio:.3}× pg_dump — {target}")
}

async fn measure(server: &Server, pg_dump: &PathBuf, size: usize, keep: Option<u64>) -> Row {
    let database = server.create_database().await.expect("create a scratch database");
    let mut conn = database.connect().await.expect("connect");

    let started = Instant::now();
    for batch in synthetic_schema(size) {
        sqlx::raw_sql(AssertSqlSafe(batch)).execute(&mut conn).await.expect("build the synthetic schema");
    }
    sqlx::raw_sql("ANALYZE").execute(&mut conn).await.expect("analyze");
    let create = started.elapsed();

    let mut times = Vec::with_capacity(RUNS);
    let mut introspected = None;
    for _ in 0..RUNS {
        let mut fresh = database.connect().await.expect("connect");
        let started = Instant::now();
        let schema = introspect(&mut fresh, None).await.expect("introspect");
        times.push(started.elapsed());
        introspected = Some(schema);
    }
    let introspect_time = median(times);
    let current = introspected.expect("introspected at least once");
    assert_eq!(current.tables().count(), size, "introspection found every table");

    let same = plan(&current, &current, &PlanOptions::default()).expect("plan against itself");
    assert!(same.is_empty(), "planning a schema against itself is not empty:\n{}", same.to_sql());

    let desired = mutated(&current);
    let mut times = Vec::with_capacity(RUNS);
    let mut changes = 0;
    for _ in 0..RUNS {
        let started = Instant::now();
        let planned = plan(&current, &desired, &PlanOptions::default()).expect("plan against the mutation");
        times.push(started.elapsed());
        changes = planned.statements.len();
    }
    let diff_time = median(times);
    assert!(changes > 0, "the mutated schema differs");
    // The diff alone, to tell comparing from ordering and rendering.
    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let started = Instant::now();
        diff(&current, &desired, &Hints::default()).expect("diff against the mutation");
        times.push(started.elapsed());
    }
    let diff_only = median(times);

    let dump_time = median((0..RUNS).map(|_| dump(pg_dump, &database)).collect());

    if let Some(seconds) = keep {
        eprintln!("keeping {} for {seconds} s: psql '{}'", database.name, database.url);
        tokio::time::sleep(Duration::from_secs(seconds)).await;
    }
    drop(conn);
    database.drop_database().await.expect("drop the scratch database");
    Row { size, create, introspect: introspect_time, diff: diff_time, diff_only, changes, pg_dump: dump_time }
}

/// The median of some timings.
fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn dump(pg_dump: &PathBuf, database: &ScratchDatabase) -> Duration {
    let started = Instant::now();
    let output = Command::new(pg_dump)
        .args(["--schema-only", "--file", "/dev/null", "--dbname", &database.url])
        .stdin(Stdio::null())
        .output()
        .expect("run pg_dump");
    let elapsed = started.elapsed();
    assert!(output.status.success(), "pg_dump failed: {}", String::from_utf8_lossy(&output.stderr));
    elapsed
}

fn which(program: &str) -> Option<PathBuf> {
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths).map(|d| d.join(program)).find(|p| p.is_file())
}

/// A small linear congruential generator: the same schema every run, without a `rand` dependency.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    /// Uniform in `0..n`.
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// Uniform in `low..=high`.
    fn between(&mut self, low: usize, high: usize) -> usize {
        low + self.below(high - low + 1)
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a>(&mut self, items: &'a [&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

fn table_name(i: usize) -> String {
    format!("{}.t{i:05}", SCHEMAS[i % SCHEMAS.len()])
}

fn enum_name(e: usize) -> String {
    format!("{}.status_{e}", SCHEMAS[e % SCHEMAS.len()])
}

/// The synthetic schema as a few large SQL batches, in an order PostgreSQL accepts.
fn synthetic_schema(size: usize) -> Vec<String> {
    let mut rng = Lcg(0x5eed_0000 + size as u64);
    let mut preamble = String::new();
    for schema in &SCHEMAS[1..] {
        preamble.push_str(&format!("CREATE SCHEMA {schema};\n"));
    }
    let enum_sizes: Vec<usize> = (0..ENUM_COUNT).map(|_| rng.between(3, 8)).collect();
    for (e, &values) in enum_sizes.iter().enumerate() {
        let labels: Vec<String> = (0..values).map(|v| format!("'v{v}'")).collect();
        preamble.push_str(&format!("CREATE TYPE {} AS ENUM ({});\n", enum_name(e), labels.join(", ")));
    }
    let mut batches = vec![preamble];
    let mut batch = String::new();
    for i in 0..size {
        batch.push_str(&synthetic_table(&mut rng, i));
        if (i + 1) % BATCH == 0 {
            batches.push(std::mem::take(&mut batch));
        }
    }
    if !batch.is_empty() {
        batches.push(batch);
    }
    batches
}

/// `CREATE TABLE` for table `i`, its indexes and sometimes a comment.
fn synthetic_table(rng: &mut Lcg, i: usize) -> String {
    let name = table_name(i);
    let bare = format!("t{i:05}");
    let mut columns = vec![
        "id uuid PRIMARY KEY DEFAULT gen_random_uuid()".to_string(),
        "user_id text NOT NULL".to_string(),
        "created_at timestamptz NOT NULL DEFAULT now()".to_string(),
        "deleted_at timestamptz".to_string(),
    ];
    let mut constraints = Vec::new();
    // Columns an index may use, beside user_id and created_at.
    let mut indexable = Vec::new();
    for c in 0..rng.between(5, 15) {
        let null = if rng.chance(40) { "" } else { " NOT NULL" };
        let column = match rng.below(11) {
            0 => format!("c{c} text{null}"),
            1 => format!("c{c} varchar({}){null}", rng.pick(&["32", "64", "255", "1000"])),
            2 => {
                constraints.push(format!("CONSTRAINT {bare}_c{c}_nonnegative CHECK (c{c} >= 0)"));
                format!("c{c} integer NOT NULL DEFAULT 0")
            }
            3 => format!("c{c} bigint{null}"),
            4 => format!("c{c} numeric({},{}){null}", rng.between(10, 18), rng.between(0, 4)),
            5 => format!("c{c} boolean NOT NULL DEFAULT false"),
            6 => format!("c{c} timestamptz DEFAULT now()"),
            7 => format!("c{c} jsonb NOT NULL DEFAULT '{{}}'"),
            8 | 9 => {
                let e = rng.below(ENUM_COUNT);
                let default = if rng.chance(50) { " DEFAULT 'v0'" } else { "" };
                format!("c{c} {}{null}{default}", enum_name(e))
            }
            _ => format!("c{c} {}", rng.pick(&["text[]", "integer[]", "varchar(64)[]"])),
        };
        if !column.contains("[]") && !column.contains("jsonb") {
            indexable.push(format!("c{c}"));
        }
        columns.push(column);
    }
    if rng.chance(30) {
        columns.push("email varchar(320)".to_string());
        constraints.push(format!("CONSTRAINT {bare}_email_shape CHECK (email IS NULL OR position('@' in email) > 1)"));
    }
    let fk_count = if i == 0 { 0 } else { rng.between(1, 3).min(i) };
    let mut fk_columns = Vec::new();
    for k in 0..fk_count {
        let target = rng.below(i);
        let (null, action) = match rng.below(3) {
            0 => (" NOT NULL", "CASCADE"),
            1 => ("", "SET NULL"),
            _ => (" NOT NULL", "NO ACTION"),
        };
        columns.push(format!("ref{k}_id uuid{null}"));
        constraints.push(format!(
            "CONSTRAINT {bare}_ref{k}_fk FOREIGN KEY (ref{k}_id) REFERENCES {} (id) ON DELETE {action}",
            table_name(target)
        ));
        fk_columns.push(format!("ref{k}_id"));
    }
    columns.extend(constraints);
    let mut sql = format!("CREATE TABLE {name} (\n  {}\n);\n", columns.join(",\n  "));

    let mut indexes = vec![format!("(user_id, created_at DESC)")];
    indexes.push("(created_at) WHERE deleted_at IS NULL".to_string());
    if let Some(column) = indexable.get(rng.below(indexable.len().max(1))) {
        indexes.push(format!("UNIQUE (user_id, {column}) WHERE deleted_at IS NULL"));
    }
    if let Some(column) = fk_columns.first().filter(|_| rng.chance(70)) {
        indexes.push(format!("({column})"));
    }
    for (k, index) in indexes.iter().take(4).enumerate() {
        let (unique, keys) = match index.strip_prefix("UNIQUE ") {
            Some(keys) => ("UNIQUE ", keys),
            None => ("", index.as_str()),
        };
        sql.push_str(&format!("CREATE {unique}INDEX {bare}_idx{k} ON {name} {keys};\n"));
    }
    if rng.chance(20) {
        sql.push_str(&format!("COMMENT ON TABLE {name} IS 'synthetic table {i}';\n"));
    }
    sql
}

/// A slightly different schema: about one table in fifty gains a column, loses an unused one, has a
/// varchar widened and an integer made bigint, an index dropped and one added.
fn mutated(current: &Schema) -> Schema {
    let mut desired = current.clone();
    let tables = desired.schemas.values_mut().flat_map(|ns| ns.tables.iter_mut());
    for (name, table) in tables.step_by(50) {
        mutate_table(name, table);
    }
    desired
}

fn mutate_table(name: &str, table: &mut Table) {
    table.columns.push(Column::new("bench_added", ColumnType::Text).nullable());
    if let Some(position) = table.columns.iter().position(|c| is_mixed(&c.name) && !is_used(table, &c.name)) {
        table.columns.remove(position);
    }
    if let Some(column) = table.columns.iter_mut().find(|c| matches!(c.ty, ColumnType::Varchar { .. })) {
        column.ty = ColumnType::Varchar { length: Some(2000) };
    }
    if let Some(column) = table.columns.iter_mut().find(|c| c.ty == ColumnType::Integer) {
        column.ty = ColumnType::BigInt;
    }
    if let Some(name) = table.indexes.keys().next().cloned() {
        table.indexes.remove(&name);
    }
    let index = Index::on_columns(["user_id", "deleted_at"]);
    table.indexes.insert(format!("{name}_bench_idx"), index);
}

/// One of the generated mixed columns, `c0`, `c1`...
fn is_mixed(column: &str) -> bool {
    column.strip_prefix('c').is_some_and(|n| n.parse::<u32>().is_ok())
}

/// Whether a constraint or index mentions the column (expressions are searched as text).
fn is_used(table: &Table, column: &str) -> bool {
    let in_keys = |keys: &[IndexKey]| {
        keys.iter().any(|k| match &k.on {
            KeyExpression::Column(c) => c == column,
            KeyExpression::Expression(e) => e.contains(column),
        })
    };
    table.indexes.values().any(|i| in_keys(&i.keys) || i.predicate.as_ref().is_some_and(|p| p.contains(column)))
        || table.checks.values().any(|c| c.expression.contains(column))
        || table.unique_constraints.values().any(|u| u.columns.iter().any(|c| c == column))
        || table.foreign_keys.values().any(|f| f.columns.iter().any(|c| c == column))
}
