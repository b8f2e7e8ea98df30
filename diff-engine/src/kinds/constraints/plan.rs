//! Statements for constraints. Online, a check or foreign key on a table that exists is added `NOT VALID`
//! and validated after a commit, and a primary key or unique constraint is attached to an index built
//! `CONCURRENTLY` first.

use super::sql;
use super::{Constraint, ConstraintChange};
use crate::hazard::Hazard;
use crate::plan::step::{Context, Key, LOCK, Phase, Step, col, expression_keys, rel, unique_key};
use crate::sql::Sql;
use keel_core::model::{Deferrable, QualifiedName};

impl ConstraintChange {
    /// The statements of this change to a constraint of `table`.
    pub(crate) fn steps(&self, table: &QualifiedName, cx: &Context) -> Vec<Step> {
        match self {
            ConstraintChange::Add { name, constraint } => {
                let mentioned = expression_keys(cx.desired, table, &constraint_expressions(constraint));
                let mut steps = add_constraint(table, name, constraint, cx);
                for step in &mut steps {
                    step.requires.extend(mentioned.iter().cloned());
                }
                steps
            }
            ConstraintChange::Drop { name, constraint } => {
                let mut step = drop_constraint(table, name, constraint);
                step.requires.extend(expression_keys(cx.current, table, &constraint_expressions(constraint)));
                vec![step]
            }
            ConstraintChange::Rename { from, to } => {
                let owns_index = cx.current.table(&table.schema, &table.name).is_some_and(|t| {
                    t.primary_key.as_ref().is_some_and(|pk| pk.name == *from)
                        || t.unique_constraints.contains_key(from)
                        || t.exclusions.contains_key(from)
                });
                let mut step = Step::new(
                    Phase::RenameInTable,
                    sql::rename(table, from, to),
                    format!("rename constraint {from} on {table} to {to}"),
                )
                .hazards(&[LOCK])
                .requires([rel(table)])
                .drops([Key::Constraint(table.clone(), from.clone())])
                .creates([Key::Constraint(table.clone(), to.clone())])
                .teardown_off();
                if owns_index {
                    // The constraint's index is renamed with it.
                    step.drops.push(Key::Relation(QualifiedName::new(&table.schema, from)));
                    step.creates.push(Key::Relation(QualifiedName::new(&table.schema, to)));
                }
                vec![step]
            }
            ConstraintChange::Validate { name } => vec![validate(table, name)],
            ConstraintChange::Comment { name, comment } => vec![
                Step::new(
                    Phase::Comment,
                    sql::comment(table, name, comment.as_ref()),
                    format!("comment on constraint {name} on {table}"),
                )
                .requires([rel(table), Key::Constraint(table.clone(), name.clone())]),
            ],
        }
    }
}

fn add_constraint(table: &QualifiedName, name: &str, constraint: &Constraint, cx: &Context) -> Vec<Step> {
    let existing_table = !cx.new_tables.contains(table);
    let online = cx.online && existing_table;
    let kind = constraint_kind(constraint);
    let summary = format!("add {kind} {name} on {table}");
    let base = |rank: Phase, sql: Sql, summary: String| {
        Step::new(rank, sql, summary).requires([rel(table)]).requires(constraint_columns(table, constraint))
    };
    let constraint_key = Key::Constraint(table.clone(), name.to_string());
    let index_key = Key::Relation(QualifiedName::new(&table.schema, name));
    let add = sql::add(table, name, constraint);
    match constraint {
        Constraint::Check(_) | Constraint::ForeignKey(_) => {
            let is_fk = matches!(constraint, Constraint::ForeignKey(_));
            let rank = if is_fk { Phase::AddForeignKey } else { Phase::AddCheck };
            let lock =
                if matches!(constraint, Constraint::Check(_)) && existing_table { vec![LOCK] } else { Vec::new() };
            if declared_not_valid(constraint) {
                // Declared so: existing rows are not checked, now or later.
                let summary = format!("{summary} (not valid)");
                return vec![base(rank, sql::not_valid(&add), summary).hazards(&lock).creates([constraint_key])];
            }
            if !online {
                let mut hazards = lock;
                if existing_table {
                    hazards.push(Hazard::MayFailOnData);
                }
                return vec![base(rank, add, summary).hazards(&hazards).creates([constraint_key])];
            }
            // Committed before the VALIDATE: in one transaction the ADD's lock would be held through the scan.
            // Ranked after plain constraints of the same kind, so those (on tables this plan creates) stay in
            // the transaction that creates their table rather than landing after the commit.
            let rank = if is_fk { Phase::AddForeignKeyOnline } else { Phase::AddCheckOnline };
            let mut not_valid = base(rank, sql::not_valid(&add), format!("{summary} (not valid yet)"))
                .hazards(&lock)
                .creates([constraint_key.clone()]);
            not_valid.commit_after = true;
            vec![
                not_valid,
                base(rank, sql::validate(table, name), format!("validate {kind} {name} on {table}"))
                    .hazards(&[Hazard::MayFailOnData])
                    .requires([constraint_key]),
            ]
        }
        Constraint::PrimaryKey(pk) => {
            let key = KeyConstraint {
                columns: &pk.columns,
                keyword: "PRIMARY KEY",
                deferrable: pk.deferrable,
                nulls_not_distinct: false,
            };
            add_key(table, name, constraint, key, add, summary, cx)
        }
        Constraint::Unique(u) => {
            let key = KeyConstraint {
                columns: &u.columns,
                keyword: "UNIQUE",
                deferrable: u.deferrable,
                nulls_not_distinct: u.nulls_not_distinct,
            };
            add_key(table, name, constraint, key, add, summary, cx)
        }
        Constraint::Exclusion(_) => {
            let hazards = if existing_table { vec![LOCK, Hazard::IndexBuild, Hazard::MayFailOnData] } else { vec![] };
            vec![base(Phase::AddCheck, add, summary).hazards(&hazards).creates([constraint_key, index_key])]
        }
    }
}

