//! Each change as the statements that carry it out, with what each statement needs, creates and drops
//! (the planner's ordering input), its hazards, and how to measure the data it would delete. Here: the step
//! model, the dispatcher and shared helpers; the statements of each kind of object are in the submodules.

use super::Measure;
use super::phase::Phase;
use crate::casts::{self, Conversion};
use crate::change::{EnumUsage, SequenceRestart};
use crate::hazard::Hazard;
use crate::sql;
use crate::sql::{Ident, Keyword, Printed, Sql};
use keel_core::model::{ColumnType, QualifiedName, Schema};
use std::collections::BTreeSet;

/// An object a statement can need, create or drop. Tables, indexes and sequences share one namespace in
/// PostgreSQL (relations), and so share `Relation`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Key {
    Schema(String),
    Extension(String),
    Type(QualifiedName),
    Relation(QualifiedName),
    Column(QualifiedName, String),
    Constraint(QualifiedName, String),
    /// A unique index or constraint over these columns (sorted): what a foreign key needs.
    Unique(QualifiedName, Vec<String>),
    /// Every overload of a function or procedure.
    Function(QualifiedName),
    /// A trigger of a table.
    Trigger(QualifiedName, String),
    /// A row level security policy on a table.
    Policy(QualifiedName, String),
    /// The bounds a partitioned table's partitions take: freed before they are taken again.
    PartitionBounds(QualifiedName),
    /// An extended statistics object.
    Statistics(QualifiedName),
}

/// One statement before ordering.
#[derive(Debug, Clone, Default)]
pub(crate) struct Step {
    pub sql: String,
    pub summary: String,
    pub hazards: BTreeSet<Hazard>,
    pub transactional: bool,
    /// Commit before anything that follows (a new enum value cannot be used in the transaction that adds it).
    pub commit_after: bool,
    /// Coarse phase: adds early, drops late. Ties in the dependency order are broken by it.
    pub rank: Phase,
    pub requires: Vec<Key>,
    pub creates: Vec<Key>,
    pub drops: Vec<Key>,
    /// Objects changed in place (a column's type): it runs after what creates them; teardown that needs
    /// their old form runs before it, new-state work that needs their new form after it.
    pub modifies: Vec<Key>,
    /// Must run after whatever drops these.
    pub after_drops: Vec<Key>,
    /// Old objects it still uses (a column's old type): it runs before whatever drops them.
    pub uses_old: Vec<Key>,
    /// Removes old objects: what it requires must still exist when it runs.
    pub teardown: bool,
    pub measure: Option<Measure>,
    /// Tables and columns whose existence or type this statement changes (for unmanaged-object warnings).
    pub affects: Vec<(QualifiedName, Option<String>)>,
    /// The schema it drops: whatever keel does not manage in it stops the statement.
    pub drops_schema: Option<String>,
}

impl Step {
    pub(crate) fn new(rank: Phase, sql: Sql, summary: String) -> Step {
        Step { sql: sql.into_string(), summary, rank, transactional: true, ..Step::default() }
    }

    pub(crate) fn hazards(mut self, hazards: &[Hazard]) -> Step {
        self.hazards.extend(hazards.iter().copied());
        self
    }

    pub(crate) fn requires(mut self, keys: impl IntoIterator<Item = Key>) -> Step {
        self.requires.extend(keys);
        self
    }

    pub(crate) fn creates(mut self, keys: impl IntoIterator<Item = Key>) -> Step {
        self.creates.extend(keys);
        self
    }

    pub(crate) fn modifies(mut self, keys: impl IntoIterator<Item = Key>) -> Step {
        self.modifies.extend(keys);
        self
    }

    pub(crate) fn after_drops(mut self, keys: impl IntoIterator<Item = Key>) -> Step {
        self.after_drops.extend(keys);
        self
    }

    pub(crate) fn uses_old(mut self, keys: impl IntoIterator<Item = Key>) -> Step {
        self.uses_old.extend(keys);
        self
    }

    pub(crate) fn drops(mut self, keys: impl IntoIterator<Item = Key>) -> Step {
        self.drops.extend(keys);
        self.teardown = true;
        self
    }

    /// For statements that replace one name by another: they are not teardown, whatever they drop.
    pub(crate) fn teardown_off(mut self) -> Step {
        self.teardown = false;
        self
    }
}

/// What the planner knows besides the change itself.
pub(crate) struct Context<'a> {
    /// The current schema with renames applied.
    pub current: &'a Schema,
    pub desired: &'a Schema,
    pub online: bool,
    /// Tables created by this plan: online variants are pointless on them.
    pub new_tables: BTreeSet<QualifiedName>,
}

