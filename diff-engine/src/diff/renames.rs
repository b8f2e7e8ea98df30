//! Applying rename hints to the current schema, so that the structural diff that follows compares objects
//! under their new names. Each applied hint becomes a rename change; a hint whose old name no longer exists
//! is already applied and is skipped, so `renamed_from` can stay in the code after the migration ran.

use super::DiffError;
use crate::change::{Change, ColumnChange, EnumChange, IndexChange, SequenceChange, TableChange};
use crate::hints::{Hints, Rename};
use crate::kinds::tables::alter;
use keel_core::model::{ColumnType, KeyExpression, QualifiedName, Schema, Table};

pub(super) fn apply(current: &Schema, desired: &Schema, hints: &Hints) -> Result<(Schema, Vec<Change>), DiffError> {
    let mut schema = current.clone();
    let mut changes = Vec::new();
    let mut tables_renamed: Vec<(String, String, String)> = Vec::new();
    let mut renames = hints.renames.clone();
    // Tables and enums first: column, index and value hints name the table or enum by its new name.
    renames.sort_by_key(|r| match r {
        Rename::Table { .. } | Rename::Enum { .. } => 0,
        _ => 1,
    });
    for rename in &renames {
        match rename {
            Rename::Table { schema: ns, from, to } => {
                let Some(tables) = schema.schemas.get_mut(ns).map(|n| &mut n.tables) else { continue };
                if !tables.contains_key(from) {
                    continue;
                }
                if tables.contains_key(to) {
                    return Err(DiffError::Hint(format!("cannot rename table {ns}.{from} to {to}: {to} exists too")));
                }
                if desired.table(ns, to).is_none() {
                    return Err(DiffError::Hint(format!(
                        "table {ns}.{from} is renamed to {to}, which is not declared"
                    )));
                }
                let table = tables.remove(from).expect("checked above");
                tables.insert(to.clone(), table);
                let (old, new) = (QualifiedName::new(ns, from), QualifiedName::new(ns, to));
                for ns in schema.schemas.values_mut() {
                    for table in ns.tables.values_mut() {
                        for fk in table.foreign_keys.values_mut() {
                            if fk.references == old {
                                fk.references = new.clone();
                            }
                        }
                    }
                    for sequence in ns.sequences.values_mut() {
                        if let Some(owner) = sequence.owned_by.as_mut().filter(|o| o.table == *from) {
                            owner.table = to.clone();
                        }
                    }
                }
                changes.push(Change::Table(TableChange::Rename { from: old, to: to.clone() }));
                tables_renamed.push((ns.clone(), from.clone(), to.clone()));
            }
            Rename::Enum { schema: ns, from, to } => {
                let Some(enums) = schema.schemas.get_mut(ns).map(|n| &mut n.enums) else { continue };
                if !enums.contains_key(from) {
                    continue;
                }
                if enums.contains_key(to) {
                    return Err(DiffError::Hint(format!("cannot rename type {ns}.{from} to {to}: {to} exists too")));
                }
                let e = enums.remove(from).expect("checked above");
                enums.insert(to.clone(), e);
                let (old, new) = (QualifiedName::new(ns, from), QualifiedName::new(ns, to));
                for ns in schema.schemas.values_mut() {
                    for table in ns.tables.values_mut() {
                        for column in &mut table.columns {
                            column.ty = retype(&column.ty, &old, &new);
                        }
                    }
                }
                changes.push(Change::Enum(EnumChange::Rename { from: old, to: to.clone() }));
            }
            Rename::Column { schema: ns, table: t, from, to } => {
                let name = QualifiedName::new(ns, t);
                let Some(table) = schema.schemas.get_mut(ns).and_then(|n| n.tables.get_mut(t)) else { continue };
                if table.column(from).is_none() {
                    continue;
                }
                if table.column(to).is_some() {
                    return Err(DiffError::Hint(format!(
                        "cannot rename column {name}.{from} to {to}: {to} exists too"
                    )));
                }
                rename_column_in_table(table, from, to);
                for ns in schema.schemas.values_mut() {
                    for table in ns.tables.values_mut() {
                        for fk in table.foreign_keys.values_mut().filter(|fk| fk.references == name) {
                            rename_in(&mut fk.referenced_columns, from, to);
                        }
                    }
                    for sequence in ns.sequences.values_mut() {
                        if let Some(owner) = sequence.owned_by.as_mut().filter(|o| o.table == *t && o.column == *from) {
                            owner.column = to.clone();
                        }
                    }
                }
                alter(&mut changes, &name, ColumnChange::Rename { from: from.clone(), to: to.clone() });
            }
            Rename::Index { schema: ns, table: t, from, to } => {
                let name = QualifiedName::new(ns, t);
                let Some(table) = schema.schemas.get_mut(ns).and_then(|n| n.tables.get_mut(t)) else { continue };
                if !table.indexes.contains_key(from) {
                    continue;
                }
                if table.indexes.contains_key(to) {
                    return Err(DiffError::Hint(format!("cannot rename index {ns}.{from} to {to}: {to} exists too")));
                }
                let index = table.indexes.remove(from).expect("checked above");
                table.indexes.insert(to.clone(), index);
                alter(&mut changes, &name, IndexChange::Rename { from: from.clone(), to: to.clone() });
            }
            Rename::EnumValue { schema: ns, enum_name, from, to } => {
                let Some(e) = schema.schemas.get_mut(ns).and_then(|n| n.enums.get_mut(enum_name)) else { continue };
                let Some(position) = e.values.iter().position(|v| v == from) else { continue };
                if e.values.contains(to) {
                    return Err(DiffError::Hint(format!(
                        "cannot rename value {from} of {ns}.{enum_name} to {to}: {to} exists too"
                    )));
                }
                e.values[position] = to.clone();
                changes.push(Change::Enum(EnumChange::RenameValue {
                    name: QualifiedName::new(ns, enum_name),
                    from: from.clone(),
                    to: to.clone(),
                }));
            }
        }
    }
    implied_index_renames(&mut schema, desired, &tables_renamed, &mut changes);
    implied_sequence_renames(&mut schema, desired, &mut changes);
    Ok((schema, changes))
}

