//! Composite types: created, dropped, and changed in place with `ALTER TYPE` when PostgreSQL allows it:
//! attributes dropped and appended (also while columns use the type), an attribute's type changed only
//! while no column uses the type. An attribute retyped under a column recreates the type and casts the
//! columns; attributes that change order cannot be carried out in place and recreate an unused type, and
//! are refused for a used one.

use super::DiffError;
use super::domains::{refuse_type_dependents, usages};
use crate::change::Change;
use keel_core::model::{CompositeAttribute, CompositeType, QualifiedName, Schema};

pub(super) fn composite_changes(current: &Schema, desired: &Schema, out: &mut Vec<Change>) -> Result<(), DiffError> {
    for (name, new) in desired.composite_types() {
        let Some(old) = current.composite_type(&name.schema, &name.name) else {
            create(&name, new, out);
            continue;
        };
        if old.attributes != new.attributes {
            attribute_changes(&name, old, new, current, desired, out)?;
        }
        if old.comment != new.comment {
            out.push(Change::CommentComposite { name, comment: new.comment.clone() });
        }
    }
    for (name, composite) in current.composite_types() {
        if desired.composite_type(&name.schema, &name.name).is_none() {
            out.push(Change::DropComposite { name, composite: composite.clone() });
        }
    }
    Ok(())
}

fn create(name: &QualifiedName, composite: &CompositeType, out: &mut Vec<Change>) {
    let bare = CompositeType { comment: None, ..composite.clone() };
    out.push(Change::CreateComposite { name: name.clone(), composite: bare });
    if composite.comment.is_some() {
        out.push(Change::CommentComposite { name: name.clone(), comment: composite.comment.clone() });
    }
}

fn attribute_changes(
    name: &QualifiedName,
    old: &CompositeType,
    new: &CompositeType,
    current: &Schema,
    desired: &Schema,
    out: &mut Vec<Change>,
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
                 attributes; keep their order, or move the data in a migration of your own \
                 (`keel generate NAME --custom`)",
                u.table, u.column
            )));
        }
        refuse_type_dependents(name, current, "its attributes change order")?;
        out.push(Change::DropComposite { name: name.clone(), composite: old.clone() });
        create(name, &CompositeType { comment: old.comment.clone(), ..new.clone() }, out);
        return Ok(());
    }
    if !retyped.is_empty() && !usages.is_empty() {
        refuse_type_dependents(name, current, "an attribute's type changes while columns use it")?;
        let composite = CompositeType { comment: old.comment.clone(), ..new.clone() };
        out.push(Change::RecreateComposite { name: name.clone(), old: old.clone(), composite, usages });
        return Ok(());
    }
    for attribute in old.attributes.iter().filter(|a| new.attribute(&a.name).is_none()) {
        out.push(Change::DropAttribute { name: name.clone(), attribute: attribute.clone(), used: !usages.is_empty() });
    }
    for (from, to) in retyped {
        out.push(Change::AlterAttributeType { name: name.clone(), from: from.clone(), to: to.clone() });
    }
    for attribute in &new.attributes[kept.len()..] {
        out.push(Change::AddAttribute { name: name.clone(), attribute: attribute.clone() });
    }
    Ok(())
}