pub(crate) const LOCK: Hazard = Hazard::AccessExclusiveLock;

pub(crate) fn col(table: &QualifiedName, column: &str) -> Key {
    Key::Column(table.clone(), column.to_string())
}

pub(crate) fn rel(table: &QualifiedName) -> Key {
    Key::Relation(table.clone())
}

/// The bounds of a table's partitions: freed by drops and detaches, taken by creates and attaches.
pub(crate) fn partition_bounds(table: &QualifiedName) -> Key {
    Key::PartitionBounds(table.clone())
}

pub(crate) fn unique_key(table: &QualifiedName, columns: &[String]) -> Key {
    let mut sorted = columns.to_vec();
    sorted.sort();
    Key::Unique(table.clone(), sorted)
}

/// The enum, domain or composite type (or other named type) a column type needs.
pub(crate) fn type_keys(ty: &ColumnType) -> Vec<Key> {
    match ty.scalar() {
        ColumnType::Named { schema, name } => vec![Key::Type(QualifiedName::new(schema, name))],
        _ => Vec::new(),
    }
}

/// Sequences (`nextval('seq'::regclass)`) and functions a default expression uses.
pub(crate) fn default_keys(default: Option<&str>) -> Vec<Key> {
    let Some(default) = default else { return Vec::new() };
    let analysis = crate::expr::Analysis::of(default);
    let functions = analysis.calls().iter().cloned().map(Key::Function);
    functions.chain(analysis.sequences().iter().cloned().map(Key::Relation)).collect()
}

pub(crate) fn alter_table(table: &QualifiedName) -> Sql {
    sql!("ALTER TABLE {}", table)
}

/// `USING` expression that casts a column to a new type explicitly. Enums cast through text.
fn using(column: &str, from: &ColumnType, to: &ColumnType) -> Sql {
    cast(column, from, to)
}

/// `"column"::type`, through text where the types need it (see [`crate::casts`]): built there from the
/// quoted column and the printed types.
pub(crate) fn cast(column: &str, from: &ColumnType, to: &ColumnType) -> Sql {
    let text = crate::casts::explicit_cast(&Ident::new(column).to_string(), from, to);
    sql!("{}", Printed::new(&text))
}

/// Columns of `table` (as `schema` has it) that SQL expressions mention, and the functions they call: a
/// check or an index expression must be dropped before such a column or function changes and created after.
pub(crate) fn expression_keys(schema: &Schema, table: &QualifiedName, expressions: &[&str]) -> Vec<Key> {
    let analyzed: Vec<_> = expressions.iter().map(|e| crate::expr::Analysis::of(e)).collect();
    let mut keys: Vec<Key> = analyzed.iter().flat_map(|a| a.calls().iter().cloned().map(Key::Function)).collect();
    let Some(t) = schema.table(&table.schema, &table.name) else { return keys };
    keys.extend(t.columns.iter().filter(|c| analyzed.iter().any(|a| a.mentions(&c.name))).map(|c| col(table, &c.name)));
    keys
}

/// The functions SQL text calls (see [`crate::expr`]).
pub(crate) fn function_keys(sql: &str) -> Vec<Key> {
    crate::expr::Analysis::of(sql).calls().iter().cloned().map(Key::Function).collect()
}

/// Before options that shrink a sequence's range: move the current value into the overlap of the old and
/// new ranges when it lies outside (inside, it stays: no id is handed out twice). A restart is a clause.
/// `target` is SQL that yields the sequence's regclass.
pub(crate) fn restart_steps(
    restart: SequenceRestart,
    target: &Sql,
    clauses: &mut Vec<String>,
    what: &str,
) -> Vec<Step> {
    match restart {
        SequenceRestart::Keep => Vec::new(),
        SequenceRestart::Restart => {
            clauses.push("RESTART".to_string());
            Vec::new()
        }
        SequenceRestart::Clamp { min, max } => {
            let sql = sql!(
                "SELECT setval(s.seq, GREATEST({0}, LEAST({1}, COALESCE(s.last_value, s.start_value))), \
                 s.last_value IS NOT NULL) \
                 FROM (SELECT format('%I.%I', schemaname, sequencename)::regclass AS seq, last_value, start_value \
                 FROM pg_sequences) s \
                 WHERE s.seq = {2}::regclass \
                 AND COALESCE(s.last_value, s.start_value) NOT BETWEEN {0} AND {1}",
                min,
                max,
                target
            );
            vec![Step::new(Phase::CreateSequence, sql, format!("move the current value of {what} into its new range"))]
        }
    }
}

