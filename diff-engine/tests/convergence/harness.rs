//! The convergence oracle (DESIGN, invariant 2): build database A and database B from SQL, plan A→B, apply
//! the plan to A, introspect A: it must equal B, and planning again must give nothing. Rows in A must
//! survive every plan that does not say it deletes data.

use keel_core::model::Schema;
use keel_diff::lint::sql::{PlanFile, plan_files};
use keel_diff::lint::{Finding, LintConfig, Location, SqlContext, lint_plan};
use keel_diff::{Hazard, Hints, Plan, PlanOptions, Rename, apply_plan, introspect, measure_data_loss, plan, unmanaged};
use keel_test_support::{ScratchDatabase, Server, shared_server};
use sqlx::{AssertSqlSafe, Connection, PgConnection};
use std::collections::BTreeMap;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

fn server() -> &'static Server {
    shared_server().unwrap_or_else(|e| panic!("no PostgreSQL for the tests: {e}"))
}

/// One A→B case. Build with [`case`], then `.run().await`.
#[must_use = "a case does nothing until it is run"]
pub struct Case {
    a: String,
    b: String,
    data: String,
    hints: Hints,
    online: bool,
    verify: Vec<String>,
    expected: Vec<Hazard>,
    both_ways: bool,
    min_version: i32,
}

/// A case whose databases are built by running `a` and `b` (any number of statements each).
pub fn case(a: &str, b: &str) -> Case {
    Case {
        a: a.to_string(),
        b: b.to_string(),
        data: String::new(),
        hints: Hints::default(),
        online: false,
        verify: Vec::new(),
        expected: Vec::new(),
        both_ways: false,
        min_version: 0,
    }
}

impl Case {
    /// Rows inserted into A before planning (only A: B's data plays no part in the schema).
    pub fn data(mut self, sql: &str) -> Case {
        self.data = sql.to_string();
        self
    }

    pub fn hint(mut self, rename: Rename) -> Case {
        self.hints.renames.push(rename);
        self
    }

    pub fn online(mut self) -> Case {
        self.online = true;
        self
    }

    /// A query run on A after the plan was applied; it must return one row with `true`.
    pub fn verify(mut self, sql: &str) -> Case {
        self.verify.push(sql.to_string());
        self
    }

    /// The plan must tag at least one statement with this hazard.
    pub fn expect(mut self, hazard: Hazard) -> Case {
        self.expected.push(hazard);
        self
    }

    /// Also run B→A (without data, hints or checks: those belong to the A→B direction).
    pub fn both_ways(mut self) -> Case {
        self.both_ways = true;
        self
    }

    /// The case needs this server version (`server_version_num`, e.g. `150000`): below it, the case is
    /// skipped, and says so ([`skip_below`]).
    pub fn min_version(mut self, version_num: i32) -> Case {
        self.min_version = version_num;
        self
    }

    /// Runs the case (and its reverse when asked); returns the A→B plan for further assertions. A case
    /// the server is too old for returns an empty plan (see [`skip_below`]).
    pub async fn run(self) -> Plan {
        if skip_below(self.min_version).await {
            return Plan::default();
        }
        let forward = converge(&self).await;
        if self.both_ways {
            let reverse = case(&self.b, &self.a);
            let reverse = Case { online: self.online, ..reverse };
            converge(&reverse).await;
        }
        forward
    }
}

/// The server's `server_version_num`, read once per process.
static SERVER_VERSION: OnceLock<i32> = OnceLock::new();

/// The test server's version, as `SHOW server_version_num` gives it (`130014`, `150008`).
pub async fn server_version() -> i32 {
    if let Some(version) = SERVER_VERSION.get() {
        return *version;
    }
    let version = crate::support::server_version_num(&server().url("postgres")).await;
    *SERVER_VERSION.get_or_init(|| version)
}

/// Whether the running test must be skipped because the server is older than `version_num` (0: never);
/// says so when it does (`support::skip_below`).
pub async fn skip_below(version_num: i32) -> bool {
    version_num != 0 && crate::support::skip_below(version_num, server_version().await, None)
}

