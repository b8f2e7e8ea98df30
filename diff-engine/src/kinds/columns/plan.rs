//! Statements for columns: types, nullability, defaults, identity, generation and comments.

use super::ColumnChange;
use super::sql;
use crate::casts::{self, Conversion};
use crate::change::SequenceRestart;
use crate::hazard::Hazard;
use crate::kinds::constraints;
use crate::plan::Measure;
use crate::plan::step::{
    Context, Key, LOCK, Phase, Step, cast, col, default_keys, expression_keys, rel, restart_steps, type_keys,
};
use crate::sql::Sql;
use keel_core::model::{ColumnType, GeneratedKind, QualifiedName, Schema};

impl ColumnChange {
    /// The statements of this change to a column of `table`.
    pub(crate) fn steps(&self, table: &QualifiedName, cx: &Context) -> Vec<Step> {
        match self {
            ColumnChange::Add { column } => {
                let mut hazards = vec![LOCK];
                let volatile = column.default.as_deref().is_some_and(is_volatile);
                // A virtual generated column stores nothing: only a stored one is computed for every row.
                let stored = column.generated.is_some() && !column.is_virtual();
                if stored || column.identity.is_some() || volatile {
                    hazards.push(Hazard::RewritesTable);
                }
                if !column.nullable && !column.has_database_value() {
                    hazards.push(Hazard::MayFailOnData);
                }
                let step =
                    Step::new(Phase::AddColumn, sql::add(table, column), format!("add column {table}.{}", column.name))
                        .hazards(&hazards)
                        .requires([rel(table)])
                        .requires(type_keys(&column.ty))
                        .requires(default_keys(column.default.as_deref()))
                        .requires(default_keys(column.generated.as_deref()))
                        .creates([col(table, &column.name)])
                        .creates(identity_sequence(table, column));
                vec![step]
            }
            ColumnChange::Drop { column } => {
                let mut step = Step::new(
                    Phase::DropColumn,
                    sql::drop(table, &column.name),
                    format!("drop column {table}.{}", column.name),
                )
                .hazards(&[Hazard::DeletesData, Hazard::BreaksClients, LOCK])
                .requires([rel(table)])
                .requires(type_keys(&column.ty))
                .requires(default_keys(column.default.as_deref()))
                .requires(default_keys(column.generated.as_deref()))
                .drops([col(table, &column.name)])
                .drops(identity_sequence(table, column));
                // A generated column's values are computed from the others; nothing is lost, unless a plain
                // column of its name takes its place (a virtual column cannot `DROP EXPRESSION`): that
                // one starts without the values.
                let replaced_by_plain = cx
                    .desired
                    .table(&table.schema, &table.name)
                    .and_then(|t| t.column(&column.name))
                    .is_some_and(|c| c.generated.is_none());
                if column.generated.is_some() && !replaced_by_plain {
                    step.hazards.remove(&Hazard::DeletesData);
                } else {
                    step.measure = Some(Measure::NonNull { table: table.clone(), column: column.name.clone() });
                }
                step.affects.push((table.clone(), Some(column.name.clone())));
                vec![step]
            }
            ColumnChange::Rename { from, to } => {
                let mut step = Step::new(
                    Phase::RenameInTable,
                    sql::rename(table, from, to),
                    format!("rename column {table}.{from} to {to}"),
                )
                .hazards(&[Hazard::BreaksClients, LOCK])
                .requires([rel(table)])
                .drops([col(table, from)])
                .creates([col(table, to)])
                .teardown_off();
                step.affects.push((table.clone(), Some(from.clone())));
                vec![step]
            }
            ColumnChange::AlterType { column, from, to, collation, old_default, default } => {
                if let Some(kind) = stays_generated(table, column, cx) {
                    return vec![retype_generated(table, column, from, to, collation.as_deref(), kind)];
                }
                let mut out = Vec::new();
                let column_key = col(table, column);
                if old_default.is_some() {
                    out.push(
                        Step::new(
                            Phase::AlterColumnType,
                            sql::alter(table, column, sql::drop_default()),
                            format!("drop default of {table}.{column} for its type change"),
                        )
                        .hazards(&[LOCK])
                        .requires([rel(table)])
                        .uses_old(default_keys(old_default.as_deref())),
                    );
                }
                // A domain's values convert as its base type's, then meet its checks.
                let from_base = domain_base(from, cx.current).unwrap_or_else(|| from.clone());
                let to_domain = domain_base(to, cx.desired);
                let to_base = to_domain.clone().unwrap_or_else(|| to.clone());
                let change = casts::type_change(&from_base, &to_base);
                let mut hazards = vec![LOCK];
                if change.rewrites || to_domain.is_some() || from_base != *from {
                    hazards.push(Hazard::RewritesTable);
                }
                if to_domain.is_some() {
                    hazards.push(Hazard::MayFailOnData);
                }
                let using = match &to_domain {
                    // The explicit cast goes to the base type without its length; the assignment to the domain
                    // checks the length (an explicit cast to it would cut).
                    Some(base) if !casts::assignment_cast(&from_base, base) => {
                        let target = casts::without_length(base);
                        sql::using(cast(column, &from_base, &target))
                    }
                    Some(_) => Sql::default(),
                    None if casts::assignment_cast(&from_base, to) => Sql::default(),
                    None => sql::using(cast(column, &from_base, to)),
                };
                let (table_name, column_name) = (table.clone(), column.clone());
                let measure = match change.conversion {
                    Conversion::Lossless => None,
                    Conversion::Checked => {
                        hazards.push(Hazard::MayFailOnData);
                        Some(Measure::Unfit { table: table_name, column: column_name, from: from_base, to: to_base })
                    }
                    Conversion::Lossy => {
                        // A lossy cast may also meet a value it cannot convert at all (out of range).
                        hazards.extend([Hazard::AltersData, Hazard::MayFailOnData]);
                        Some(if casts::shortens_strings(&from_base, &to_base) {
                            Measure::Unfit { table: table_name, column: column_name, from: from_base, to: to_base }
                        } else {
                            Measure::Changed { table: table_name, column: column_name, from: from_base, to: to_base }
                        })
                    }
                };
                let mut step = Step::new(
                    Phase::AlterColumnType,
                    sql::alter(table, column, sql::set_type(to, collation.as_deref(), using)),
                    format!("change type of {table}.{column} from {from} to {to}"),
                )
                .hazards(&hazards)
                .requires([rel(table)])
                .requires(type_keys(to))
                .uses_old(type_keys(from))
                .modifies([column_key.clone()]);
                step.measure = measure;
                step.affects.push((table.clone(), Some(column.clone())));
                out.push(step);
                if let Some(default) = default {
                    out.push(
                        Step::new(
                            Phase::AlterColumnType,
                            sql::alter(table, column, sql::set_default(default)),
                            format!("set default of {table}.{column}"),
                        )
                        .hazards(&[LOCK])
                        .requires([rel(table)])
                        .requires(default_keys(Some(default))),
                    );
                }
                out
            }
            ColumnChange::SetNotNull { column } => set_not_null(table, column, cx),
            ColumnChange::DropNotNull { column } => {
                let mut step = alter_column(
                    table,
                    column,
                    Phase::NotNull,
                    sql::drop_not_null(),
                    format!("allow nulls in {table}.{column}"),
                    &[LOCK],
                );
                if let Some(pk) = cx.current.table(&table.schema, &table.name).and_then(|t| t.primary_key.as_ref())
                    && pk.columns.contains(column)
                {
                    step.after_drops.push(Key::Constraint(table.clone(), pk.name.clone()));
                }
                vec![step]
            }
            ColumnChange::SetDefault { column, default } => {
                let old = cx.current.table(&table.schema, &table.name).and_then(|t| t.column(column));
                vec![
                    alter_column(
                        table,
                        column,
                        Phase::SetDefault,
                        sql::set_default(default),
                        format!("set default of {table}.{column}"),
                        &[LOCK],
                    )
                    .requires(default_keys(Some(default)))
                    .uses_old(replaced_keys(old.and_then(|c| c.default.as_deref()), default)),
                ]
            }
            ColumnChange::DropDefault { column } => {
                let old = cx.current.table(&table.schema, &table.name).and_then(|t| t.column(column));
                let mut step = alter_column(
                    table,
                    column,
                    Phase::SetDefault,
                    sql::drop_default(),
                    format!("drop default of {table}.{column}"),
                    &[LOCK],
                );
                // Dropping a default can free a sequence: do it while the sequence still exists.
                step.uses_old.extend(default_keys(old.and_then(|c| c.default.as_deref())));
                vec![step]
            }
            ColumnChange::AddIdentity { column, identity } => vec![
                alter_column(
                    table,
                    column,
                    Phase::Identity,
                    sql::add_identity(identity),
                    format!("make {table}.{column} an identity column"),
                    &[LOCK],
                )
                .creates([identity_sequence_key(table, column)]),
            ],
            ColumnChange::DropIdentity { column } => {
                // The sequence goes with the identity: numbering the column again starts over, at ids that
                // rows already hold.
                let mut step = alter_column(
                    table,
                    column,
                    Phase::DropIdentity,
                    sql::drop_identity(),
                    format!("drop identity of {table}.{column}"),
                    &[Hazard::DeletesData, LOCK],
                )
                .drops([identity_sequence_key(table, column)])
                .teardown_off();
                step.measure = Some(Measure::Identity { table: table.clone(), column: column.clone() });
                vec![step]
            }
            ColumnChange::SetIdentityGeneration { column, generation } => {
                vec![alter_column(
                    table,
                    column,
                    Phase::Identity,
                    sql::set_generation(*generation),
                    format!("set identity generation of {table}.{column}"),
                    &[LOCK],
                )]
            }
            ColumnChange::SetIdentityOptions { column, ty, options, restart } => {
                let target = sql::identity_sequence(table, column);
                let mut clauses = options.alter_clauses(ty);
                let mut out = restart_steps(*restart, &target, &mut clauses, &format!("identity {table}.{column}"));
                let restarts = *restart == SequenceRestart::Restart;
                let hazards: &[Hazard] =
                    if restarts { &[LOCK, Hazard::DeletesData, Hazard::MayFailOnData] } else { &[LOCK] };
                let summary = format!("alter identity sequence of {table}.{column}");
                let mut step =
                    alter_column(table, column, Phase::Identity, sql::set_sequence_options(&clauses), summary, hazards);
                if restarts {
                    // Like a dropped identity: the restart may hand out again ids that rows hold.
                    step.measure = Some(Measure::Identity { table: table.clone(), column: column.clone() });
                }
                out.push(step);
                out
            }
            ColumnChange::DropExpression { column } => vec![alter_column(
                table,
                column,
                Phase::DropExpression,
                sql::drop_expression(),
                format!("make generated column {table}.{column} a plain column"),
                &[LOCK],
            )],
            ColumnChange::SetExpression { column, expression, kind } => {
                let old = cx.current.table(&table.schema, &table.name).and_then(|t| t.column(column));
                let new = cx.desired.table(&table.schema, &table.name).and_then(|t| t.column(column));
                // Stored: every row is computed again under ACCESS EXCLUSIVE, then checks, NOT NULL and
                // unique indexes meet the new values. Virtual: nothing is stored, NOT NULL is checked.
                let mut hazards = vec![LOCK];
                if *kind == GeneratedKind::Stored {
                    hazards.extend([Hazard::RewritesTable, Hazard::MayFailOnData]);
                } else if new.is_some_and(|c| !c.nullable) {
                    hazards.push(Hazard::MayFailOnData);
                }
                let mut step = alter_column(
                    table,
                    column,
                    Phase::SetExpression,
                    sql::set_expression(expression),
                    format!("set expression of generated column {table}.{column}"),
                    &hazards,
                )
                // After the columns and functions the new expression reads exist, before those only the
                // old one reads go.
                .requires(expression_keys(cx.desired, table, &[expression]))
                .uses_old(expression_keys(
                    cx.current,
                    table,
                    &[old.and_then(|c| c.generated.as_deref()).unwrap_or("")],
                ));
                step.affects.push((table.clone(), Some(column.clone())));
                vec![step]
            }
            ColumnChange::Comment { column, comment } => vec![
                Step::new(
                    Phase::Comment,
                    sql::comment(table, column, comment.as_ref()),
                    format!("comment on column {table}.{column}"),
                )
                .requires([rel(table), col(table, column)]),
            ],
        }
    }
}

