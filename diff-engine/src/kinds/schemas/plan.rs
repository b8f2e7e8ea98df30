//! Schemas come first and go last: everything else lives in one.

use super::SchemaChange;
use super::sql;
use crate::hazard::Hazard;
use crate::kinds::KindChange;
use crate::plan::step::{Context, Key, Phase, Step};

impl KindChange for SchemaChange {
    fn steps(&self, _cx: &Context) -> Vec<Step> {
        match self {
            SchemaChange::Create { name } => vec![
                Step::new(Phase::CreateSchema, sql::create(name), format!("create schema {name}"))
                    .creates([Key::Schema(name.clone())]),
            ],
            SchemaChange::Drop { name } => {
                let mut step = Step::new(Phase::DropSchema, sql::drop(name), format!("drop schema {name}"))
                    .hazards(&[Hazard::BreaksClients])
                    .drops([Key::Schema(name.clone())]);
                step.drops_schema = Some(name.clone());
                vec![step]
            }
            SchemaChange::Comment { name, comment } => vec![
                Step::new(Phase::Comment, sql::comment(name, comment.as_ref()), format!("comment on schema {name}"))
                    .requires([Key::Schema(name.clone())]),
            ],
        }
    }
}
