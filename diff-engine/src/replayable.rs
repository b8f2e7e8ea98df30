//! What keel refuses to replay into a scratch database: statements that change the whole server rather
//! than the database they run in (roles, role membership, tablespaces, databases, server settings). A
//! scratch database goes away; a role it created stays on the server (the next replay then fails with
//! "already exists"), and on a server the user named, keel would have changed something nobody asked it
//! to. keel does not manage roles yet, so such SQL is refused with its file and line. `keel migrate`
//! runs it: there the server is the target the user named.

use crate::sql_depth::{self, MAX_DEPTH};
use squawk_syntax::SourceFile;
use squawk_syntax::ast::{AstNode, Stmt};

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
        ] {
            assert_eq!(refused(sql), Some((1, what)), "{sql}");
        }
        for sql in [
            "GRANT SELECT ON t TO app",
            "REVOKE ALL ON SCHEMA public FROM PUBLIC",
            "ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO PUBLIC",
            "CREATE TABLE roles (role text); INSERT INTO roles VALUES ('CREATE ROLE x')",
            "SET ROLE app",
        ] {
            assert_eq!(refused(sql), None, "{sql}");
        }
        let deep = format!("SELECT 1;\n{}", "(".repeat(MAX_DEPTH + 1));
        assert_eq!(check(&deep), Err(Unreplayable::TooDeep { line: 2 }));
    }
}