/// The kind of a column that is generated before and after the change (its expression the same: a new one
/// with a new type replaces the column).
fn stays_generated(table: &QualifiedName, column: &str, cx: &Context) -> Option<GeneratedKind> {
    let kind = |schema: &Schema| {
        let c = schema.table(&table.schema, &table.name)?.column(column)?;
        c.generated.as_ref().map(|_| c.generated_kind)
    };
    kind(cx.current).and(kind(cx.desired))
}

/// `ALTER COLUMN .. TYPE` of a generated column: without `USING` (PostgreSQL refuses it there and casts
/// the expression's result), and nothing to measure: the values are computed again, not converted. A
/// stored column is rewritten; the new values may still break a check or a unique index.
fn retype_generated(
    table: &QualifiedName,
    column: &str,
    from: &ColumnType,
    to: &ColumnType,
    collation: Option<&str>,
    kind: GeneratedKind,
) -> Step {
    let mut hazards = vec![LOCK, Hazard::MayFailOnData];
    if kind == GeneratedKind::Stored {
        hazards.push(Hazard::RewritesTable);
    }
    let mut step = Step::new(
        Phase::AlterColumnType,
        sql::alter(table, column, sql::set_type(to, collation, Sql::default())),
        format!("change type of generated column {table}.{column} from {from} to {to}"),
    )
    .hazards(&hazards)
    .requires([rel(table)])
    .requires(type_keys(to))
    .uses_old(type_keys(from))
    .modifies([col(table, column)]);
    step.affects.push((table.clone(), Some(column.to_string())));
    step
}

