//! Each change as the statements that carry it out, with what each statement needs, creates and drops
//! (the planner's ordering input), its hazards, and how to measure the data it would delete.

use super::Measure;
use crate::change::{Change, Constraint, SequenceRestart, ValuePosition};
use crate::hazard::{self, Hazard};
use crate::render::{self, qualified};
use keel_core::model::{ColumnType, KeyExpression, QualifiedName, Schema};
use keel_core::sql::{quote_ident, quote_literal};
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
    pub rank: u32,
    pub requires: Vec<Key>,
    pub creates: Vec<Key>,
    pub drops: Vec<Key>,
    /// Objects changed in place (a column's type): after what creates them, before teardown that needs
    /// their old form, before new-state work that needs their new form.
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
    fn new(rank: u32, sql: String, summary: String) -> Step {
        Step { sql, summary, rank, transactional: true, ..Step::default() }
    }

    fn hazards(mut self, hazards: &[Hazard]) -> Step {
        self.hazards.extend(hazards.iter().copied());
        self
    }

    fn requires(mut self, keys: impl IntoIterator<Item = Key>) -> Step {
        self.requires.extend(keys);
        self
    }

    fn creates(mut self, keys: impl IntoIterator<Item = Key>) -> Step {
        self.creates.extend(keys);
        self
    }

    fn modifies(mut self, keys: impl IntoIterator<Item = Key>) -> Step {
        self.modifies.extend(keys);
        self
    }

    fn uses_old(mut self, keys: impl IntoIterator<Item = Key>) -> Step {
        self.uses_old.extend(keys);
        self
    }

    fn drops(mut self, keys: impl IntoIterator<Item = Key>) -> Step {
        self.drops.extend(keys);
        self.teardown = true;
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

const LOCK: Hazard = Hazard::AccessExclusiveLock;

fn col(table: &QualifiedName, column: &str) -> Key {
    Key::Column(table.clone(), column.to_string())
}

fn rel(table: &QualifiedName) -> Key {
    Key::Relation(table.clone())
}

fn unique_key(table: &QualifiedName, columns: &[String]) -> Key {
    let mut sorted = columns.to_vec();
    sorted.sort();
    Key::Unique(table.clone(), sorted)
}

/// The enum (or other named type) a column type needs.
fn type_keys(ty: &ColumnType) -> Vec<Key> {
    match ty.scalar() {
        ColumnType::Named { schema, name } => vec![Key::Type(QualifiedName::new(schema, name))],
        _ => Vec::new(),
    }
}

/// Sequences a default expression uses: `nextval('seq'::regclass)`.
fn sequence_keys(default: Option<&str>) -> Vec<Key> {
    let Some(default) = default else { return Vec::new() };
    let mut out = Vec::new();
    let mut rest = default;
    while let Some(at) = rest.find("nextval('") {
        rest = &rest[at + "nextval('".len()..];
        let Some(end) = rest.find("'::regclass") else { break };
        let name = rest[..end].replace("''", "'");
        out.push(Key::Relation(parse_relation_name(&name)));
        rest = &rest[end..];
    }
    out
}

/// `schema.name`, `"My Schema"."My Seq"` or `name` (in `public`) as PostgreSQL prints a regclass.
fn parse_relation_name(text: &str) -> QualifiedName {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                current.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            '.' if !quoted => parts.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    parts.push(current);
    match parts.as_slice() {
        [schema, name] => QualifiedName::new(schema, name),
        _ => QualifiedName::new(keel_core::DEFAULT_SCHEMA, parts.concat()),
    }
}

fn column_sql(table: &QualifiedName, column: &str) -> String {
    format!("{}.{}", qualified(table), quote_ident(column))
}

fn alter_table(table: &QualifiedName) -> String {
    format!("ALTER TABLE {}", qualified(table))
}

/// `USING` expression that casts a column to a new type. Enums cast through text.
fn using(column: &str, from: &ColumnType, to: &ColumnType) -> String {
    let through_text =
        matches!(from.scalar(), ColumnType::Named { .. }) || matches!(to.scalar(), ColumnType::Named { .. });
    let text = if matches!(from, ColumnType::Array { .. }) { "text[]" } else { "text" };
    if through_text && from.scalar() != &ColumnType::Text {
        format!("{}::{text}::{to}", quote_ident(column))
    } else {
        format!("{}::{to}", quote_ident(column))
    }
}

/// The statements of one change, in the order they must run.
pub(crate) fn steps(change: &Change, cx: &Context) -> Vec<Step> {
    match change {
        Change::CreateSchema { name } => {
            vec![
                Step::new(
                    0,
                    format!("CREATE SCHEMA IF NOT EXISTS {}", quote_ident(name)),
                    format!("create schema {name}"),
                )
                .creates([Key::Schema(name.clone())]),
            ]
        }
        Change::DropSchema { name } => {
            let mut step = Step::new(290, format!("DROP SCHEMA {}", quote_ident(name)), format!("drop schema {name}"))
                .hazards(&[Hazard::BreaksClients])
                .drops([Key::Schema(name.clone())]);
            step.drops_schema = Some(name.clone());
            vec![step]
        }
        Change::CommentSchema { name, comment } => vec![
            Step::new(
                190,
                render::comment_on("SCHEMA", &quote_ident(name), comment.as_ref()),
                format!("comment on schema {name}"),
            )
            .requires([Key::Schema(name.clone())]),
        ],

        Change::CreateExtension { name, schema } => vec![
            Step::new(10, render::create_extension(name, schema), format!("create extension {name}"))
                .requires([Key::Schema(schema.clone())])
                .creates([Key::Extension(name.clone())]),
        ],
        Change::DropExtension { name } => vec![
            Step::new(280, format!("DROP EXTENSION {}", quote_ident(name)), format!("drop extension {name}"))
                .hazards(&[Hazard::BreaksClients])
                .drops([Key::Extension(name.clone())]),
        ],
        Change::MoveExtension { name, schema } => vec![
            Step::new(
                10,
                format!("ALTER EXTENSION {} SET SCHEMA {}", quote_ident(name), quote_ident(schema)),
                format!("move extension {name} to schema {schema}"),
            )
            .hazards(&[Hazard::BreaksClients])
            .requires([Key::Schema(schema.clone())]),
        ],

        Change::CreateEnum { name, values } => {
            let e = keel_core::Enum { values: values.clone(), ..Default::default() };
            vec![
                Step::new(20, render::create_enum(name, &e).remove(0), format!("create type {name}"))
                    .requires([Key::Schema(name.schema.clone())])
                    .creates([Key::Type(name.clone())]),
            ]
        }
        Change::DropEnum { name } => vec![
            Step::new(270, format!("DROP TYPE {}", qualified(name)), format!("drop type {name}"))
                .hazards(&[Hazard::BreaksClients])
                .drops([Key::Type(name.clone())]),
        ],
        Change::RenameEnum { from, to } => vec![
            Step::new(
                20,
                format!("ALTER TYPE {} RENAME TO {}", qualified(from), quote_ident(to)),
                format!("rename type {from} to {to}"),
            )
            .hazards(&[Hazard::BreaksClients])
            .drops([Key::Type(from.clone())])
            .creates([Key::Type(QualifiedName::new(&from.schema, to))])
            .teardown_off(),
        ],
        Change::AddEnumValue { name, value, position } => {
            let place = match position {
                Some(ValuePosition::Before(v)) => format!(" BEFORE {}", quote_literal(v)),
                Some(ValuePosition::After(v)) => format!(" AFTER {}", quote_literal(v)),
                None => String::new(),
            };
            let mut step = Step::new(
                30,
                format!("ALTER TYPE {} ADD VALUE {}{place}", qualified(name), quote_literal(value)),
                format!("add value {value} to type {name}"),
            )
            .requires([Key::Type(name.clone())]);
            step.commit_after = true;
            vec![step]
        }
        Change::RenameEnumValue { name, from, to } => vec![
            Step::new(
                20,
                format!("ALTER TYPE {} RENAME VALUE {} TO {}", qualified(name), quote_literal(from), quote_literal(to)),
                format!("rename value {from} of type {name} to {to}"),
            )
            .hazards(&[Hazard::BreaksClients])
            .requires([Key::Type(name.clone())]),
        ],
        Change::RecreateEnum { name, values, removed, usages, comment } => {
            let mut steps = recreate_enum(name, values, removed, usages);
            if comment.is_some() {
                let sql = render::comment_on("TYPE", &qualified(name), comment.as_ref());
                steps.push(Step::new(190, sql, format!("comment on type {name}")).requires([Key::Type(name.clone())]));
            }
            steps
        }
        Change::CommentEnum { name, comment } => vec![
            Step::new(
                190,
                render::comment_on("TYPE", &qualified(name), comment.as_ref()),
                format!("comment on type {name}"),
            )
            .requires([Key::Type(name.clone())]),
        ],

        Change::CreateSequence { name, sequence } => vec![
            Step::new(40, render::create_sequence(name, sequence), format!("create sequence {name}"))
                .requires([Key::Schema(name.schema.clone())])
                .creates([rel(name)]),
        ],
        Change::DropSequence { name } => vec![
            Step::new(260, format!("DROP SEQUENCE {}", qualified(name)), format!("drop sequence {name}"))
                .hazards(&[Hazard::BreaksClients])
                .drops([rel(name)]),
        ],
        Change::AlterSequence { name, data_type, options, restart } => {
            let target = quote_literal(&qualified(name));
            let mut clauses = options.alter_clauses(data_type);
            let mut out = restart_steps(*restart, &target, &mut clauses, &format!("sequence {name}"));
            out.push(
                Step::new(
                    40,
                    format!("ALTER SEQUENCE {} AS {data_type} {}", qualified(name), clauses.join(" ")),
                    format!("alter sequence {name}"),
                )
                .hazards(if *restart == SequenceRestart::Restart { &[Hazard::MayFailOnData] } else { &[] })
                .requires([rel(name)]),
            );
            out
        }
        Change::SetSequenceOwner { name, owner } => {
            let sql = render::sequence_owned_by(name, owner.as_ref());
            match owner {
                Some(owner) => {
                    let table = QualifiedName::new(&name.schema, &owner.table);
                    vec![Step::new(150, sql, format!("set owner of sequence {name}")).requires([
                        rel(name),
                        rel(&table),
                        col(&table, &owner.column),
                    ])]
                }
                None => {
                    let old = cx.current.schemas.get(&name.schema).and_then(|ns| ns.sequences.get(&name.name));
                    let old_owner = old.and_then(|s| s.owned_by.clone());
                    let mut step = Step::new(230, sql, format!("unset owner of sequence {name}")).requires([rel(name)]);
                    if let Some(o) = old_owner {
                        step.uses_old.push(col(&QualifiedName::new(&name.schema, &o.table), &o.column));
                    }
                    vec![step]
                }
            }
        }
        Change::CommentSequence { name, comment } => vec![
            Step::new(
                190,
                render::comment_on("SEQUENCE", &qualified(name), comment.as_ref()),
                format!("comment on sequence {name}"),
            )
            .requires([rel(name)]),
        ],

        Change::CreateTable { name, table } => {
            let mut step = Step::new(70, render::create_table(name, table), format!("create table {name}"))
                .requires([Key::Schema(name.schema.clone())])
                .creates([rel(name)]);
            for column in &table.columns {
                step.requires.extend(type_keys(&column.ty));
                step.requires.extend(sequence_keys(column.default.as_deref()));
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
            for check in table.checks.keys() {
                step.creates.push(Key::Constraint(name.clone(), check.clone()));
            }
            vec![step]
        }
        Change::DropTable { name, table } => {
            let mut step = Step::new(250, format!("DROP TABLE {}", qualified(name)), format!("drop table {name}"))
                .hazards(&[Hazard::DeletesData, Hazard::BreaksClients, LOCK])
                .drops([rel(name)]);
            for column in &table.columns {
                step.requires.extend(type_keys(&column.ty));
                step.requires.extend(sequence_keys(column.default.as_deref()));
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
            step.measure = Some(Measure::Rows { table: name.clone() });
            step.affects.push((name.clone(), None));
            vec![step]
        }
        Change::RenameTable { from, to } => {
            let new = QualifiedName::new(&from.schema, to);
            let mut step = Step::new(
                50,
                format!("{} RENAME TO {}", alter_table(from), quote_ident(to)),
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
                190,
                render::comment_on("TABLE", &qualified(name), comment.as_ref()),
                format!("comment on table {name}"),
            )
            .requires([rel(name)]),
        ],

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
                90,
                format!("{} ADD COLUMN {}", alter_table(table), render::column_definition(column)),
                format!("add column {table}.{}", column.name),
            )
            .hazards(&hazards)
            .requires([rel(table)])
            .requires(type_keys(&column.ty))
            .requires(sequence_keys(column.default.as_deref()))
            .creates([col(table, &column.name)])
            .creates(identity_sequence(table, column));
            vec![step]
        }
        Change::DropColumn { table, column } => {
            let mut step = Step::new(
                240,
                format!("{} DROP COLUMN {}", alter_table(table), quote_ident(&column.name)),
                format!("drop column {table}.{}", column.name),
            )
            .hazards(&[Hazard::DeletesData, Hazard::BreaksClients, LOCK])
            .requires([rel(table)])
            .requires(type_keys(&column.ty))
            .requires(sequence_keys(column.default.as_deref()))
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
                60,
                format!("{} RENAME COLUMN {} TO {}", alter_table(table), quote_ident(from), quote_ident(to)),
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
                        110,
                        format!("{} ALTER COLUMN {} DROP DEFAULT", alter_table(table), quote_ident(column)),
                        format!("drop default of {table}.{column} for its type change"),
                    )
                    .hazards(&[LOCK])
                    .requires([rel(table)]),
                );
            }
            let (rewrites, may_fail) = hazard::type_change(from, to);
            let mut hazards = vec![LOCK];
            if rewrites {
                hazards.push(Hazard::RewritesTable);
            }
            if may_fail {
                hazards.push(Hazard::MayFailOnData);
            }
            let collate = collation.as_ref().map(|c| format!(" COLLATE {}", quote_ident(c))).unwrap_or_default();
            let mut step = Step::new(
                110,
                format!(
                    "{} ALTER COLUMN {} TYPE {to}{collate} USING {}",
                    alter_table(table),
                    quote_ident(column),
                    using(column, from, to)
                ),
                format!("change type of {table}.{column} from {from} to {to}"),
            )
            .hazards(&hazards)
            .requires([rel(table)])
            .requires(type_keys(to))
            .uses_old(type_keys(from))
            .modifies([column_key.clone()]);
            step.affects.push((table.clone(), Some(column.clone())));
            out.push(step);
            if let Some(default) = default {
                out.push(
                    Step::new(
                        110,
                        format!("{} ALTER COLUMN {} SET DEFAULT {default}", alter_table(table), quote_ident(column)),
                        format!("set default of {table}.{column}"),
                    )
                    .hazards(&[LOCK])
                    .requires([rel(table)])
                    .requires(sequence_keys(Some(default))),
                );
            }
            out
        }
        Change::SetNotNull { table, column } => set_not_null(table, column, cx),
        Change::DropNotNull { table, column } => {
            let mut step =
                alter_column(table, column, 130, "DROP NOT NULL", format!("allow nulls in {table}.{column}"), &[LOCK]);
            if let Some(pk) = cx.current.table(&table.schema, &table.name).and_then(|t| t.primary_key.as_ref())
                && pk.columns.contains(column)
            {
                step.after_drops.push(Key::Constraint(table.clone(), pk.name.clone()));
            }
            vec![step]
        }
        Change::SetDefault { table, column, default } => {
            vec![
                alter_column(
                    table,
                    column,
                    120,
                    &format!("SET DEFAULT {default}"),
                    format!("set default of {table}.{column}"),
                    &[LOCK],
                )
                .requires(sequence_keys(Some(default))),
            ]
        }
        Change::DropDefault { table, column } => {
            let old = cx.current.table(&table.schema, &table.name).and_then(|t| t.column(column));
            let mut step =
                alter_column(table, column, 120, "DROP DEFAULT", format!("drop default of {table}.{column}"), &[LOCK]);
            // Dropping a default can free a sequence: do it while the sequence still exists.
            step.uses_old.extend(sequence_keys(old.and_then(|c| c.default.as_deref())));
            vec![step]
        }
        Change::AddIdentity { table, column, identity } => vec![
            alter_column(
                table,
                column,
                140,
                &format!("ADD {}", render::identity_clause(identity)),
                format!("make {table}.{column} an identity column"),
                &[LOCK],
            )
            .creates([identity_sequence_key(table, column)]),
        ],
        Change::DropIdentity { table, column } => {
            vec![
                alter_column(
                    table,
                    column,
                    115,
                    "DROP IDENTITY",
                    format!("drop identity of {table}.{column}"),
                    &[LOCK],
                )
                .drops([identity_sequence_key(table, column)])
                .teardown_off(),
            ]
        }
        Change::SetIdentityGeneration { table, column, generation } => {
            let g = match generation {
                keel_core::IdentityGeneration::Always => "ALWAYS",
                keel_core::IdentityGeneration::ByDefault => "BY DEFAULT",
            };
            vec![alter_column(
                table,
                column,
                140,
                &format!("SET GENERATED {g}"),
                format!("set identity generation of {table}.{column}"),
                &[LOCK],
            )]
        }
        Change::SetIdentityOptions { table, column, ty, options, restart } => {
            let target =
                format!("pg_get_serial_sequence({}, {})", quote_literal(&qualified(table)), quote_literal(column));
            let mut clauses = options.alter_clauses(ty);
            let mut out = restart_steps(*restart, &target, &mut clauses, &format!("identity {table}.{column}"));
            let sets = clauses.into_iter().map(|c| if c == "RESTART" { c } else { format!("SET {c}") });
            let restarts = *restart == SequenceRestart::Restart;
            let hazards: &[Hazard] = if restarts { &[LOCK, Hazard::MayFailOnData] } else { &[LOCK] };
            let summary = format!("alter identity sequence of {table}.{column}");
            out.push(alter_column(table, column, 140, &sets.collect::<Vec<_>>().join(" "), summary, hazards));
            out
        }
        Change::DropExpression { table, column } => vec![alter_column(
            table,
            column,
            80,
            "DROP EXPRESSION",
            format!("make generated column {table}.{column} a plain column"),
            &[LOCK],
        )],
        Change::CommentColumn { table, column, comment } => vec![
            Step::new(
                190,
                render::comment_on("COLUMN", &column_sql(table, column), comment.as_ref()),
                format!("comment on column {table}.{column}"),
            )
            .requires([rel(table), col(table, column)]),
        ],

        Change::AddConstraint { table, name, constraint } => {
            let mentioned = mentioned_columns(cx.desired, table, &constraint_expressions(constraint));
            let mut steps = add_constraint(table, name, constraint, cx);
            for step in &mut steps {
                step.requires.extend(mentioned.iter().cloned());
            }
            steps
        }
        Change::DropConstraint { table, name, constraint } => {
            let mut step = drop_constraint(table, name, constraint);
            step.requires.extend(mentioned_columns(cx.current, table, &constraint_expressions(constraint)));
            vec![step]
        }

        Change::CreateIndex { table, name, index } => {
            let online = cx.online && !cx.new_tables.contains(table);
            let mut hazards = vec![Hazard::IndexBuild];
            if index.unique {
                hazards.push(Hazard::MayFailOnData);
            }
            let mut step = Step::new(
                170,
                render::create_index_with(table, name, index, online),
                format!("create index {name} on {table}"),
            )
            .hazards(&hazards)
            .requires([rel(table)])
            .requires(index_column_keys(table, index))
            .requires(mentioned_columns(cx.desired, table, &index_expressions(index)))
            .creates([Key::Relation(QualifiedName::new(&table.schema, name))]);
            if let Some(columns) = unique_index_columns(index) {
                step.creates.push(unique_key(table, &columns));
            }
            step.transactional = !online;
            vec![step]
        }
        Change::DropIndex { table, name, index } => {
            let online = cx.online;
            let mut step = Step::new(
                210,
                format!(
                    "DROP INDEX {}{}",
                    if online { "CONCURRENTLY " } else { "" },
                    qualified(&QualifiedName::new(&table.schema, name))
                ),
                format!("drop index {name} on {table}"),
            )
            .requires([rel(table)])
            .requires(index_column_keys(table, index))
            .requires(mentioned_columns(cx.current, table, &index_expressions(index)))
            .drops([Key::Relation(QualifiedName::new(&table.schema, name))]);
            if !online {
                step.hazards.insert(LOCK);
            }
            if let Some(columns) = unique_index_columns(index) {
                step.drops.push(unique_key(table, &columns));
            }
            step.transactional = !online;
            vec![step]
        }
        Change::RenameConstraint { table, from, to } => {
            let owns_index = cx.current.table(&table.schema, &table.name).is_some_and(|t| {
                t.primary_key.as_ref().is_some_and(|pk| pk.name == *from)
                    || t.unique_constraints.contains_key(from)
                    || t.exclusions.contains_key(from)
            });
            let mut step = Step::new(
                60,
                format!("{} RENAME CONSTRAINT {} TO {}", alter_table(table), quote_ident(from), quote_ident(to)),
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
        Change::RenameSequence { from, to } => vec![
            Step::new(
                45,
                format!("ALTER SEQUENCE {} RENAME TO {}", qualified(from), quote_ident(to)),
                format!("rename sequence {from} to {to}"),
            )
            .hazards(&[Hazard::BreaksClients])
            .drops([rel(from)])
            .creates([rel(&QualifiedName::new(&from.schema, to))])
            .teardown_off(),
        ],
        Change::RenameIndex { table, from, to } => vec![
            Step::new(
                60,
                format!(
                    "ALTER INDEX {} RENAME TO {}",
                    qualified(&QualifiedName::new(&table.schema, from)),
                    quote_ident(to)
                ),
                format!("rename index {from} on {table} to {to}"),
            )
            .requires([rel(table)])
            .drops([Key::Relation(QualifiedName::new(&table.schema, from))])
            .creates([Key::Relation(QualifiedName::new(&table.schema, to))])
            .teardown_off(),
        ],
    }
}

