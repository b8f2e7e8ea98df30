//! The model as PostgreSQL DDL. Every identifier is quoted and every literal escaped here; expressions
//! (defaults, checks, predicates, generated columns) are SQL the schema's author wrote and go in as written.

use crate::kinds::{constraints, extensions, functions, indexes, policies, schemas, tables, triggers};
use crate::sql;
use crate::sql::{Ident, Keyword, Literal, Literals, Name, Printed, Sql};
use keel_core::model::{Enum, QualifiedName, Schema, Sequence};
use keel_core::model::{Partition, View};

/// `"schema"."name"`, as text (for statements built outside the planner: measures, locks).
pub fn qualified(name: &QualifiedName) -> String {
    Name::new(name).to_string()
}

/// Statements that create the whole schema in an empty database, in an order PostgreSQL accepts:
/// schemas, enums, functions, tables (with their own keys and checks), foreign keys (so cycles and self
/// references work), indexes, comments, triggers.
pub fn create_schema(schema: &Schema) -> Vec<String> {
    schema_statements(schema).into_iter().map(Sql::into_string).collect()
}

fn schema_statements(schema: &Schema) -> Vec<Sql> {
    let mut out = Vec::new();
    for (name, namespace) in &schema.schemas {
        if name != keel_core::DEFAULT_SCHEMA {
            out.push(schemas::sql::create(name));
        }
        if let Some(comment) = &namespace.comment {
            out.push(schemas::sql::comment(name, Some(comment)));
        }
    }
    for (name, extension) in &schema.extensions {
        out.push(extensions::sql::create(name, &extension.schema, extension.version.as_deref()));
    }
    for (name, e) in schema.enums() {
        out.extend(create_enum(&name, e));
    }
    out.extend(crate::render_types::create_types(schema));
    // Functions before the tables whose defaults and checks may call them.
    for (id, function) in schema.functions() {
        out.push(functions::sql::definition(function));
        if let Some(comment) = &function.comment {
            out.push(functions::sql::comment(&id, function.kind, Some(comment)));
        }
    }
    for (name, sequence) in schema.sequences() {
        out.push(create_sequence(&name, sequence));
        out.extend(sequence.comment.as_ref().map(|c| comment_on("SEQUENCE", &name, Some(c))));
    }
    for (name, table) in schema.tables() {
        out.push(tables::sql::create(&name, table));
        for (partition_name, partition) in &table.partitions {
            let partition_name = table.partition_name(&name, partition_name);
            out.push(create_partition(&name, &partition_name, partition));
            out.extend(partition.comment.as_ref().map(|c| comment_on("TABLE", &partition_name, Some(c))));
        }
    }
    for (name, sequence) in schema.sequences() {
        if let Some(owner) = &sequence.owned_by {
            out.push(sequence_owned_by(&name, Some(owner)));
        }
    }
    for (name, table) in schema.tables() {
        for (fk_name, fk) in &table.foreign_keys {
            out.push(constraints::sql::add_foreign_key(&name, fk_name, fk));
        }
    }
    for (name, table) in schema.tables() {
        for (index_name, index) in &table.indexes {
            out.push(indexes::sql::create_index(&name, index_name, index));
        }
    }
    out.extend(crate::kinds::statistics::create_all(schema));
    for (name, table) in schema.tables() {
        out.extend(tables::sql::comments(&name, table));
        out.extend(constraints::sql::comments(&name, table));
        out.extend(indexes::sql::comments(&name, &table.indexes));
    }
    for (name, view) in views_in_dependency_order(schema) {
        out.push(create_view(&name, view));
        for (index_name, index) in &view.indexes {
            out.push(indexes::sql::create_index(&name, index_name, index));
        }
        out.extend(indexes::sql::comments(&name, &view.indexes));
        out.extend(view.comment.as_ref().map(|c| comment_on(view.keyword(), &name, Some(c))));
    }
    for (name, table) in schema.tables() {
        for (trigger_name, trigger) in &table.triggers {
            out.push(triggers::sql::create(&name, trigger_name, trigger));
            if !trigger.enabled.is_origin() {
                out.push(triggers::sql::set_enabled(&name, trigger_name, trigger.enabled));
            }
            out.extend(trigger.comment.as_ref().map(|c| triggers::sql::comment(&name, trigger_name, Some(c))));
        }
    }
    // After every table: a policy may read others.
    for (name, table) in schema.tables() {
        out.extend(policies::sql::row_level_security(&name, table.row_level_security));
        for (policy_name, policy) in &table.policies {
            out.push(policies::sql::create(&name, policy_name, policy));
            out.extend(policy.comment.as_ref().map(|c| policies::sql::comment(&name, policy_name, Some(c))));
        }
    }
    out
}

