//! `keel lint`: the team's database conventions checked on schema models (`conventions`), and migration
//! safety checked on SQL files (`sql`: squawk's rules in-process, plus keel's own). Every finding names its
//! rule, severity, location, what is wrong in one line, and the fix. Severities come from each rule's
//! default and `keel.toml` (`[lint]`), which can change or silence a rule everywhere or for one table,
//! column or file.

pub mod conventions;
pub mod sql;

pub use sql::lint_plan;

use keel_core::Schema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Silenced: [`LintConfig::apply`] removes such findings (a rule may be off by default).
    Off,
    Info,
    Warning,
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Off => "off",
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// Where a finding is: an object of a schema model, or a place in a SQL file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Location {
    Object {
        schema: String,
        /// The table, for table, column, index and constraint findings.
        table: Option<String>,
        column: Option<String>,
        /// An index, constraint or enum name, when the finding is about one.
        name: Option<String>,
    },
    Sql {
        file: String,
        /// 1-based.
        line: usize,
        /// 1-based, in characters.
        column: usize,
    },
}

impl Location {
    pub fn table(schema: &str, table: &str) -> Location {
        Location::Object { schema: schema.into(), table: Some(table.into()), column: None, name: None }
    }

    pub fn column(schema: &str, table: &str, column: &str) -> Location {
        Location::Object { schema: schema.into(), table: Some(table.into()), column: Some(column.into()), name: None }
    }

    /// An index or constraint of a table.
    pub fn named(schema: &str, table: &str, name: &str) -> Location {
        Location::Object { schema: schema.into(), table: Some(table.into()), column: None, name: Some(name.into()) }
    }

    /// An object of a schema that is not in a table (an enum).
    pub fn in_schema(schema: &str, name: &str) -> Location {
        Location::Object { schema: schema.into(), table: None, column: None, name: Some(name.into()) }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Sql { file, line, column } => write!(f, "{file}:{line}:{column}"),
            Location::Object { schema, table, column, name } => {
                write!(f, "{schema}")?;
                if let Some(table) = table {
                    write!(f, ".{table}")?;
                }
                if let Some(column) = column {
                    write!(f, ".{column}")?;
                }
                if let Some(name) = name {
                    write!(f, " ({name})")?;
                }
                Ok(())
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The rule's id: `table-plural`, or `squawk/ban-drop-column` for squawk's rules.
    pub rule: String,
    pub severity: Severity,
    pub location: Location,
    /// What is wrong, in one line.
    pub message: String,
    /// How to fix it, in one line.
    pub fix: String,
}

impl Finding {
    /// A finding at the rule's default severity (the configuration adjusts it).
    pub fn new(rule: &Rule, location: Location, message: impl Into<String>, fix: impl Into<String>) -> Finding {
        Finding {
            rule: rule.id.to_string(),
            severity: rule.default,
            location,
            message: message.into(),
            fix: fix.into(),
        }
    }
}

/// A rule keel knows: its id, default severity and what it checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub id: &'static str,
    pub default: Severity,
    pub summary: &'static str,
}

/// `[lint]` in keel.toml.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LintConfig {
    /// Rule id → severity, for every finding of the rule (`"off"` silences it).
    #[serde(default)]
    pub rules: BTreeMap<String, Severity>,
    /// Finer than `rules`: one rule (or `"*"`) for one table, column or file.
    #[serde(default)]
    pub overrides: Vec<Override>,
}

/// `[[lint.overrides]] rule = "timestamps", table = "file_tags", severity = "off"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Override {
    /// A rule id, or `*` for every rule.
    pub rule: String,
    /// `table` or `schema.table`.
    #[serde(default)]
    pub table: Option<String>,
    #[serde(default)]
    pub column: Option<String>,
    /// A SQL file: its name or a path ending in it.
    #[serde(default)]
    pub file: Option<String>,
    pub severity: Severity,
}

impl Override {
    fn matches(&self, finding: &Finding) -> bool {
        if self.rule != "*" && self.rule != finding.rule {
            return false;
        }
        match &finding.location {
            Location::Object { schema, table, column, .. } => {
                let table_matches = self.table.as_deref().is_none_or(|wanted| {
                    table.as_deref().is_some_and(|t| wanted == t || wanted == format!("{schema}.{t}"))
                });
                let column_matches = self.column.as_deref().is_none_or(|wanted| column.as_deref() == Some(wanted));
                self.file.is_none() && table_matches && column_matches
            }
            Location::Sql { file, .. } => {
                self.table.is_none()
                    && self.column.is_none()
                    && self.file.as_deref().is_none_or(|wanted| file == wanted || file.ends_with(&format!("/{wanted}")))
            }
        }
    }
}

