//! What keel refuses to replay into a scratch database: statements that change the whole server rather
//! than the database they run in (roles, role membership, ownership and privileges held across databases,
//! tablespaces, databases, their comments and security labels, server settings), or another server
//! (subscriptions, which create and drop replication slots on their publisher). A scratch database goes
//! away; a role it created stays on the server (the next replay then fails with "already exists"), and on
//! a server the user named, keel would have changed something nobody asked it to. keel does not manage
//! roles yet, so such SQL is refused with its file and line. `keel migrate` runs it: there the server is
//! the target the user named.
//!
//! Only top-level statements are seen: a `DO` block, a function body or dynamic SQL (`EXECUTE '...'`)
//! can still change the server when replayed, and is not checked.

use crate::sql_depth::{self, MAX_DEPTH};
use squawk_syntax::ast::{AstNode, Stmt};
use squawk_syntax::{SourceFile, SyntaxKind};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unreplayable {
    #[error(
        "{line}: {what} is cluster-wide: it would outlive the scratch database keel replays this SQL into, and \
         change the server; keel does not manage roles, tablespaces or databases yet. Create them outside keel \
         (e.g. in the database's init script) before running the migrations; `keel migrate` runs such a \
         migration against the target, but `check`, `diff` and `generate` replay migrations and refuse it"
    )]
    ClusterWide { line: usize, what: &'static str },
    #[error("{line}: nested more than {MAX_DEPTH} levels deep (parentheses or brackets): too deep to check")]
    TooDeep { line: usize },
}

/// The first statement keel refuses to replay, if any (see the module). Statements are found with
/// squawk's parser, which recovers from syntax errors: PostgreSQL reports those when the SQL runs.
pub fn check(sql: &str) -> Result<(), Unreplayable> {
    let line = |offset: usize| sql[..offset.min(sql.len())].matches('\n').count() + 1;
    if let Some(offset) = sql_depth::too_deep(sql) {
        return Err(Unreplayable::TooDeep { line: line(offset) });
    }
    let found = crate::sql_depth::on_big_stack(|| first_cluster_wide(sql));
    match found {
        Some((offset, what)) => Err(Unreplayable::ClusterWide { line: line(offset), what }),
        None => Ok(()),
    }
}

/// The byte offset and kind of the first cluster-wide statement.
fn first_cluster_wide(sql: &str) -> Option<(usize, &'static str)> {
    SourceFile::parse(sql).tree().stmts().find_map(|stmt| {
        let what = cluster_wide(&stmt)?;
        Some((sql_depth::statement_start(stmt.syntax()), what))
    })
}

/// What the statement is, when it changes the server rather than the database.
fn cluster_wide(stmt: &Stmt) -> Option<&'static str> {
    Some(match stmt {
        Stmt::CreateRole(_) => "CREATE ROLE",
        Stmt::AlterRole(_) => "ALTER ROLE",
        Stmt::DropRole(_) => "DROP ROLE",
        Stmt::CreateUser(_) => "CREATE USER",
        Stmt::AlterUser(_) => "ALTER USER",
        Stmt::DropUser(_) => "DROP USER",
        Stmt::CreateGroup(_) => "CREATE GROUP",
        Stmt::AlterGroup(_) => "ALTER GROUP",
        Stmt::DropGroup(_) => "DROP GROUP",
        // GRANT role TO role: privileges on objects have an ON clause.
        Stmt::Grant(grant) if grant.on_privilege_objects_clause().is_none() => "GRANT (role membership)",
        Stmt::Revoke(revoke) if revoke.on_privilege_objects_clause().is_none() => "REVOKE (role membership)",
        Stmt::AlterDefaultPrivileges(alter) if alter.for_roles().is_some() => "ALTER DEFAULT PRIVILEGES FOR ROLE",
        Stmt::CreateTablespace(_) => "CREATE TABLESPACE",
        Stmt::AlterTablespace(_) => "ALTER TABLESPACE",
        Stmt::DropTablespace(_) => "DROP TABLESPACE",
        Stmt::CreateDatabase(_) => "CREATE DATABASE",
        Stmt::AlterDatabase(_) => "ALTER DATABASE",
        Stmt::DropDatabase(_) => "DROP DATABASE",
        Stmt::AlterSystem(_) => "ALTER SYSTEM",
        // Ownership and privileges of databases and tablespaces go with the role, in every database.
        Stmt::Reassign(_) => "REASSIGN OWNED",
        Stmt::DropOwned(_) => "DROP OWNED",
        // A subscription connects to its publisher and creates (or drops) a replication slot there.
        Stmt::CreateSubscription(_) => "CREATE SUBSCRIPTION",
        Stmt::AlterSubscription(_) => "ALTER SUBSCRIPTION",
        Stmt::DropSubscription(_) => "DROP SUBSCRIPTION",
        Stmt::Grant(_) | Stmt::Revoke(_) | Stmt::CommentOn(_) | Stmt::SecurityLabel(_) => on_shared_object(stmt)?,
        _ => return None,
    })
}