/// What adding a primary key or a unique constraint needs to know of it.
struct KeyConstraint<'a> {
    columns: &'a [String],
    keyword: &'static str,
    deferrable: Deferrable,
    nulls_not_distinct: bool,
}

/// A primary key or unique constraint: added in place, or (online) attached to a unique index built
/// `CONCURRENTLY` first.
fn add_key(
    table: &QualifiedName,
    name: &str,
    constraint: &Constraint,
    key: KeyConstraint,
    add: Sql,
    summary: String,
    cx: &Context,
) -> Vec<Step> {
    let existing_table = !cx.new_tables.contains(table);
    let online = cx.online && existing_table;
    let kind = constraint_kind(constraint);
    let base = |rank: Phase, sql: Sql, summary: String| {
        Step::new(rank, sql, summary).requires([rel(table)]).requires(constraint_columns(table, constraint))
    };
    let constraint_key = Key::Constraint(table.clone(), name.to_string());
    let index_key = Key::Relation(QualifiedName::new(&table.schema, name));
    let creates = [constraint_key.clone(), index_key.clone(), unique_key(table, key.columns)];
    if !online {
        // On a table this plan creates, nothing waits and no row can fail.
        let hazards = if existing_table { vec![LOCK, Hazard::IndexBuild, Hazard::MayFailOnData] } else { vec![] };
        return vec![base(Phase::AddKey, add, summary).hazards(&hazards).creates(creates)];
    }
    let index = keel_core::Index {
        unique: true,
        nulls_not_distinct: key.nulls_not_distinct,
        ..keel_core::Index::on_columns(key.columns.iter().cloned())
    };
    // Replacing a key of the same name: building under that name would need the old one dropped
    // (and committed) first, leaving the table without its key while the index builds. Build under
    // a temporary name instead; the old key is dropped just before the attach, in its transaction,
    // and `USING INDEX` gives the index the constraint's name.
    let replacing = cx.current.table(&table.schema, &table.name).is_some_and(|t| {
        t.primary_key.as_ref().is_some_and(|pk| pk.name == name)
            || t.unique_constraints.contains_key(name)
            || t.exclusions.contains_key(name)
            || t.indexes.contains_key(name)
    });
    let build_name = if replacing { temporary_name(name, &table.schema, cx) } else { name.to_string() };
    let mut build = base(
        Phase::AddKey,
        crate::kinds::indexes::sql::create_index_with(table, &build_name, &index, true),
        format!("build the unique index for {kind} {name} on {table}"),
    )
    .hazards(&[Hazard::IndexBuild, Hazard::MayFailOnData])
    .creates([Key::Relation(QualifiedName::new(&table.schema, &build_name))]);
    build.transactional = false;
    let mut attach =
        base(Phase::AddKey, sql::add_using_index(table, name, key.keyword, &build_name, key.deferrable), summary)
            .hazards(&[LOCK])
            .creates([constraint_key, unique_key(table, key.columns)]);
    if replacing {
        attach.requires.push(Key::Relation(QualifiedName::new(&table.schema, &build_name)));
        attach.creates.push(index_key);
    }
    vec![build, attach]
}

fn declared_not_valid(constraint: &Constraint) -> bool {
    matches!(constraint, Constraint::Check(c) if c.not_valid)
        || matches!(constraint, Constraint::ForeignKey(f) if f.not_valid)
}

/// `VALIDATE CONSTRAINT` of a check or foreign key left `NOT VALID`: it scans the table under a SHARE UPDATE
/// EXCLUSIVE lock (reads and writes go on) and fails if a row breaks the rule.
fn validate(table: &QualifiedName, name: &str) -> Step {
    let mut step = Step::new(
        Phase::ValidateConstraint,
        sql::validate(table, name),
        format!("validate constraint {name} on {table}"),
    )
    .hazards(&[Hazard::MayFailOnData])
    .requires([rel(table), Key::Constraint(table.clone(), name.to_string())]);
    // Its own transaction: the scan must not run under another statement's lock.
    step.commit_after = true;
    step
}

