//! `keel migrate --dry-run`: each pending migration with the hazards its header declares (what `generate`
//! wrote) and `keel lint`'s findings on it, so that "deletes data" is seen before production.

use super::lint::{finding_text, lint_migrations};
use crate::migration_files::{DeclaredHazards, declared_hazards};
use crate::redact::redact;
use keel_diff::lint::{Finding, LintConfig};
use keel_diff::migrate::{Applied, Migration, Report};
use serde::Serialize;

/// The JSON of a dry run: the runner's report and the pending migrations. Documented in `keel migrate --help`.
#[derive(Serialize)]
pub struct DryRunJson<'a> {
    pub dry_run: bool,
    /// Always empty: nothing is applied.
    pub applied: &'a [Applied],
    pub already_applied: usize,
    pub pending: Vec<Pending>,
}

#[derive(Serialize)]
pub struct Pending {
    pub version: i64,
    /// The description sqlx records: the file name after the version, `_` as spaces.
    pub description: String,
    pub file: String,
    pub no_transaction: bool,
    /// Whether the file has the header `keel generate` writes; without it (hand-written), `hazards` is empty
    /// because none were declared, not because there are none.
    pub hazards_declared: bool,
    pub hazards: Vec<DeclaredHazards>,
    pub lint: Vec<Finding>,
}

impl Pending {
    fn new(migration: &Migration, config: &LintConfig) -> Pending {
        let declared = declared_hazards(&migration.sql);
        Pending {
            version: migration.version,
            description: migration.description.clone(),
            file: migration.file_name.clone(),
            no_transaction: migration.no_transaction,
            hazards_declared: declared.is_some(),
            hazards: declared.unwrap_or_default(),
            lint: lint_migrations(std::slice::from_ref(migration), config),
        }
    }

    /// `would apply <version> <description> (<file>)`, then its hazards and findings, indented.
    fn text(&self) -> String {
        let how = if self.no_transaction { ", outside a transaction" } else { "" };
        let mut out = format!("would apply {} {} ({}{how})\n", self.version, self.description, self.file);
        if !self.hazards_declared {
            out.push_str("    no hazards declared (no header by keel generate): read the SQL\n");
        } else if self.hazards.is_empty() {
            out.push_str("    hazards: none\n");
        }
        for statement in &self.hazards {
            out.push_str(&format!("    {}\n", statement.statement));
            for hazard in &statement.hazards {
                out.push_str(&format!("        {hazard}: {}\n", hazard.explain()));
            }
            if let Some(measured) = &statement.measured {
                out.push_str(&format!("        measured when generated: {measured}\n"));
            }
        }
        for finding in &self.lint {
            out.push_str(&format!("    {}\n", finding_text(finding).replace('\n', "\n    ")));
        }
        out
    }
}

/// The pending migrations among `migrations`, in the order `versions` (the runner's) gives.
pub fn pending(migrations: &[Migration], versions: &[i64], config: &LintConfig) -> Vec<Pending> {
    versions
        .iter()
        .filter_map(|v| migrations.iter().find(|m| m.version == *v))
        .map(|m| Pending::new(m, config))
        .collect()
}

pub fn json<'a>(report: &'a Report, pending: Vec<Pending>) -> DryRunJson<'a> {
    DryRunJson { dry_run: true, applied: &report.applied, already_applied: report.already_applied, pending }
}

/// The text form, for stdout.
pub fn text(pending: &[Pending]) -> String {
    let mut out: String = pending.iter().map(Pending::text).collect();
    if !pending.is_empty() {
        out.push_str(&format!(
            "{} pending; nothing was applied (dry run)\n",
            keel_diff::counts::count(pending.len(), "migration", "migrations")
        ));
    }
    redact(&out)
}