/// Databases of finished cases, reset to a new database's state. Creating a database costs a case more
/// than everything else it does together (PostgreSQL copies the template); resetting one costs a few ms.
static POOL: Mutex<Vec<ScratchDatabase>> = Mutex::new(Vec::new());

/// What a new database introspects to, read from the first one created.
static PRISTINE: OnceLock<Schema> = OnceLock::new();

/// Drops every schema (with what is in it, extensions included) and recreates `public` as the server's
/// version creates it (owned by `pg_database_owner` and closed to `CREATE` from 15 on).
const RESET: &str = "
DO $$
DECLARE s text;
BEGIN
    FOR s IN SELECT nspname FROM pg_namespace
             WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND nspname NOT LIKE 'pg\\_%'
    LOOP
        EXECUTE format('DROP SCHEMA %I CASCADE', s);
    END LOOP;
END $$;
DO $$
BEGIN
    IF current_setting('server_version_num')::int >= 150000 THEN
        CREATE SCHEMA public AUTHORIZATION pg_database_owner;
        GRANT USAGE ON SCHEMA public TO PUBLIC;
    ELSE
        CREATE SCHEMA public;
        GRANT ALL ON SCHEMA public TO PUBLIC;
    END IF;
END $$;
COMMENT ON SCHEMA public IS 'standard public schema';";

pub(crate) async fn database(sql: &str) -> (ScratchDatabase, PgConnection) {
    let reused = POOL.lock().unwrap_or_else(|p| p.into_inner()).pop();
    let database = match reused {
        Some(database) => database,
        None => server().create_database().await.expect("create a scratch database"),
    };
    let mut conn = database.connect().await.expect("connect to the scratch database");
    if PRISTINE.get().is_none() {
        let fresh = introspect(&mut conn, None).await.expect("introspect a new database");
        if PRISTINE.set(fresh).is_ok() {
            drop_pools_of_finished_runs().await;
        }
    }
    if !sql.trim().is_empty() {
        sqlx::raw_sql(AssertSqlSafe(sql.to_string()))
            .execute(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("setting up a database failed: {e}\n{sql}"));
    }
    (database, conn)
}

async fn converge(case: &Case) -> Plan {
    let setup_a = format!("{};\n{}", case.a, case.data);
    let (db_a, mut a) = database(&setup_a).await;
    let (db_b, mut b) = database(&case.b).await;

    let current = introspect(&mut a, None).await.expect("introspect A");
    let desired = introspect(&mut b, None).await.expect("introspect B");
    let options = PlanOptions {
        hints: case.hints.clone(),
        online: case.online,
        unmanaged: unmanaged(&mut a, None).await.expect("unmanaged objects of A"),
        server_version_num: Some(server_version().await),
        ..PlanOptions::default()
    };
    crate::golden::record(&current, &desired, &options);
    let mut planned = plan(&current, &desired, &options).expect("plan A→B");
    lint_online_plan(&current, &desired, &options);
    measure_data_loss(&mut a, &mut planned).await.expect("measure data loss");
    let rows_before = row_counts(&mut a, &current).await;

    if let Err(e) = apply_plan(&mut a, &planned).await {
        panic!("applying the plan failed: {e}\n-- plan:\n{}", planned.to_sql());
    }
    let after = introspect(&mut a, None).await.expect("introspect A after the plan");
    assert_same(&after, &desired, &planned);

    let again = plan(&after, &desired, &PlanOptions::default()).expect("plan again");
    assert!(again.is_empty(), "planning again is not empty:\n{}\n-- first plan:\n{}", again.to_sql(), planned.to_sql());

    for hazard in &case.expected {
        assert!(planned.has(*hazard), "expected a {hazard} statement in:\n{}", planned.to_sql());
    }
    if !planned.has(Hazard::DeletesData) {
        let rows_after = row_counts(&mut a, &renamed(&current, &case.hints)).await;
        for (table, before) in &rows_before {
            let renamed_table = rename_of(table, &case.hints);
            if let Some(after) = rows_after.get(&renamed_table) {
                assert_eq!(
                    after,
                    before,
                    "rows of {table} changed under a plan that deletes nothing:\n{}",
                    planned.to_sql()
                );
            }
        }
    }
    for query in &case.verify {
        let ok: bool = sqlx::query_scalar(AssertSqlSafe(query.clone()))
            .fetch_one(&mut a)
            .await
            .unwrap_or_else(|e| panic!("verification query failed: {e}\n{query}"));
        assert!(ok, "verification failed: {query}\n-- plan:\n{}", planned.to_sql());
    }

    drop((a, b));
    release(db_a).await;
    release(db_b).await;
    planned
}

