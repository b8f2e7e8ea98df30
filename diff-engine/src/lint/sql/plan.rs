//! A plan linted the way `keel generate` writes it: one file per transactional unit, one per statement
//! that runs outside a transaction (first line `-- no-transaction`: such a file is sent as one query, so it
//! holds one statement), with the plan's `SET LOCAL lock_timeout` at the top of each transactional file.

use super::{NO_TRANSACTION, check};
use crate::lint::{Finding, LintConfig, SqlContext, SqlFile};
use crate::{Plan, Unit};

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
    let groups: Vec<Unit> = plan
        .units()
        .into_iter()
        .flat_map(|unit| match unit.transactional {
            true => vec![unit],
            false => unit.statements.iter().map(|&s| Unit { transactional: false, statements: vec![s] }).collect(),
        })
        .collect();
    groups
        .iter()
        .enumerate()
        .map(|(i, unit)| {
            let mut sql = String::new();
            if !unit.transactional {
                sql.push_str(NO_TRANSACTION);
                sql.push('\n');
            }
            if unit.transactional
                && let Some(ms) = plan.lock_timeout_ms
            {
                sql.push_str(&format!("SET LOCAL lock_timeout = '{ms}ms';\n\n"));
            }
            for &s in &unit.statements {
                let statement = &plan.statements[s];
                let summary = statement.summary.replace(['\n', '\r'], " ");
                sql.push_str(&format!("-- {}. {summary}\n{};\n\n", s + 1, statement.sql));
            }
            sql.truncate(sql.trim_end().len());
            sql.push('\n');
            PlanFile { name: format!("unit-{}.sql", i + 1), sql }
        })
        .collect()
}

/// Migration safety of a plan: [`plan_files`], each checked like a SQL file, with the configuration applied.
pub fn lint_plan(plan: &Plan, context: SqlContext<'_>, config: &LintConfig) -> Vec<Finding> {
    let findings =
        plan_files(plan).iter().flat_map(|file| check(SqlFile { name: &file.name, sql: &file.sql }, context)).collect();
    config.apply(findings)
}