/// Default expressions that PostgreSQL evaluates per row, so adding a column with them rewrites the table.
fn is_volatile(default: &str) -> bool {
    const VOLATILE: [&str; 7] = [
        "gen_random_uuid(",
        "uuid_generate_v",
        "random(",
        "clock_timestamp(",
        "nextval(",
        "timeofday(",
        "txid_current(",
    ];
    VOLATILE.iter().any(|f| default.contains(f))
}

/// What the default being replaced uses and the new one does not: the new default replaces the old one
/// before those go. (A function both call, dropped and created again, had its default dropped first.)
fn replaced_keys(old: Option<&str>, new: &str) -> Vec<Key> {
    let new = default_keys(Some(new));
    default_keys(old).into_iter().filter(|k| !new.contains(k)).collect()
}

/// `SET NOT NULL`; online, through a validated check so that the final step needs no scan under the lock.
fn set_not_null(table: &QualifiedName, column: &str, cx: &Context) -> Vec<Step> {
    let summary = format!("forbid nulls in {table}.{column}");
    if !cx.online || cx.new_tables.contains(table) {
        return vec![alter_column(
            table,
            column,
            Phase::NotNull,
            sql::set_not_null(),
            summary,
            &[LOCK, Hazard::MayFailOnData],
        )];
    }
    let check = keel_core::naming::object_name(&table.name, Some(column), "not_null");
    let check_key = Key::Constraint(table.clone(), check.clone());
    let mut not_valid = Step::new(
        Phase::NotNull,
        sql::add_not_null_check(table, &check, column),
        format!("add not-null check {check} on {table} (not valid yet)"),
    )
    .hazards(&[LOCK])
    .requires([rel(table), col(table, column)])
    .creates([check_key.clone()]);
    // Committed before the VALIDATE, whose scan must not run under the ADD's ACCESS EXCLUSIVE lock.
    not_valid.commit_after = true;
    vec![
        not_valid,
        Step::new(
            Phase::NotNull,
            constraints::sql::validate(table, &check),
            format!("validate not-null check {check} on {table}"),
        )
        .hazards(&[Hazard::MayFailOnData])
        .requires([check_key.clone()]),
        alter_column(table, column, Phase::NotNull, sql::set_not_null(), summary, &[LOCK])
            .requires([check_key.clone()]),
        Step::new(
            Phase::NotNull,
            constraints::sql::drop(table, &check),
            format!("drop not-null check {check} on {table}"),
        )
        .hazards(&[LOCK])
        .requires([rel(table)]),
    ]
}

