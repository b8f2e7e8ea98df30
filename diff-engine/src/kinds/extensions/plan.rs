//! Extensions come up right after the schemas (types and functions may come from them) and go down
//! just before the schemas.

use super::ExtensionChange;
use super::sql;
use crate::hazard::Hazard;
use crate::kinds::KindChange;
use crate::plan::step::{Context, Key, Phase, Step};

impl KindChange for ExtensionChange {
    fn steps(&self, _cx: &Context) -> Vec<Step> {
        match self {
            ExtensionChange::Create { name, schema, version } => vec![
                Step::new(
                    Phase::CreateExtension,
                    sql::create(name, schema, version.as_deref()),
                    format!("create extension {name}"),
                )
                .requires([Key::Schema(schema.clone())])
                .creates([Key::Extension(name.clone())]),
            ],
            ExtensionChange::Drop { name } => vec![
                Step::new(Phase::DropExtension, sql::drop(name), format!("drop extension {name}"))
                    .hazards(&[Hazard::BreaksClients])
                    .drops([Key::Extension(name.clone())]),
            ],
            ExtensionChange::Move { name, schema } => vec![
                Step::new(
                    Phase::CreateExtension,
                    sql::set_schema(name, schema),
                    format!("move extension {name} to schema {schema}"),
                )
                .hazards(&[Hazard::BreaksClients])
                .requires([Key::Schema(schema.clone())]),
            ],
            ExtensionChange::Update { name, from, to } => vec![
                Step::new(
                    Phase::UpdateExtension,
                    sql::update(name, to),
                    format!("update extension {name} from version {from} to {to}"),
                )
                .hazards(&[Hazard::UpdatesExtension])
                .requires([Key::Extension(name.clone())]),
            ],
        }
    }
}
