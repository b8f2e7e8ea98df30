//! Composite types: created, dropped, and changed in place with `ALTER TYPE` when PostgreSQL allows it:
//! attributes dropped and appended (also while columns use the type), an attribute's type changed only
//! while no column uses the type. An attribute retyped under a column recreates the type and casts the
//! columns; attributes that change order cannot be carried out in place and recreate an unused type, and
//! are refused for a used one.

mod plan;
pub(crate) mod sql;

use crate::change::{Change, EnumUsage};
use crate::diff::DiffError;
use crate::kinds::domains::{refuse_type_dependents, usages};
use keel_core::model::{CompositeAttribute, CompositeType, QualifiedName, Schema};
use serde::Serialize;

/// One change to one composite type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum CompositeChange {
    /// `CREATE TYPE ... AS (...)`, without its comment (a change of its own).
    Create { name: QualifiedName, composite: CompositeType },
    /// `DROP TYPE`; `composite` is the current definition: what its attributes need must still be there.
    Drop { name: QualifiedName, composite: CompositeType },
    /// `ALTER TYPE ... ADD ATTRIBUTE`: appended after the others.
    AddAttribute { name: QualifiedName, attribute: CompositeAttribute },
    /// `used`: columns of the type hold values of the attribute, which go with it.
    DropAttribute { name: QualifiedName, attribute: CompositeAttribute, used: bool },
    /// `ALTER TYPE ... ALTER ATTRIBUTE ... TYPE`, while no column uses the type.
    AlterAttributeType { name: QualifiedName, from: CompositeAttribute, to: CompositeAttribute },
    /// An attribute's type changes while columns use the type, which PostgreSQL refuses in place: the old
    /// type is renamed away and given the new attribute names (added, dropped), the new type created,
    /// every column cast through text, and the old type dropped.
    Recreate { name: QualifiedName, old: CompositeType, composite: CompositeType, usages: Vec<EnumUsage> },
    /// `COMMENT ON TYPE`; `None` removes the comment.
    Comment { name: QualifiedName, comment: Option<String> },
}

/// The composite type changes between `current` (renames applied) and `desired`.
pub(crate) fn diff(current: &Schema, desired: &Schema) -> Result<Vec<Change>, DiffError> {
    let mut out = Vec::new();
    for (name, new) in desired.composite_types() {
        let Some(old) = current.composite_type(&name.schema, &name.name) else {
            create(&name, new, &mut out);
            continue;
        };
        if old.attributes != new.attributes {
            attribute_changes(&name, old, new, current, desired, &mut out)?;
        }
        if old.comment != new.comment {
            out.push(CompositeChange::Comment { name, comment: new.comment.clone() });
        }
    }
    for (name, composite) in current.composite_types() {
        if desired.composite_type(&name.schema, &name.name).is_none() {
            out.push(CompositeChange::Drop { name, composite: composite.clone() });
        }
    }
    Ok(out.into_iter().map(Change::Composite).collect())
}

fn create(name: &QualifiedName, composite: &CompositeType, out: &mut Vec<CompositeChange>) {
    let bare = CompositeType { comment: None, ..composite.clone() };
    out.push(CompositeChange::Create { name: name.clone(), composite: bare });
    if composite.comment.is_some() {
        out.push(CompositeChange::Comment { name: name.clone(), comment: composite.comment.clone() });
    }
}

fn attribute_changes(
    name: &QualifiedName,
    old: &CompositeType,
    new: &CompositeType,
    current: &Schema,
    desired: &Schema,
    out: &mut Vec<CompositeChange>,
) -> Result<(), DiffError> {
    let usages = usages(name, current, desired);
    let kept: Vec<&CompositeAttribute> = old.attributes.iter().filter(|a| new.attribute(&a.name).is_some()).collect();
    // `ADD ATTRIBUTE` appends: the kept attributes must come first, in their order.
    let in_order = new.attributes.len() >= kept.len()
        && new.attributes[..kept.len()].iter().zip(&kept).all(|(n, o)| n.name == o.name);
    let retyped: Vec<(&CompositeAttribute, &CompositeAttribute)> = kept
        .iter()
        .filter_map(|o| new.attribute(&o.name).filter(|n| n.ty != o.ty || n.collation != o.collation).map(|n| (*o, n)))
        .collect();
    if !in_order {
        if let Some(u) = usages.first() {
            return Err(DiffError::Unsupported(format!(
                "the attributes of type {name} change order, and column {}.{} uses it: PostgreSQL only appends \
                 attributes; keep their order, or move the data in a migration of your own",
                u.table, u.column
            )));
        }
        refuse_type_dependents(name, current, "its attributes change order")?;
        out.push(CompositeChange::Drop { name: name.clone(), composite: old.clone() });
        create(name, &CompositeType { comment: old.comment.clone(), ..new.clone() }, out);
        return Ok(());
    }
    if !retyped.is_empty() && !usages.is_empty() {
        refuse_type_dependents(name, current, "an attribute's type changes while columns use it")?;
        let composite = CompositeType { comment: old.comment.clone(), ..new.clone() };
        out.push(CompositeChange::Recreate { name: name.clone(), old: old.clone(), composite, usages });
        return Ok(());
    }
    for attribute in old.attributes.iter().filter(|a| new.attribute(&a.name).is_none()) {
        let used = !usages.is_empty();
        out.push(CompositeChange::DropAttribute { name: name.clone(), attribute: attribute.clone(), used });
    }
    for (from, to) in retyped {
        out.push(CompositeChange::AlterAttributeType { name: name.clone(), from: from.clone(), to: to.clone() });
    }
    for attribute in &new.attributes[kept.len()..] {
        out.push(CompositeChange::AddAttribute { name: name.clone(), attribute: attribute.clone() });
    }
    Ok(())
}
