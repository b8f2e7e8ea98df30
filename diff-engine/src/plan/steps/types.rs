//! Steps for enums and sequences.

use super::{Context, Key, LOCK, Phase, Step, alter_table, col, rel, using};
use crate::casts::{self, Conversion};
use crate::change::{Change, EnumUsage, SequenceRestart, ValuePosition};
use crate::hazard::Hazard;
use crate::plan::Measure;
use crate::render;
use crate::sql;
use crate::sql::{Ident, Keyword, Literal, Name, Printed, Sql};
use keel_core::model::{ColumnType, QualifiedName};

/// Enum types and their values.
pub(super) fn enum_steps(change: &Change) -> Vec<Step> {
    match change {
        Change::CreateEnum { name, values } => {
            let e = keel_core::Enum { values: values.clone(), ..Default::default() };
            vec![
                Step::new(Phase::CreateEnum, render::create_enum(name, &e).remove(0), format!("create type {name}"))
                    .requires([Key::Schema(name.schema.clone())])
                    .creates([Key::Type(name.clone())]),
            ]
        }
        Change::DropEnum { name } => vec![
            Step::new(Phase::DropEnum, sql!("DROP TYPE {}", name), format!("drop type {name}"))
                .hazards(&[Hazard::BreaksClients])
                .drops([Key::Type(name.clone())]),
        ],
        Change::RenameEnum { from, to } => vec![
            Step::new(
                Phase::CreateEnum,
                sql!("ALTER TYPE {} RENAME TO {}", from, Ident::new(to)),
                format!("rename type {from} to {to}"),
            )
            .hazards(&[Hazard::BreaksClients])
            .drops([Key::Type(from.clone())])
            .creates([Key::Type(QualifiedName::new(&from.schema, to))])
            .teardown_off(),
        ],
        Change::AddEnumValue { name, value, position } => {
            let place = match position {
                Some(ValuePosition::Before(v)) => sql!(" BEFORE {}", Literal::new(v)),
                Some(ValuePosition::After(v)) => sql!(" AFTER {}", Literal::new(v)),
                None => Sql::default(),
            };
            let mut step = Step::new(
                Phase::AddEnumValue,
                sql!("ALTER TYPE {} ADD VALUE {}{}", name, Literal::new(value), place),
                format!("add value {value} to type {name}"),
            )
            .requires([Key::Type(name.clone())]);
            step.commit_after = true;
            vec![step]
        }
        Change::RenameEnumValue { name, from, to } => vec![
            Step::new(
                Phase::CreateEnum,
                sql!("ALTER TYPE {} RENAME VALUE {} TO {}", name, Literal::new(from), Literal::new(to)),
                format!("rename value {from} of type {name} to {to}"),
            )
            .hazards(&[Hazard::BreaksClients])
            .requires([Key::Type(name.clone())]),
        ],
        Change::RecreateEnum { name, values, removed, usages, comment } => {
            let mut steps = recreate_enum(name, values, removed, usages);
            if comment.is_some() {
                let sql = render::comment_on("TYPE", name, comment.as_ref());
                steps.push(
                    Step::new(Phase::Comment, sql, format!("comment on type {name}"))
                        .requires([Key::Type(name.clone())]),
                );
            }
            steps
        }
        Change::CommentEnum { name, comment } => vec![
            Step::new(
                Phase::Comment,
                render::comment_on("TYPE", name, comment.as_ref()),
                format!("comment on type {name}"),
            )
            .requires([Key::Type(name.clone())]),
        ],
        _ => unreachable!("steps() sends only enum changes here"),
    }
}

