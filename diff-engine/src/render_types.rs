//! Domains and composite types as DDL. Identifiers are quoted here; expressions go in as PostgreSQL
//! printed them.

use crate::render::comment_on;
use crate::sql;
use crate::sql::{Ident, Keyword, Printed, Sql};
use keel_core::model::{ColumnType, CompositeAttribute, CompositeType, Domain, Namespace, QualifiedName, Schema};
use std::collections::BTreeSet;

/// `CREATE DOMAIN` with its default, `NOT NULL` and validated checks; a check that is `NOT VALID` can only
/// be added afterwards (`ALTER DOMAIN ... ADD ... NOT VALID`), which the second statement does.
pub fn create_domain(name: &QualifiedName, domain: &Domain) -> Vec<Sql> {
    let mut sql = sql!("CREATE DOMAIN {} AS {}", name, domain.base);
    sql.push(collate(domain.collation.as_deref()));
    if let Some(default) = &domain.default {
        sql.push(sql!(" DEFAULT {}", Printed::new(default)));
    }
    if domain.not_null {
        sql.push(Keyword(" NOT NULL"));
    }
    for (check_name, check) in domain.checks.iter().filter(|(_, c)| !c.not_valid) {
        sql.push(sql!(" CONSTRAINT {} CHECK ({})", Ident::new(check_name), Printed::new(&check.expression)));
    }
    let mut out = vec![sql];
    for (check_name, check) in domain.checks.iter().filter(|(_, c)| c.not_valid) {
        out.push(add_domain_check(name, check_name, &check.expression, true));
    }
    out
}

/// `ALTER DOMAIN ... ADD CONSTRAINT "name" CHECK (...) [NOT VALID]`.
pub fn add_domain_check(name: &QualifiedName, check_name: &str, expression: &str, not_valid: bool) -> Sql {
    let suffix = Keyword(if not_valid { " NOT VALID" } else { "" });
    sql!(
        "ALTER DOMAIN {} ADD CONSTRAINT {} CHECK ({}){}",
        name,
        Ident::new(check_name),
        Printed::new(expression),
        suffix
    )
}

/// `CREATE TYPE ... AS (...)`.
pub fn create_composite(name: &QualifiedName, composite: &CompositeType) -> Sql {
    let attributes = composite.attributes.iter().map(attribute_definition);
    sql!("CREATE TYPE {} AS ({})", name, Sql::join(attributes, ", "))
}

/// `"name" type [COLLATE ..]`.
pub fn attribute_definition(attribute: &CompositeAttribute) -> Sql {
    sql!("{} {}{}", Ident::new(&attribute.name), attribute.ty, collate(attribute.collation.as_deref()))
}

/// ` COLLATE "name"`, or nothing.
pub fn collate(collation: Option<&str>) -> Sql {
    collation.map(|c| sql!(" COLLATE {}", Ident::new(c))).unwrap_or_default()
}

/// Every domain and composite type of `schema` with its comment, each after the domains and composite
/// types it is built from. Types that build on each other in a circle (PostgreSQL allows none) come last,
/// for the server to refuse.
pub fn create_types(schema: &Schema) -> Vec<Sql> {
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
            out.extend(create_domain(&name, domain));
            out.extend(domain.comment.as_ref().map(|c| comment_on("DOMAIN", &name, Some(c))));
        } else if let Some(composite) = schema.composite_type(&name.schema, &name.name) {
            out.push(create_composite(&name, composite));
            out.extend(composite.comment.as_ref().map(|c| comment_on("TYPE", &name, Some(c))));
        }
    }
    out
}

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