/// The pool outlives its process: a run leaves its pooled databases behind. Drops those of runs whose
/// process is gone (scratch databases are named `keel_scratch_<pid>_<n>`).
async fn drop_pools_of_finished_runs() {
    let mut admin = sqlx::PgConnection::connect(&server().url("postgres")).await.expect("connect to the server");
    let names: Vec<String> =
        sqlx::query_scalar("SELECT datname::text FROM pg_database WHERE datname LIKE 'keel\\_scratch\\_%'")
            .fetch_all(&mut admin)
            .await
            .expect("list scratch databases");
    for name in names {
        let pid = name.split('_').nth(2).and_then(|p| p.parse::<u32>().ok());
        if pid.is_some_and(|pid| !std::path::Path::new(&format!("/proc/{pid}")).exists()) {
            let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", keel_core::sql::quote_ident(&name));
            let _ = sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut admin).await;
        }
    }
}

/// Resets a database for the next case, or drops it when the reset does not give a new database's state
/// (a case built something the reset does not know).
pub(crate) async fn release(database: ScratchDatabase) {
    let mut conn = database.connect().await.expect("connect to a finished case's database");
    sqlx::raw_sql(RESET).execute(&mut conn).await.expect("reset a scratch database");
    let state = introspect(&mut conn, None).await.expect("introspect a reset database");
    let leftovers = unmanaged(&mut conn, None).await.expect("unmanaged objects of a reset database");
    drop(conn);
    if Some(&state) == PRISTINE.get() && leftovers.is_empty() {
        POOL.lock().unwrap_or_else(|p| p.into_inner()).push(database);
    } else {
        database.drop_database().await.expect("drop a scratch database");
    }
}

/// `schema.table` → row count, for every table of `schema` that exists in the database.
async fn row_counts(conn: &mut PgConnection, schema: &Schema) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    for (name, _) in schema.tables() {
        let sql = format!("SELECT count(*) FROM {}", keel_diff::render::qualified(&name));
        if let Ok(n) = sqlx::query_scalar::<_, i64>(AssertSqlSafe(sql)).fetch_one(&mut *conn).await {
            out.insert(name.to_string(), n);
        }
    }
    out
}

fn rename_of(table: &str, hints: &Hints) -> String {
    for rename in &hints.renames {
        if let Rename::Table { schema, from, to } = rename
            && format!("{schema}.{from}") == table
        {
            return format!("{schema}.{to}");
        }
    }
    table.to_string()
}

fn renamed(schema: &Schema, hints: &Hints) -> Schema {
    let mut out = schema.clone();
    for rename in &hints.renames {
        if let Rename::Table { schema: ns, from, to } = rename
            && let Some(n) = out.schemas.get_mut(ns)
            && let Some(t) = n.tables.remove(from)
        {
            n.tables.insert(to.clone(), t);
        }
    }
    out
}

fn assert_same(after: &Schema, desired: &Schema, planned: &Plan) {
    let (left, right) = (after.without_column_order().to_json(), desired.without_column_order().to_json());
    if left != right {
        panic!(
            "A after the plan differs from B\n{}\n-- plan:\n{}",
            crate::support::json_diff(&left, &right, "A after the plan", "B"),
            planned.to_sql()
        );
    }
}

