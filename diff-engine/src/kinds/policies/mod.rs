//! Row level security: each table's switches, and its policies, created, dropped, altered in place
//! (`ALTER POLICY` sets roles and expressions) or dropped and created again when the command or the kind
//! changes, or an expression is removed. A policy that reads a column or table the other changes drop or
//! retype, a view they rebuild or a function they drop and create again, is dropped before them and
//! created again after: PostgreSQL refuses those changes while a policy depends on them, and keel never
//! uses CASCADE. A dropped table's policies go with it.

mod plan;
pub(crate) mod sql;

use crate::change::Change;
use crate::kinds::functions::Rebuilt;
use crate::kinds::views::ViewChange;
use keel_core::model::{Policy, QualifiedName, RowLevelSecurity, Schema, Table, ViewDependency};
use serde::Serialize;

/// A change to a table's row level security or to one of its policies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum PolicyChange {
    /// `ALTER TABLE ... ENABLE ROW LEVEL SECURITY`: once the table's policies exist.
    EnableRowLevelSecurity { table: QualifiedName },
    /// `ALTER TABLE ... DISABLE ROW LEVEL SECURITY`: before any of its policies is dropped.
    DisableRowLevelSecurity { table: QualifiedName },
    /// `ALTER TABLE ... FORCE ROW LEVEL SECURITY`: the owner is held to the policies too.
    ForceRowLevelSecurity { table: QualifiedName },
    /// `ALTER TABLE ... NO FORCE ROW LEVEL SECURITY`.
    NoForceRowLevelSecurity { table: QualifiedName },
    /// `CREATE POLICY`, without its comment (that follows as its own change).
    Create { table: QualifiedName, name: String, policy: Policy },
    /// `DROP POLICY`; `recreated`: created again as it was, in the same transaction (no access change).
    Drop { table: QualifiedName, name: String, policy: Policy, recreated: bool },
    /// `ALTER POLICY ... TO ... USING ... WITH CHECK ...` in place.
    Alter { table: QualifiedName, name: String, policy: Policy },
    /// `COMMENT ON POLICY`; `None` removes the comment.
    Comment { table: QualifiedName, name: String, comment: Option<String> },
}

/// The row level security changes that go with `changes` (everything else the diff found, views included).
pub(crate) fn policy_changes(
    current: &Schema,
    desired: &Schema,
    changes: &[Change],
    functions: &Rebuilt,
) -> Vec<Change> {
    let mut touched = crate::kinds::views::touched_by(changes);
    touched.extend(changes.iter().filter_map(|c| match c {
        Change::View(ViewChange::Drop { name, .. }) => Some((name.clone(), None)),
        _ => None,
    }));
    let reads_touched = |policy: &Policy, own: Option<&QualifiedName>| {
        touched.iter().any(|(relation, column)| Some(relation) != own && policy.reads(relation, column.as_deref()))
            || policy.using.iter().chain(&policy.with_check).any(|e| functions.called_by(e))
    };

    let mut out = Vec::new();
    for (name, old_table) in renamed_reads(current, changes).tables() {
        let Some(new_table) = desired.table(&name.schema, &name.name) else {
            // The policies go with their table, unless one reads another relation that changes first.
            for (policy_name, policy) in &old_table.policies {
                if reads_touched(policy, Some(&name)) {
                    out.push(drop(&name, policy_name, policy, false));
                }
            }
            continue;
        };
        switches(&name, old_table.row_level_security, new_table.row_level_security, &mut out);
        for (policy_name, old) in &old_table.policies {
            match new_table.policies.get(policy_name) {
                None => out.push(drop(&name, policy_name, old, false)),
                Some(new) if reads_touched(old, None) || !alterable(old, new) => {
                    out.push(drop(&name, policy_name, old, old.same_definition(new)));
                    create(&name, policy_name, new, &mut out);
                }
                Some(new) => {
                    if !old.same_definition(new) {
                        let policy = new.clone();
                        out.push(PolicyChange::Alter { table: name.clone(), name: policy_name.clone(), policy });
                    }
                    if old.comment != new.comment {
                        let comment = new.comment.clone();
                        out.push(PolicyChange::Comment { table: name.clone(), name: policy_name.clone(), comment });
                    }
                }
            }
        }
        created(&name, new_table, Some(old_table), &mut out);
    }
    for (name, table) in desired.tables() {
        if current.table(&name.schema, &name.name).is_none() {
            switches(&name, RowLevelSecurity::default(), table.row_level_security, &mut out);
            created(&name, table, None, &mut out);
        }
    }
    out.into_iter().map(Change::Policy).collect()
}

/// `ENABLE`/`DISABLE` and `FORCE`/`NO FORCE ROW LEVEL SECURITY`.
fn switches(table: &QualifiedName, old: RowLevelSecurity, new: RowLevelSecurity, out: &mut Vec<PolicyChange>) {
    let table = table.clone();
    if old.enabled != new.enabled {
        out.push(if new.enabled {
            PolicyChange::EnableRowLevelSecurity { table: table.clone() }
        } else {
            PolicyChange::DisableRowLevelSecurity { table: table.clone() }
        });
    }
    if old.forced != new.forced {
        out.push(if new.forced {
            PolicyChange::ForceRowLevelSecurity { table }
        } else {
            PolicyChange::NoForceRowLevelSecurity { table }
        });
    }
}

/// The policies of `new` that `old` (the table as it is) does not have.
fn created(name: &QualifiedName, new: &Table, old: Option<&Table>, out: &mut Vec<PolicyChange>) {
    for (policy_name, policy) in &new.policies {
        if old.is_none_or(|t| !t.policies.contains_key(policy_name)) {
            create(name, policy_name, policy, out);
        }
    }
}

fn create(table: &QualifiedName, name: &str, policy: &Policy, out: &mut Vec<PolicyChange>) {
    out.push(PolicyChange::Create { table: table.clone(), name: name.to_string(), policy: policy.clone() });
    if policy.comment.is_some() {
        out.push(PolicyChange::Comment {
            table: table.clone(),
            name: name.to_string(),
            comment: policy.comment.clone(),
        });
    }
}

fn drop(table: &QualifiedName, name: &str, policy: &Policy, recreated: bool) -> PolicyChange {
    PolicyChange::Drop { table: table.clone(), name: name.to_string(), policy: policy.clone(), recreated }
}

/// `ALTER POLICY` can turn `old` into `new`: it sets roles and expressions, but changes neither the command
/// nor the kind, and cannot remove a `USING` or `WITH CHECK` clause.
fn alterable(old: &Policy, new: &Policy) -> bool {
    old.command == new.command
        && old.permissive == new.permissive
        && (old.using.is_none() || new.using.is_some())
        && (old.with_check.is_none() || new.with_check.is_some())
}

/// `current` with what each policy reads under the names the renames give it: the catalog recorded the old
/// names, and the other changes use the new ones.
fn renamed_reads(current: &Schema, changes: &[Change]) -> Schema {
    let mut out = current.clone();
    let rename = |d: &mut ViewDependency| {
        for change in changes {
            if let Some((from, to)) = change.renamed_table()
                && d.relation == *from
            {
                d.relation = QualifiedName::new(&from.schema, to);
            }
            for (table, from, to) in change.renamed_columns() {
                if d.relation == *table && d.column.as_ref() == Some(from) {
                    d.column = Some(to.clone());
                }
            }
        }
    };
    for ns in out.schemas.values_mut() {
        for table in ns.tables.values_mut() {
            for policy in table.policies.values_mut() {
                policy.reads.iter_mut().for_each(rename);
            }
        }
    }
    out
}
