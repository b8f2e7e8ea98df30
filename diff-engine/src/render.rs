//! The model as PostgreSQL DDL. Every identifier is quoted and every literal escaped here; expressions
//! (defaults, checks, predicates, generated columns) are SQL the schema's author wrote and go in as written.

use crate::kinds::{
    composites, constraints, domains, enums, extensions, functions, indexes, partitions, policies, schemas, sequences,
    tables, triggers, views,
};
use crate::sql;
use crate::sql::{Ident, Keyword, Literal, Name, Sql};
use keel_core::model::{ColumnType, Namespace, QualifiedName, Schema};
use std::collections::BTreeSet;

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
        out.push(enums::sql::create(&name, &e.values));
        out.extend(e.comment.as_ref().map(|c| enums::sql::comment(&name, Some(c))));
    }
    out.extend(create_types(schema));
    // Functions before the tables whose defaults and checks may call them.
    for (id, function) in schema.functions() {
        out.push(functions::sql::definition(function));
        if let Some(comment) = &function.comment {
            out.push(functions::sql::comment(&id, function.kind, Some(comment)));
        }
    }
    for (name, sequence) in schema.sequences() {
        out.push(sequences::sql::create(&name, sequence));
        out.extend(sequence.comment.as_ref().map(|c| sequences::sql::comment(&name, Some(c))));
    }
    for (name, table) in schema.tables() {
        out.push(tables::sql::create(&name, table));
        for (partition_name, partition) in &table.partitions {
            let partition_name = table.partition_name(&name, partition_name);
            out.push(partitions::sql::create(&name, &partition_name, partition));
            out.extend(partition.comment.as_ref().map(|c| partitions::sql::comment(&partition_name, Some(c))));
        }
    }
    for (name, sequence) in schema.sequences() {
        if let Some(owner) = &sequence.owned_by {
            out.push(sequences::sql::owned_by(&name, Some(owner)));
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
    for (name, view) in views::sql::in_dependency_order(schema) {
        out.push(views::sql::create(&name, view));
        for (index_name, index) in &view.indexes {
            out.push(indexes::sql::create_index(&name, index_name, index));
        }
        out.extend(indexes::sql::comments(&name, &view.indexes));
        out.extend(view.comment.as_ref().map(|c| views::sql::comment(&name, view.materialized, Some(c))));
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

/// Every domain and composite type of `schema` with its comment, each after the domains and composite
/// types it is built from. Types that build on each other in a circle (PostgreSQL allows none) come last,
/// for the server to refuse.
fn create_types(schema: &Schema) -> Vec<Sql> {
    let mut pending: Vec<(QualifiedName, Vec<QualifiedName>)> = Vec::new();
    for (name, domain) in schema.domains() {
        pending.push((name, named(&domain.base).into_iter().collect()));
    }
    for (name, composite) in schema.composite_types() {
        pending.push((name, composite.attributes.iter().filter_map(|a| named(&a.ty)).collect()));
    }
    let declared: BTreeSet<QualifiedName> = pending.iter().map(|(n, _)| n.clone()).collect();
    let mut done: BTreeSet<QualifiedName> = BTreeSet::new();
    let mut order = Vec::new();
    while !pending.is_empty() {
        let ready = pending.iter().position(|(_, deps)| deps.iter().all(|d| done.contains(d) || !declared.contains(d)));
        let (name, _) = pending.remove(ready.unwrap_or(0));
        done.insert(name.clone());
        order.push(name);
    }
    let mut out = Vec::new();
    for name in order {
        if let Some(domain) = schema.domain(&name.schema, &name.name) {
            out.extend(domains::sql::create(&name, domain));
            out.extend(domain.comment.as_ref().map(|c| domains::sql::comment(&name, Some(c))));
        } else if let Some(composite) = schema.composite_type(&name.schema, &name.name) {
            out.push(composites::sql::create(&name, composite));
            out.extend(composite.comment.as_ref().map(|c| composites::sql::comment(&name, Some(c))));
        }
    }
    out
}

/// The declared type a column type names, if any (arrays by their element).
fn named(ty: &ColumnType) -> Option<QualifiedName> {
    match ty.scalar() {
        ColumnType::Named { schema, name } => Some(QualifiedName::new(schema, name)),
        _ => None,
    }
}

/// `(types, the rest)`: the schemas that hold types (with their comments), the extensions and every enum,
/// domain and composite type; then the schemas with their tables, sequences and views. Created one after
/// the other, they make the whole schema, with room between them for SQL that declares types.
pub fn split_schema(schema: &Schema) -> (Schema, Schema) {
    let mut types = Schema { extensions: schema.extensions.clone(), ..Schema::default() };
    let mut rest = schema.clone();
    for (name, ns) in &schema.schemas {
        let holds_types = !ns.enums.is_empty() || !ns.domains.is_empty() || !ns.composite_types.is_empty();
        let holds_extension = schema.extensions.values().any(|e| e.schema == *name);
        if holds_types || holds_extension {
            let kept = Namespace {
                enums: ns.enums.clone(),
                domains: ns.domains.clone(),
                composite_types: ns.composite_types.clone(),
                comment: ns.comment.clone(),
                ..Namespace::default()
            };
            types.schemas.insert(name.clone(), kept);
        }
    }
    for ns in rest.schemas.values_mut() {
        ns.enums.clear();
        ns.domains.clear();
        ns.composite_types.clear();
    }
    (types, rest)
}

/// `COMMENT ON <kind> <target> IS ...` (`IS NULL` removes it).
pub fn comment_on(kind: &'static str, target: impl sql::ToSql, comment: Option<&String>) -> Sql {
    match comment {
        Some(text) => sql!("COMMENT ON {} {} IS {}", Keyword(kind), target, Literal::new(text)),
        None => sql!("COMMENT ON {} {} IS NULL", Keyword(kind), target),
    }
}

/// ` COLLATE "name"`, or nothing (a domain's or a composite type's attribute's).
pub(crate) fn collate(collation: Option<&str>) -> Sql {
    collation.map(|c| sql!(" COLLATE {}", Ident::new(c))).unwrap_or_default()
}
