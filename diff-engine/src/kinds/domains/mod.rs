//! Domains: created, dropped, and changed in place with `ALTER DOMAIN` (default, `NOT NULL`, checks,
//! comment). A new base type or collation cannot be altered: the domain is recreated and its columns cast
//! to the new one. PostgreSQL also refuses to add a check or `NOT NULL` to a domain that an array column
//! holds ("cannot alter type ... because column ... uses it"); such a domain is recreated too.

mod plan;
pub(crate) mod sql;

use crate::change::{Change, EnumUsage};
use crate::diff::{DiffError, uses_enum};
use keel_core::model::{ColumnType, Domain, DomainCheck, QualifiedName, Schema};
use serde::Serialize;

/// One change to one domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum DomainChange {
    /// `CREATE DOMAIN`, without its comment (a change of its own).
    Create {
        name: QualifiedName,
        domain: Domain,
    },
    /// `DROP DOMAIN`; `domain` is the current definition: what its base type needs must still be there.
    Drop {
        name: QualifiedName,
        domain: Domain,
    },
    /// `SET DEFAULT`, or `DROP DEFAULT` for `None`.
    SetDefault {
        name: QualifiedName,
        default: Option<String>,
    },
    /// `SET NOT NULL` checks every value of every column of the domain: `columns` names them.
    SetNotNull {
        name: QualifiedName,
        not_null: bool,
        columns: Vec<String>,
    },
    /// `ADD CONSTRAINT ... CHECK`; `columns`: the columns of the domain whose values are checked, for the
    /// summary.
    AddCheck {
        name: QualifiedName,
        check_name: String,
        check: DomainCheck,
        columns: Vec<String>,
    },
    DropCheck {
        name: QualifiedName,
        check_name: String,
    },
    /// A check left `NOT VALID`, declared valid.
    ValidateCheck {
        name: QualifiedName,
        check_name: String,
    },
    /// The base type or collation changes, which `ALTER DOMAIN` cannot do: the old domain is renamed away,
    /// the new one created, every column of it cast, and the old one dropped.
    Recreate {
        name: QualifiedName,
        domain: Domain,
        usages: Vec<EnumUsage>,
    },
    /// `COMMENT ON DOMAIN`; `None` removes the comment.
    Comment {
        name: QualifiedName,
        comment: Option<String>,
    },
}

/// The domain changes between `current` (renames applied) and `desired`.
pub(crate) fn diff(current: &Schema, desired: &Schema) -> Result<Vec<Change>, DiffError> {
    let mut out = Vec::new();
    for (name, new) in desired.domains() {
        let Some(old) = current.domain(&name.schema, &name.name) else {
            out.push(DomainChange::Create { name: name.clone(), domain: Domain { comment: None, ..new.clone() } });
            if new.comment.is_some() {
                out.push(DomainChange::Comment { name, comment: new.comment.clone() });
            }
            continue;
        };
        let usages = usages(&name, current, desired);
        if old.base != new.base || old.collation != new.collation || tightened_under_array(&name, old, new, &usages) {
            refuse_type_dependents(&name, current, "its base type, collation or constraints change")?;
            let domain = Domain { comment: new.comment.clone(), ..new.clone() };
            out.push(DomainChange::Recreate { name: name.clone(), domain, usages });
            continue;
        }
        let columns: Vec<String> = usages.iter().map(|u| format!("{}.{}", u.table, u.column)).collect();
        if old.default != new.default {
            out.push(DomainChange::SetDefault { name: name.clone(), default: new.default.clone() });
        }
        for (check_name, check) in &old.checks {
            let kept = new.checks.get(check_name).is_some_and(|c| c.expression == check.expression);
            if !kept || (!check.not_valid && new.checks[check_name].not_valid) {
                out.push(DomainChange::DropCheck { name: name.clone(), check_name: check_name.clone() });
            }
        }
        if old.not_null != new.not_null {
            out.push(DomainChange::SetNotNull { name: name.clone(), not_null: new.not_null, columns: columns.clone() });
        }
        for (check_name, check) in &new.checks {
            match old.checks.get(check_name) {
                Some(existing) if existing.expression == check.expression && existing.not_valid == check.not_valid => {}
                Some(existing) if existing.expression == check.expression && existing.not_valid => {
                    out.push(DomainChange::ValidateCheck { name: name.clone(), check_name: check_name.clone() });
                }
                _ => out.push(DomainChange::AddCheck {
                    name: name.clone(),
                    check_name: check_name.clone(),
                    check: check.clone(),
                    columns: columns.clone(),
                }),
            }
        }
        if old.comment != new.comment {
            out.push(DomainChange::Comment { name, comment: new.comment.clone() });
        }
    }
    for (name, domain) in current.domains() {
        if desired.domain(&name.schema, &name.name).is_none() {
            out.push(DomainChange::Drop { name, domain: domain.clone() });
        }
    }
    Ok(out.into_iter().map(Change::Domain).collect())
}

/// A new check, a check validated, or `NOT NULL` set, while an array column holds the domain.
fn tightened_under_array(name: &QualifiedName, old: &Domain, new: &Domain, usages: &[EnumUsage]) -> bool {
    let tightened = (!old.not_null && new.not_null)
        || new.checks.iter().any(|(n, c)| {
            old.checks.get(n).is_none_or(|o| o.expression != c.expression || (o.not_valid && !c.not_valid))
        });
    tightened && usages.iter().any(|u| matches!(&u.ty, ColumnType::Array { .. }) && uses_enum(&u.ty, name))
}

/// Columns of `name` (or of arrays of it) in tables that stay, keeping their type: what must be cast when
/// the type is recreated. Columns that are dropped or change type need no cast. Composite types share it.
pub(crate) fn usages(name: &QualifiedName, current: &Schema, desired: &Schema) -> Vec<EnumUsage> {
    let mut out = Vec::new();
    for (table_name, table) in current.tables() {
        let Some(wanted) = desired.table(&table_name.schema, &table_name.name) else { continue };
        for column in &table.columns {
            let Some(new) = wanted.column(&column.name) else { continue };
            if !uses_enum(&column.ty, name) || new.ty != column.ty {
                continue;
            }
            out.push(EnumUsage {
                table: table_name.clone(),
                column: column.name.clone(),
                ty: column.ty.clone(),
                drop_default: column.default.is_some(),
                default: new.default.clone(),
            });
        }
    }
    out
}

/// Recreating a type renames the old one away and drops it once its columns are cast; domains over it and
/// attributes of composite types that hold it would keep it alive (keel never uses CASCADE). Those are
/// refused, naming them. Composite types share it.
pub(crate) fn refuse_type_dependents(name: &QualifiedName, current: &Schema, why: &str) -> Result<(), DiffError> {
    let mut dependents = Vec::new();
    for (domain_name, domain) in current.domains() {
        if uses_enum(&domain.base, name) {
            dependents.push(format!("domain {domain_name}"));
        }
    }
    for (type_name, composite) in current.composite_types() {
        for attribute in composite.attributes.iter().filter(|a| uses_enum(&a.ty, name)) {
            dependents.push(format!("attribute {} of type {type_name}", attribute.name));
        }
    }
    if dependents.is_empty() {
        return Ok(());
    }
    Err(DiffError::Unsupported(format!(
        "type {name} must be recreated ({why}), but {} depend on it; change them in a migration of your own",
        dependents.join(", ")
    )))
}
