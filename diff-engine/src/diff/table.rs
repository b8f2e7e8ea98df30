//! Tables: columns, constraints, indexes and comments of a table that exists on one side or both.

use super::object_comments::{
    bare_constraint, constraint_comment, constraint_comment_change, index_comments, same_index,
};
use super::uses_enum;
use super::validity::{settled, validation};
use crate::change::{Change, Constraint};
use crate::kinds::functions::Rebuilt;
use crate::kinds::triggers::{create_trigger, trigger_changes};
use keel_core::model::{Column, QualifiedName, Schema, Table};
use std::collections::{BTreeMap, BTreeSet};

type ColumnRef = (QualifiedName, String);

pub(super) struct Context {
    /// Columns whose type changes in place (`ALTER COLUMN ... TYPE`), including the columns of an enum that
    /// is recreated. Foreign keys on them, and expressions that mention them, are dropped and re-added.
    retyped: BTreeSet<ColumnRef>,
    /// Columns that are dropped and added again (a generated expression that changes); everything on them
    /// is recreated.
    replaced: BTreeSet<ColumnRef>,
    /// Unique keys (table, sorted columns) whose backing constraint or index is dropped.
    dropped_backings: BTreeSet<(QualifiedName, Vec<String>)>,
    /// Functions dropped or created again: defaults, constraints, indexes and triggers that call one are too.
    functions: Rebuilt,
}

impl Context {
    pub(super) fn new(
        current: &Schema,
        desired: &Schema,
        recreated_types: BTreeSet<QualifiedName>,
        functions: Rebuilt,
    ) -> Context {
        let mut retyped = BTreeSet::new();
        let mut replaced = BTreeSet::new();
        let mut backings = BTreeSet::new();
        for (name, old) in current.tables() {
            let Some(new) = desired.table(&name.schema, &name.name) else { continue };
            dropped_backings(&name, old, new, &mut backings);
            for column in &old.columns {
                let Some(wanted) = new.column(&column.name) else { continue };
                let key = (name.clone(), column.name.clone());
                if needs_replacing(column, wanted) {
                    replaced.insert(key);
                } else if column.ty != wanted.ty
                    || column.collation != wanted.collation
                    || recreated_types.iter().any(|e| uses_enum(&column.ty, e))
                {
                    retyped.insert(key);
                }
            }
        }
        Context { retyped, replaced, dropped_backings: backings, functions }
    }

    pub(super) fn create_table(&self, name: &QualifiedName, table: &Table, out: &mut Vec<Change>) {
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
        out.push(Change::CreateTable { name: name.clone(), table: bare });
        for (fk_name, fk) in &table.foreign_keys {
            out.push(Change::AddConstraint {
                table: name.clone(),
                name: fk_name.clone(),
                constraint: Constraint::ForeignKey(fk.clone()),
            });
        }
        for (index_name, index) in &table.indexes {
            out.push(Change::CreateIndex { table: name.clone(), name: index_name.clone(), index: index.clone() });
        }
        for (trigger_name, trigger) in &table.triggers {
            create_trigger(name, trigger_name, trigger, out);
        }
        if table.comment.is_some() {
            out.push(Change::CommentTable { name: name.clone(), comment: table.comment.clone() });
        }
        for column in table.columns.iter().filter(|c| c.comment.is_some()) {
            out.push(Change::CommentColumn {
                table: name.clone(),
                column: column.name.clone(),
                comment: column.comment.clone(),
            });
        }
        for (constraint_name, constraint) in constraints(table) {
            constraint_comment_change(name, &constraint_name, None, constraint_comment(&constraint), out);
        }
        index_comments(name, &BTreeMap::new(), &table.indexes, |_| true, out);
    }

    pub(super) fn drop_table(&self, name: &QualifiedName, table: &Table, out: &mut Vec<Change>) {
        // Foreign keys to other tables go first, so that two tables that reference each other can be dropped.
        for (fk_name, fk) in table.foreign_keys.iter().filter(|(_, fk)| fk.references != *name) {
            out.push(Change::DropConstraint {
                table: name.clone(),
                name: fk_name.clone(),
                constraint: Constraint::ForeignKey(fk.clone()),
            });
        }
        out.push(Change::DropTable { name: name.clone(), table: table.clone() });
    }

