//! The runtime's transaction-control scanner (keel-migrate, no parser) and squawk's parser, which the
//! planner reads SQL with, find the same statements in the same places: a migration one of them refuses,
//! the other refuses too.

use keel_diff::migrate::{TransactionControl, transaction_control};
use keel_diff::sql_depth::{on_big_stack, statement_start, too_deep};
use proptest::prelude::*;
use squawk_syntax::ast::AstNode;
use squawk_syntax::{SourceFile, SyntaxKind, SyntaxNode};

/// Statements to combine: transaction control in its spellings, and SQL that only looks like it (strings,
/// dollar quotes, comments, bodies, lexer corner cases).
const STATEMENTS: &[&str] = &[
    "COMMIT",
    "commit work",
    "END",
    "end transaction",
    "ROLLBACK",
    "ABORT",
    "BEGIN",
    "begin isolation level serializable",
    "START TRANSACTION",
    "start transaction read only",
    "PREPARE TRANSACTION 'x'",
    "COMMIT PREPARED 'x'",
    "ROLLBACK PREPARED 'x'",
    "commit and chain",
    "rollback and no chain",
    "SAVEPOINT a",
    "SAVEPOINT \"B\"",
    "savepoint A",
    "SAVEPOINT \"q\"\"x\"",
    "RELEASE a",
    "RELEASE SAVEPOINT b",
    "release \"B\"",
    "RELEASE \"q\"\"x\"",
    "ROLLBACK TO a",
    "ROLLBACK TO SAVEPOINT b",
    "rollback work to savepoint \"B\"",
    "ROLLBACK TRANSACTION TO a",
    "PREPARE q AS SELECT 1",
    "SELECT 1",
    "SELECT 'COMMIT; BEGIN'",
    "SELECT E'\\'; COMMIT; '",
    "SELECT e'\\\\'",
    "SELECT $$ COMMIT; $$",
    "SELECT $a$ ; END; $a$",
    "SELECT $a$x$a$$b$ ; ROLLBACK; $b$",
    "DO $$ BEGIN COMMIT; END $$",
    "CREATE PROCEDURE p() LANGUAGE plpgsql AS $body$ BEGIN COMMIT; ROLLBACK; END $body$",
    "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 1 END; END",
    "CREATE OR REPLACE PROCEDURE q() LANGUAGE sql BEGIN ATOMIC INSERT INTO t VALUES (1); END",
    "SELECT CASE WHEN x THEN 1 END FROM t",
    "CREATE TABLE t (id int, \"end\" text, \"commit\" text)",
    "SELECT x$y$ FROM t",
    "SELECT 1$a$ ; COMMIT; $a$",
    "SELECT 1.E'\\'",
    "SELECT .5.E'\\''",
    "SELECT 1_.E'\\''",
    "SELECT 0x1F, 0b101, 0o17, 1_000.5e-3",
    "SELECT somE'\\' AS \"x\"",
    "SELECT U&'d\\0061t', U&\"d;t\"",
    "SELECT N'COMMIT;', B'1', X'ff'",
    "SELECT $1, $2x",
    "SELECT $\u{e9}t\u{e9}$ ; COMMIT; $\u{e9}t\u{e9}$",
    "INSERT INTO t VALUES ('it''s; COMMIT')",
    "SELECT \"a\"\"b;\" FROM t",
    "CREATE RULE r AS ON INSERT TO t DO ALSO (NOTIFY a; NOTIFY b)",
    "SELECT ARRAY[1, 2][1], (1 + (2))",
];

/// What may stand between two words, and around statements.
const TRIVIA: &[&str] =
    &[" ", "\n", "\r\n", "\t", " -- c\n", "/* c */", "/* a /* nested; */ b */", "\n-- COMMIT;\n", "/* ; END; */"];