impl Step {
    /// For statements that replace one name by another: they are not teardown, whatever they drop.
    fn teardown_off(mut self) -> Step {
        self.teardown = false;
        self
    }
}

/// Before options that shrink a sequence's range: move the current value into the overlap of the old and
/// new ranges when it lies outside (inside, it stays: no id is handed out twice). A restart is a clause.
/// `target` is SQL that yields the sequence's regclass.
fn restart_steps(restart: SequenceRestart, target: &str, clauses: &mut Vec<String>, what: &str) -> Vec<Step> {
    match restart {
        SequenceRestart::Keep => Vec::new(),
        SequenceRestart::Restart => {
            clauses.push("RESTART".to_string());
            Vec::new()
        }
        SequenceRestart::Clamp { min, max } => {
            let sql = format!(
                "SELECT setval(s.seq, GREATEST({min}, LEAST({max}, COALESCE(s.last_value, s.start_value))), \
                 s.last_value IS NOT NULL) \
                 FROM (SELECT format('%I.%I', schemaname, sequencename)::regclass AS seq, last_value, start_value \
                 FROM pg_sequences) s \
                 WHERE s.seq = {target}::regclass \
                 AND COALESCE(s.last_value, s.start_value) NOT BETWEEN {min} AND {max}"
            );
            vec![Step::new(40, sql, format!("move the current value of {what} into its new range"))]
        }
    }
}

