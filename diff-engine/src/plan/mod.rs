//! Planning: the changes between two schemas as ordered statements, each with its hazards, grouped into
//! units that run in a transaction or, for `CONCURRENTLY`, without one.

mod order;
mod phase;
pub(crate) mod step;
mod steps;

pub use order::CycleError;

use crate::change::Change;
use crate::counts::plural;
use crate::diff::{self, DiffError};
use crate::hazard::Hazard;
use crate::hints::Hints;
use crate::unmanaged::Unmanaged;
use keel_core::model::{ColumnType, QualifiedName, Schema};
use serde::Serialize;
use std::collections::BTreeSet;
use std::time::Duration;

#[derive(Debug, Clone, Default)]
pub struct PlanOptions {
    /// Renames, in addition to the `renamed_from` hints the desired schema carries.
    pub hints: Hints,
    /// Online variants: `CONCURRENTLY` indexes, `NOT VALID` + `VALIDATE` constraints, `SET NOT NULL`
    /// through a validated check.
    pub online: bool,
    /// `SET lock_timeout` before each unit's statements, so that a statement waiting for a lock fails
    /// instead of queueing every other query behind it.
    pub lock_timeout: Option<Duration>,
    /// Objects keel does not manage (triggers on views, constraint triggers, aggregates, grants), from
    /// [`crate::unmanaged::unmanaged`]; the plan warns about statements that would break one.
    pub unmanaged: Vec<Unmanaged>,
    /// The `server_version_num` of the server the plan will run on ([`crate::version::server_version_num`]);
    /// `None` when unknown: the plan then holds only what every supported version (13 on) runs. Known, it
    /// may use what that version added (`SET EXPRESSION` on 17).
    pub server_version_num: Option<i32>,
}

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error(transparent)]
    Diff(#[from] DiffError),
    #[error(transparent)]
    Cycle(#[from] CycleError),
}

impl PlanError {
    /// Whether the way out is a migration written by hand (the message says what it must do).
    pub fn needs_hand_written_migration(&self) -> bool {
        match self {
            PlanError::Diff(e) => e.needs_hand_written_migration(),
            PlanError::Cycle(_) => true,
        }
    }
}

/// How to count what a destructive statement would delete or change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Measure {
    /// Rows of a table that is dropped.
    Rows { table: QualifiedName },
    /// Non-null values of a column that is dropped.
    NonNull { table: QualifiedName, column: String },
    /// Rows whose column holds one of the enum values that are removed.
    Values { table: QualifiedName, column: String, values: Vec<String> },
    /// Values of a column that a lossy type change alters: those that do not come back unchanged when cast
    /// to the new type and back.
    Changed {
        table: QualifiedName,
        column: String,
        #[serde(serialize_with = "as_sql")]
        from: ColumnType,
        #[serde(serialize_with = "as_sql")]
        to: ColumnType,
    },
    /// Values of a column that do not fit its checked new type (the statement fails on them). Where a value
    /// makes the cast itself fail, the count cannot be taken and PostgreSQL's message says why.
    Unfit {
        table: QualifiedName,
        column: String,
        #[serde(serialize_with = "as_sql")]
        from: ColumnType,
        #[serde(serialize_with = "as_sql")]
        to: ColumnType,
    },
    /// Values a dropped sequence has handed out (0 when never used): a sequence created again starts over
    /// and hands out ids that rows already hold.
    Sequence { sequence: QualifiedName },
    /// Values the sequence of an identity column that stops being one has handed out.
    Identity { table: QualifiedName, column: String },
}

fn as_sql<S: serde::Serializer>(ty: &ColumnType, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(ty)
}

impl Measure {
    /// `1,204 non-null values`, for a count this measure took.
    pub fn describe(&self, count: i64) -> String {
        let n = thousands(count);
        let values = plural(count, "value", "values");
        match self {
            Measure::Rows { .. } => format!("{n} {}", plural(count, "row", "rows")),
            Measure::NonNull { .. } => format!("{n} non-null {values}"),
            Measure::Values { values, .. } => {
                format!("{n} {} a removed value ({})", plural(count, "row holds", "rows hold"), values.join(", "))
            }
            Measure::Changed { .. } => format!("{n} {values} {}", plural(count, "changes", "change")),
            Measure::Unfit { from, to, .. } if crate::casts::shortens_strings(from, to) => format!(
                "{n} {values} {} not fit {to} as they are: the statement fails on them, or cuts their trailing spaces",
                plural(count, "does", "do")
            ),
            Measure::Unfit { to, .. } => {
                format!("{n} {values} {} not fit {to}: the statement fails on them", plural(count, "does", "do"))
            }
            Measure::Sequence { .. } | Measure::Identity { .. } => {
                format!("{n} {values} handed out; a new sequence would hand them out again")
            }
        }
    }