/// `ty` with a domain (of `schema`) replaced by its base type: values of a domain cast as values of its
/// base. Other types as they are.
fn domain_base(ty: &ColumnType, schema: &Schema) -> Option<ColumnType> {
    let ColumnType::Named { schema: ns, name } = ty.scalar() else { return None };
    let domain = schema.schemas.get(ns)?.domains.get(name)?;
    Some(ty.clone().with_scalar(domain.base.clone()))
}

fn alter_column(
    table: &QualifiedName,
    column: &str,
    rank: Phase,
    action: Sql,
    summary: String,
    hazards: &[Hazard],
) -> Step {
    Step::new(rank, sql::alter(table, column, action), summary)
        .hazards(hazards)
        .requires([rel(table), col(table, column)])
}

/// The sequence PostgreSQL creates for an identity column (`{table}_{column}_seq`), which takes that name
/// in the schema's relation namespace.
fn identity_sequence_key(table: &QualifiedName, column: &str) -> Key {
    Key::Relation(QualifiedName::new(&table.schema, keel_core::naming::object_name(&table.name, Some(column), "seq")))
}

pub(crate) fn identity_sequence(table: &QualifiedName, column: &keel_core::Column) -> Option<Key> {
    column.identity.as_ref().map(|_| identity_sequence_key(table, &column.name))
}
