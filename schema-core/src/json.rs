//! The versioned JSON form of a [`Schema`]: `{"format_version": 1, "schemas": {...}}`. Maps are sorted, so
//! the same schema always gives the same bytes.

use crate::model::Schema;
use serde::{Deserialize, Serialize};

/// The JSON format this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Serialize)]
struct Versioned<'a> {
    format_version: u32,
    #[serde(flatten)]
    schema: &'a Schema,
}

#[derive(Deserialize)]
struct Header {
    format_version: Option<u32>,
}

impl Schema {
    /// Pretty, deterministic JSON with a trailing newline.
    pub fn to_json(&self) -> String {
        let versioned = Versioned { format_version: FORMAT_VERSION, schema: self };
        let mut out = serde_json::to_string_pretty(&versioned).expect("a schema always serializes");
        out.push('\n');
        out
    }

    /// Reads the JSON form, refusing other format versions with a message that says which.
    pub fn from_json(text: &str) -> Result<Schema, JsonError> {
        let header: Header = serde_json::from_str(text).map_err(JsonError::Syntax)?;
        match header.format_version {
            Some(FORMAT_VERSION) => {}
            Some(found) => return Err(JsonError::UnsupportedVersion { found }),
            None => return Err(JsonError::MissingVersion),
        }
        let mut value: serde_json::Value = serde_json::from_str(text).map_err(JsonError::Syntax)?;
        if let Some(object) = value.as_object_mut() {
            object.remove("format_version");
        }
        serde_json::from_value(value).map_err(JsonError::Invalid)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum JsonError {
    #[error("not valid JSON: {0}")]
    Syntax(#[source] serde_json::Error),
    #[error("the schema JSON has no `format_version`; keel writes version {FORMAT_VERSION}")]
    MissingVersion,
    #[error("schema JSON format version {found} is not supported; this keel reads version {FORMAT_VERSION}")]
    UnsupportedVersion { found: u32 },
    #[error("not a keel schema: {0}")]
    Invalid(#[source] serde_json::Error),
}
