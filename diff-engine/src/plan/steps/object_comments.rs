//! Comments on indexes and constraints: set once the object exists under its (new) name.

use super::{Key, Phase, Step, rel};
use crate::change::Change;
use crate::render::{comment_on, constraint_target};
use keel_core::model::QualifiedName;

pub(super) fn comment_steps(change: &Change) -> Vec<Step> {
    match change {
        Change::CommentIndex { table, name, comment } => {
            let index = QualifiedName::new(&table.schema, name);
            vec![
                Step::new(
                    Phase::Comment,
                    comment_on("INDEX", &index, comment.as_ref()),
                    format!("comment on index {name} on {table}"),
                )
                .requires([rel(table), Key::Relation(index)]),
            ]
        }
        Change::CommentConstraint { table, name, comment } => vec![
            Step::new(
                Phase::Comment,
                comment_on("CONSTRAINT", constraint_target(table, name), comment.as_ref()),
                format!("comment on constraint {name} on {table}"),
            )
            .requires([rel(table), Key::Constraint(table.clone(), name.clone())]),
        ],
        _ => unreachable!("comment_steps called with {change:?}"),
    }
}
