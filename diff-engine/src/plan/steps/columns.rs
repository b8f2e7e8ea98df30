//! Steps for tables and their columns: types, nullability, defaults, identity, generation and comments.

use super::constraints::{owned_constraints, set_not_null};
use super::restart_steps;
use super::{
    Context, Key, LOCK, Phase, Step, alter_column, alter_table, col, default_keys, domain_base, function_keys,
    identity_sequence, identity_sequence_key, rel, type_keys, unique_key,
};
use crate::casts::{self, Conversion};
use crate::change::{Change, SequenceRestart};
use crate::hazard::Hazard;
use crate::plan::Measure;
use crate::render;
use crate::sql;
use crate::sql::{Ident, Keyword, Literal, Name, Printed, Sql};
use keel_core::model::QualifiedName;

/// Creating, dropping, renaming and commenting tables.
pub(super) fn table_steps(change: &Change) -> Vec<Step> {
    match change {
        Change::CreateTable { name, table } => {
            let mut step =
                Step::new(Phase::CreateTable, render::create_table(name, table), format!("create table {name}"))
                    .requires([Key::Schema(name.schema.clone())])
                    .creates([rel(name)]);
            for column in &table.columns {
                step.requires.extend(type_keys(&column.ty));
                step.requires.extend(default_keys(column.default.as_deref()));
                step.requires.extend(default_keys(column.generated.as_deref()));
                step.creates.push(col(name, &column.name));
                step.creates.extend(identity_sequence(name, column));
            }
            for (constraint, columns) in owned_constraints(table) {
                step.creates.push(Key::Constraint(name.clone(), constraint.clone()));
                step.creates.push(Key::Relation(QualifiedName::new(&name.schema, &constraint)));
                if let Some(columns) = columns {
                    step.creates.push(unique_key(name, &columns));
                }
            }
            for (check_name, check) in &table.checks {
                step.creates.push(Key::Constraint(name.clone(), check_name.clone()));
                step.requires.extend(function_keys(&check.expression));
            }
            vec![step]
        }
        Change::DropTable { name, table } => {
            let mut step = Step::new(Phase::DropTable, sql!("DROP TABLE {}", name), format!("drop table {name}"))
                .hazards(&[Hazard::DeletesData, Hazard::BreaksClients, LOCK])
                .drops([rel(name)]);
            // DROP TABLE takes its defaults, checks and triggers with it: before the functions they call go.
            step.requires.extend(table.checks.values().flat_map(|c| function_keys(&c.expression)));
            step.requires.extend(table.triggers.values().map(|t| Key::Function(t.function.clone())));
            for column in &table.columns {
                step.requires.extend(type_keys(&column.ty));
                step.requires.extend(default_keys(column.default.as_deref()));
                step.requires.extend(default_keys(column.generated.as_deref()));
                step.drops.push(col(name, &column.name));
                step.drops.extend(identity_sequence(name, column));
            }
            for (constraint, columns) in owned_constraints(table) {
                step.drops.push(Key::Constraint(name.clone(), constraint.clone()));
                step.drops.push(Key::Relation(QualifiedName::new(&name.schema, &constraint)));
                if let Some(columns) = columns {
                    step.drops.push(unique_key(name, &columns));
                }
            }
            for index in table.indexes.keys() {
                step.drops.push(Key::Relation(QualifiedName::new(&name.schema, index)));
            }
            // A partitioned table's partitions go with it.
            step.drops.extend(table.partitions.keys().map(|p| rel(&table.partition_name(name, p))));
            step.measure = Some(Measure::Rows { table: name.clone() });
            step.affects.push((name.clone(), None));
            vec![step]
        }
        Change::RenameTable { from, to } => {
            let new = QualifiedName::new(&from.schema, to);
            let mut step = Step::new(
                Phase::RenameTable,
                sql!("{} RENAME TO {}", alter_table(from), Ident::new(to)),
                format!("rename table {from} to {to}"),
            )
            .hazards(&[Hazard::BreaksClients, LOCK])
            .drops([rel(from)])
            .creates([rel(&new)])
            .teardown_off();
            step.affects.push((from.clone(), None));
            vec![step]
        }
        Change::CommentTable { name, comment } => vec![
            Step::new(
                Phase::Comment,
                render::comment_on("TABLE", name, comment.as_ref()),
                format!("comment on table {name}"),
            )
            .requires([rel(name)]),
        ],
        _ => unreachable!("steps() sends only table changes here"),
    }
}