/// A privilege, comment or security label on a shared object: the keyword right after `ON` names its kind
/// (`GRANT CONNECT ON DATABASE d`, `COMMENT ON ROLE r`); objects of a database are named otherwise.
fn on_shared_object(stmt: &Stmt) -> Option<&'static str> {
    let mut tokens =
        stmt.syntax().descendants_with_tokens().filter_map(|e| e.into_token()).filter(|t| !t.kind().is_trivia());
    tokens.find(|token| token.kind() == SyntaxKind::ON_KW)?;
    let kind = tokens.next()?.kind();
    Some(match (stmt, kind) {
        (Stmt::Grant(_), SyntaxKind::DATABASE_KW) => "GRANT ON DATABASE",
        (Stmt::Grant(_), SyntaxKind::TABLESPACE_KW) => "GRANT ON TABLESPACE",
        (Stmt::Grant(_), SyntaxKind::PARAMETER_KW) => "GRANT ON PARAMETER",
        (Stmt::Revoke(_), SyntaxKind::DATABASE_KW) => "REVOKE ON DATABASE",
        (Stmt::Revoke(_), SyntaxKind::TABLESPACE_KW) => "REVOKE ON TABLESPACE",
        (Stmt::Revoke(_), SyntaxKind::PARAMETER_KW) => "REVOKE ON PARAMETER",
        (Stmt::CommentOn(_), SyntaxKind::ROLE_KW) => "COMMENT ON ROLE",
        (Stmt::CommentOn(_), SyntaxKind::DATABASE_KW) => "COMMENT ON DATABASE",
        (Stmt::CommentOn(_), SyntaxKind::TABLESPACE_KW) => "COMMENT ON TABLESPACE",
        (Stmt::SecurityLabel(_), SyntaxKind::ROLE_KW) => "SECURITY LABEL ON ROLE",
        (Stmt::SecurityLabel(_), SyntaxKind::DATABASE_KW) => "SECURITY LABEL ON DATABASE",
        (Stmt::SecurityLabel(_), SyntaxKind::TABLESPACE_KW) => "SECURITY LABEL ON TABLESPACE",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(sql: &str) -> Option<(usize, &'static str)> {
        match check(sql) {
            Ok(()) => None,
            Err(Unreplayable::ClusterWide { line, what }) => Some((line, what)),
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn finds_statements_that_change_the_server() {
        assert_eq!(refused("CREATE TABLE t (id int);\n-- c\n  CREATE ROLE app;"), Some((3, "CREATE ROLE")));
        for (sql, what) in [
            ("create user app", "CREATE USER"),
            ("ALTER ROLE app LOGIN", "ALTER ROLE"),
            ("DROP ROLE IF EXISTS app", "DROP ROLE"),
            ("CREATE GROUP g", "CREATE GROUP"),
            ("GRANT pg_read_all_data TO app", "GRANT (role membership)"),
            ("REVOKE pg_read_all_data FROM app", "REVOKE (role membership)"),
            (
                "ALTER DEFAULT PRIVILEGES FOR ROLE app GRANT SELECT ON TABLES TO PUBLIC",
                "ALTER DEFAULT PRIVILEGES FOR ROLE",
            ),
            ("CREATE TABLESPACE ts LOCATION '/tmp'", "CREATE TABLESPACE"),
            ("CREATE DATABASE d", "CREATE DATABASE"),
            ("DROP DATABASE d", "DROP DATABASE"),
            ("ALTER SYSTEM SET work_mem = '1MB'", "ALTER SYSTEM"),
            ("REASSIGN OWNED BY old TO new", "REASSIGN OWNED"),
            ("DROP OWNED BY app CASCADE", "DROP OWNED"),
            ("GRANT CONNECT ON DATABASE d TO app", "GRANT ON DATABASE"),
            ("GRANT CREATE ON TABLESPACE ts TO app", "GRANT ON TABLESPACE"),
            ("GRANT SET ON PARAMETER work_mem TO app", "GRANT ON PARAMETER"),
            ("REVOKE CONNECT ON DATABASE d FROM PUBLIC", "REVOKE ON DATABASE"),
            ("REVOKE ALL ON TABLESPACE ts FROM app", "REVOKE ON TABLESPACE"),
            ("REVOKE ALTER SYSTEM ON PARAMETER work_mem FROM app", "REVOKE ON PARAMETER"),
            ("COMMENT ON ROLE app IS 'x'", "COMMENT ON ROLE"),
            ("comment on database d is null", "COMMENT ON DATABASE"),
            ("COMMENT ON TABLESPACE ts IS 'x'", "COMMENT ON TABLESPACE"),
            ("SECURITY LABEL ON ROLE app IS 'x'", "SECURITY LABEL ON ROLE"),
            ("SECURITY LABEL FOR selinux ON DATABASE d IS 'x'", "SECURITY LABEL ON DATABASE"),
            ("SECURITY LABEL ON TABLESPACE ts IS NULL", "SECURITY LABEL ON TABLESPACE"),
            ("CREATE SUBSCRIPTION s CONNECTION 'host=p' PUBLICATION pub", "CREATE SUBSCRIPTION"),
            ("ALTER SUBSCRIPTION s DISABLE", "ALTER SUBSCRIPTION"),
            ("DROP SUBSCRIPTION IF EXISTS s", "DROP SUBSCRIPTION"),
        ] {
            assert_eq!(refused(sql), Some((1, what)), "{sql}");
        }
        for sql in [
            "GRANT SELECT ON t TO app",
            "REVOKE ALL ON SCHEMA public FROM PUBLIC",
            "ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO PUBLIC",
            "CREATE TABLE roles (role text); INSERT INTO roles VALUES ('CREATE ROLE x')",
            "SET ROLE app",
            "GRANT USAGE ON SCHEMA s TO app",
            "GRANT SELECT ON ALL TABLES IN SCHEMA s TO app",
            "GRANT SELECT ON TABLE database TO app",
            "REVOKE ALL ON FUNCTION f() FROM PUBLIC",
            "COMMENT ON TABLE t IS 'x'",
            "COMMENT ON COLUMN t.database IS 'ON DATABASE'",
            "SECURITY LABEL ON TABLE t IS 'x'",
            "DROP TABLE owned",
        ] {
            assert_eq!(refused(sql), None, "{sql}");
        }
        let deep = format!("SELECT 1;\n{}", "(".repeat(MAX_DEPTH + 1));
        assert_eq!(check(&deep), Err(Unreplayable::TooDeep { line: 2 }));
    }
}