/// Issue 5: the migration `keel generate --online` writes for the case (online variants, the default 5 s
/// lock_timeout) passes squawk's default rules and keel's, except findings that are inherent to the change
/// ([`INHERENT`]), that are no migration-safety issue where keel runs ([`NOT_APPLICABLE`]), or that are
/// known engine issues waiting for a fix ([`ENGINE_ISSUES`]).
fn lint_online_plan(current: &Schema, desired: &Schema, options: &PlanOptions) {
    let options = PlanOptions { online: true, lock_timeout: Some(Duration::from_secs(5)), ..options.clone() };
    let online = plan(current, desired, &options).expect("plan A→B online");
    let files = plan_files(&online);
    let findings = lint_plan(&online, SqlContext { previous: Some(current) }, &LintConfig::default());
    let unexpected: Vec<String> = findings
        .iter()
        .filter(|f| !accepted(f, &files))
        .map(|f| format!("{} {} [{}]: {} (fix: {})", f.location, f.severity, f.rule, f.message, f.fix))
        .collect();
    if !unexpected.is_empty() {
        let files: Vec<String> = files.iter().map(|f| format!("-- {}:\n{}", f.name, f.sql)).collect();
        panic!("the online plan has lint findings:\n{}\n-- online plan:\n{}", unexpected.join("\n"), files.join("\n"));
    }
}

/// Findings that come with the change itself: B drops, renames, retypes or re-declares something, and no
/// way of writing the migration avoids it. The plan marks these statements with hazards (`DeletesData`,
/// `BreaksClients`, `RewritesTable`, `MayFailOnData`) and `push`/`migrate` ask before running them.
/// `(rule, on)`: the finding is accepted when the statement it points at contains `on` ("" for any).
const INHERENT: &[(&str, &str)] = &[
    // A table or column B does not have (keel's rule: the previous release may still read it).
    ("squawk/ban-drop-column", ""),
    ("squawk/ban-drop-table", ""),
    ("drop-still-read", ""),
    // A schema, type or sequence B does not have; an enum losing a value is rebuilt as a new type that
    // replaces the old one (drop and rename); a serial column turned identity loses its sequence.
    ("squawk/ban-drop-schema", ""),
    ("squawk/ban-drop-type", ""),
    ("squawk/ban-drop-sequence", ""),
    // A constraint B does not have or defines differently (PostgreSQL cannot alter one in place); also the
    // temporary `<table>_<column>_not_null` check that the online SET NOT NULL adds, validates and drops.
    ("squawk/ban-drop-constraint", ""),
    // A view B does not have, defines differently than CREATE OR REPLACE allows, or that reads something the
    // plan changes: dropped and created again (never CASCADE).
    ("squawk/ban-drop-view", ""),
    ("squawk/ban-drop-materialized-view", ""),
    // A function B does not have, or whose signature or result CREATE OR REPLACE cannot change.
    ("squawk/ban-drop-function", ""),
    // An extension B does not have, or has in another schema.
    ("squawk/ban-drop-extension", ""),
    ("squawk/ban-set-schema", "ALTER EXTENSION"),
    // Renames (hints, and the rebuilt enum taking the old one's name): the name changes for every client.
    ("squawk/renaming-column", ""),
    ("squawk/renaming-table", ""),
    ("squawk/renaming-object", ""),
    // A column whose type, nullability, default, identity or generation B changes (a type change drops a
    // default that does not cast, and sets B's after).
    ("squawk/changing-column-type", ""),
    ("squawk/ban-drop-not-null", ""),
    ("squawk/ban-drop-default", ""),
    ("squawk/ban-alter-identity", ""),
    ("squawk/ban-drop-generated-expression", ""),
    // A NOT NULL column without a default that B adds to an existing table: existing rows have no value,
    // and only a person can choose one (the plan marks it MayFailOnData; keel's rule says how to backfill).
    ("squawk/adding-required-field", ""),
    ("not-null-without-default", ""),
    // A column that needs a value computed for every existing row (volatile default, identity, stored
    // generated column): PostgreSQL rewrites the table (the plan marks it RewritesTable), like a type change.
    ("squawk/adding-field-with-default", ""),
    // An exclusion constraint on an existing table: PostgreSQL accepts NOT VALID only for CHECK and
    // FOREIGN KEY, and has no ADD CONSTRAINT ... EXCLUDE USING INDEX, so the scan under the lock is unavoidable.
    ("squawk/constraint-missing-not-valid", " EXCLUDE "),
    // A domain with checks that B declares (its checks are the point of declaring it), one that B does not
    // have, and one recreated for a new base type (renamed away, then dropped).
    ("squawk/ban-create-domain-with-constraint", "CREATE DOMAIN"),
    ("squawk/ban-alter-domain-with-add-constraint", "ALTER DOMAIN"),
    ("squawk/ban-drop-domain", "DROP DOMAIN"),
    // An index on a partitioned table, online: `ON ONLY` creates it on the parent alone, invalid and without
    // a scan; each partition's index is then built CONCURRENTLY and attached.
    ("squawk/require-concurrent-index-creation", " ON ONLY "),
    // A partition's new bound: detached and attached again in one transaction, so that its rows never
    // leave the table (DETACH ... CONCURRENTLY takes two transactions and refuses a default partition).
    ("squawk/require-concurrent-partition-detach", "DETACH PARTITION"),
    // An index on a partitioned table: PostgreSQL has no DROP INDEX CONCURRENTLY for it. The statement
    // cannot tell, so the partition cases name such indexes `..._partitioned`.
    ("squawk/require-concurrent-index-deletion", "_partitioned\""),
];

