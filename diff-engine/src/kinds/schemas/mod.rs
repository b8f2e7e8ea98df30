//! Schemas (namespaces): created, dropped and commented. `public` is every database's: keel empties it
//! but never drops it.

mod plan;
pub(crate) mod sql;

use crate::change::Change;
use keel_core::model::Schema;
use serde::Serialize;

/// A change to a schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum SchemaChange {
    /// `CREATE SCHEMA IF NOT EXISTS`.
    Create { name: String },
    /// `DROP SCHEMA`, never `CASCADE`: what keel does not manage in it stops the statement.
    Drop { name: String },
    /// `COMMENT ON SCHEMA`; `None` removes the comment.
    Comment { name: String, comment: Option<String> },
}

/// The schemas `desired` adds, comments differently or drops.
pub(crate) fn schema_changes(current: &Schema, desired: &Schema, out: &mut Vec<Change>) {
    let mut push = |change| out.push(Change::Schema(change));
    for (name, ns) in &desired.schemas {
        let existing = current.schemas.get(name);
        if existing.is_none() && name != keel_core::DEFAULT_SCHEMA {
            push(SchemaChange::Create { name: name.clone() });
        }
        if existing.and_then(|n| n.comment.as_ref()) != ns.comment.as_ref() {
            push(SchemaChange::Comment { name: name.clone(), comment: ns.comment.clone() });
        }
    }
    for (name, ns) in &current.schemas {
        if desired.schemas.contains_key(name) {
            continue;
        }
        if name == keel_core::DEFAULT_SCHEMA {
            if ns.comment.is_some() {
                push(SchemaChange::Comment { name: name.clone(), comment: None });
            }
        } else {
            push(SchemaChange::Drop { name: name.clone() });
        }
    }
}