/// The sequence PostgreSQL creates for an identity column (`{table}_{column}_seq`), which takes that name
/// in the schema's relation namespace.
fn identity_sequence_key(table: &QualifiedName, column: &str) -> Key {
    Key::Relation(QualifiedName::new(&table.schema, keel_core::naming::object_name(&table.name, Some(column), "seq")))
}

fn identity_sequence(table: &QualifiedName, column: &keel_core::Column) -> Option<Key> {
    column.identity.as_ref().map(|_| identity_sequence_key(table, &column.name))
}

/// Columns of `table` (as `schema` has it) that SQL expressions mention: a check or an index expression
/// must be dropped before such a column changes and created after.
fn mentioned_columns(schema: &Schema, table: &QualifiedName, expressions: &[&str]) -> Vec<Key> {
    let Some(t) = schema.table(&table.schema, &table.name) else { return Vec::new() };
    t.columns
        .iter()
        .filter(|c| expressions.iter().any(|e| crate::diff::mentions(e, &c.name)))
        .map(|c| col(table, &c.name))
        .collect()
}

fn index_expressions(index: &keel_core::Index) -> Vec<&str> {
    let mut out: Vec<&str> = index
        .keys
        .iter()
        .filter_map(|k| match &k.on {
            KeyExpression::Expression(sql) => Some(sql.as_str()),
            KeyExpression::Column(_) => None,
        })
        .collect();
    out.extend(index.predicate.as_deref());
    out
}

