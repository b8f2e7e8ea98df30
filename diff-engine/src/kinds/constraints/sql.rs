//! The SQL of constraints.

use super::Constraint;
use crate::plan::step::alter_table;
use crate::render::comment_on;
use crate::sql;
use crate::sql::{Ident, Idents, Keyword, Printed, Sql};
use keel_core::model::{Deferrable, Exclusion, ForeignKey, ForeignKeyAction, QualifiedName, Table};

/// `ALTER TABLE .. ADD CONSTRAINT "name" <body>`.
pub(crate) fn add(table: &QualifiedName, name: &str, constraint: &Constraint) -> Sql {
    sql!("{} ADD CONSTRAINT {} {}", alter_table(table), Ident::new(name), body(constraint))
}

/// `add` left `NOT VALID`: existing rows are not checked.
pub(crate) fn not_valid(add: &Sql) -> Sql {
    sql!("{} NOT VALID", add)
}

/// `ALTER TABLE .. ADD CONSTRAINT "name" PRIMARY KEY USING INDEX "index"` (or `UNIQUE`): the index, built
/// beforehand, becomes the constraint's and takes its name.
pub(crate) fn add_using_index(
    table: &QualifiedName,
    name: &str,
    kind: &'static str,
    index: &str,
    deferrable: Deferrable,
) -> Sql {
    sql!(
        "{} ADD CONSTRAINT {} {} USING INDEX {}{}",
        alter_table(table),
        Ident::new(name),
        Keyword(kind),
        Ident::new(index),
        deferrable_clause(deferrable)
    )
}

pub(crate) fn validate(table: &QualifiedName, name: &str) -> Sql {
    sql!("{} VALIDATE CONSTRAINT {}", alter_table(table), Ident::new(name))
}

pub(crate) fn drop(table: &QualifiedName, name: &str) -> Sql {
    sql!("{} DROP CONSTRAINT {}", alter_table(table), Ident::new(name))
}

pub(crate) fn rename(table: &QualifiedName, from: &str, to: &str) -> Sql {
    sql!("{} RENAME CONSTRAINT {} TO {}", alter_table(table), Ident::new(from), Ident::new(to))
}

pub(crate) fn comment(table: &QualifiedName, name: &str, comment: Option<&String>) -> Sql {
    comment_on("CONSTRAINT", target(table, name), comment)
}

/// `"name" ON schema.table`, what `COMMENT ON CONSTRAINT` names.
fn target(table: &QualifiedName, name: &str) -> Sql {
    sql!("{} ON {}", Ident::new(name), table)
}

/// `COMMENT ON CONSTRAINT` for the constraints of a table that carry one.
pub(crate) fn comments(name: &QualifiedName, table: &Table) -> Vec<Sql> {
    let mut constraints: Vec<(&String, &Option<String>)> = Vec::new();
    constraints.extend(table.primary_key.iter().map(|pk| (&pk.name, &pk.comment)));
    constraints.extend(table.unique_constraints.iter().map(|(n, u)| (n, &u.comment)));
    constraints.extend(table.checks.iter().map(|(n, c)| (n, &c.comment)));
    constraints.extend(table.foreign_keys.iter().map(|(n, f)| (n, &f.comment)));
    constraints.extend(table.exclusions.iter().map(|(n, x)| (n, &x.comment)));
    constraints
        .into_iter()
        .filter_map(|(n, c)| c.as_ref().map(|c| comment_on("CONSTRAINT", target(name, n), Some(c))))
        .collect()
}

/// The `ADD CONSTRAINT` body: `PRIMARY KEY (..)`, `CHECK (..)`, ...
fn body(constraint: &Constraint) -> Sql {
    match constraint {
        Constraint::PrimaryKey(pk) => primary_key_clause(pk),
        Constraint::Unique(u) => unique_clause(u),
        Constraint::Check(c) => check_clause(c),
        Constraint::ForeignKey(fk) => foreign_key_clause(fk),
        Constraint::Exclusion(x) => exclusion_clause(x),
    }
}

/// `CHECK (..)`.
pub(crate) fn check_clause(check: &keel_core::Check) -> Sql {
    sql!("CHECK ({})", Printed::new(&check.expression))
}

/// `UNIQUE [NULLS NOT DISTINCT] (..)`.
pub(crate) fn unique_clause(unique: &keel_core::UniqueConstraint) -> Sql {
    let nulls = Keyword(if unique.nulls_not_distinct { " NULLS NOT DISTINCT" } else { "" });
    sql!("UNIQUE{} ({}){}", nulls, Idents::new(&unique.columns), deferrable_clause(unique.deferrable))
}

/// `PRIMARY KEY (..) [DEFERRABLE ..]`.
pub(crate) fn primary_key_clause(pk: &keel_core::PrimaryKey) -> Sql {
    sql!("PRIMARY KEY ({}){}", Idents::new(&pk.columns), deferrable_clause(pk.deferrable))
}

pub(crate) fn deferrable_clause(deferrable: Deferrable) -> Sql {
    if deferrable == Deferrable::NotDeferrable { Sql::default() } else { sql!(" {}", Keyword(deferrable.sql())) }
}

/// `EXCLUDE USING gist (room WITH =, during WITH &&) [INCLUDE (..)] [WHERE (..)]`.
pub(crate) fn exclusion_clause(exclusion: &Exclusion) -> Sql {
    let elements = exclusion
        .elements
        .iter()
        .map(|e| sql!("{} WITH {}", crate::kinds::indexes::sql::index_key(&e.key), Printed::new(e.operator.as_str())));
    let mut sql = sql!("EXCLUDE USING {} ({})", Printed::new(exclusion.method.name()), Sql::join(elements, ", "));
    if !exclusion.include.is_empty() {
        sql.push(sql!(" INCLUDE ({})", Idents::new(&exclusion.include)));
    }
    if let Some(predicate) = &exclusion.predicate {
        sql.push(sql!(" WHERE ({})", Printed::new(predicate)));
    }
    sql
}

pub(crate) fn add_foreign_key(table: &QualifiedName, name: &str, fk: &ForeignKey) -> Sql {
    sql!("ALTER TABLE {} ADD CONSTRAINT {} {}", table, Ident::new(name), foreign_key_clause(fk))
}

/// `FOREIGN KEY (..) REFERENCES .. (..) [ON DELETE ..] [ON UPDATE ..] [DEFERRABLE ..]`.
pub(crate) fn foreign_key_clause(fk: &ForeignKey) -> Sql {
    let mut sql = sql!(
        "FOREIGN KEY ({}) REFERENCES {} ({})",
        Idents::new(&fk.columns),
        fk.references,
        Idents::new(&fk.referenced_columns)
    );
    if fk.match_full {
        sql.push(Keyword(" MATCH FULL"));
    }
    if fk.on_delete != ForeignKeyAction::NoAction {
        sql.push(sql!(" ON DELETE {}", Keyword(fk.on_delete.sql())));
    }
    if fk.on_update != ForeignKeyAction::NoAction {
        sql.push(sql!(" ON UPDATE {}", Keyword(fk.on_update.sql())));
    }
    sql.push(deferrable_clause(fk.deferrable));
    sql
}
