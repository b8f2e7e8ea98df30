//! squawk's rules, in-process: its default rule set, for PostgreSQL 15, assuming each file runs in a
//! transaction unless it starts with `-- no-transaction`.

use super::{Source, one_line};
use crate::lint::{Finding, Severity};
use squawk_linter::{Linter, Rule, Version};
use squawk_syntax::{Parse, SourceFile};

/// Rule ids of squawk's findings: `squawk/<squawk's rule name>`.
pub const SQUAWK_PREFIX: &str = "squawk/";

/// The PostgreSQL version squawk checks for.
const PG_VERSION: &str = "15.0.0";

/// squawk rules that are no migration-safety issue where keel runs, off unless keel.toml turns them on:
/// - `require-statement-timeout`: keel bounds lock waits with lock_timeout; a statement timeout would abort
///   the long but weakly-locking work (CONCURRENTLY builds, VALIDATE) that online migrations are made of;
/// - `prefer-robust-stmts`: `IF [NOT] EXISTS` would hide drift (and keep an INVALID index a failed
///   CONCURRENTLY build left behind) where keel's checksums and replays already make reruns safe;
/// - `prefer-text-field`, `prefer-bigint-over-int`, `prefer-bigint-over-smallint`: the team's guidelines
///   choose `varchar(n)` and `integer` columns on purpose; a column's type is the schema's choice (keel's
///   conventions check it), not a hazard of the migration that creates it;
/// - `require-enum-value-ordering`: keel appends a value only where the declaration puts it last, and uses
///   `BEFORE`/`AFTER` otherwise (the catalogue checks the resulting order).
pub const OFF_BY_DEFAULT: &[&str] = &[
    "require-statement-timeout",
    "prefer-robust-stmts",
    "prefer-text-field",
    "prefer-bigint-over-int",
    "prefer-bigint-over-smallint",
    "require-enum-value-ordering",
];

/// Off in `-- no-transaction` files, which hold one statement and so cannot `SET lock_timeout` first
/// (CONCURRENTLY statements take locks that do not make reads or writes queue).
const OFF_OUTSIDE_TRANSACTIONS: &[&str] = &["require-lock-timeout"];

pub(crate) fn check(
    parse: &Parse<SourceFile>,
    source: &Source<'_>,
    in_transaction: bool,
    opt_ins: &[String],
) -> Vec<Finding> {
    let include: Vec<Rule> = opt_ins.iter().filter_map(|name| name.parse().ok()).collect();
    let mut linter = Linter::with_rules(&include, &[]);
    linter.settings.pg_version = PG_VERSION.parse::<Version>().expect("a valid PostgreSQL version");
    linter.settings.assume_in_transaction = in_transaction;
    linter
        .lint(parse, source.sql)
        .into_iter()
        .map(|violation| {
            let rule = violation.code.to_string();
            let fix = match &violation.help {
                Some(help) => one_line(help),
                None => format!("see https://squawkhq.com/docs/{rule}"),
            };
            let off = OFF_BY_DEFAULT.contains(&rule.as_str())
                || (!in_transaction && OFF_OUTSIDE_TRANSACTIONS.contains(&rule.as_str()));
            let severity = if off { Severity::Off } else { Severity::Warning };
            Finding {
                rule: format!("{SQUAWK_PREFIX}{rule}"),
                severity,
                location: source.at(violation.text_range.start().into()),
                message: one_line(&violation.message),
                fix,
            }
        })
        .collect()
}