    pub(super) fn alter_table(&self, name: &QualifiedName, old: &Table, new: &Table, out: &mut Vec<Change>) {
        for column in &old.columns {
            if new.column(&column.name).is_none() {
                out.push(Change::DropColumn { table: name.clone(), column: column.clone() });
            }
        }
        for column in &new.columns {
            match old.column(&column.name) {
                None => add_column(name, column, out),
                Some(existing) => self.alter_column(name, existing, column, out),
            }
        }

        // Compared without comments: a comment alone is set in place (below).
        let (old_commented, new_commented) = (constraints(old), constraints(new));
        let (old_constraints, new_constraints) = (bare(&old_commented), bare(&new_commented));
        let mut dropped: BTreeMap<&String, &Constraint> = BTreeMap::new();
        let mut added: BTreeMap<&String, &Constraint> = BTreeMap::new();
        for (constraint_name, constraint) in &old_constraints {
            if new_constraints.get(constraint_name) != Some(constraint) || self.must_rebuild(name, constraint) {
                dropped.insert(constraint_name, constraint);
            }
        }
        for (constraint_name, constraint) in &new_constraints {
            let existing = old_constraints.get(constraint_name);
            if existing != Some(constraint) || existing.is_some_and(|c| self.must_rebuild(name, c)) {
                added.insert(constraint_name, constraint);
            }
        }
        // A constraint that only changes its name (a table rename leaves `a_pkey` on table `b`) is renamed:
        // nothing about it changes, so nothing is guessed.
        let mut renamed_from: BTreeMap<&String, &String> = BTreeMap::new();
        for (from, to) in renamed_constraints(&dropped, &added, |c| self.must_rebuild(name, c)) {
            dropped.remove(&from);
            added.remove(&to);
            renamed_from.insert(to, from);
            out.push(Change::RenameConstraint { table: name.clone(), from: from.clone(), to: to.clone() });
        }
        let created: BTreeSet<String> = added.keys().map(|n| n.to_string()).collect();
        for (constraint_name, constraint) in dropped {
            out.push(Change::DropConstraint {
                table: name.clone(),
                name: constraint_name.clone(),
                constraint: constraint.clone(),
            });
        }
        for constraint_name in added.keys() {
            // As declared: a constraint declared `NOT VALID` is added so.
            let constraint = bare_constraint(&new_commented[*constraint_name]);
            out.push(Change::AddConstraint { table: name.clone(), name: constraint_name.to_string(), constraint });
        }
        for (constraint_name, constraint) in &new_commented {
            let before = match created.contains(constraint_name) {
                true => None,
                false => {
                    let from = renamed_from.get(constraint_name).copied().unwrap_or(constraint_name);
                    old_commented.get(from).and_then(constraint_comment)
                }
            };
            constraint_comment_change(name, constraint_name, before, constraint_comment(constraint), out);
            if !created.contains(constraint_name) {
                let from = renamed_from.get(constraint_name).copied().unwrap_or(constraint_name);
                if let Some(old_constraint) = old_commented.get(from) {
                    validation(name, constraint_name, old_constraint, constraint, out);
                }
            }
        }

        let mut recreated_indexes = BTreeSet::new();
        for (index_name, index) in &old.indexes {
            let rebuild = self.touches(name, index.columns(), &index.expressions());
            if !same_index(new.indexes.get(index_name), Some(index)) || rebuild {
                out.push(Change::DropIndex { table: name.clone(), name: index_name.clone(), index: index.clone() });
            }
        }
        for (index_name, index) in &new.indexes {
            let existing = old.indexes.get(index_name);
            let rebuild = existing.is_some_and(|i| self.touches(name, i.columns(), &i.expressions()));
            if !same_index(existing, Some(index)) || rebuild {
                recreated_indexes.insert(index_name.clone());
                out.push(Change::CreateIndex { table: name.clone(), name: index_name.clone(), index: index.clone() });
            }
        }
        index_comments(name, &old.indexes, &new.indexes, |n| recreated_indexes.contains(n), out);

        // PostgreSQL refuses to retype a column a trigger names (`UPDATE OF`, `WHEN`) while the trigger exists.
        let rebuild_trigger = |t: &keel_core::model::Trigger| {
            let key = |c: &String| (name.clone(), c.clone());
            self.functions.contains(&t.function)
                || t.update_of.iter().any(|c| self.retyped.contains(&key(c)) || self.replaced.contains(&key(c)))
                || self.touches(name, std::iter::empty(), &[t.when.as_deref().unwrap_or("")])
        };
        trigger_changes(name, old, new, rebuild_trigger, out);

        if old.comment != new.comment {
            out.push(Change::CommentTable { name: name.clone(), comment: new.comment.clone() });
        }
    }

