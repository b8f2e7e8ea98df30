//! How results look: plans for people (coloured summaries with hazards) and for programs (stable JSON).
//! Colour follows the terminal (`NO_COLOR`, `CLICOLOR_FORCE` are honoured by `console`).

use crate::redact::redact;
use console::style;
use keel_diff::counts::count;
use keel_diff::{Hazard, Plan, Statement, Unit};
use serde::Serialize;

/// A plan in the JSON every command that plans prints.
#[derive(Serialize)]
pub struct PlanJson<'a> {
    pub equal: bool,
    pub statements: &'a [Statement],
    pub units: Vec<Unit>,
    pub warnings: &'a [String],
    pub sql: String,
}

impl<'a> PlanJson<'a> {
    pub fn new(plan: &'a Plan) -> PlanJson<'a> {
        PlanJson {
            equal: plan.is_empty(),
            statements: &plan.statements,
            units: plan.units(),
            warnings: &plan.warnings,
            sql: plan.to_sql(),
        }
    }
}

/// Prints one JSON document on stdout.
pub fn print_json(value: &impl Serialize) -> anyhow::Result<()> {
    let text = serde_json::to_string_pretty(value)?;
    println!("{}", redact(&text));
    Ok(())
}

/// The plan as numbered summaries, each hazard under its statement with what it means, data-loss counts
/// when measured, then the warnings. With `sql`, each statement's SQL too.
pub fn plan_text(plan: &Plan, sql: bool) -> String {
    let mut out = String::new();
    let hazardous = plan.statements.iter().filter(|s| !s.hazards.is_empty()).count();
    out.push_str(&count(plan.statements.len(), "statement", "statements"));
    if hazardous > 0 {
        out.push_str(&format!(", {hazardous} with hazards"));
    }
    let units = plan.units();
    if units.len() > 1 {
        out.push_str(&format!(", in {} units", units.len()));
    }
    out.push('\n');
    for (i, statement) in plan.statements.iter().enumerate() {
        let summary = if loses_data(statement) {
            style(&statement.summary).red().bold().to_string()
        } else {
            statement.summary.clone()
        };
        let transaction = if statement.transactional { "" } else { " (outside a transaction)" };
        out.push_str(&format!("{:>4}. {summary}{transaction}\n", i + 1));
        if let Some(loss) = statement.data_loss {
            let line = statement.measure.as_ref().map(|m| m.effect(loss)).unwrap_or_else(|| loss.to_string());
            let line = if loss > 0 { style(line).red().bold() } else { style(line).dim() };
            out.push_str(&format!("        {line}\n"));
        }
        if let Some(failed) = &statement.measure_failed {
            let line = match statement.measure {
                Some(keel_diff::Measure::Unfit { .. }) => format!("a value does not fit: {failed}"),
                // The count converts each value there and back; the way back may be what failed.
                _ => format!("not counted ({failed}): values may change"),
            };
            out.push_str(&format!("        {}\n", style(line).red().bold()));
        }
        for hazard in &statement.hazards {
            let id = style(hazard.id()).yellow();
            out.push_str(&format!("        {id}: {}\n", hazard.explain()));
        }
        if sql {
            for line in statement.sql.lines() {
                out.push_str(&format!("        {}\n", style(line).dim()));
            }
        }
    }
    for warning in &plan.warnings {
        out.push_str(&format!("{} {warning}\n", style("warning:").yellow().bold()));
    }
    redact(&out)
}

/// Statements that delete data or change stored values (a lossy cast, a used sequence dropped) and were
/// not measured as losing nothing: they need consent.
pub fn data_losing(plan: &Plan) -> Vec<&Statement> {
    plan.statements.iter().filter(|s| loses_data(s) && s.data_loss != Some(0)).collect()
}

fn loses_data(statement: &Statement) -> bool {
    statement.hazards.iter().any(|h| matches!(h, Hazard::DeletesData | Hazard::AltersData))
}

/// An error and its causes on one line, `outer: inner`, without the repetition that wrapped driver errors
/// bring (sqlx shows its database error and then the same error as its cause) and without the PostgreSQL
/// source line (`at line 948`) that says nothing to a user.
pub fn error_text(error: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in error.chain() {
        let text = strip_source_line(&cause.to_string());
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
    }
    let mut text = parts.join(": ");
    if needs_hand_written_migration(error) {
        // The engine says what the migration must do; how to start one is the CLI's to say.
        text.push_str(CUSTOM_MIGRATION_HINT);
    }
    redact(&text)
}

const CUSTOM_MIGRATION_HINT: &str = " (`keel generate NAME --custom` starts one)";

fn needs_hand_written_migration(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause.downcast_ref::<keel_diff::PlanError>().is_some_and(keel_diff::PlanError::needs_hand_written_migration)
            || cause
                .downcast_ref::<keel_diff::DiffError>()
                .is_some_and(keel_diff::DiffError::needs_hand_written_migration)
            || cause
                .downcast_ref::<keel_diff::normalize::NormalizeError>()
                .is_some_and(keel_diff::normalize::NormalizeError::needs_hand_written_migration)
    })
}

fn strip_source_line(text: &str) -> String {
    match text.rfind(" at line ") {
        Some(i) if text[i + 9..].chars().all(|c| c.is_ascii_digit()) && text.len() > i + 9 => text[..i].to_string(),
        _ => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn causes_already_said_are_not_repeated() {
        let inner = anyhow::anyhow!("database \"x\" does not exist at line 948");
        let error = inner.context("error returned from database: database \"x\" does not exist").context("connecting");
        assert_eq!(error_text(&error), "connecting: error returned from database: database \"x\" does not exist");
    }

    #[test]
    fn an_error_that_needs_a_hand_written_migration_says_how_to_start_one() {
        let unsupported = keel_diff::DiffError::Unsupported("type public.t must be recreated".into());
        let planned = anyhow::Error::from(keel_diff::PlanError::from(unsupported)).context("planning");
        assert_eq!(
            error_text(&planned),
            "planning: type public.t must be recreated (`keel generate NAME --custom` starts one)"
        );
        let hint = anyhow::Error::from(keel_diff::DiffError::Hint("no table public.a".into()));
        assert_eq!(error_text(&hint), "rename hint: no table public.a");
    }
}