fn constraint_expressions(constraint: &Constraint) -> Vec<&str> {
    match constraint {
        Constraint::Check(c) => vec![c.expression.as_str()],
        Constraint::Exclusion(x) => {
            let mut out: Vec<&str> = x
                .elements
                .iter()
                .filter_map(|e| match &e.key.on {
                    KeyExpression::Expression(sql) => Some(sql.as_str()),
                    KeyExpression::Column(_) => None,
                })
                .collect();
            out.extend(x.predicate.as_deref());
            out
        }
        _ => Vec::new(),
    }
}

fn alter_column(
    table: &QualifiedName,
    column: &str,
    rank: u32,
    action: &str,
    summary: String,
    hazards: &[Hazard],
) -> Step {
    Step::new(rank, format!("{} ALTER COLUMN {} {action}", alter_table(table), quote_ident(column)), summary)
        .hazards(hazards)
        .requires([rel(table), col(table, column)])
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

/// Constraints that own an index (primary key, unique, exclusion), with their columns when they are
/// unique over plain columns.
fn owned_constraints(t: &keel_core::model::Table) -> Vec<(String, Option<Vec<String>>)> {
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

fn index_column_keys(table: &QualifiedName, index: &keel_core::Index) -> Vec<Key> {
    let keys = index.keys.iter().filter_map(|k| match &k.on {
        KeyExpression::Column(c) => Some(col(table, c)),
        KeyExpression::Expression(_) => None,
    });
    keys.chain(index.include.iter().map(|c| col(table, c))).collect()
}

/// The columns of a unique index a foreign key could use: plain columns, no predicate.
fn unique_index_columns(index: &keel_core::Index) -> Option<Vec<String>> {
    if !index.unique || index.predicate.is_some() {
        return None;
    }
    index
        .keys
        .iter()
        .map(|k| match &k.on {
            KeyExpression::Column(c) => Some(c.clone()),
            KeyExpression::Expression(_) => None,
        })
        .collect()
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
        Constraint::Exclusion(x) => x
            .elements
            .iter()
            .filter_map(|e| match &e.key.on {
                KeyExpression::Column(c) => Some(col(table, c)),
                KeyExpression::Expression(_) => None,
            })
            .chain(x.include.iter().map(|c| col(table, c)))
            .collect(),
    }
}

/// The `ADD CONSTRAINT` body: `PRIMARY KEY (..)`, `CHECK (..)`, ...
fn constraint_body(constraint: &Constraint) -> String {
    match constraint {
        Constraint::PrimaryKey(pk) => render::primary_key_clause(pk),
        Constraint::Unique(u) => render::unique_clause(u),
        Constraint::Check(c) => format!("CHECK ({})", c.expression),
        Constraint::ForeignKey(fk) => render::foreign_key_clause(fk),
        Constraint::Exclusion(x) => render::exclusion_clause(x),
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

fn add_constraint(table: &QualifiedName, name: &str, constraint: &Constraint, cx: &Context) -> Vec<Step> {
    let existing_table = !cx.new_tables.contains(table);
    let online = cx.online && existing_table;
    let kind = constraint_kind(constraint);
    let summary = format!("add {kind} {name} on {table}");
    let base = |rank: u32, sql: String, summary: String| {
        Step::new(rank, sql, summary).requires([rel(table)]).requires(constraint_columns(table, constraint))
    };
    let constraint_key = Key::Constraint(table.clone(), name.to_string());
    let index_key = Key::Relation(QualifiedName::new(&table.schema, name));
    let add = format!("{} ADD CONSTRAINT {} {}", alter_table(table), quote_ident(name), constraint_body(constraint));
    match constraint {
        Constraint::Check(_) | Constraint::ForeignKey(_) => {
            let rank = if matches!(constraint, Constraint::ForeignKey(_)) { 180 } else { 160 };
            let lock = if matches!(constraint, Constraint::Check(_)) { vec![LOCK] } else { Vec::new() };
            if !online {
                let mut hazards = lock;
                if existing_table {
                    hazards.push(Hazard::MayFailOnData);
                }
                return vec![base(rank, add, summary).hazards(&hazards).creates([constraint_key])];
            }
            vec![
                base(rank, format!("{add} NOT VALID"), format!("{summary} (not valid yet)"))
                    .hazards(&lock)
                    .creates([constraint_key.clone()]),
                base(
                    rank,
                    format!("{} VALIDATE CONSTRAINT {}", alter_table(table), quote_ident(name)),
                    format!("validate {kind} {name} on {table}"),
                )
                .hazards(&[Hazard::MayFailOnData])
                .requires([constraint_key]),
            ]
        }
        Constraint::PrimaryKey(_) | Constraint::Unique(_) => {
            let columns = match constraint {
                Constraint::PrimaryKey(pk) => pk.columns.clone(),
                Constraint::Unique(u) => u.columns.clone(),
                _ => unreachable!("matched above"),
            };
            let creates = [constraint_key.clone(), index_key.clone(), unique_key(table, &columns)];
            if !online {
                let mut hazards = vec![LOCK, Hazard::IndexBuild];
                if existing_table {
                    hazards.push(Hazard::MayFailOnData);
                }
                return vec![base(150, add, summary).hazards(&hazards).creates(creates)];
            }
            let nulls_not_distinct = matches!(constraint, Constraint::Unique(u) if u.nulls_not_distinct);
            let index = keel_core::Index {
                unique: true,
                nulls_not_distinct,
                ..keel_core::Index::on_columns(columns.iter().cloned())
            };
            let mut build = base(
                150,
                render::create_index_with(table, name, &index, true),
                format!("build the unique index for {kind} {name} on {table}"),
            )
            .hazards(&[Hazard::IndexBuild, Hazard::MayFailOnData])
            .creates([index_key]);
            build.transactional = false;
            let (using, deferrable) = match constraint {
                Constraint::PrimaryKey(pk) => ("PRIMARY KEY", pk.deferrable),
                Constraint::Unique(u) => ("UNIQUE", u.deferrable),
                _ => unreachable!("matched above"),
            };
            let attach = base(
                150,
                format!(
                    "{} ADD CONSTRAINT {} {using} USING INDEX {}{}",
                    alter_table(table),
                    quote_ident(name),
                    quote_ident(name),
                    render::deferrable_clause(deferrable)
                ),
                summary,
            )
            .hazards(&[LOCK])
            .creates([constraint_key, unique_key(table, &columns)]);
            vec![build, attach]
        }
        Constraint::Exclusion(_) => {
            let mut hazards = vec![LOCK, Hazard::IndexBuild];
            if existing_table {
                hazards.push(Hazard::MayFailOnData);
            }
            vec![base(160, add, summary).hazards(&hazards).creates([constraint_key, index_key])]
        }
    }
}

fn drop_constraint(table: &QualifiedName, name: &str, constraint: &Constraint) -> Step {
    let kind = constraint_kind(constraint);
    let rank = if matches!(constraint, Constraint::ForeignKey(_)) { 200 } else { 220 };
    let mut step = Step::new(
        rank,
        format!("{} DROP CONSTRAINT {}", alter_table(table), quote_ident(name)),
        format!("drop {kind} {name} on {table}"),
    )
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

/// `SET NOT NULL`; online, through a validated check so that the final step needs no scan under the lock.
fn set_not_null(table: &QualifiedName, column: &str, cx: &Context) -> Vec<Step> {
    let summary = format!("forbid nulls in {table}.{column}");
    if !cx.online || cx.new_tables.contains(table) {
        return vec![alter_column(table, column, 130, "SET NOT NULL", summary, &[LOCK, Hazard::MayFailOnData])];
    }
    let check = keel_core::naming::object_name(&table.name, Some(column), "not_null");
    let check_key = Key::Constraint(table.clone(), check.clone());
    vec![
        Step::new(
            130,
            format!(
                "{} ADD CONSTRAINT {} CHECK ({} IS NOT NULL) NOT VALID",
                alter_table(table),
                quote_ident(&check),
                quote_ident(column)
            ),
            format!("add not-null check {check} on {table} (not valid yet)"),
        )
        .hazards(&[LOCK])
        .requires([rel(table), col(table, column)])
        .creates([check_key.clone()]),
        Step::new(
            130,
            format!("{} VALIDATE CONSTRAINT {}", alter_table(table), quote_ident(&check)),
            format!("validate not-null check {check} on {table}"),
        )
        .hazards(&[Hazard::MayFailOnData])
        .requires([check_key.clone()]),
        alter_column(table, column, 130, "SET NOT NULL", summary, &[LOCK]).requires([check_key.clone()]),
        Step::new(
            130,
            format!("{} DROP CONSTRAINT {}", alter_table(table), quote_ident(&check)),
            format!("drop not-null check {check} on {table}"),
        )
        .hazards(&[LOCK])
        .requires([rel(table)]),
    ]
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
    let mut out = vec![
        Step::new(
            100,
            format!("ALTER TYPE {} RENAME TO {}", qualified(name), quote_ident(&old_name)),
            format!("rename type {name} to {old_name} to replace it"),
        )
        .drops([ty.clone()])
        .teardown_off(),
    ];
    let e = keel_core::Enum { values: values.to_vec(), ..Default::default() };
    out.push(
        Step::new(100, render::create_enum(name, &e).remove(0), format!("create type {name} with its new values"))
            .creates([ty.clone()]),
    );
    for usage in usages {
        let (table, column) = (&usage.table, &usage.column);
        let key = col(table, column);
        if usage.drop_default {
            out.push(
                Step::new(
                    100,
                    format!("{} ALTER COLUMN {} DROP DEFAULT", alter_table(table), quote_ident(column)),
                    format!("drop default of {table}.{column} for the cast"),
                )
                .hazards(&[LOCK])
                .requires([rel(table)]),
            );
        }
        let old_ty = usage.ty.clone().with_scalar(ColumnType::named(&old.schema, &old.name));
        let mut hazards = vec![LOCK, Hazard::RewritesTable];
        if !removed.is_empty() {
            hazards.push(Hazard::MayFailOnData);
        }
        let mut cast = Step::new(
            100,
            format!(
                "{} ALTER COLUMN {} TYPE {} USING {}",
                alter_table(table),
                quote_ident(column),
                usage.ty,
                using(column, &old_ty, &usage.ty)
            ),
            format!("cast {table}.{column} to the new {name}"),
        )
        .hazards(&hazards)
        .requires([rel(table), ty.clone()])
        .modifies([key.clone()]);
        if !removed.is_empty() {
            cast.measure =
                Some(Measure::Values { table: table.clone(), column: column.clone(), values: removed.to_vec() });
        }
        cast.affects.push((table.clone(), Some(column.clone())));
        out.push(cast);
        if let Some(default) = &usage.default {
            out.push(
                Step::new(
                    100,
                    format!("{} ALTER COLUMN {} SET DEFAULT {default}", alter_table(table), quote_ident(column)),
                    format!("restore default of {table}.{column}"),
                )
                .hazards(&[LOCK])
                .requires([rel(table), key]),
            );
        }
    }
    out.push(Step::new(100, format!("DROP TYPE {}", qualified(&old)), format!("drop the replaced type {old_name}")));
    out
}
