//! The SQL of domains. Identifiers are quoted; defaults and checks go in as PostgreSQL printed them.

use crate::render::{collate, comment_on};
use crate::sql;
use crate::sql::{Ident, Keyword, Name, Printed, Sql};
use keel_core::model::{Domain, QualifiedName};

/// `CREATE DOMAIN` with its default, `NOT NULL` and validated checks; a check that is `NOT VALID` can only
/// be added afterwards (`ALTER DOMAIN ... ADD ... NOT VALID`), which the statements after the first do.
pub(crate) fn create(name: &QualifiedName, domain: &Domain) -> Vec<Sql> {
    let mut sql = sql!("CREATE DOMAIN {} AS {}", name, domain.base);
    sql.push(collate(domain.collation.as_deref()));
    if let Some(default) = &domain.default {
        sql.push(sql!(" DEFAULT {}", Printed::new(default)));
    }
    if domain.not_null {
        sql.push(Keyword(" NOT NULL"));
    }
    for (check_name, check) in domain.checks.iter().filter(|(_, c)| !c.not_valid) {
        sql.push(sql!(" CONSTRAINT {} CHECK ({})", Ident::new(check_name), Printed::new(&check.expression)));
    }
    let mut out = vec![sql];
    for (check_name, check) in domain.checks.iter().filter(|(_, c)| c.not_valid) {
        out.push(add_check(name, check_name, &check.expression, true));
    }
    out
}

pub(super) fn drop(name: &QualifiedName) -> Sql {
    sql!("DROP DOMAIN {}", name)
}

/// `DROP DOMAIN` of the domain a recreation renamed away to `old_name`.
pub(super) fn drop_replaced(name: &QualifiedName, old_name: &str) -> Sql {
    sql!("DROP DOMAIN {}", Name::in_schema(&name.schema, old_name))
}

/// `SET DEFAULT`, or `DROP DEFAULT` for `None`.
pub(super) fn set_default(name: &QualifiedName, default: Option<&str>) -> Sql {
    match default {
        Some(default) => sql!("ALTER DOMAIN {} SET DEFAULT {}", name, Printed::new(default)),
        None => sql!("ALTER DOMAIN {} DROP DEFAULT", name),
    }
}

pub(super) fn set_not_null(name: &QualifiedName, not_null: bool) -> Sql {
    let action = Keyword(if not_null { "SET NOT NULL" } else { "DROP NOT NULL" });
    sql!("ALTER DOMAIN {} {}", name, action)
}

/// `ALTER DOMAIN ... ADD CONSTRAINT "name" CHECK (...) [NOT VALID]`.
pub(super) fn add_check(name: &QualifiedName, check_name: &str, expression: &str, not_valid: bool) -> Sql {
    let suffix = Keyword(if not_valid { " NOT VALID" } else { "" });
    sql!(
        "ALTER DOMAIN {} ADD CONSTRAINT {} CHECK ({}){}",
        name,
        Ident::new(check_name),
        Printed::new(expression),
        suffix
    )
}

pub(super) fn drop_check(name: &QualifiedName, check_name: &str) -> Sql {
    sql!("ALTER DOMAIN {} DROP CONSTRAINT {}", name, Ident::new(check_name))
}

pub(super) fn validate_check(name: &QualifiedName, check_name: &str) -> Sql {
    sql!("ALTER DOMAIN {} VALIDATE CONSTRAINT {}", name, Ident::new(check_name))
}

pub(crate) fn comment(name: &QualifiedName, comment: Option<&String>) -> Sql {
    comment_on("DOMAIN", name, comment)
}