/// `CREATE TABLE .. PARTITION OF .. FOR VALUES ..`.
pub fn create_partition(table: &QualifiedName, name: &QualifiedName, partition: &Partition) -> Sql {
    sql!("CREATE TABLE {} PARTITION OF {} {}", name, table, Printed::new(&partition.bound))
}

/// `CREATE VIEW` or `CREATE MATERIALIZED VIEW`, with its options.
pub fn create_view(name: &QualifiedName, view: &View) -> Sql {
    sql!("CREATE {} {}{} AS\n{}", Keyword(view.keyword()), name, view_options(view), Printed::new(&view.query))
}

/// ` WITH (option=value, ...)`, as the catalog prints a view's options.
pub fn view_options(view: &View) -> Sql {
    let options = view.with_options();
    sql!("{}", Printed::new(&options))
}

/// Views, each after the views it reads (their names order the rest).
fn views_in_dependency_order(schema: &Schema) -> Vec<(QualifiedName, &View)> {
    let mut pending: Vec<(QualifiedName, &View)> = schema.views().collect();
    let mut out: Vec<(QualifiedName, &View)> = Vec::new();
    while !pending.is_empty() {
        let waits = |view: &View, pending: &[(QualifiedName, &View)]| {
            pending.iter().any(|(other, _)| view.reads.iter().any(|d| d.relation == *other))
        };
        let ready = pending.iter().position(|(_, v)| !waits(v, &pending)).unwrap_or(0);
        out.push(pending.remove(ready));
    }
    out
}

pub fn create_sequence(name: &QualifiedName, sequence: &Sequence) -> Sql {
    let mut sql = sql!("CREATE SEQUENCE {} AS {}", name, sequence.data_type);
    for clause in sequence.options.sql_clauses() {
        sql.push(sql!(" {}", Printed::new(&clause)));
    }
    sql
}

/// `ALTER SEQUENCE .. OWNED BY table.column`, or `OWNED BY NONE`.
pub fn sequence_owned_by(name: &QualifiedName, owner: Option<&keel_core::SequenceOwner>) -> Sql {
    match owner {
        Some(owner) => sql!(
            "ALTER SEQUENCE {} OWNED BY {}.{}",
            name,
            Name::in_schema(&name.schema, &owner.table),
            Ident::new(&owner.column)
        ),
        None => sql!("ALTER SEQUENCE {} OWNED BY NONE", name),
    }
}

/// `COMMENT ON <kind> <target> IS ...` (`IS NULL` removes it).
pub fn comment_on(kind: &'static str, target: impl sql::ToSql, comment: Option<&String>) -> Sql {
    match comment {
        Some(text) => sql!("COMMENT ON {} {} IS {}", Keyword(kind), target, Literal::new(text)),
        None => sql!("COMMENT ON {} {} IS NULL", Keyword(kind), target),
    }
}

pub fn create_enum(name: &QualifiedName, e: &Enum) -> Vec<Sql> {
    let mut out = vec![sql!("CREATE TYPE {} AS ENUM ({})", name, Literals::new(&e.values))];
    if let Some(comment) = &e.comment {
        out.push(comment_on("TYPE", name, Some(comment)));
    }
    out
}
