//! Transaction control in SQL that keel runs inside a transaction of its own: a transactional migration
//! (keel commits it together with its tracking row) or a declared schema `.sql` file (one query, one
//! implicit transaction). A `COMMIT` there commits half a migration that keel then reports as rolled back;
//! a `ROLLBACK` silently discards what came before it. Statements are found with [`crate::statements`],
//! so strings, dollar quotes and function bodies (`CREATE PROCEDURE ... COMMIT` inside a body) are not
//! mistaken for statements; keel-diff's tests hold it to the verdict of squawk's parser.

use crate::statements::{Statement, statements, too_deep};
use crate::{MigrateError, Migration};

/// A transaction control statement, where it is in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionControl {
    /// 1-based line and column (in characters) of the statement's first keyword.
    pub line: usize,
    pub column: usize,
    /// The statement's text, on one line (`COMMIT`, `ROLLBACK TO SAVEPOINT b`).
    pub statement: String,
    /// Why it cannot run here.
    pub reason: &'static str,
}

const ENDS: &str = "it ends the transaction keel runs the file in";
const STARTS: &str = "it starts a transaction inside the one keel runs the file in";
const PREPARED: &str = "two-phase commit cannot run inside the transaction keel runs the file in";
const NO_SAVEPOINT: &str = "no SAVEPOINT of that name comes before it in the file";
const TOO_DEEP: &str =
    "nested more than 1000 levels deep: keel cannot check it for transaction control; split the expression";

/// Every top-level transaction control statement of `sql`: `BEGIN`, `START TRANSACTION`, `COMMIT`, `END`,
/// `ROLLBACK`, `ABORT`, `PREPARE TRANSACTION`, `COMMIT PREPARED`, `ROLLBACK PREPARED`, and `RELEASE` or
/// `ROLLBACK TO` a savepoint the file did not create before. `SAVEPOINT` itself, with its own `RELEASE`
/// and `ROLLBACK TO`, stays inside the transaction and is fine.
///
/// SQL nested deeper than [`MAX_DEPTH`](crate::MAX_DEPTH) levels is one finding itself, at the parenthesis past the limit:
/// the planner's parser cannot read it, so neither checks it (PostgreSQL parses somewhat deeper nesting, so
/// a `COMMIT` after it would run).
pub fn transaction_control(sql: &str) -> Vec<TransactionControl> {
    if let Some(offset) = too_deep(sql) {
        let (line, column) = line_and_column(sql, offset);
        let line_start = sql[..offset].rfind('\n').map_or(0, |at| at + 1);
        // The start of the line only: the statement may be megabytes of parentheses.
        let start: String = sql[line_start..].chars().take_while(|&c| c != '\n').take(40).collect();
        let statement = format!("{}...", start.split_whitespace().collect::<Vec<_>>().join(" "));
        return vec![TransactionControl { line, column, statement, reason: TOO_DEEP }];
    }
    let mut savepoints: Vec<String> = Vec::new();
    let mut found = Vec::new();
    for statement in statements(sql) {
        let word = |n| statement.word(sql, n);
        let reason = match word(0).as_deref() {
            Some("begin") => Some(STARTS),
            Some("start") if word(1).as_deref() == Some("transaction") => Some(STARTS),
            Some("commit") if word(1).as_deref() == Some("prepared") => Some(PREPARED),
            Some("commit" | "end" | "abort") => Some(ENDS),
            Some("prepare") if word(1).as_deref() == Some("transaction") => Some(PREPARED),
            Some("rollback") if word(1).as_deref() == Some("prepared") => Some(PREPARED),
            Some("rollback") => {
                let to = 1 + usize::from(matches!(word(1).as_deref(), Some("work" | "transaction")));
                match word(to).as_deref() {
                    Some("to") => release(&mut savepoints, name_after(sql, &statement, to + 1), false),
                    _ => Some(ENDS),
                }
            }
            Some("release") => release(&mut savepoints, name_after(sql, &statement, 1), true),
            Some("savepoint") => {
                savepoints.extend(name(sql, &statement, 1));
                None
            }
            _ => None,
        };
        if let Some(reason) = reason {
            let (line, column) = line_and_column(sql, statement.start);
            let text = sql[statement.start..statement.end].trim_end_matches(';');
            let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
            found.push(TransactionControl { line, column, statement: text, reason });
        }
    }
    found
}

/// `RELEASE` (`released`) or `ROLLBACK TO` the savepoint `name`: fine when the file created it before.
fn release(savepoints: &mut Vec<String>, name: Option<String>, released: bool) -> Option<&'static str> {
    match name.and_then(|n| savepoints.iter().rposition(|s| *s == n)) {
        // RELEASE destroys it and every later one; ROLLBACK TO keeps it, destroys the later ones.
        Some(at) => {
            savepoints.truncate(if released { at } else { at + 1 });
            None
        }
        None => Some(NO_SAVEPOINT),
    }
}

/// The savepoint name at token `n`, after an optional `SAVEPOINT` keyword.
fn name_after(sql: &str, statement: &Statement, n: usize) -> Option<String> {
    let keyword = statement.word(sql, n).as_deref() == Some("savepoint");
    name(sql, statement, n + usize::from(keyword))
}

