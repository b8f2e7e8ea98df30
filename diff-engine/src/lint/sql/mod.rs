//! Migration safety on SQL: squawk's rules in-process (`squawk`), and keel's own rules that squawk lacks,
//! on squawk's syntax tree: a `NOT NULL` column added without a default or a backfill (`not_null`),
//! dropping what the previous release still reads (`drops`), `CONCURRENTLY` inside a transaction
//! (`transactions`). `plan` lints a plan the way `keel generate` writes it.

mod drops;
mod names;
mod not_null;
mod plan;
mod squawk;
mod statement;
mod transactions;

pub use plan::{PlanFile, lint_plan, plan_files};
pub use squawk::{OFF_BY_DEFAULT as SQUAWK_OFF_BY_DEFAULT, SQUAWK_PREFIX};
pub use statement::statement_at;

use super::{Finding, Location, Rule, Severity, SqlContext, SqlFile};
use squawk_syntax::{SourceFile, SyntaxNode};

/// squawk could not parse the file: nothing else is checked.
pub const SQL_SYNTAX: Rule = Rule {
    id: "sql-syntax",
    default: Severity::Warning,
    summary: "squawk's parser cannot read the file, so its safety was not checked",
};

/// The file nests deeper than squawk's parser can go without overflowing the stack: nothing is checked.
pub const SQL_TOO_DEEP: Rule = Rule {
    id: "sql-too-deep",
    default: Severity::Error,
    summary: "parentheses or brackets nest deeper than keel reads (1000 levels), so the file was not checked",
};

pub const NOT_NULL_WITHOUT_DEFAULT: Rule = Rule {
    id: "not-null-without-default",
    default: Severity::Error,
    summary: "a NOT NULL column is added to an existing table without a default or a backfill",
};

pub const DROP_STILL_READ: Rule = Rule {
    id: "drop-still-read",
    default: Severity::Warning,
    summary: "a table or column is dropped that the previous release still reads",
};

pub const CONCURRENTLY_IN_TRANSACTION: Rule = Rule {
    id: "concurrently-in-transaction",
    default: Severity::Error,
    summary: "a CONCURRENTLY statement in a file that runs in a transaction",
};

pub const NO_TRANSACTION_SINGLE_STATEMENT: Rule = Rule {
    id: "no-transaction-single-statement",
    default: Severity::Error,
    summary: "a `-- no-transaction` file holds more than one statement",
};

/// keel's own SQL rules (squawk's are reported as `squawk/<name>`).
pub const RULES: &[Rule] = &[
    SQL_SYNTAX,
    SQL_TOO_DEEP,
    NOT_NULL_WITHOUT_DEFAULT,
    DROP_STILL_READ,
    CONCURRENTLY_IN_TRANSACTION,
    NO_TRANSACTION_SINGLE_STATEMENT,
];

/// The first line that makes a migration run outside a transaction (as `sqlx migrate` and keel's runner
/// read it: the file starts with it).
pub const NO_TRANSACTION: &str = "-- no-transaction";

/// Whether the file runs outside a transaction.
pub fn is_no_transaction(sql: &str) -> bool {
    sql.starts_with(NO_TRANSACTION)
}

/// Findings at default severity, in no particular order. `squawk_opt_ins`: squawk rules outside its default
/// set to run as well (by squawk's name).
pub fn check(file: SqlFile<'_>, context: SqlContext<'_>, squawk_opt_ins: &[String]) -> Vec<Finding> {
    let source = Source::new(file);
    if let Some(offset) = crate::sql_depth::too_deep(file.sql) {
        return vec![Finding::new(
            &SQL_TOO_DEEP,
            source.at(offset),
            format!(
                "parentheses or brackets nest more than {} levels deep here; keel does not parse this file",
                crate::sql_depth::MAX_DEPTH
            ),
            "nest less deeply (PostgreSQL refuses such nesting too: `stack depth limit exceeded`)",
        )];
    }
    crate::sql_depth::on_big_stack(|| parsed_check(file, &source, context, squawk_opt_ins))
}

/// [`check`] of a file nested no deeper than the parser goes.
fn parsed_check(
    file: SqlFile<'_>,
    source: &Source<'_>,
    context: SqlContext<'_>,
    squawk_opt_ins: &[String],
) -> Vec<Finding> {
    let parse = SourceFile::parse(file.sql);
    let errors = parse.errors();
    if let Some(first) = errors.first() {
        let more = match errors.len() {
            1 => String::new(),
            n => format!(" (and {} more)", crate::counts::count(n - 1, "syntax error", "syntax errors")),
        };
        return vec![Finding::new(
            &SQL_SYNTAX,
            source.at(first.range().start().into()),
            format!("squawk's parser cannot read this: {}{more}", one_line(first.message())),
            "fix the syntax if it is wrong; otherwise review this file's safety by hand (nothing else was checked)",
        )];
    }
    let in_transaction = !is_no_transaction(file.sql);
    let tree = parse.tree();
    let mut findings = squawk::check(&parse, source, in_transaction, squawk_opt_ins);
    findings.extend(not_null::check(&tree, source));
    findings.extend(drops::check(&tree, source, context.previous));
    findings.extend(transactions::check(&tree, source, in_transaction));
    findings
}

/// A file being checked: its name and where its lines start, to turn byte offsets into locations.
pub(crate) struct Source<'a> {
    name: &'a str,
    sql: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> Source<'a> {
    fn new(file: SqlFile<'a>) -> Source<'a> {
        let line_starts = std::iter::once(0).chain(file.sql.match_indices('\n').map(|(i, _)| i + 1)).collect();
        Source { name: file.name, sql: file.sql, line_starts }
    }

    /// The location of a byte offset: 1-based line, and 1-based column in characters.
    pub(crate) fn at(&self, offset: usize) -> Location {
        let offset = offset.min(self.sql.len());
        let line = self.line_starts.partition_point(|&start| start <= offset);
        let start = self.line_starts[line - 1];
        let column = self.sql.get(start..offset).map_or(offset - start, |text| text.chars().count()) + 1;
        Location::Sql { file: self.name.to_string(), line, column }
    }

    /// The location of a node: its first token that is not whitespace or a comment.
    pub(crate) fn node(&self, node: &SyntaxNode) -> Location {
        let token = node
            .descendants_with_tokens()
            .filter_map(|element| element.into_token())
            .find(|token| !token.kind().is_trivia());
        self.at(token.map_or(node.text_range().start(), |t| t.text_range().start()).into())
    }
}

/// Text on one line (messages are one line).
pub(crate) fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
