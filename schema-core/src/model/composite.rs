use super::ColumnType;
use serde::{Deserialize, Serialize};

/// A composite type (`CREATE TYPE ... AS (...)`), declared in SQL; not a table's row type.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompositeType {
    /// The attributes, in order.
    pub attributes: Vec<CompositeAttribute>,
    /// `COMMENT ON TYPE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl CompositeType {
    /// The attribute `name`.
    pub fn attribute(&self, name: &str) -> Option<&CompositeAttribute> {
        self.attributes.iter().find(|a| a.name == name)
    }
}

/// One attribute (field) of a composite type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompositeAttribute {
    /// The attribute's name.
    pub name: String,
    /// Its type.
    #[serde(rename = "type")]
    pub ty: ColumnType,
    /// A collation other than the type's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
}