/// Rules whose concern does not apply to the migrations keel writes.
/// Rules that are no migration-safety issue where keel runs and that the engine leaves on by default (the
/// ones it turns off, with its reasons, are `keel_diff::lint::sql::SQUAWK_OFF_BY_DEFAULT`; they never reach
/// this check).
const NOT_APPLICABLE: &[(&str, &str)] = &[
    // The declared types of B (`timestamp`, `char(n)`): a schema design choice that keel's convention rules
    // judge on the model, not a property of the migration.
    ("squawk/prefer-timestamp-tz", ""),
    ("squawk/ban-char-field", ""),
];

/// Engine issues reported to the lead; remove the entry with the fix.
/// Known engine issues waiting for a fix (none at the moment; an entry names the rule, the statement text
/// it is allowed on, and why).
const ENGINE_ISSUES: &[(&str, &str)] = &[];

fn accepted(finding: &Finding, files: &[PlanFile]) -> bool {
    let statement = match &finding.location {
        Location::Sql { file, line, .. } => files.iter().find(|f| &f.name == file).map(|f| statement_at(&f.sql, *line)),
        Location::Object { .. } => None,
    }
    .unwrap_or_default();
    [INHERENT, NOT_APPLICABLE, ENGINE_ISSUES]
        .iter()
        .flat_map(|list| list.iter())
        .any(|&(rule, on)| finding.rule == rule && statement.contains(on))
}

/// The statement that starts at a line: up to the line that ends it with `;`.
fn statement_at(sql: &str, line: usize) -> String {
    let mut out = String::new();
    for text in sql.lines().skip(line.saturating_sub(1)) {
        out.push_str(text);
        out.push('\n');
        if text.trim_end().ends_with(';') {
            break;
        }
    }
    out
}

/// Whether a statement of the plan contains `fragment`.
pub fn has(plan: &Plan, fragment: &str) -> bool {
    plan.statements.iter().any(|s| s.sql.contains(fragment))
}

/// The position of the first statement containing `fragment`.
pub fn position(plan: &Plan, fragment: &str) -> usize {
    plan.statements
        .iter()
        .position(|s| s.sql.contains(fragment))
        .unwrap_or_else(|| panic!("no statement with {fragment:?} in:\n{}", plan.to_sql()))
}

/// keel never drops what depends on an object with CASCADE: every drop is a statement of its own.
pub fn assert_no_cascade(plan: &Plan) {
    assert!(!plan.to_sql().contains("CASCADE"), "{}", plan.to_sql());
}