fn sql() -> impl Strategy<Value = String> {
    let statement = (0..STATEMENTS.len(), 0..TRIVIA.len(), any::<bool>()).prop_map(|(s, t, spaced)| {
        let text = STATEMENTS[s];
        if spaced { text.replacen(' ', TRIVIA[t], 1) } else { text.to_string() }
    });
    (prop::collection::vec((statement, 0..TRIVIA.len(), 0..TRIVIA.len()), 1..8), any::<bool>()).prop_map(
        |(statements, last_terminated)| {
            let mut sql = String::new();
            let count = statements.len();
            for (i, (statement, before, after)) in statements.into_iter().enumerate() {
                sql.push_str(TRIVIA[before]);
                sql.push_str(&statement);
                if i + 1 < count || last_terminated {
                    sql.push_str(TRIVIA[after]);
                    sql.push(';');
                }
            }
            sql
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

    #[test]
    fn the_runtime_scanner_agrees_with_squawk(sql in sql()) {
        prop_assert_eq!(transaction_control(&sql), squawk_verdict(&sql), "{:?}", sql);
    }
}

#[test]
fn they_agree_on_the_corner_cases() {
    let deep = |levels: usize| format!("SELECT 1;\n  SELECT {}1{};\nCOMMIT;", "(".repeat(levels), ")".repeat(levels));
    for sql in [
        String::new(),
        ";;".to_string(),
        "\u{feff}COMMIT".to_string(),
        "BEGIN -- z".to_string(),
        "-- c\n/* d */ COMMIT /* x */ -- y\n ; BEGIN".to_string(),
        "SAVEPOINT a; SAVEPOINT b; RELEASE a; RELEASE b;".to_string(),
        "SAVEPOINT a;\nRELEASE a;\nROLLBACK TO a;\n".to_string(),
        "SELECT 'unterminated; COMMIT;".to_string(),
        "SELECT $$ unterminated; COMMIT;".to_string(),
        "/* unterminated; COMMIT;".to_string(),
        deep(1_000),
        deep(1_001),
    ] {
        assert_eq!(transaction_control(&sql), squawk_verdict(&sql), "{sql:?}");
    }
}

const ENDS: &str = "it ends the transaction keel runs the file in";
const STARTS: &str = "it starts a transaction inside the one keel runs the file in";
const PREPARED: &str = "two-phase commit cannot run inside the transaction keel runs the file in";
const NO_SAVEPOINT: &str = "no SAVEPOINT of that name comes before it in the file";
const TOO_DEEP: &str =
    "nested more than 1000 levels deep: keel cannot check it for transaction control; split the expression";

/// The verdict of squawk's parser (what keel-diff found before the runtime had a scanner of its own).
fn squawk_verdict(sql: &str) -> Vec<TransactionControl> {
    if let Some(offset) = too_deep(sql) {
        let (line, column) = line_and_column(sql, offset);
        let line_start = sql[..offset].rfind('\n').map_or(0, |at| at + 1);
        let start: String = sql[line_start..].chars().take_while(|&c| c != '\n').take(40).collect();
        let statement = format!("{}...", start.split_whitespace().collect::<Vec<_>>().join(" "));
        return vec![TransactionControl { line, column, statement, reason: TOO_DEEP }];
    }
    on_big_stack(|| parsed(sql))
}

fn parsed(sql: &str) -> Vec<TransactionControl> {
    let parse = SourceFile::parse(sql);
    let mut savepoints: Vec<String> = Vec::new();
    let mut found = Vec::new();
    for stmt in parse.tree().stmts() {
        let node = stmt.syntax();
        let reason = match node.kind() {
            SyntaxKind::BEGIN => Some(STARTS),
            SyntaxKind::COMMIT_TRANSACTION | SyntaxKind::ROLLBACK_TRANSACTION => Some(ENDS),
            SyntaxKind::PREPARE_TRANSACTION | SyntaxKind::COMMIT_PREPARED | SyntaxKind::ROLLBACK_PREPARED => {
                Some(PREPARED)
            }
            SyntaxKind::SAVEPOINT_CREATE => {
                savepoints.extend(name(node, SyntaxKind::SAVEPOINT));
                None
            }
            SyntaxKind::RELEASE_SAVEPOINT | SyntaxKind::ROLLBACK_TO_SAVEPOINT => {
                let released = node.kind() == SyntaxKind::RELEASE_SAVEPOINT;
                match name(node, SyntaxKind::SAVEPOINT_REF)
                    .and_then(|n| savepoints.iter().rposition(|s| *s == n).map(|at| (n, at)))
                {
                    Some((_, at)) => {
                        savepoints.truncate(if released { at } else { at + 1 });
                        None
                    }
                    None => Some(NO_SAVEPOINT),
                }
            }
            _ => None,
        };
        if let Some(reason) = reason {
            let start = statement_start(node);
            let (line, column) = line_and_column(sql, start);
            let statement = node.text().to_string();
            let statement = statement.trim_end_matches(';').split_whitespace().collect::<Vec<_>>().join(" ");
            found.push(TransactionControl { line, column, statement, reason });
        }
    }
    found
}

fn name(node: &SyntaxNode, kind: SyntaxKind) -> Option<String> {
    let text = node.descendants().find(|n| n.kind() == kind)?.text().to_string();
    let text = text.trim();
    Some(match text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        Some(quoted) => quoted.replace("\"\"", "\""),
        None => text.to_ascii_lowercase(),
    })
}

fn line_and_column(sql: &str, offset: usize) -> (usize, usize) {
    let before = &sql[..offset.min(sql.len())];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |at| at + 1);
    (line, before[line_start..].chars().count() + 1)
}
