//! Tables: created, dropped, renamed, commented, and altered part by part. The parts (columns, constraints,
//! indexes) are kinds of their own (`kinds::columns`, `kinds::constraints`, `kinds::indexes`); their changes
//! reach the plan inside [`TableChange::Alter`], one alter per run of changes the diff emits for one table.

mod plan;
pub(crate) mod sql;

use crate::change::Change;
use crate::kinds::columns::{self, ColumnChange};
use crate::kinds::constraints::{self, Constraint, ConstraintChange};
use crate::kinds::functions::Rebuilt;
use crate::kinds::indexes::{self, IndexChange};
use crate::kinds::triggers::{create_trigger, trigger_changes};
use keel_core::model::{Column, Index, QualifiedName, Schema, Table};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// A change to a table, or to the parts of one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum TableChange {
    /// `CREATE TABLE` with its columns, keys, checks and exclusions; foreign keys, indexes, triggers,
    /// policies and comments follow as their own changes.
    Create {
        name: QualifiedName,
        table: Table,
    },
    /// `DROP TABLE`; `table` is the current definition (what it uses must still exist).
    Drop {
        name: QualifiedName,
        table: Table,
    },
    Rename {
        from: QualifiedName,
        to: String,
    },
    /// `COMMENT ON TABLE`; `None` removes the comment.
    Comment {
        name: QualifiedName,
        comment: Option<String>,
    },
    /// Changes to the parts of one existing relation (a table, or a materialized view's indexes), each
    /// planned on its own, in this order.
    Alter {
        table: QualifiedName,
        changes: Vec<TablePartChange>,
    },
}

/// A change to one part of a table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "part", rename_all = "snake_case")]
pub enum TablePartChange {
    Column(ColumnChange),
    Constraint(ConstraintChange),
    Index(IndexChange),
}

impl From<ColumnChange> for TablePartChange {
    fn from(change: ColumnChange) -> Self {
        TablePartChange::Column(change)
    }
}

impl From<ConstraintChange> for TablePartChange {
    fn from(change: ConstraintChange) -> Self {
        TablePartChange::Constraint(change)
    }
}

impl From<IndexChange> for TablePartChange {
    fn from(change: IndexChange) -> Self {
        TablePartChange::Index(change)
    }
}

/// Appends a change to a part of `table`: to the alter `out` ends with when it is for `table`, else in a
/// new alter. The plan is the same either way (each part is ordered on its own); the diff stays readable.
pub(crate) fn alter(out: &mut Vec<Change>, table: &QualifiedName, part: impl Into<TablePartChange>) {
    if let Some(Change::Table(TableChange::Alter { table: last, changes })) = out.last_mut()
        && last == table
    {
        changes.push(part.into());
        return;
    }
    out.push(Change::Table(TableChange::Alter { table: table.clone(), changes: vec![part.into()] }));
}

/// What other kinds ask of the table changes of a plan.
impl Change {
    /// The table this change creates.
    pub(crate) fn created_table(&self) -> Option<&QualifiedName> {
        match self {
            Change::Table(TableChange::Create { name, .. }) => Some(name),
            _ => None,
        }
    }

    /// The table this change drops.
    pub(crate) fn dropped_table(&self) -> Option<&QualifiedName> {
        match self {
            Change::Table(TableChange::Drop { name, .. }) => Some(name),
            _ => None,
        }
    }

    /// The table this change renames, and its new name.
    pub(crate) fn renamed_table(&self) -> Option<(&QualifiedName, &str)> {
        match self {
            Change::Table(TableChange::Rename { from, to }) => Some((from, to)),
            _ => None,
        }
    }

    /// The part changes this change holds, each with its table.
    pub(crate) fn table_parts(&self) -> impl Iterator<Item = (&QualifiedName, &TablePartChange)> {
        let alter = match self {
            Change::Table(TableChange::Alter { table, changes }) => Some((table, changes)),
            _ => None,
        };
        alter.into_iter().flat_map(|(table, changes)| changes.iter().map(move |change| (table, change)))
    }

    /// The columns this change drops, with their tables.
    pub(crate) fn dropped_columns(&self) -> impl Iterator<Item = (&QualifiedName, &Column)> {
        self.table_parts().filter_map(|(table, part)| match part {
            TablePartChange::Column(ColumnChange::Drop { column }) => Some((table, column)),
            _ => None,
        })
    }

    /// The columns whose type this change alters, with their tables.
    pub(crate) fn retyped_columns(&self) -> impl Iterator<Item = (&QualifiedName, &String)> {
        self.table_parts().filter_map(|(table, part)| match part {
            TablePartChange::Column(ColumnChange::AlterType { column, .. }) => Some((table, column)),
            _ => None,
        })
    }

    /// The columns this change renames: table, old name, new name.
    pub(crate) fn renamed_columns(&self) -> impl Iterator<Item = (&QualifiedName, &String, &String)> {
        self.table_parts().filter_map(|(table, part)| match part {
            TablePartChange::Column(ColumnChange::Rename { from, to }) => Some((table, from, to)),
            _ => None,
        })
    }

