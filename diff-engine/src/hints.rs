//! Rename hints. keel never guesses that an object disappearing and another appearing are one object
//! renamed: a rename comes from `renamed_from` in the model or from a hints file.

use keel_core::model::Schema;
use serde::{Deserialize, Serialize};

/// Renames to apply when turning the current schema into the desired one. Names on the `to` side and the
/// table of a column or index rename are the desired (new) names.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hints {
    #[serde(default)]
    pub renames: Vec<Rename>,
    /// Objects of the desired schema that are new, not renamed: the answer "neither" to a
    /// [`crate::RenameQuestion`]. The diff does not need them; they only settle questions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub new: Vec<Created>,
}

/// An object declared new (not renamed from anything), in a hints file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Created {
    Table { schema: String, name: String },
    Column { schema: String, table: String, name: String },
    Enum { schema: String, name: String },
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Rename {
    Table {
        schema: String,
        from: String,
        to: String,
    },
    Column {
        schema: String,
        table: String,
        from: String,
        to: String,
    },
    Index {
        schema: String,
        table: String,
        from: String,
        to: String,
    },
    Enum {
        schema: String,
        from: String,
        to: String,
    },
    EnumValue {
        schema: String,
        #[serde(rename = "enum")]
        enum_name: String,
        from: String,
        to: String,
    },
}

impl Hints {
    /// The `renamed_from` hints a declared schema carries.
    pub fn from_schema(schema: &Schema) -> Hints {
        let mut renames = Vec::new();
        for (name, table) in schema.tables() {
            if let Some(from) = &table.renamed_from {
                renames.push(Rename::Table { schema: name.schema.clone(), from: from.clone(), to: name.name.clone() });
            }
            for column in &table.columns {
                if let Some(from) = &column.renamed_from {
                    renames.push(Rename::Column {
                        schema: name.schema.clone(),
                        table: name.name.clone(),
                        from: from.clone(),
                        to: column.name.clone(),
                    });
                }
            }
        }
        for (name, e) in schema.enums() {
            if let Some(from) = &e.renamed_from {
                renames.push(Rename::Enum { schema: name.schema.clone(), from: from.clone(), to: name.name.clone() });
            }
        }
        Hints { renames, new: Vec::new() }
    }

    /// Both sets of hints; duplicates once.
    pub fn merged(mut self, other: Hints) -> Hints {
        self.renames.extend(other.renames);
        self.renames.sort();
        self.renames.dedup();
        self.new.extend(other.new);
        self.new.sort();
        self.new.dedup();
        self
    }
}
