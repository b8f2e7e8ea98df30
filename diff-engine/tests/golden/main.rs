//! Golden planner tests, without a database: for every recorded case (`cases/<name>.json`: two schemas
//! introspected by the convergence harness, and its plan options), plan again and compare the rendered
//! plans with `cases/<name>.plan`. The convergence catalogue stays the oracle (it applies the plans); this
//! test pins the planner's output byte for byte. See README.md for recording and blessing.

#[allow(dead_code)]
mod case;

use case::{CaseFile, cases_dir};
use similar::TextDiff;
use std::path::Path;

fn bless() -> bool {
    std::env::var_os("KEEL_BLESS").is_some_and(|v| v == "1")
}

/// The `.json` case files, sorted by name.
fn case_files() -> Vec<std::path::PathBuf> {
    let dir = cases_dir();
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("read {}: {e}", dir.display()));
    let mut files: Vec<_> = entries
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

fn name_of(path: &Path) -> String {
    path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
}

/// What is wrong with one case, or `None` when its plans match (or were blessed).
fn check(path: &Path) -> Option<String> {
    let name = name_of(path);
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let case = CaseFile::from_json(&text).unwrap_or_else(|e| panic!("case {name}: not a case file: {e}"));
    if case.to_json() != text {
        return Some(format!("case {name}: the inputs do not read back to the same JSON (serde round trip)"));
    }
    let planned = case.plans().unwrap_or_else(|e| panic!("case {name}: planning failed: {e}"));
    let again = case.plans().unwrap_or_else(|e| panic!("case {name}: planning failed: {e}"));
    if planned != again {
        return Some(format!("case {name}: planning twice gave different text\n{}", unified(&planned, &again)));
    }
    let plan_path = path.with_extension("plan");
    let expected = std::fs::read_to_string(&plan_path).unwrap_or_default();
    if planned == expected {
        return None;
    }
    if bless() {
        std::fs::write(&plan_path, &planned).unwrap_or_else(|e| panic!("write {}: {e}", plan_path.display()));
        return None;
    }
    Some(format!("case {name}: the plan differs from {}\n{}", plan_path.display(), unified(&expected, &planned)))
}

fn unified(expected: &str, actual: &str) -> String {
    TextDiff::from_lines(expected, actual).unified_diff().context_radius(4).header("expected", "planned").to_string()
}

#[test]
fn every_recorded_case_plans_as_recorded() {
    let files = case_files();
    assert!(!files.is_empty(), "no golden cases in {}", cases_dir().display());
    let failures: Vec<String> = files.iter().filter_map(|f| check(f)).collect();
    assert!(
        failures.is_empty(),
        "{} of {} golden cases differ (KEEL_BLESS=1 rewrites the .plan files when the change is intended):\n\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}

/// Every `.plan` file belongs to a case: a case renamed or removed leaves none behind.
#[test]
fn no_plan_file_without_its_case() {
    let dir = cases_dir();
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("read {}: {e}", dir.display()));
    let orphans: Vec<String> = entries
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "plan") && !p.with_extension("json").exists())
        .map(|p| name_of(&p))
        .collect();
    assert!(orphans.is_empty(), ".plan files without a .json case: {orphans:?}");
}
