//! `concurrently-in-transaction`: PostgreSQL refuses `CREATE INDEX CONCURRENTLY`, `DROP INDEX
//! CONCURRENTLY`, `REINDEX ... CONCURRENTLY` and `DETACH PARTITION ... CONCURRENTLY` in a transaction
//! block, and a migration runs in one unless its file starts with `-- no-transaction`.
//! `no-transaction-single-statement`: a `-- no-transaction` file is sent as one query, and PostgreSQL
//! runs a query of several statements as one implicit transaction, so `CONCURRENTLY` fails there too.

use super::{CONCURRENTLY_IN_TRANSACTION, NO_TRANSACTION, NO_TRANSACTION_SINGLE_STATEMENT, Source};
use crate::lint::Finding;
use squawk_syntax::ast::{self, AstNode};
use squawk_syntax::{SyntaxKind, SyntaxNode, SyntaxToken};

pub(crate) fn check(file: &ast::SourceFile, source: &Source<'_>, in_transaction: bool) -> Vec<Finding> {
    let statements: Vec<ast::Stmt> = file.stmts().filter(|s| !matches!(s, ast::Stmt::EmptyStmt(_))).collect();
    let mut findings = Vec::new();
    if in_transaction {
        for stmt in &statements {
            let Some((what, token)) = concurrently(stmt) else { continue };
            findings.push(Finding::new(
                &CONCURRENTLY_IN_TRANSACTION,
                source.at(token.text_range().start().into()),
                format!("{what} CONCURRENTLY cannot run in a transaction, and this file runs in one"),
                format!("move it to its own file that starts with `{NO_TRANSACTION}`"),
            ));
        }
    } else if let Some(second) = statements.get(1) {
        let n = statements.len();
        findings.push(Finding::new(
            &NO_TRANSACTION_SINGLE_STATEMENT,
            source.node(second.syntax()),
            format!(
                "this `{NO_TRANSACTION}` file holds {n} statements: PostgreSQL runs them as one implicit \
                 transaction, where CONCURRENTLY fails"
            ),
            format!("put each statement in its own `{NO_TRANSACTION}` file"),
        ));
    }
    findings
}

/// What the statement does CONCURRENTLY, and its `CONCURRENTLY` keyword.
fn concurrently(stmt: &ast::Stmt) -> Option<(&'static str, SyntaxToken)> {
    match stmt {
        ast::Stmt::CreateIndex(create) => Some(("CREATE INDEX", create.concurrently_token()?)),
        ast::Stmt::DropIndex(drop) => Some(("DROP INDEX", drop.concurrently_token()?)),
        ast::Stmt::Reindex(reindex) if reindex.is_concurrently() => Some(("REINDEX", keyword(reindex.syntax())?)),
        ast::Stmt::AlterTable(alter) => alter.actions().find_map(|action| match action {
            ast::AlterTableAction::DetachPartition(detach) => match detach.detach_partition_option()? {
                ast::DetachPartitionOption::DetachConcurrently(option) => {
                    Some(("DETACH PARTITION", keyword(option.syntax())?))
                }
                ast::DetachPartitionOption::DetachFinalize(_) => None,
            },
            _ => None,
        }),
        _ => None,
    }
}

/// The first `CONCURRENTLY` keyword in a node.
fn keyword(node: &SyntaxNode) -> Option<SyntaxToken> {
    node.descendants_with_tokens()
        .filter_map(|element| element.into_token())
        .find(|token| token.kind() == SyntaxKind::CONCURRENTLY_KW)
}