    fn alter_column(&self, table: &QualifiedName, old: &Column, new: &Column, out: &mut Vec<Change>) {
        let column = || new.name.clone();
        if needs_replacing(old, new) {
            out.push(Change::DropColumn { table: table.clone(), column: old.clone() });
            add_column(table, new, out);
            return;
        }
        if old.generated.is_some() && new.generated.is_none() {
            out.push(Change::DropExpression { table: table.clone(), column: column() });
        }
        let old_default = if old.generated.is_some() { None } else { old.default.clone() };
        if old.ty != new.ty || old.collation != new.collation {
            out.push(Change::AlterColumnType {
                table: table.clone(),
                column: column(),
                from: old.ty.clone(),
                to: new.ty.clone(),
                collation: new.collation.clone(),
                old_default,
                default: new.default.clone(),
            });
        } else if old_default.is_some() && old_default == new.default && self.functions.called_by_any(&old_default) {
            // The default calls a function that is dropped and created again: it goes first, and comes back.
            out.push(Change::DropDefault { table: table.clone(), column: column() });
            out.push(Change::SetDefault {
                table: table.clone(),
                column: column(),
                default: old_default.unwrap_or_default(),
            });
        } else if old_default != new.default {
            out.push(match &new.default {
                Some(default) => {
                    Change::SetDefault { table: table.clone(), column: column(), default: default.clone() }
                }
                None => Change::DropDefault { table: table.clone(), column: column() },
            });
        }
        if old.nullable && !new.nullable {
            out.push(Change::SetNotNull { table: table.clone(), column: column() });
        } else if !old.nullable && new.nullable {
            out.push(Change::DropNotNull { table: table.clone(), column: column() });
        }
        match (&old.identity, &new.identity) {
            (None, Some(identity)) => {
                out.push(Change::AddIdentity { table: table.clone(), column: column(), identity: identity.clone() })
            }
            (Some(_), None) => out.push(Change::DropIdentity { table: table.clone(), column: column() }),
            (Some(a), Some(b)) => {
                if a.generation != b.generation {
                    out.push(Change::SetIdentityGeneration {
                        table: table.clone(),
                        column: column(),
                        generation: b.generation,
                    });
                }
                if a.sequence != b.sequence {
                    out.push(Change::SetIdentityOptions {
                        table: table.clone(),
                        column: column(),
                        ty: new.ty.clone(),
                        options: b.sequence.clone(),
                        restart: crate::kinds::sequences::sequence_restart(&a.sequence, &old.ty, &b.sequence, &new.ty),
                    });
                }
            }
            (None, None) => {}
        }
        if old.comment != new.comment {
            out.push(Change::CommentColumn { table: table.clone(), column: column(), comment: new.comment.clone() });
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

/// Every constraint of a table by name, the primary key included.
fn constraints(t: &Table) -> BTreeMap<String, Constraint> {
    let mut all: BTreeMap<String, Constraint> =
        t.primary_key.iter().map(|pk| (pk.name.clone(), Constraint::PrimaryKey(pk.clone()))).collect();
    all.extend(t.unique_constraints.iter().map(|(n, u)| (n.clone(), Constraint::Unique(u.clone()))));
    all.extend(t.checks.iter().map(|(n, c)| (n.clone(), Constraint::Check(c.clone()))));
    all.extend(t.foreign_keys.iter().map(|(n, f)| (n.clone(), Constraint::ForeignKey(f.clone()))));
    all.extend(t.exclusions.iter().map(|(n, x)| (n.clone(), Constraint::Exclusion(x.clone()))));
    all
}

/// The constraints without their comments and validity (both change in place).
fn bare(constraints: &BTreeMap<String, Constraint>) -> BTreeMap<String, Constraint> {
    constraints.iter().map(|(n, c)| (n.clone(), settled(&bare_constraint(c)))).collect()
}

/// Pairs of a dropped and an added constraint with the same definition, where that definition occurs once
/// on each side, and that need no rebuild.
fn renamed_constraints<'a>(
    dropped: &BTreeMap<&'a String, &'a Constraint>,
    added: &BTreeMap<&'a String, &'a Constraint>,
    must_rebuild: impl Fn(&Constraint) -> bool,
) -> Vec<(&'a String, &'a String)> {
    let mut pairs = Vec::new();
    for (from, definition) in dropped {
        if must_rebuild(definition) {
            continue;
        }
        let same = |map: &BTreeMap<&'a String, &'a Constraint>| -> Vec<&'a String> {
            map.iter().filter(|(_, c)| same_definition(c, definition)).map(|(n, _)| *n).collect()
        };
        if let ([to], [_]) = (same(added).as_slice(), same(dropped).as_slice()) {
            pairs.push((*from, *to));
        }
    }
    pairs
}

/// Equal but for the name (a primary key carries its name inside).
fn same_definition(a: &Constraint, b: &Constraint) -> bool {
    match (a, b) {
        (Constraint::PrimaryKey(x), Constraint::PrimaryKey(y)) => x.columns == y.columns,
        _ => a == b,
    }
}

/// The unique constraints and unique indexes a foreign key could depend on that do not survive: a foreign
/// key that references their columns is dropped before them and added again after.
fn dropped_backings(name: &QualifiedName, old: &Table, new: &Table, out: &mut BTreeSet<(QualifiedName, Vec<String>)>) {
    let (old_constraints, new_constraints) = (bare(&constraints(old)), bare(&constraints(new)));
    for constraint in old_constraints.values() {
        let columns = match constraint {
            Constraint::PrimaryKey(pk) => &pk.columns,
            Constraint::Unique(u) => &u.columns,
            _ => continue,
        };
        if !new_constraints.values().any(|c| same_definition(c, constraint)) {
            out.insert((name.clone(), sorted(columns)));
        }
    }
    for (index_name, index) in &old.indexes {
        let Some(columns) = index.unique_columns() else { continue };
        if !same_index(new.indexes.get(index_name), Some(index)) {
            out.insert((name.clone(), sorted(&columns)));
        }
    }
}

fn sorted(columns: &[String]) -> Vec<String> {
    let mut out = columns.to_vec();
    out.sort();
    out
}

/// PostgreSQL 15 cannot change a generated column's expression, nor make a plain column generated: the
/// column is dropped and added again.
fn needs_replacing(old: &Column, new: &Column) -> bool {
    new.generated.is_some() && old.generated != new.generated
}

fn add_column(table: &QualifiedName, column: &Column, out: &mut Vec<Change>) {
    out.push(Change::AddColumn {
        table: table.clone(),
        column: Column { comment: None, renamed_from: None, ..column.clone() },
    });
    if column.comment.is_some() {
        out.push(Change::CommentColumn {
            table: table.clone(),
            column: column.name.clone(),
            comment: column.comment.clone(),
        });
    }
}

/// Whether SQL text reads a column of this name (see [`crate::expr`]).
pub(crate) fn mentions(sql: &str, column: &str) -> bool {
    crate::expr::Analysis::of(sql).mentions(column)
}