    /// Whether this change drops constraint `name` of `table`.
    pub(crate) fn drops_constraint(&self, table: &QualifiedName, name: &str) -> bool {
        self.table_parts().any(|(t, part)| {
            t == table
                && matches!(part, TablePartChange::Constraint(ConstraintChange::Drop { name: n, .. }) if n == name)
        })
    }
}

type ColumnRef = (QualifiedName, String);

/// What the table diff needs to know about the whole change: columns and keys that change under the
/// constraints, indexes and triggers that use them, and functions rebuilt.
pub(crate) struct TableDiff {
    /// Columns whose type changes in place (`ALTER COLUMN ... TYPE`), including the columns of an enum that
    /// is recreated. Foreign keys on them, and expressions that mention them, are dropped and re-added.
    retyped: BTreeSet<ColumnRef>,
    /// Columns that are dropped and added again (a generated expression that changes where `SET
    /// EXPRESSION` cannot); everything on them is recreated.
    replaced: BTreeSet<ColumnRef>,
    /// Unique keys (table, sorted columns) whose backing constraint or index is dropped.
    dropped_backings: BTreeSet<(QualifiedName, Vec<String>)>,
    /// Functions dropped or created again: defaults, constraints, indexes and triggers that call one are too.
    functions: Rebuilt,
    /// The target's `server_version_num` (`None`: unknown), for what it can change in place.
    server_version_num: Option<i32>,
}

impl TableDiff {
    pub(crate) fn new(
        current: &Schema,
        desired: &Schema,
        recreated_types: BTreeSet<QualifiedName>,
        functions: Rebuilt,
        server_version_num: Option<i32>,
    ) -> TableDiff {
        let mut retyped = BTreeSet::new();
        let mut replaced = BTreeSet::new();
        let mut backings = BTreeSet::new();
        for (name, old) in current.tables() {
            let Some(new) = desired.table(&name.schema, &name.name) else { continue };
            dropped_backings(&name, old, new, &mut backings);
            for column in &old.columns {
                let Some(wanted) = new.column(&column.name) else { continue };
                let key = (name.clone(), column.name.clone());
                if columns::needs_replacing(column, wanted, in_place(server_version_num, old, new)) {
                    replaced.insert(key);
                } else if column.ty != wanted.ty
                    || column.collation != wanted.collation
                    || recreated_types.iter().any(|e| crate::diff::uses_enum(&column.ty, e))
                {
                    retyped.insert(key);
                }
            }
        }
        TableDiff { retyped, replaced, dropped_backings: backings, functions, server_version_num }
    }

    pub(crate) fn create_table(&self, name: &QualifiedName, table: &Table, out: &mut Vec<Change>) {
        let bare = Table {
            foreign_keys: BTreeMap::new(),
            indexes: BTreeMap::new(),
            triggers: BTreeMap::new(),
            comment: None,
            renamed_from: None,
            partitions: BTreeMap::new(),
            columns: table.columns.iter().map(|c| Column { comment: None, renamed_from: None, ..c.clone() }).collect(),
            // Row level security and policies follow as changes of their own (`kinds::policies`).
            row_level_security: Default::default(),
            policies: BTreeMap::new(),
            ..table.clone()
        };
        out.push(Change::Table(TableChange::Create { name: name.clone(), table: bare }));
        for (fk_name, fk) in &table.foreign_keys {
            let constraint = Constraint::ForeignKey(fk.clone());
            alter(out, name, ConstraintChange::Add { name: fk_name.clone(), constraint });
        }
        for (index_name, index) in &table.indexes {
            alter(out, name, IndexChange::Create { name: index_name.clone(), index: index.clone() });
        }
        for (trigger_name, trigger) in &table.triggers {
            create_trigger(name, trigger_name, trigger, out);
        }
        if table.comment.is_some() {
            out.push(Change::Table(TableChange::Comment { name: name.clone(), comment: table.comment.clone() }));
        }
        for column in table.columns.iter().filter(|c| c.comment.is_some()) {
            alter(out, name, ColumnChange::Comment { column: column.name.clone(), comment: column.comment.clone() });
        }
        constraints::created_comments(name, table, out);
        indexes::index_comments(name, &BTreeMap::new(), &table.indexes, |_| true, out);
    }

    pub(crate) fn drop_table(&self, name: &QualifiedName, table: &Table, out: &mut Vec<Change>) {
        // Foreign keys to other tables go first, so that two tables that reference each other can be dropped.
        for (fk_name, fk) in table.foreign_keys.iter().filter(|(_, fk)| fk.references != *name) {
            let constraint = Constraint::ForeignKey(fk.clone());
            alter(out, name, ConstraintChange::Drop { name: fk_name.clone(), constraint });
        }
        out.push(Change::Table(TableChange::Drop { name: name.clone(), table: table.clone() }));
    }