impl LintConfig {
    /// Findings with the configured severities, silenced ones removed, in a stable order (location, rule).
    pub fn apply(&self, findings: Vec<Finding>) -> Vec<Finding> {
        let mut out: Vec<Finding> = findings
            .into_iter()
            .filter_map(|mut finding| {
                if let Some(&severity) = self.rules.get(&finding.rule) {
                    finding.severity = severity;
                }
                // The last matching override wins, so specific entries can follow general ones.
                if let Some(o) = self.overrides.iter().rev().find(|o| o.matches(&finding)) {
                    finding.severity = o.severity;
                }
                (finding.severity != Severity::Off).then_some(finding)
            })
            .collect();
        out.sort_by(|a, b| (&a.location, &a.rule, &a.message).cmp(&(&b.location, &b.rule, &b.message)));
        out.dedup();
        out
    }

    /// Rule ids in the configuration that no rule has: a typo would silently silence nothing. `*` is only
    /// valid in overrides; `squawk/<name>` must name one of squawk's rules.
    pub fn unknown_rules(&self) -> Vec<String> {
        let known = |id: &str| {
            all_rules().iter().any(|r| r.id == id)
                || id.strip_prefix(sql::SQUAWK_PREFIX).is_some_and(|name| name.parse::<squawk_linter::Rule>().is_ok())
        };
        let rules = self.rules.keys().filter(|id| !known(id));
        let overrides = self.overrides.iter().map(|o| &o.rule).filter(|id| *id != "*" && !known(id));
        let mut unknown: Vec<String> = rules.chain(overrides).cloned().collect();
        unknown.sort();
        unknown.dedup();
        unknown
    }

    /// Everything wrong with the configuration: unknown rule ids, and overrides that could never match (SQL
    /// findings are located by file, model findings by table and column).
    pub fn problems(&self) -> Vec<String> {
        let mut out: Vec<String> =
            self.unknown_rules().into_iter().map(|id| format!("no rule is called `{id}`")).collect();
        for o in &self.overrides {
            let by_object = o.table.is_some() || o.column.is_some();
            if by_object && o.file.is_some() {
                out.push(format!(
                    "the override for `{}` names both a file and a table/column: one or the other",
                    o.rule
                ));
            } else if by_object && is_sql_rule(&o.rule) {
                out.push(format!(
                    "`{}` reports places in SQL files: override it by `file`, not by table/column",
                    o.rule
                ));
            } else if o.file.is_some() && o.rule != "*" && !is_sql_rule(&o.rule) {
                out.push(format!(
                    "`{}` reports tables and columns: override it by `table`/`column`, not by file",
                    o.rule
                ));
            }
        }
        out
    }

    /// squawk's opt-in rules (not in its default set) that the configuration turns on.
    pub fn squawk_opt_ins(&self) -> Vec<String> {
        let on = self.rules.iter().map(|(id, s)| (id, *s)).chain(self.overrides.iter().map(|o| (&o.rule, o.severity)));
        let mut names: Vec<String> = on
            .filter(|(_, severity)| *severity != Severity::Off)
            .filter_map(|(id, _)| id.strip_prefix(sql::SQUAWK_PREFIX).map(str::to_string))
            .collect();
        names.sort();
        names.dedup();
        names
    }
}

fn is_sql_rule(id: &str) -> bool {
    id.starts_with(sql::SQUAWK_PREFIX) || sql::RULES.iter().any(|r| r.id == id)
}

/// Every keel rule (squawk's are `squawk/<name>`, listed by squawk).
pub fn all_rules() -> Vec<Rule> {
    let mut rules: Vec<Rule> = conventions::RULES.iter().chain(sql::RULES).copied().collect();
    rules.sort_by_key(|r| r.id);
    rules
}

/// The schema conventions, on a model.
pub fn lint_schema(schema: &Schema, config: &LintConfig) -> Vec<Finding> {
    config.apply(conventions::check(schema))
}

/// One SQL file to check.
#[derive(Debug, Clone, Copy)]
pub struct SqlFile<'a> {
    /// How findings name the file (a path).
    pub name: &'a str,
    pub sql: &'a str,
}

/// What is known around a SQL file.
#[derive(Debug, Clone, Copy, Default)]
pub struct SqlContext<'a> {
    /// The schema before the file runs (what the previous release reads), when known.
    pub previous: Option<&'a Schema>,
}

/// Migration safety, on a SQL file: squawk's rules (PostgreSQL 15; in a transaction unless the file starts
/// with `-- no-transaction`) and keel's own.
pub fn lint_sql(file: SqlFile<'_>, context: SqlContext<'_>, config: &LintConfig) -> Vec<Finding> {
    config.apply(sql::check(file, context, &config.squawk_opt_ins()))
}