/// Adding, dropping, renaming and altering columns.
pub(super) fn column_steps(change: &Change, cx: &Context) -> Vec<Step> {
    match change {
        Change::AddColumn { table, column } => {
            let mut hazards = vec![LOCK];
            let volatile = column.default.as_deref().is_some_and(is_volatile);
            if column.generated.is_some() || column.identity.is_some() || volatile {
                hazards.push(Hazard::RewritesTable);
            }
            if !column.nullable && !column.has_database_value() {
                hazards.push(Hazard::MayFailOnData);
            }
            let step = Step::new(
                Phase::AddColumn,
                sql!("{} ADD COLUMN {}", alter_table(table), render::column_definition(column)),
                format!("add column {table}.{}", column.name),
            )
            .hazards(&hazards)
            .requires([rel(table)])
            .requires(type_keys(&column.ty))
            .requires(default_keys(column.default.as_deref()))
            .requires(default_keys(column.generated.as_deref()))
            .creates([col(table, &column.name)])
            .creates(identity_sequence(table, column));
            vec![step]
        }
        Change::DropColumn { table, column } => {
            let mut step = Step::new(
                Phase::DropColumn,
                sql!("{} DROP COLUMN {}", alter_table(table), Ident::new(&column.name)),
                format!("drop column {table}.{}", column.name),
            )
            .hazards(&[Hazard::DeletesData, Hazard::BreaksClients, LOCK])
            .requires([rel(table)])
            .requires(type_keys(&column.ty))
            .requires(default_keys(column.default.as_deref()))
            .requires(default_keys(column.generated.as_deref()))
            .drops([col(table, &column.name)])
            .drops(identity_sequence(table, column));
            if column.generated.is_some() {
                // A generated column's values are computed from the others; nothing is lost.
                step.hazards.remove(&Hazard::DeletesData);
            } else {
                step.measure = Some(Measure::NonNull { table: table.clone(), column: column.name.clone() });
            }
            step.affects.push((table.clone(), Some(column.name.clone())));
            vec![step]
        }
        Change::RenameColumn { table, from, to } => {
            let mut step = Step::new(
                Phase::RenameInTable,
                sql!("{} RENAME COLUMN {} TO {}", alter_table(table), Ident::new(from), Ident::new(to)),
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
        Change::AlterColumnType { table, column, from, to, collation, old_default, default } => {
            let mut out = Vec::new();
            let column_key = col(table, column);
            if old_default.is_some() {
                out.push(
                    Step::new(
                        Phase::AlterColumnType,
                        sql!("{} ALTER COLUMN {} DROP DEFAULT", alter_table(table), Ident::new(column)),
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
                    sql!(" USING {}", super::cast(column, &from_base, &target))
                }
                Some(_) => Sql::default(),
                None if casts::assignment_cast(&from_base, to) => Sql::default(),
                None => sql!(" USING {}", super::cast(column, &from_base, to)),
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
            let collate = collation.as_ref().map(|c| sql!(" COLLATE {}", Ident::new(c)));
            let mut step = Step::new(
                Phase::AlterColumnType,
                sql!("{} ALTER COLUMN {} TYPE {}{}{}", alter_table(table), Ident::new(column), to, collate, using),
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
                        sql!(
                            "{} ALTER COLUMN {} SET DEFAULT {}",
                            alter_table(table),
                            Ident::new(column),
                            Printed::new(default)
                        ),
                        format!("set default of {table}.{column}"),
                    )
                    .hazards(&[LOCK])
                    .requires([rel(table)])
                    .requires(default_keys(Some(default))),
                );
            }
            out
        }
        Change::SetNotNull { table, column } => set_not_null(table, column, cx),
        Change::DropNotNull { table, column } => {
            let mut step = alter_column(
                table,
                column,
                Phase::NotNull,
                sql!("DROP NOT NULL"),
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
        Change::SetDefault { table, column, default } => {
            let old = cx.current.table(&table.schema, &table.name).and_then(|t| t.column(column));
            vec![
                alter_column(
                    table,
                    column,
                    Phase::SetDefault,
                    sql!("SET DEFAULT {}", Printed::new(default)),
                    format!("set default of {table}.{column}"),
                    &[LOCK],
                )
                .requires(default_keys(Some(default)))
                .uses_old(replaced_keys(old.and_then(|c| c.default.as_deref()), default)),
            ]
        }
        Change::DropDefault { table, column } => {
            let old = cx.current.table(&table.schema, &table.name).and_then(|t| t.column(column));
            let mut step = alter_column(
                table,
                column,
                Phase::SetDefault,
                sql!("DROP DEFAULT"),
                format!("drop default of {table}.{column}"),
                &[LOCK],
            );
            // Dropping a default can free a sequence: do it while the sequence still exists.
            step.uses_old.extend(default_keys(old.and_then(|c| c.default.as_deref())));
            vec![step]
        }
        Change::AddIdentity { table, column, identity } => vec![
            alter_column(
                table,
                column,
                Phase::Identity,
                sql!("ADD {}", render::identity_clause(identity)),
                format!("make {table}.{column} an identity column"),
                &[LOCK],
            )
            .creates([identity_sequence_key(table, column)]),
        ],
        Change::DropIdentity { table, column } => {
            // The sequence goes with the identity: numbering the column again starts over, at ids that
            // rows already hold.
            let mut step = alter_column(
                table,
                column,
                Phase::DropIdentity,
                sql!("DROP IDENTITY"),
                format!("drop identity of {table}.{column}"),
                &[Hazard::DeletesData, LOCK],
            )
            .drops([identity_sequence_key(table, column)])
            .teardown_off();
            step.measure = Some(Measure::Identity { table: table.clone(), column: column.clone() });
            vec![step]
        }
        Change::SetIdentityGeneration { table, column, generation } => {
            let g = match generation {
                keel_core::IdentityGeneration::Always => "ALWAYS",
                keel_core::IdentityGeneration::ByDefault => "BY DEFAULT",
            };
            vec![alter_column(
                table,
                column,
                Phase::Identity,
                sql!("SET GENERATED {}", Keyword(g)),
                format!("set identity generation of {table}.{column}"),
                &[LOCK],
            )]
        }
        Change::SetIdentityOptions { table, column, ty, options, restart } => {
            let qualified = Name::new(table).to_string();
            let target = sql!("pg_get_serial_sequence({}, {})", Literal::new(&qualified), Literal::new(column));
            let mut clauses = options.alter_clauses(ty);
            let mut out = restart_steps(*restart, &target, &mut clauses, &format!("identity {table}.{column}"));
            let sets =
                clauses.iter().map(|c| if c == "RESTART" { sql!("RESTART") } else { sql!("SET {}", Printed::new(c)) });
            let restarts = *restart == SequenceRestart::Restart;
            let hazards: &[Hazard] =
                if restarts { &[LOCK, Hazard::DeletesData, Hazard::MayFailOnData] } else { &[LOCK] };
            let summary = format!("alter identity sequence of {table}.{column}");
            let mut step = alter_column(table, column, Phase::Identity, Sql::join(sets, " "), summary, hazards);
            if restarts {
                // Like a dropped identity: the restart may hand out again ids that rows hold.
                step.measure = Some(Measure::Identity { table: table.clone(), column: column.clone() });
            }
            out.push(step);
            out
        }
        Change::DropExpression { table, column } => vec![alter_column(
            table,
            column,
            Phase::DropExpression,
            sql!("DROP EXPRESSION"),
            format!("make generated column {table}.{column} a plain column"),
            &[LOCK],
        )],
        Change::CommentColumn { table, column, comment } => vec![
            Step::new(
                Phase::Comment,
                render::comment_on("COLUMN", render::column_target(table, column), comment.as_ref()),
                format!("comment on column {table}.{column}"),
            )
            .requires([rel(table), col(table, column)]),
        ],
        _ => unreachable!("steps() sends only column changes here"),
    }
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