/// The savepoint name at token `n`, read as PostgreSQL reads identifiers.
fn name(sql: &str, statement: &Statement, n: usize) -> Option<String> {
    let token = statement.tokens.get(n)?;
    let text = &sql[token.start..token.end];
    Some(match text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        Some(quoted) => quoted.replace("\"\"", "\""),
        None => text.to_ascii_lowercase(),
    })
}

/// Refuses the first transaction control statement in a migration that runs in a transaction.
pub(crate) fn refuse<'m>(migrations: impl IntoIterator<Item = &'m Migration>) -> Result<(), MigrateError> {
    for migration in migrations.into_iter().filter(|m| !m.no_transaction) {
        if let Some(found) = transaction_control(&migration.sql).into_iter().next() {
            return Err(MigrateError::TransactionControl {
                file: migration.file_name.clone(),
                line: found.line,
                column: found.column,
                statement: found.statement,
                reason: found.reason.to_string(),
            });
        }
    }
    Ok(())
}

fn line_and_column(sql: &str, offset: usize) -> (usize, usize) {
    let before = &sql[..offset.min(sql.len())];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |at| at + 1);
    (line, before[line_start..].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::statements::MAX_DEPTH;

    fn found(sql: &str) -> Vec<(usize, usize, String)> {
        transaction_control(sql).into_iter().map(|t| (t.line, t.column, t.statement)).collect()
    }

    #[test]
    fn finds_every_transaction_control_statement() {
        let sql = "CREATE TABLE a (id int);\nCOMMIT;\n  end;\nROLLBACK;\nabort;\nBEGIN;\nSTART TRANSACTION;\n\
                   PREPARE TRANSACTION 'x';\nCOMMIT PREPARED 'x';\nROLLBACK PREPARED 'x';\n";
        let statements: Vec<String> = found(sql).into_iter().map(|f| f.2).collect();
        assert_eq!(
            statements,
            [
                "COMMIT",
                "end",
                "ROLLBACK",
                "abort",
                "BEGIN",
                "START TRANSACTION",
                "PREPARE TRANSACTION 'x'",
                "COMMIT PREPARED 'x'",
                "ROLLBACK PREPARED 'x'"
            ]
        );
        assert_eq!(found(sql)[1], (3, 3, "end".to_string()));
        assert_eq!(found("-- c\n/* d */ COMMIT;")[0].0, 2);
    }

    #[test]
    fn strings_bodies_and_savepoints_are_fine() {
        let sql = "INSERT INTO t VALUES ('COMMIT;');\n\
                   DO $$ BEGIN COMMIT; END $$;\n\
                   CREATE PROCEDURE p() LANGUAGE plpgsql AS $body$ BEGIN COMMIT; ROLLBACK; END $body$;\n\
                   -- COMMIT;\n\
                   SAVEPOINT a;\nSAVEPOINT \"B\";\nROLLBACK TO SAVEPOINT \"B\";\nRELEASE \"B\";\nRELEASE SAVEPOINT A;\n";
        assert_eq!(found(sql), []);
    }

    #[test]
    fn savepoints_the_file_did_not_create_are_refused() {
        assert_eq!(found("SAVEPOINT a;\nRELEASE a;\nROLLBACK TO a;\n"), [(3, 1, "ROLLBACK TO a".to_string())]);
        assert_eq!(found("RELEASE SAVEPOINT x;")[0].2, "RELEASE SAVEPOINT x");
        assert_eq!(found("SAVEPOINT a; SAVEPOINT b; RELEASE a; RELEASE b;").len(), 1);
    }

    #[test]
    fn deep_nesting_is_no_crash() {
        // A loop, not a recursion: any nesting is read without growing the stack.
        let not_chain = format!("SELECT {}true;\nCOMMIT;", "NOT ".repeat(3_000));
        assert_eq!(found(&not_chain).len(), 1);
        let parens = format!("SELECT {}1{};\nCOMMIT;", "(".repeat(20_000), ")".repeat(20_000));
        // Refused at the parenthesis past the limit, as the planner's parser cannot check it.
        let refused = transaction_control(&parens);
        assert_eq!(refused.len(), 1);
        assert_eq!((refused[0].line, refused[0].column), (1, 8 + MAX_DEPTH));
        assert_eq!(refused[0].reason, TOO_DEEP);
        assert!(refused[0].statement.starts_with("SELECT (((") && refused[0].statement.len() < 80);
    }

    #[test]
    fn nesting_too_deep_to_check_refuses_the_migration() {
        // PostgreSQL parses 1001 levels, so the COMMIT after them would run.
        let levels = MAX_DEPTH + 1;
        let sql = format!("CREATE TABLE t (id int);\nSELECT {}1{};\nCOMMIT;\n", "(".repeat(levels), ")".repeat(levels));
        let migration = |no_transaction| Migration {
            version: 1,
            description: "deep".into(),
            file_name: "1_deep.sql".into(),
            path: "1_deep.sql".into(),
            sql: sql.clone(),
            checksum: Vec::new(),
            no_transaction,
        };
        let error = refuse([&migration(false)]).unwrap_err();
        assert!(
            matches!(&error, MigrateError::TransactionControl { line: 2, column, reason, .. }
                if *column == 8 + MAX_DEPTH && reason.contains(&format!("nested more than {MAX_DEPTH} levels deep"))),
            "{error}"
        );
        assert!(refuse([&migration(true)]).is_ok());
    }
}
