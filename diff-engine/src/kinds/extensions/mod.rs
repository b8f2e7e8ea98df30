//! Extensions: created (in a schema, at a version), moved to another schema, updated, dropped.

mod plan;
pub(crate) mod sql;

use crate::change::Change;
use keel_core::model::Schema;
use serde::Serialize;

/// A change to an extension.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum ExtensionChange {
    /// `CREATE EXTENSION IF NOT EXISTS ... WITH SCHEMA ... [VERSION ...]`.
    Create { name: String, schema: String, version: Option<String> },
    /// `DROP EXTENSION`.
    Drop { name: String },
    /// `ALTER EXTENSION ... SET SCHEMA`.
    Move { name: String, schema: String },
    /// `ALTER EXTENSION ... UPDATE TO`: runs the extension's update (or downgrade) scripts.
    Update { name: String, from: String, to: String },
}

/// The extensions `desired` adds, moves, updates or drops.
pub(crate) fn extension_changes(current: &Schema, desired: &Schema, out: &mut Vec<Change>) {
    let mut push = |change| out.push(Change::Extension(change));
    for (name, extension) in &desired.extensions {
        let Some(existing) = current.extensions.get(name) else {
            let (schema, version) = (extension.schema.clone(), extension.version.clone());
            push(ExtensionChange::Create { name: name.clone(), schema, version });
            continue;
        };
        if existing.schema != extension.schema {
            push(ExtensionChange::Move { name: name.clone(), schema: extension.schema.clone() });
        }
        // A declaration without a version takes whatever is installed.
        if let (Some(from), Some(to)) = (&existing.version, &extension.version)
            && from != to
        {
            push(ExtensionChange::Update { name: name.clone(), from: from.clone(), to: to.clone() });
        }
    }
    for name in current.extensions.keys().filter(|n| !desired.extensions.contains_key(*n)) {
        push(ExtensionChange::Drop { name: name.clone() });
    }
}
