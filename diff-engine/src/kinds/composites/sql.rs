//! The SQL of composite types. Identifiers are quoted; attribute types are printed from the model.

use crate::render::{collate, comment_on};
use crate::sql;
use crate::sql::{Ident, Name, Sql, ToSql};
use keel_core::model::{CompositeAttribute, CompositeType, QualifiedName};

/// `CREATE TYPE ... AS (...)`.
pub(crate) fn create(name: &QualifiedName, composite: &CompositeType) -> Sql {
    let attributes = composite.attributes.iter().map(attribute_definition);
    sql!("CREATE TYPE {} AS ({})", name, Sql::join(attributes, ", "))
}

/// `DROP TYPE`, of `name` or of the type a recreation renamed away ([`replaced`]).
pub(super) fn drop(target: impl ToSql) -> Sql {
    sql!("DROP TYPE {}", target)
}

/// `"name" type [COLLATE ..]`.
fn attribute_definition(attribute: &CompositeAttribute) -> Sql {
    sql!("{} {}{}", Ident::new(&attribute.name), attribute.ty, collate(attribute.collation.as_deref()))
}

pub(super) fn add_attribute(target: impl ToSql, attribute: &CompositeAttribute) -> Sql {
    sql!("ALTER TYPE {} ADD ATTRIBUTE {}", target, attribute_definition(attribute))
}

pub(super) fn drop_attribute(target: impl ToSql, attribute: &str) -> Sql {
    sql!("ALTER TYPE {} DROP ATTRIBUTE {}", target, Ident::new(attribute))
}

/// `ALTER ATTRIBUTE ... TYPE ...`, with the attribute's collation.
pub(super) fn alter_attribute_type(name: &QualifiedName, to: &CompositeAttribute) -> Sql {
    let collation = collate(to.collation.as_deref());
    sql!("ALTER TYPE {} ALTER ATTRIBUTE {} TYPE {}{}", name, Ident::new(&to.name), to.ty, collation)
}

/// The type a recreation renamed away to `old_name`, in the schema of `name`.
pub(super) fn replaced<'a>(name: &'a QualifiedName, old_name: &'a str) -> Name<'a> {
    Name::in_schema(&name.schema, old_name)
}

pub(crate) fn comment(name: &QualifiedName, comment: Option<&String>) -> Sql {
    comment_on("TYPE", name, comment)
}