    /// What the statement does, for a count this measure took: `deletes 12 rows`, `2 values change`.
    pub fn effect(&self, count: i64) -> String {
        match self {
            Measure::Rows { .. } | Measure::NonNull { .. } => format!("deletes {}", self.describe(count)),
            // The cast refuses a removed value: it deletes nothing, it fails.
            Measure::Values { .. } if count > 0 => format!("fails: {}", self.describe(count)),
            _ => self.describe(count),
        }
    }
}

pub(crate) fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// One statement of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Statement {
    pub sql: String,
    /// What it does, for people: `drop column public.files.description`.
    pub summary: String,
    pub hazards: Vec<Hazard>,
    /// False for statements PostgreSQL refuses inside a transaction block (`CONCURRENTLY`).
    pub transactional: bool,
    /// What to count to know whether it deletes data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub measure: Option<Measure>,
    /// Filled in by [`crate::measure::measure_data_loss`]: what the measure counted (rows or values it
    /// would delete or change, values that do not fit, values a dropped sequence handed out).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_loss: Option<i64>,
    /// Why the measure could not count: a stored value does not fit the new type (PostgreSQL's message),
    /// so the statement fails on it and changes nothing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub measure_failed: Option<String>,
    #[serde(skip)]
    commit_after: bool,
}

/// Consecutive statements that run together: in one transaction, or one by one without.
impl Statement {
    /// `drop column public.files.description: 1,204 non-null values`, once measured and when not zero.
    pub fn data_loss_report(&self) -> Option<String> {
        let (measure, count) = (self.measure.as_ref()?, self.data_loss?);
        (count > 0).then(|| format!("{}: {}", self.summary, measure.describe(count)))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unit {
    pub transactional: bool,
    pub statements: Vec<usize>,
}

/// One migration file of a plan ([`Plan::migration_files`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationFile {
    pub unit: Unit,
    /// The statements, each under a `-- N. summary` comment (N: its number in the plan).
    pub body: String,
}

impl MigrationFile {
    /// The file's text: `-- no-transaction` first when it runs outside a transaction (sqlx and keel's runner
    /// look for it at the very start), then `header` (comment lines), a blank line, the body.
    pub fn text(&self, header: &str) -> String {
        let marker = if self.unit.transactional { "" } else { "-- no-transaction\n" };
        let gap = if header.is_empty() { "" } else { "\n" };
        format!("{marker}{header}{gap}{}", self.body)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub statements: Vec<Statement>,
    /// Things a person must know before running the plan (e.g. a view that reads a dropped column).
    pub warnings: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lock_timeout_ms: Option<u64>,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.statements.is_empty()
    }

    /// Statements grouped into units: a new unit starts where transactional and non-transactional
    /// statements meet, and after a statement whose effect must be committed before use.
    pub fn units(&self) -> Vec<Unit> {
        let mut units: Vec<Unit> = Vec::new();
        let mut close = false;
        for (i, statement) in self.statements.iter().enumerate() {
            match units.last_mut() {
                Some(unit) if !close && unit.transactional == statement.transactional => unit.statements.push(i),
                _ => units.push(Unit { transactional: statement.transactional, statements: vec![i] }),
            }
            let next_commits_too = self.statements.get(i + 1).is_some_and(|s| s.commit_after);
            close = statement.commit_after && !next_commits_too;
        }
        units
    }

    /// The plan as migration files, the layout `keel generate` writes: one per transactional unit, one per
    /// statement that runs outside a transaction (a `-- no-transaction` file is sent as one query, which
    /// PostgreSQL runs as one implicit transaction when it holds several statements).
    pub fn migration_files(&self) -> Vec<MigrationFile> {
        let units = self.units().into_iter().flat_map(|unit| match unit.transactional {
            true => vec![unit],
            false => unit.statements.iter().map(|&s| Unit { transactional: false, statements: vec![s] }).collect(),
        });
        units
            .map(|unit| {
                let mut body = String::new();
                if unit.transactional
                    && let Some(ms) = self.lock_timeout_ms
                {
                    // LOCAL: the setting ends with the migration's transaction.
                    body.push_str(&format!("SET LOCAL lock_timeout = '{ms}ms';\n\n"));
                }
                for &i in &unit.statements {
                    let statement = &self.statements[i];
                    let summary = statement.summary.replace(['\n', '\r'], " ");
                    body.push_str(&format!("-- {}. {summary}\n{};\n\n", i + 1, statement.sql));
                }
                body.truncate(body.trim_end().len());
                body.push('\n');
                MigrationFile { unit, body }
            })
            .collect()
    }

    /// Whether any statement has this hazard.
    pub fn has(&self, hazard: Hazard) -> bool {
        self.statements.iter().any(|s| s.hazards.contains(&hazard))
    }

