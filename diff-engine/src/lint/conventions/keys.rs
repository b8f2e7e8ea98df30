//! Foreign keys and indexes: `{entity}_id` columns, `idx_{table}_...` names, and an index for every
//! foreign key (the guidelines' "missing index" anti-pattern).

use super::words::singular_name;
use super::{FOREIGN_KEY_COLUMN_NAME, FOREIGN_KEY_INDEX, INDEX_NAME, TableContext};
use crate::lint::Finding;
use keel_core::model::{ForeignKey, Index, IndexMethod};
use keel_core::naming::{self, MAX_IDENTIFIER_BYTES};

pub(super) fn check_table(t: &TableContext<'_>, out: &mut Vec<Finding>) {
    for (name, fk) in &t.table.foreign_keys {
        foreign_key_column(t, name, fk, out);
        foreign_key_index(t, name, fk, out);
    }
    for (name, index) in &t.table.indexes {
        index_name(t, name, index, out);
    }
}

/// Suffixes that say "reference" in other words (`folder_uuid`, `folder_ref`): replaced by `_id`.
const REFERENCE_SUFFIXES: &[&str] = &["_uuid", "_ref", "_fk", "_key"];

/// A single-column foreign key to `id` is `{entity}_id` (`folder_id`, `parent_folder_id`). One to another
/// column may instead end in that column's name (`currency_code` → `currencies(code)`). A column that is
/// the table's whole primary key too (a one-to-one extension table keyed by its parent's id) is exempt.
fn foreign_key_column(t: &TableContext<'_>, name: &str, fk: &ForeignKey, out: &mut Vec<Finding>) {
    let ([column], [referenced]) = (fk.columns.as_slice(), fk.referenced_columns.as_slice()) else {
        return;
    };
    let is_primary_key = t.table.primary_key.as_ref().is_some_and(|pk| pk.columns == [column.as_str()]);
    let named_after_target =
        referenced != "id" && (column == referenced || column.ends_with(&format!("_{referenced}")));
    if column.ends_with("_id") || is_primary_key || named_after_target {
        return;
    }
    let stem = REFERENCE_SUFFIXES.iter().find_map(|s| column.strip_suffix(s)).unwrap_or(column);
    let suggestion = if referenced == "id" {
        format!("`{stem}_id`")
    } else {
        format!("`{stem}_id` or `{}_{referenced}`", singular_name(&fk.references.name))
    };
    out.push(Finding::new(
        &FOREIGN_KEY_COLUMN_NAME,
        t.at_foreign_key(name, fk),
        format!("foreign key column {} (→ {}) does not end in `_id`", t.column_name(column), fk.references.name),
        format!("rename the column to {suggestion}"),
    ));
}

/// Index names start with `idx_{table}_`; the rest names the columns, shortened as the guidelines do
/// (`idx_files_parent_folder`). Unique constraints and primary keys are constraints, named by PostgreSQL's
/// rules, and not checked here; unique indexes are. A table whose name leaves no room for the prefix within
/// 63 bytes is exempt.
fn index_name(t: &TableContext<'_>, name: &str, index: &Index, out: &mut Vec<Finding>) {
    let prefix = format!("idx_{}_", t.name);
    if (name.starts_with(&prefix) && name.len() > prefix.len()) || prefix.len() >= MAX_IDENTIFIER_BYTES {
        return;
    }
    let columns: Vec<&str> = index.keys.iter().filter_map(|k| k.on.as_column()).map(String::as_str).collect();
    let fix = if columns.is_empty() || columns.len() < index.keys.len() {
        format!("rename the index to `{prefix}` followed by what it indexes")
    } else {
        format!("rename the index to `{}`", naming::index_name(t.name, &columns))
    };
    out.push(Finding::new(
        &INDEX_NAME,
        t.at_named(name),
        format!("index `{name}` on `{}` is not named `{prefix}...`", t.name),
        fix,
    ));
}

/// A foreign key's columns lead some index, the primary key or a unique constraint of the table, in any
/// order among themselves: otherwise deleting a referenced row, and joining from it, scan the table.
/// Partial indexes do not count (they cover only some rows), nor do expression keys; btree indexes do, and
/// hash indexes for a single column.
fn foreign_key_index(t: &TableContext<'_>, name: &str, fk: &ForeignKey, out: &mut Vec<Finding>) {
    let n = fk.columns.len();
    let leads = |columns: &[&str]| columns.len() >= n && fk.columns.iter().all(|c| columns[..n].contains(&c.as_str()));
    let table = t.table;
    let by_primary_key = table.primary_key.iter().any(|pk| leads(&as_strs(&pk.columns)));
    let by_unique = table.unique_constraints.values().any(|u| leads(&as_strs(&u.columns)));
    let by_index = table.indexes.values().any(|index| {
        let usable = index.predicate.is_none()
            && (index.method == IndexMethod::Btree || (index.method == IndexMethod::Hash && n == 1));
        // Keys up to the first expression: an expression key ends the usable prefix.
        let columns: Vec<&str> = index.keys.iter().map_while(|k| k.on.as_column().map(String::as_str)).collect();
        usable && leads(&columns)
    });
    if by_primary_key || by_unique || by_index {
        return;
    }
    let columns: Vec<&str> = as_strs(&fk.columns);
    let index = naming::index_name(t.name, &columns);
    let how = match columns.as_slice() {
        [_] => "`#[keel(index)]` on the field".to_string(),
        _ => format!("`#[keel(index(columns = \"{}\"))]` on the struct", columns.join(", ")),
    };
    out.push(Finding::new(
        &FOREIGN_KEY_INDEX,
        t.at_foreign_key(name, fk),
        format!(
            "foreign key `{name}` ({}) → {} has no index that starts with its columns",
            columns.join(", "),
            fk.references.name
        ),
        format!("add an index `{index}` on ({}) ({how})", columns.join(", ")),
    ));
}

fn as_strs(columns: &[String]) -> Vec<&str> {
    columns.iter().map(String::as_str).collect()
}
