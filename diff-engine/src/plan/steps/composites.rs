//! Statements for composite types: `CREATE TYPE ... AS`, `ALTER TYPE ... ADD/DROP/ALTER ATTRIBUTE`, and the
//! recreation of a type whose columns must be cast (see `cast_usages` in `plan::steps`).

use super::{Key, Phase, Step, type_keys};
use super::{cast_usages, rename_away};
use crate::casts::{self, Conversion};
use crate::change::Change;
use crate::hazard::Hazard;
use crate::render::comment_on;
use crate::render_types::{attribute_definition, collate, create_composite};
use crate::sql;
use crate::sql::{Ident, Name, Sql};
use keel_core::model::{CompositeType, QualifiedName};

pub(super) fn composite_steps(change: &Change) -> Vec<Step> {
    match change {
        Change::CreateComposite { name, composite } => vec![
            Step::new(Phase::CreateType, create_composite(name, composite), format!("create type {name}"))
                .requires([Key::Schema(name.schema.clone())])
                .requires(attribute_types(composite))
                .creates([Key::Type(name.clone())]),
        ],
        Change::DropComposite { name, composite } => vec![
            Step::new(Phase::DropType, sql!("DROP TYPE {}", name), format!("drop type {name}"))
                .hazards(&[Hazard::BreaksClients])
                .requires([Key::Schema(name.schema.clone())])
                .requires(attribute_types(composite))
                .drops([Key::Type(name.clone())]),
        ],
        Change::AddAttribute { name, attribute } => vec![
            alter(name, sql!("ADD ATTRIBUTE {}", attribute_definition(attribute)))
                .requires(type_keys(&attribute.ty))
                .summary(format!("add attribute {} to type {name}", attribute.name)),
        ],
        Change::DropAttribute { name, attribute, used } => {
            let hazards: &[Hazard] =
                if *used { &[Hazard::BreaksClients, Hazard::DeletesData] } else { &[Hazard::BreaksClients] };
            let mut step = alter(name, sql!("DROP ATTRIBUTE {}", Ident::new(&attribute.name)))
                .hazards(hazards)
                .summary(format!("drop attribute {} of type {name}", attribute.name));
            step.uses_old.extend(type_keys(&attribute.ty));
            vec![step]
        }
        Change::AlterAttributeType { name, from, to } => {
            let action =
                sql!("ALTER ATTRIBUTE {} TYPE {}{}", Ident::new(&to.name), to.ty, collate(to.collation.as_deref()));
            let mut step = alter(name, action)
                .requires(type_keys(&to.ty))
                .summary(format!("change type of attribute {} of type {name} to {}", to.name, to.ty));
            step.uses_old.extend(type_keys(&from.ty));
            vec![step]
        }
        Change::RecreateComposite { name, old, composite, usages } => {
            let old_name = keel_core::naming::object_name(&name.name, None, "keel_old");
            let renamed = Name::in_schema(&name.schema, &old_name);
            let mut out = vec![rename_away(name, "TYPE", &old_name)];
            // The old type takes the new attribute names first, so that the text form of its values reads
            // as the new type.
            for attribute in old.attributes.iter().filter(|a| composite.attribute(&a.name).is_none()) {
                out.push(
                    Step::new(
                        Phase::RecreateType,
                        sql!("ALTER TYPE {} DROP ATTRIBUTE {}", renamed, Ident::new(&attribute.name)),
                        format!("drop attribute {} of the replaced type {old_name}", attribute.name),
                    )
                    .hazards(&[Hazard::DeletesData]),
                );
            }
            for attribute in composite.attributes.iter().filter(|a| old.attribute(&a.name).is_none()) {
                out.push(
                    Step::new(
                        Phase::RecreateType,
                        sql!("ALTER TYPE {} ADD ATTRIBUTE {}", renamed, attribute_definition(attribute)),
                        format!("add attribute {} to the replaced type {old_name}", attribute.name),
                    )
                    .requires(type_keys(&attribute.ty)),
                );
            }
            let bare = CompositeType { comment: None, ..composite.clone() };
            out.push(
                Step::new(Phase::RecreateType, create_composite(name, &bare), format!("create type {name} anew"))
                    .requires(attribute_types(composite))
                    .creates([Key::Type(name.clone())]),
            );
            let mut casts = cast_usages(name, &old_name, usages, true, &[], None);
            // The columns' values go through their text form into the new type: an attribute whose new
            // type rounds or cuts changes them silently, which needs consent like a column's cast.
            if rounds_or_cuts(old, composite) {
                for cast in casts.iter_mut().filter(|step| step.hazards.contains(&Hazard::RewritesTable)) {
                    cast.hazards.insert(Hazard::AltersData);
                }
            }
            out.extend(casts);
            out.push(Step::new(
                Phase::RecreateType,
                sql!("DROP TYPE {}", renamed),
                format!("drop the replaced type {old_name}"),
            ));
            if composite.comment.is_some() {
                let sql = comment_on("TYPE", name, composite.comment.as_ref());
                out.push(
                    Step::new(Phase::Comment, sql, format!("comment on type {name}"))
                        .requires([Key::Type(name.clone())]),
                );
            }
            out
        }
        Change::CommentComposite { name, comment } => vec![
            Step::new(Phase::Comment, comment_on("TYPE", name, comment.as_ref()), format!("comment on type {name}"))
                .requires([Key::Type(name.clone())]),
        ],
        _ => unreachable!("steps() sends only composite type changes here"),
    }
}

/// Whether a kept attribute's new type changes some values without an error (see [`casts`]).
fn rounds_or_cuts(old: &CompositeType, new: &CompositeType) -> bool {
    old.attributes.iter().any(|from| {
        new.attribute(&from.name)
            .is_some_and(|to| to.ty != from.ty && casts::type_change(&from.ty, &to.ty).conversion == Conversion::Lossy)
    })
}

fn alter(name: &QualifiedName, action: Sql) -> Step {
    Step::new(Phase::AlterType, sql!("ALTER TYPE {} {}", name, action), String::new())
        .requires([Key::Type(name.clone())])
}

fn attribute_types(composite: &CompositeType) -> Vec<Key> {
    let mut keys: Vec<Key> = composite.attributes.iter().flat_map(|a| type_keys(&a.ty)).collect();
    keys.sort();
    keys.dedup();
    keys
}