    pub(crate) fn alter_table(&self, name: &QualifiedName, old: &Table, new: &Table, out: &mut Vec<Change>) {
        for column in &old.columns {
            if new.column(&column.name).is_none() {
                alter(out, name, ColumnChange::Drop { column: column.clone() });
            }
        }
        for column in &new.columns {
            match old.column(&column.name) {
                None => columns::add_column(name, column, out),
                Some(existing) => {
                    let in_place = in_place(self.server_version_num, old, new);
                    columns::column_changes(name, existing, column, &self.functions, in_place, out)
                }
            }
        }

        constraints::constraint_changes(name, old, new, |c| self.must_rebuild(name, c), out);
        let rebuild_index = |i: &Index| self.touches(name, i.columns(), &i.expressions());
        indexes::index_changes(name, &old.indexes, &new.indexes, rebuild_index, out);

        // PostgreSQL refuses to retype a column a trigger names (`UPDATE OF`, `WHEN`) while the trigger exists.
        let rebuild_trigger = |t: &keel_core::model::Trigger| {
            let key = |c: &String| (name.clone(), c.clone());
            self.functions.contains(&t.function)
                || t.update_of.iter().any(|c| self.retyped.contains(&key(c)) || self.replaced.contains(&key(c)))
                || self.touches(name, std::iter::empty(), &[t.when.as_deref().unwrap_or("")])
        };
        trigger_changes(name, old, new, rebuild_trigger, out);

        if old.comment != new.comment {
            out.push(Change::Table(TableChange::Comment { name: name.clone(), comment: new.comment.clone() }));
        }
    }

    /// Whether a constraint that stays as it is must still be dropped and added again, because a column
    /// it covers is replaced or changes type under it.
    fn must_rebuild(&self, table: &QualifiedName, constraint: &Constraint) -> bool {
        match constraint {
            Constraint::PrimaryKey(pk) => self.touches(table, pk.columns.iter(), &[]),
            Constraint::Unique(u) => self.touches(table, u.columns.iter(), &[]),
            Constraint::Check(c) => self.touches(table, std::iter::empty(), &[c.expression.as_str()]),
            Constraint::Exclusion(x) => self.touches(table, x.columns(), &x.expressions()),
            Constraint::ForeignKey(fk) => {
                let own = fk.columns.iter().map(|c| (table.clone(), c.clone()));
                let referenced = fk.referenced_columns.iter().map(|c| (fk.references.clone(), c.clone()));
                let backing = (fk.references.clone(), sorted(&fk.referenced_columns));
                own.chain(referenced).any(|key| self.retyped.contains(&key) || self.replaced.contains(&key))
                    || self.dropped_backings.contains(&backing)
            }
        }
    }

    /// Whether any of `columns` is replaced, or any of `expressions` mentions a column that is replaced or
    /// retyped (PostgreSQL re-parses such expressions against the new type, which can fail) or calls a
    /// function that is dropped or created again.
    fn touches<'a>(
        &self,
        table: &QualifiedName,
        columns: impl IntoIterator<Item = &'a String>,
        expressions: &[&str],
    ) -> bool {
        let key = |c: &str| (table.clone(), c.to_string());
        if columns.into_iter().any(|c| self.replaced.contains(&key(c))) {
            return true;
        }
        if expressions.iter().any(|e| self.functions.called_by(e)) {
            return true;
        }
        let changed = self.replaced.iter().chain(&self.retyped).filter(|(t, _)| t == table);
        changed.map(|(_, c)| c).any(|c| expressions.iter().any(|e| mentions(e, c)))
    }
}

/// What the target can change in place in table `old` that becomes `new`.
fn in_place(server_version_num: Option<i32>, old: &Table, new: &Table) -> columns::InPlace {
    let checks = !old.checks.is_empty() || !new.checks.is_empty();
    columns::InPlace { server_version_num, checks }
}

/// The unique constraints and unique indexes a foreign key could depend on that do not survive: a foreign
/// key that references their columns is dropped before them and added again after.
fn dropped_backings(name: &QualifiedName, old: &Table, new: &Table, out: &mut BTreeSet<(QualifiedName, Vec<String>)>) {
    let (old_constraints, new_constraints) =
        (constraints::bare(&constraints::constraints(old)), constraints::bare(&constraints::constraints(new)));
    for constraint in old_constraints.values() {
        let columns = match constraint {
            Constraint::PrimaryKey(pk) => &pk.columns,
            Constraint::Unique(u) => &u.columns,
            _ => continue,
        };
        if !new_constraints.values().any(|c| constraints::same_definition(c, constraint)) {
            out.insert((name.clone(), sorted(columns)));
        }
    }
    for (index_name, index) in &old.indexes {
        let Some(columns) = index.unique_columns() else { continue };
        if !indexes::same_index(new.indexes.get(index_name), Some(index)) {
            out.insert((name.clone(), sorted(&columns)));
        }
    }
}

fn sorted(columns: &[String]) -> Vec<String> {
    let mut out = columns.to_vec();
    out.sort();
    out
}

/// Whether SQL text reads a column of this name (see [`crate::expr`]).
fn mentions(sql: &str, column: &str) -> bool {
    crate::expr::Analysis::of(sql).mentions(column)
}