/// A hinted table rename also renames its indexes whose names follow the table's (`idx_files_user_id`
/// becomes `idx_documents_user_id`) when the index is otherwise unchanged.
fn implied_index_renames(
    schema: &mut Schema,
    desired: &Schema,
    tables: &[(String, String, String)],
    out: &mut Vec<Change>,
) {
    for (ns, from, to) in tables {
        let (Some(table), Some(wanted)) =
            (schema.schemas.get_mut(ns).and_then(|n| n.tables.get_mut(to)), desired.table(ns, to))
        else {
            continue;
        };
        let names: Vec<String> = table.indexes.keys().cloned().collect();
        for name in names {
            let candidate = name.replacen(from.as_str(), to, 1);
            let unchanged = crate::kinds::indexes::same_index(wanted.indexes.get(&candidate), table.indexes.get(&name));
            if candidate == name
                || wanted.indexes.contains_key(&name)
                || table.indexes.contains_key(&candidate)
                || !unchanged
            {
                continue;
            }
            let index = table.indexes.remove(&name).expect("listed above");
            table.indexes.insert(candidate.clone(), index);
            alter(out, &QualifiedName::new(ns, to), IndexChange::Rename { from: name, to: candidate });
        }
    }
}

/// A sequence owned by a column (a `serial`'s) that the declaration owns under another name, by the same
/// column, is the same sequence: it is renamed, keeping its current value. Column defaults that call it
/// follow the rename, as PostgreSQL's do.
fn implied_sequence_renames(schema: &mut Schema, desired: &Schema, out: &mut Vec<Change>) {
    let names: Vec<String> = schema.schemas.keys().cloned().collect();
    for ns in names {
        let (Some(current), Some(wanted)) = (schema.schemas.get(&ns), desired.schemas.get(&ns)) else { continue };
        let mut pairs = Vec::new();
        for (name, sequence) in &current.sequences {
            let Some(owner) = &sequence.owned_by else { continue };
            if wanted.sequences.contains_key(name) {
                continue;
            }
            let candidates: Vec<&String> = wanted
                .sequences
                .iter()
                .filter(|(n, s)| s.owned_by.as_ref() == Some(owner) && !current.sequences.contains_key(*n))
                .map(|(n, _)| n)
                .collect();
            if let [to] = candidates.as_slice() {
                pairs.push((name.clone(), (*to).clone()));
            }
        }
        let Some(namespace) = schema.schemas.get_mut(&ns) else { continue };
        for (from, to) in pairs {
            let sequence = namespace.sequences.remove(&from).expect("listed above");
            namespace.sequences.insert(to.clone(), sequence);
            let (old_call, new_call) = (regclass_literal(&from), regclass_literal(&to));
            for table in namespace.tables.values_mut() {
                for column in &mut table.columns {
                    if let Some(default) = &mut column.default {
                        *default = default.replace(&old_call, &new_call);
                    }
                }
            }
            out.push(Change::Sequence(SequenceChange::Rename { from: QualifiedName::new(&ns, &from), to }));
        }
    }
}

/// How PostgreSQL prints a sequence in a default: `'name'::regclass`, the name quoted when it must be.
fn regclass_literal(name: &str) -> String {
    let plain = name.chars().next().is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    let shown = if plain { name.to_string() } else { keel_core::sql::quote_ident(name) };
    format!("'{}'::regclass", shown.replace('\'', "''"))
}

fn retype(ty: &ColumnType, old: &QualifiedName, new: &QualifiedName) -> ColumnType {
    match ty {
        ColumnType::Named { schema, name } if *schema == old.schema && *name == old.name => {
            ColumnType::named(new.schema.clone(), new.name.clone())
        }
        ColumnType::Array { element } => ColumnType::array(retype(element, old, new)),
        other => other.clone(),
    }
}

fn rename_in(names: &mut [String], from: &str, to: &str) {
    for name in names.iter_mut().filter(|n| *n == from) {
        *name = to.to_string();
    }
}

/// Renames the column and every reference to it by name inside its own table. Expressions (checks,
/// predicates) are left as they are: PostgreSQL rewrites them, and the diff recreates what then differs.
fn rename_column_in_table(table: &mut Table, from: &str, to: &str) {
    for column in table.columns.iter_mut().filter(|c| c.name == from) {
        column.name = to.to_string();
    }
    if let Some(pk) = &mut table.primary_key {
        rename_in(&mut pk.columns, from, to);
    }
    for u in table.unique_constraints.values_mut() {
        rename_in(&mut u.columns, from, to);
    }
    for fk in table.foreign_keys.values_mut() {
        rename_in(&mut fk.columns, from, to);
    }
    for index in table.indexes.values_mut() {
        for key in &mut index.keys {
            if let KeyExpression::Column(c) = &mut key.on
                && c == from
            {
                *c = to.to_string();
            }
        }
        rename_in(&mut index.include, from, to);
    }
    for exclusion in table.exclusions.values_mut() {
        for element in &mut exclusion.elements {
            if let KeyExpression::Column(c) = &mut element.key.on
                && c == from
            {
                *c = to.to_string();
            }
        }
        rename_in(&mut exclusion.include, from, to);
    }
}