/// Casts every column of a recreated type (now renamed to `old_name`) to the new type through its text
/// form; a default is dropped before (it may name the old type) and set again after. `may_fail`: some
/// values may not fit the new type; `removed`: enum labels that go, whose rows the cast counts. `bases`:
/// a domain's old and new base types, which say what the cast does to the values.
pub(crate) fn cast_usages(
    name: &QualifiedName,
    old_name: &str,
    usages: &[EnumUsage],
    may_fail: bool,
    removed: &[String],
    bases: Option<(&ColumnType, &ColumnType)>,
) -> Vec<Step> {
    let old = ColumnType::named(&name.schema, old_name);
    let mut out = Vec::new();
    for usage in usages {
        let (table, column) = (&usage.table, &usage.column);
        let key = col(table, column);
        if usage.drop_default {
            out.push(
                Step::new(
                    Phase::RecreateType,
                    sql!("{} ALTER COLUMN {} DROP DEFAULT", alter_table(table), Ident::new(column)),
                    format!("drop default of {table}.{column} for the cast"),
                )
                .hazards(&[LOCK])
                .requires([rel(table)]),
            );
        }
        let old_ty = usage.ty.clone().with_scalar(old.clone());
        let mut hazards = vec![LOCK, Hazard::RewritesTable];
        if may_fail {
            hazards.push(Hazard::MayFailOnData);
        }
        let (using, measure) = match bases {
            Some((from, to)) => domain_cast(usage, from, to, &mut hazards),
            None => (using(column, &old_ty, &usage.ty), None),
        };
        let mut cast = Step::new(
            Phase::RecreateType,
            sql!("{} ALTER COLUMN {} TYPE {} USING {}", alter_table(table), Ident::new(column), usage.ty, using),
            format!("cast {table}.{column} to the new {name}"),
        )
        .hazards(&hazards)
        .requires([rel(table), Key::Type(name.clone())])
        .modifies([key.clone()]);
        cast.measure = measure;
        if !removed.is_empty() {
            cast.measure =
                Some(Measure::Values { table: table.clone(), column: column.clone(), values: removed.to_vec() });
        }
        cast.affects.push((table.clone(), Some(column.clone())));
        out.push(cast);
        if let Some(default) = &usage.default {
            out.push(
                Step::new(
                    Phase::RecreateType,
                    sql!(
                        "{} ALTER COLUMN {} SET DEFAULT {}",
                        alter_table(table),
                        Ident::new(column),
                        Printed::new(default)
                    ),
                    format!("restore default of {table}.{column}"),
                )
                .hazards(&[LOCK])
                .requires([rel(table), key]),
            );
        }
    }
    out
}

/// The `USING` expression and measure of a column cast from a domain based on `from` to one based on `to`.
/// The expression casts explicitly to the new base type without its length (an explicit cast to a length
/// cuts a longer value), and PostgreSQL's assignment to the domain checks the length: it raises.
fn domain_cast(
    usage: &EnumUsage,
    from: &ColumnType,
    to: &ColumnType,
    hazards: &mut Vec<Hazard>,
) -> (Sql, Option<Measure>) {
    let (table, column) = (usage.table.clone(), usage.column.clone());
    let (from, to) = (usage.ty.clone().with_scalar(from.clone()), usage.ty.clone().with_scalar(to.clone()));
    // A domain's value casts as a value of its base type.
    let using = cast(&column, &from, &casts::without_length(&to));
    let measure = match casts::type_change(&from, &to).conversion {
        Conversion::Lossless => None,
        Conversion::Checked => Some(Measure::Unfit { table, column, from, to }),
        Conversion::Lossy => {
            hazards.push(Hazard::AltersData);
            Some(if casts::shortens_strings(&from, &to) {
                Measure::Unfit { table, column, from, to }
            } else {
                Measure::Changed { table, column, from, to }
            })
        }
    };
    (using, measure)
}

/// `ALTER {kind} name RENAME TO old_name`, making way for the new type of the same name.
pub(crate) fn rename_away(name: &QualifiedName, kind: &'static str, old_name: &str) -> Step {
    Step::new(
        Phase::RecreateType,
        sql!("ALTER {} {} RENAME TO {}", Keyword(kind), name, Ident::new(old_name)),
        format!("rename {} {name} to {old_name} to replace it", kind.to_lowercase()),
    )
    .drops([Key::Type(name.clone())])
    .teardown_off()
}
