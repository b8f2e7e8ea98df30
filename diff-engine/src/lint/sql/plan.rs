//! A plan linted the way `keel generate` writes it ([`Plan::migration_files`]), without the header comments.

use super::check;
use crate::Plan;
use crate::lint::{Finding, LintConfig, SqlContext, SqlFile};

/// One file of a plan, as [`plan_files`] lays it out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanFile {
    /// `unit-1.sql`, `unit-2.sql`, ...
    pub name: String,
    pub sql: String,
}

/// The plan's migration files (the layout of `keel generate`, without its header comments): findings on
/// them point at the statement's line in the file.
pub fn plan_files(plan: &Plan) -> Vec<PlanFile> {
    plan.migration_files()
        .iter()
        .enumerate()
        .map(|(i, file)| PlanFile { name: format!("unit-{}.sql", i + 1), sql: file.text("") })
        .collect()
}

/// Migration safety of a plan: [`plan_files`], each checked like a SQL file, with the configuration applied.
pub fn lint_plan(plan: &Plan, context: SqlContext<'_>, config: &LintConfig) -> Vec<Finding> {
    let opt_ins = config.squawk_opt_ins();
    let findings = plan_files(plan)
        .iter()
        .flat_map(|file| check(SqlFile { name: &file.name, sql: &file.sql }, context, &opt_ins))
        .collect();
    config.apply(findings)
}
