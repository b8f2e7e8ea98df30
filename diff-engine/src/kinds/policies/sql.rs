//! The SQL of row level security and policies.

use crate::render::comment_on;
use crate::sql;
use crate::sql::{Ident, Keyword, Printed, Sql};
use keel_core::model::{Policy, QualifiedName, RowLevelSecurity};

/// `ALTER TABLE ... ENABLE ROW LEVEL SECURITY` and `... FORCE ROW LEVEL SECURITY`, as switched on.
pub(crate) fn row_level_security(table: &QualifiedName, rls: RowLevelSecurity) -> Vec<Sql> {
    let mut out = Vec::new();
    if rls.enabled {
        out.push(sql!("ALTER TABLE {} ENABLE ROW LEVEL SECURITY", table));
    }
    if rls.forced {
        out.push(sql!("ALTER TABLE {} FORCE ROW LEVEL SECURITY", table));
    }
    out
}

/// `"policy" ON "schema"."table"`: how statements name a policy.
fn target(table: &QualifiedName, name: &str) -> Sql {
    sql!("{} ON {}", Ident::new(name), table)
}

/// `CREATE POLICY "name" ON .. AS PERMISSIVE FOR ALL TO .. USING (..) WITH CHECK (..)`.
pub(crate) fn create(table: &QualifiedName, name: &str, policy: &Policy) -> Sql {
    let mut sql = sql!(
        "CREATE POLICY {} AS {} FOR {} TO {}",
        target(table, name),
        Keyword(policy.kind()),
        Keyword(policy.command.sql()),
        roles(&policy.roles)
    );
    sql.push(expressions(policy));
    sql
}

/// ` USING (..) WITH CHECK (..)`, the clauses the policy has.
fn expressions(policy: &Policy) -> Sql {
    let mut sql = Sql::default();
    if let Some(using) = &policy.using {
        sql.push(sql!(" USING ({})", Printed::new(using)));
    }
    if let Some(check) = &policy.with_check {
        sql.push(sql!(" WITH CHECK ({})", Printed::new(check)));
    }
    sql
}

/// Role names for `TO`: `public` is the keyword `PUBLIC` (no role may take that name), the others quoted.
fn roles(roles: &[String]) -> Sql {
    if roles.is_empty() {
        return sql!("PUBLIC");
    }
    Sql::join(roles.iter().map(|r| if r == "public" { sql!("PUBLIC") } else { sql!("{}", Ident::new(r)) }), ", ")
}

/// `ALTER TABLE ... {ENABLE | DISABLE | FORCE | NO FORCE} ROW LEVEL SECURITY`.
pub(crate) fn switch(table: &QualifiedName, action: &'static str) -> Sql {
    sql!("ALTER TABLE {} {} ROW LEVEL SECURITY", table, Keyword(action))
}

pub(crate) fn drop(table: &QualifiedName, name: &str) -> Sql {
    sql!("DROP POLICY {}", target(table, name))
}

/// `ALTER POLICY ... TO ... [USING (..)] [WITH CHECK (..)]`.
pub(crate) fn alter(table: &QualifiedName, name: &str, policy: &Policy) -> Sql {
    sql!("ALTER POLICY {} TO {}{}", target(table, name), roles(&policy.roles), expressions(policy))
}

pub(crate) fn comment(table: &QualifiedName, name: &str, comment: Option<&String>) -> Sql {
    comment_on("POLICY", target(table, name), comment)
}
