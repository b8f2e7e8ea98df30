//! Statements for composite types: `CREATE TYPE ... AS`, `ALTER TYPE ... ADD/DROP/ALTER ATTRIBUTE`, and the
//! recreation of a type whose columns must be cast (see `cast_usages`).

use super::{CompositeChange, sql};
use crate::casts::{self, Conversion};
use crate::change::EnumUsage;
use crate::hazard::Hazard;
use crate::kinds::KindChange;
use crate::plan::step::{Context, Key, Phase, Step, cast_usages, rename_away, type_keys};
use crate::sql::Sql;
use keel_core::model::{CompositeType, QualifiedName};

impl KindChange for CompositeChange {
    fn steps(&self, _cx: &Context) -> Vec<Step> {
        composite_steps(self)
    }
}

fn composite_steps(change: &CompositeChange) -> Vec<Step> {
    match change {
        CompositeChange::Create { name, composite } => vec![
            Step::new(Phase::CreateType, sql::create(name, composite), format!("create type {name}"))
                .requires([Key::Schema(name.schema.clone())])
                .requires(attribute_types(composite))
                .creates([key(name)]),
        ],
        CompositeChange::Drop { name, composite } => vec![
            Step::new(Phase::DropType, sql::drop(name), format!("drop type {name}"))
                .hazards(&[Hazard::BreaksClients])
                .requires([Key::Schema(name.schema.clone())])
                .requires(attribute_types(composite))
                .drops([key(name)]),
        ],
        CompositeChange::AddAttribute { name, attribute } => vec![
            alter(
                name,
                sql::add_attribute(name, attribute),
                format!("add attribute {} to type {name}", attribute.name),
            )
            .requires(type_keys(&attribute.ty)),
        ],
        CompositeChange::DropAttribute { name, attribute, used } => {
            let hazards: &[Hazard] =
                if *used { &[Hazard::BreaksClients, Hazard::DeletesData] } else { &[Hazard::BreaksClients] };
            let step = alter(
                name,
                sql::drop_attribute(name, &attribute.name),
                format!("drop attribute {} of type {name}", attribute.name),
            )
            .hazards(hazards)
            .uses_old(type_keys(&attribute.ty));
            vec![step]
        }
        CompositeChange::AlterAttributeType { name, from, to } => {
            let step = alter(
                name,
                sql::alter_attribute_type(name, to),
                format!("change type of attribute {} of type {name} to {}", to.name, to.ty),
            )
            .requires(type_keys(&to.ty))
            .uses_old(type_keys(&from.ty));
            vec![step]
        }
        CompositeChange::Recreate { name, old, composite, usages } => recreate(name, old, composite, usages),
        CompositeChange::Comment { name, comment } => vec![
            Step::new(Phase::Comment, sql::comment(name, comment.as_ref()), format!("comment on type {name}"))
                .requires([key(name)]),
        ],
    }
}

/// The old type renamed away and given the new attribute names, the new type created, the columns cast,
/// the old type dropped.
fn recreate(name: &QualifiedName, old: &CompositeType, composite: &CompositeType, usages: &[EnumUsage]) -> Vec<Step> {
    let old_name = keel_core::naming::object_name(&name.name, None, "keel_old");
    let renamed = sql::replaced(name, &old_name);
    let mut out = vec![rename_away(name, "TYPE", &old_name)];
    // The old type takes the new attribute names first, so that the text form of its values reads as the
    // new type.
    for attribute in old.attributes.iter().filter(|a| composite.attribute(&a.name).is_none()) {
        out.push(
            Step::new(
                Phase::RecreateType,
                sql::drop_attribute(renamed, &attribute.name),
                format!("drop attribute {} of the replaced type {old_name}", attribute.name),
            )
            .hazards(&[Hazard::DeletesData]),
        );
    }
    for attribute in composite.attributes.iter().filter(|a| old.attribute(&a.name).is_none()) {
        out.push(
            Step::new(
                Phase::RecreateType,
                sql::add_attribute(renamed, attribute),
                format!("add attribute {} to the replaced type {old_name}", attribute.name),
            )
            .requires(type_keys(&attribute.ty)),
        );
    }
    let bare = CompositeType { comment: None, ..composite.clone() };
    out.push(
        Step::new(Phase::RecreateType, sql::create(name, &bare), format!("create type {name} anew"))
            .requires(attribute_types(composite))
            .creates([key(name)]),
    );
    let mut casts = cast_usages(name, &old_name, usages, true, &[], None);
    // The columns' values go through their text form into the new type: an attribute whose new type
    // rounds or cuts changes them silently, which needs consent like a column's cast.
    if rounds_or_cuts(old, composite) {
        for cast in casts.iter_mut().filter(|step| step.hazards.contains(&Hazard::RewritesTable)) {
            cast.hazards.insert(Hazard::AltersData);
        }
    }
    out.extend(casts);
    out.push(Step::new(Phase::RecreateType, sql::drop(renamed), format!("drop the replaced type {old_name}")));
    if composite.comment.is_some() {
        let sql = sql::comment(name, composite.comment.as_ref());
        out.push(Step::new(Phase::Comment, sql, format!("comment on type {name}")).requires([key(name)]));
    }
    out
}

/// Whether a kept attribute's new type changes some values without an error (see [`casts`]).
fn rounds_or_cuts(old: &CompositeType, new: &CompositeType) -> bool {
    old.attributes.iter().any(|from| {
        new.attribute(&from.name)
            .is_some_and(|to| to.ty != from.ty && casts::type_change(&from.ty, &to.ty).conversion == Conversion::Lossy)
    })
}

fn key(name: &QualifiedName) -> Key {
    Key::Type(name.clone())
}

/// `ALTER TYPE` in place: after the type exists.
fn alter(name: &QualifiedName, sql: Sql, summary: String) -> Step {
    Step::new(Phase::AlterType, sql, summary).requires([key(name)])
}

/// The types the attributes are of, each once.
fn attribute_types(composite: &CompositeType) -> Vec<Key> {
    let mut keys: Vec<Key> = composite.attributes.iter().flat_map(|a| type_keys(&a.ty)).collect();
    keys.sort();
    keys.dedup();
    keys
}