    /// `SET lock_timeout = '..'` for the start of each unit, when the plan has one.
    pub fn lock_timeout_sql(&self) -> Option<String> {
        self.lock_timeout_ms.map(|ms| format!("SET lock_timeout = '{ms}ms'"))
    }

    /// The plan as a SQL script, one statement per line block, units separated by a comment that says
    /// whether they run in a transaction.
    pub fn to_sql(&self) -> String {
        let mut out = String::new();
        for unit in self.units() {
            let label = if unit.transactional { "in one transaction" } else { "without a transaction" };
            out.push_str(&format!("-- unit: {label}\n"));
            if let Some(set) = self.lock_timeout_sql() {
                out.push_str(&format!("{set};\n"));
            }
            for &i in &unit.statements {
                let statement = &self.statements[i];
                if !statement.hazards.is_empty() {
                    let hazards = statement.hazards.iter().map(|h| h.id()).collect::<Vec<_>>().join(", ");
                    out.push_str(&format!("-- hazards: {hazards}\n"));
                }
                out.push_str(&statement.sql);
                out.push_str(";\n");
            }
        }
        out
    }
}

/// The plan that turns `current` into `desired`. `desired` is compared as given: normalize it first
/// ([`crate::normalize::normalize`]) when it was written by hand rather than read from a database.
pub fn plan(current: &Schema, desired: &Schema, options: &PlanOptions) -> Result<Plan, PlanError> {
    let hints = Hints::from_schema(desired).merged(options.hints.clone());
    let desired = desired.without_hints();
    let (renamed, changes) = diff::diff_renamed(current, &desired, &hints, options.server_version_num)?;
    plan_changes(&changes, &renamed, &desired, options)
}

/// Orders and renders changes; `current` is the current schema with the changes' renames applied.
pub fn plan_changes(
    changes: &[Change],
    current: &Schema,
    desired: &Schema,
    options: &PlanOptions,
) -> Result<Plan, PlanError> {
    let new_tables: BTreeSet<QualifiedName> = changes.iter().filter_map(|c| c.created_table().cloned()).collect();
    let context = steps::Context { current, desired, online: options.online, new_tables };
    let groups = changes.iter().flat_map(|c| c.groups(&context)).map(|steps| order::Group { steps }).collect();
    let ordered = order::order(groups)?;

    let mut warnings = Vec::new();
    for step in &ordered {
        if let Some(schema) = &step.drops_schema {
            for object in options.unmanaged.iter().filter(|o| o.name.schema == *schema) {
                warnings.push(format!("{}: {} is in it and is not managed by keel", step.summary, object.describe()));
            }
        }
        for (table, column) in &step.affects {
            for object in options.unmanaged.iter().filter(|o| o.depends_on(table, column.as_deref())) {
                warnings.push(format!(
                    "{}: {} depends on it and is not managed by keel",
                    step.summary,
                    object.describe()
                ));
            }
        }
    }
    warnings.dedup();
    let statements = ordered
        .into_iter()
        .map(|step| Statement {
            sql: step.sql,
            summary: step.summary,
            hazards: step.hazards.into_iter().collect(),
            transactional: step.transactional,
            measure: step.measure,
            data_loss: None,
            measure_failed: None,
            commit_after: step.commit_after,
        })
        .collect();
    let lock_timeout_ms = options.lock_timeout.map(|d| d.as_millis() as u64);
    Ok(Plan { statements, warnings, lock_timeout_ms })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_describe_what_they_counted() {
        let table = QualifiedName::new("public", "t");
        let (from, to) = (ColumnType::Numeric { precision: Some(10), scale: Some(2) }, ColumnType::Integer);
        let changed = Measure::Changed { table: table.clone(), column: "p".into(), from: from.clone(), to: to.clone() };
        assert_eq!(changed.effect(1204), "1,204 values change");
        assert_eq!(changed.effect(1), "1 value changes");
        let unfit = Measure::Unfit { table: table.clone(), column: "p".into(), from, to };
        assert_eq!(unfit.effect(1), "1 value does not fit integer: the statement fails on them");
        let sequence = Measure::Sequence { sequence: table.clone() };
        assert_eq!(sequence.effect(100000), "100,000 values handed out; a new sequence would hand them out again");
        assert_eq!(Measure::Rows { table: table.clone() }.effect(2), "deletes 2 rows");
        // One of anything is singular (the issue: "1 warnings", "deletes 1 non-null values").
        assert_eq!(Measure::Rows { table: table.clone() }.effect(1), "deletes 1 row");
        let non_null = Measure::NonNull { table: table.clone(), column: "p".into() };
        assert_eq!(non_null.effect(1), "deletes 1 non-null value");
        let values = Measure::Values { table, column: "p".into(), values: vec!["'gone'".into()] };
        assert_eq!(values.effect(1), "fails: 1 row holds a removed value ('gone')");
    }
}
