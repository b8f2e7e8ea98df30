//! A golden case: the two schemas and the options of one A→B plan (`cases/<name>.json`), and the plans'
//! readable text (`cases/<name>.plan`). Shared by the recorder (the convergence harness, with
//! `KEEL_GOLDEN_RECORD=1`) and the golden test, so that both render a plan with the same code.

use keel_core::model::Schema;
use keel_diff::{Hints, Plan, PlanOptions, Unmanaged, plan};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::time::Duration;

/// The lock timeout the online plan is made with (the convergence harness lints that plan with it).
const ONLINE_LOCK_TIMEOUT: Duration = Duration::from_secs(5);

/// The inputs of one case, as recorded: what the harness introspected from databases A and B, and the
/// options it planned with.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseFile {
    pub format_version: u32,
    pub current: Schema,
    pub desired: Schema,
    pub options: Options,
}

/// [`PlanOptions`] in a serializable form.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Options {
    pub hints: Hints,
    pub online: bool,
    pub lock_timeout_ms: Option<u64>,
    pub unmanaged: Vec<Unmanaged>,
    /// The server the case was recorded on; absent in cases recorded before plans knew it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_version_num: Option<i32>,
}

impl Options {
    fn of(options: &PlanOptions) -> Options {
        Options {
            hints: options.hints.clone(),
            online: options.online,
            lock_timeout_ms: options.lock_timeout.map(|d| d.as_millis() as u64),
            unmanaged: options.unmanaged.clone(),
            server_version_num: options.server_version_num,
        }
    }

    pub fn plan_options(&self) -> PlanOptions {
        PlanOptions {
            hints: self.hints.clone(),
            online: self.online,
            lock_timeout: self.lock_timeout_ms.map(Duration::from_millis),
            unmanaged: self.unmanaged.clone(),
            server_version_num: self.server_version_num,
        }
    }
}

impl CaseFile {
    pub fn new(current: &Schema, desired: &Schema, options: &PlanOptions) -> CaseFile {
        CaseFile {
            format_version: keel_core::json::FORMAT_VERSION,
            current: current.clone(),
            desired: desired.clone(),
            options: Options::of(options),
        }
    }

    /// Pretty, deterministic JSON with a trailing newline (the model's maps are sorted).
    pub fn to_json(&self) -> String {
        let mut out = serde_json::to_string_pretty(self).expect("a case always serializes");
        out.push('\n');
        out
    }

    pub fn from_json(text: &str) -> Result<CaseFile, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// The text the `.plan` file holds: the plan with the recorded options, then the online plan the
    /// harness lints (online variants and a lock timeout), each statement with its number, summary,
    /// hazards and measure, grouped in units.
    pub fn plans(&self) -> Result<String, keel_diff::PlanError> {
        let options = self.options.plan_options();
        let online = PlanOptions { online: true, lock_timeout: Some(ONLINE_LOCK_TIMEOUT), ..options.clone() };
        let mut out = String::new();
        out.push_str("==== plan\n");
        out.push_str(&render(&plan(&self.current, &self.desired, &options)?));
        out.push_str("\n==== online plan\n");
        out.push_str(&render(&plan(&self.current, &self.desired, &online)?));
        Ok(out)
    }
}

/// One plan as diff-friendly text: one line per fact, the SQL as planned.
pub fn render(plan: &Plan) -> String {
    let mut out = String::new();
    if let Some(ms) = plan.lock_timeout_ms {
        out.push_str(&format!("-- lock_timeout: {ms}ms\n"));
    }
    if plan.statements.is_empty() {
        out.push_str("-- no statements\n");
    }
    for unit in plan.units() {
        let label = if unit.transactional { "in one transaction" } else { "without a transaction" };
        out.push_str(&format!("\n-- unit: {label}\n"));
        for &i in &unit.statements {
            let statement = &plan.statements[i];
            out.push_str(&format!("\n-- {}. {}\n", i + 1, statement.summary.replace(['\n', '\r'], " ")));
            if !statement.hazards.is_empty() {
                let hazards: Vec<&str> = statement.hazards.iter().map(|h| h.id()).collect();
                out.push_str(&format!("-- hazards: {}\n", hazards.join(", ")));
            }
            if statement.transactional != unit.transactional {
                out.push_str(&format!("-- transactional: {}\n", statement.transactional));
            }
            if let Some(measure) = &statement.measure {
                let json = serde_json::to_string(measure).expect("a measure always serializes");
                out.push_str(&format!("-- measure: {json}\n"));
            }
            out.push_str(&statement.sql);
            out.push_str(";\n");
        }
    }
    for warning in &plan.warnings {
        out.push_str(&format!("\n-- warning: {}\n", warning.replace(['\n', '\r'], " ")));
    }
    out
}

/// Where the case files live.
pub fn cases_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/cases")
}

/// With `KEEL_GOLDEN_RECORD=1`, writes the case of the running test: `<module>.<test>` from the test
/// thread's name, `.2`, `.3`, ... for the test's further plans (a reverse direction, a second case).
pub fn record(current: &Schema, desired: &Schema, options: &PlanOptions) {
    if std::env::var_os("KEEL_GOLDEN_RECORD").is_none_or(|v| v != "1") {
        return;
    }
    let case = CaseFile::new(current, desired, options);
    let plans = case.plans().unwrap_or_else(|e| panic!("recording a golden case: {e}"));
    let name = next_name();
    let dir = cases_dir();
    std::fs::create_dir_all(&dir).expect("create tests/golden/cases");
    std::fs::write(dir.join(format!("{name}.json")), case.to_json()).expect("write a golden case");
    std::fs::write(dir.join(format!("{name}.plan")), plans).expect("write a golden plan");
}

fn next_name() -> String {
    use std::collections::BTreeMap;
    use std::sync::Mutex;
    static SEEN: Mutex<BTreeMap<String, usize>> = Mutex::new(BTreeMap::new());
    let thread = std::thread::current();
    let test = thread.name().filter(|n| *n != "main").expect("recording runs inside a named test thread");
    let test = test.replace("::", ".");
    let mut seen = SEEN.lock().unwrap_or_else(|p| p.into_inner());
    let n = seen.entry(test.clone()).or_insert(0);
    *n += 1;
    if *n == 1 { test } else { format!("{test}.{n}") }
}