/// The name an index is built under while the object it replaces still holds `name`: `name_new` (or
/// `name_new2`, ...), within PostgreSQL's 63 bytes and unused by any relation of the schema on either side
/// (index names share the schema's namespace with tables and sequences).
fn temporary_name(name: &str, schema: &str, cx: &Context) -> String {
    let taken = |candidate: &str| {
        [cx.current, cx.desired].iter().any(|s| {
            s.schemas.get(schema).is_some_and(|ns| {
                ns.sequences.contains_key(candidate)
                    || ns.tables.iter().any(|(t, table)| {
                        t == candidate
                            || table.indexes.contains_key(candidate)
                            || table.unique_constraints.contains_key(candidate)
                            || table.exclusions.contains_key(candidate)
                            || table.primary_key.as_ref().is_some_and(|pk| pk.name == candidate)
                    })
            })
        })
    };
    (1..)
        .map(|n| {
            let suffix = if n == 1 { "_new".to_string() } else { format!("_new{n}") };
            let mut base = name.to_string();
            while base.len() + suffix.len() > 63 {
                base.pop();
            }
            format!("{base}{suffix}")
        })
        .find(|candidate| !taken(candidate))
        .expect("some suffix is free")
}

fn drop_constraint(table: &QualifiedName, name: &str, constraint: &Constraint) -> Step {
    let kind = constraint_kind(constraint);
    let rank =
        if matches!(constraint, Constraint::ForeignKey(_)) { Phase::DropForeignKey } else { Phase::DropConstraint };
    let mut step = Step::new(rank, sql::drop(table, name), format!("drop {kind} {name} on {table}"))
        .hazards(&[LOCK])
        .requires([rel(table)])
        .requires(constraint_columns(table, constraint))
        .drops([Key::Constraint(table.clone(), name.to_string())]);
    match constraint {
        Constraint::PrimaryKey(pk) => {
            step.drops.push(Key::Relation(QualifiedName::new(&table.schema, name)));
            step.drops.push(unique_key(table, &pk.columns));
        }
        Constraint::Unique(u) => {
            step.drops.push(Key::Relation(QualifiedName::new(&table.schema, name)));
            step.drops.push(unique_key(table, &u.columns));
        }
        Constraint::Exclusion(_) => step.drops.push(Key::Relation(QualifiedName::new(&table.schema, name))),
        Constraint::Check(_) | Constraint::ForeignKey(_) => {}
    }
    // A foreign key's own `requires` name the referenced unique key; dropping the key itself must not be
    // ordered before this drop through them, so they stay teardown requirements.
    step
}

/// Constraints that own an index (primary key, unique, exclusion), with their columns when they are
/// unique over plain columns.
pub(crate) fn owned_constraints(t: &keel_core::model::Table) -> Vec<(String, Option<Vec<String>>)> {
    let mut out = Vec::new();
    if let Some(pk) = &t.primary_key {
        out.push((pk.name.clone(), Some(pk.columns.clone())));
    }
    for (name, u) in &t.unique_constraints {
        out.push((name.clone(), Some(u.columns.clone())));
    }
    for name in t.exclusions.keys() {
        out.push((name.clone(), None));
    }
    out
}

fn constraint_columns(table: &QualifiedName, constraint: &Constraint) -> Vec<Key> {
    match constraint {
        Constraint::PrimaryKey(pk) => pk.columns.iter().map(|c| col(table, c)).collect(),
        Constraint::Unique(u) => u.columns.iter().map(|c| col(table, c)).collect(),
        Constraint::Check(_) => Vec::new(),
        Constraint::ForeignKey(fk) => {
            let own = fk.columns.iter().map(|c| col(table, c));
            let referenced = fk.referenced_columns.iter().map(|c| col(&fk.references, c));
            let mut keys: Vec<Key> = own.chain(referenced).collect();
            keys.push(rel(&fk.references));
            keys.push(unique_key(&fk.references, &fk.referenced_columns));
            keys
        }
        Constraint::Exclusion(x) => x.columns().map(|c| col(table, c)).collect(),
    }
}

fn constraint_kind(constraint: &Constraint) -> &'static str {
    match constraint {
        Constraint::PrimaryKey(_) => "primary key",
        Constraint::Unique(_) => "unique constraint",
        Constraint::Check(_) => "check",
        Constraint::ForeignKey(_) => "foreign key",
        Constraint::Exclusion(_) => "exclusion constraint",
    }
}

fn constraint_expressions(constraint: &Constraint) -> Vec<&str> {
    match constraint {
        Constraint::Check(c) => vec![c.expression.as_str()],
        Constraint::Exclusion(x) => x.expressions(),
        _ => Vec::new(),
    }
}