/// Sequences, including their ownership by a column.
pub(super) fn sequence_steps(change: &Change, cx: &Context) -> Vec<Step> {
    match change {
        Change::CreateSequence { name, sequence } => vec![
            Step::new(
                Phase::CreateSequence,
                render::create_sequence(name, sequence),
                format!("create sequence {name}"),
            )
            .requires([Key::Schema(name.schema.clone())])
            .creates([rel(name)]),
        ],
        Change::DropSequence { name } => {
            // What it handed out is lost: a sequence created again starts over, at ids rows already hold.
            let mut step =
                Step::new(Phase::DropSequence, sql!("DROP SEQUENCE {}", name), format!("drop sequence {name}"))
                    .hazards(&[Hazard::DeletesData, Hazard::BreaksClients])
                    .drops([rel(name)]);
            step.measure = Some(Measure::Sequence { sequence: name.clone() });
            vec![step]
        }
        Change::AlterSequence { name, data_type, options, restart } => {
            let qualified = Name::new(name).to_string();
            let target = sql!("{}", Literal::new(&qualified));
            let mut clauses = options.alter_clauses(data_type);
            let mut out = restart_steps(*restart, &target, &mut clauses, &format!("sequence {name}"));
            let mut step = Step::new(
                Phase::CreateSequence,
                sql!(
                    "ALTER SEQUENCE {} AS {} {}",
                    name,
                    data_type,
                    Sql::join(clauses.iter().map(|c| Printed::new(c)), " ")
                ),
                format!("alter sequence {name}"),
            )
            .requires([rel(name)]);
            if *restart == SequenceRestart::Restart {
                // Where it was is lost: a restart may hand out again ids that rows hold (DESIGN, invariant 4).
                step = step.hazards(&[Hazard::DeletesData, Hazard::MayFailOnData]);
                step.measure = Some(Measure::Sequence { sequence: name.clone() });
            }
            out.push(step);
            out
        }
        Change::SetSequenceOwner { name, owner } => {
            let sql = render::sequence_owned_by(name, owner.as_ref());
            match owner {
                Some(owner) => {
                    let table = QualifiedName::new(&name.schema, &owner.table);
                    vec![Step::new(Phase::AddKey, sql, format!("set owner of sequence {name}")).requires([
                        rel(name),
                        rel(&table),
                        col(&table, &owner.column),
                    ])]
                }
                None => {
                    let old = cx.current.schemas.get(&name.schema).and_then(|ns| ns.sequences.get(&name.name));
                    let old_owner = old.and_then(|s| s.owned_by.clone());
                    let mut step = Step::new(Phase::UnsetSequenceOwner, sql, format!("unset owner of sequence {name}"))
                        .requires([rel(name)]);
                    if let Some(o) = old_owner {
                        step.uses_old.push(col(&QualifiedName::new(&name.schema, &o.table), &o.column));
                    }
                    vec![step]
                }
            }
        }
        Change::CommentSequence { name, comment } => vec![
            Step::new(
                Phase::Comment,
                render::comment_on("SEQUENCE", name, comment.as_ref()),
                format!("comment on sequence {name}"),
            )
            .requires([rel(name)]),
        ],
        Change::RenameSequence { from, to } => vec![
            Step::new(
                Phase::RenameSequence,
                sql!("ALTER SEQUENCE {} RENAME TO {}", from, Ident::new(to)),
                format!("rename sequence {from} to {to}"),
            )
            .hazards(&[Hazard::BreaksClients])
            .drops([rel(from)])
            .creates([rel(&QualifiedName::new(&from.schema, to))])
            .teardown_off(),
        ],
        _ => unreachable!("steps() sends only sequence changes here"),
    }
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

/// Removing or reordering enum values: rename the old type away, create the new one, cast each column
/// through text (defaults dropped first and restored after), drop the old type.
fn recreate_enum(
    name: &QualifiedName,
    values: &[String],
    removed: &[String],
    usages: &[crate::change::EnumUsage],
) -> Vec<Step> {
    let old_name = keel_core::naming::object_name(&name.name, None, "keel_old");
    let old = QualifiedName::new(&name.schema, &old_name);
    let ty = Key::Type(name.clone());
    let mut out = vec![rename_away(name, "TYPE", &old_name)];
    let e = keel_core::Enum { values: values.to_vec(), ..Default::default() };
    out.push(
        Step::new(
            Phase::RecreateType,
            render::create_enum(name, &e).remove(0),
            format!("create type {name} with its new values"),
        )
        .creates([ty.clone()]),
    );
    out.extend(cast_usages(name, &old_name, usages, !removed.is_empty(), removed, None));
    out.push(Step::new(Phase::RecreateType, sql!("DROP TYPE {}", old), format!("drop the replaced type {old_name}")));
    out
}

/// Casts every column of a recreated type (now renamed to `old_name`) to the new type through its text
/// form; a default is dropped before (it may name the old type) and set again after. `may_fail`: some
/// values may not fit the new type; `removed`: enum labels that go, whose rows the cast counts. `bases`:
/// a domain's old and new base types, which say what the cast does to the values.
pub(super) fn cast_usages(
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
    let using = super::cast(&column, &from, &casts::without_length(&to));
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
pub(super) fn rename_away(name: &QualifiedName, kind: &'static str, old_name: &str) -> Step {
    Step::new(
        Phase::RecreateType,
        sql!("ALTER {} {} RENAME TO {}", Keyword(kind), name, Ident::new(old_name)),
        format!("rename {} {name} to {old_name} to replace it", kind.to_lowercase()),
    )
    .drops([Key::Type(name.clone())])
    .teardown_off()
}
