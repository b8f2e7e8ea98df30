use super::{DEFAULT_SCHEMA, QualifiedName};
use serde::{Deserialize, Serialize};

/// A trigger on a table, declared in SQL (`CREATE TRIGGER`) or by `#[keel(touch_updated_at)]`. Kept as its
/// parts rather than as PostgreSQL prints it, so a renamed table keeps comparing equal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Trigger {
    /// `BEFORE`, `AFTER` or `INSTEAD OF`.
    pub timing: TriggerTiming,
    /// `INSERT`, `UPDATE`, `DELETE`, `TRUNCATE`, in that order.
    pub events: Vec<TriggerEvent>,
    /// `UPDATE OF` these columns.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub update_of: Vec<String>,
    /// `FOR EACH ROW` rather than `FOR EACH STATEMENT`.
    pub for_each_row: bool,
    /// The `WHEN` condition as the server prints it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
    /// `REFERENCING OLD TABLE AS ...`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_table: Option<String>,
    /// `REFERENCING NEW TABLE AS ...`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_table: Option<String>,
    /// The trigger function (it takes no declared arguments).
    pub function: QualifiedName,
    /// The literal arguments the function receives in `TG_ARGV`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub arguments: Vec<String>,
    /// When it fires (`ALTER TABLE ... ENABLE/DISABLE TRIGGER`).
    #[serde(default, skip_serializing_if = "TriggerEnabled::is_origin")]
    pub enabled: TriggerEnabled,
    /// `COMMENT ON TRIGGER`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// When a trigger runs relative to its event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TriggerTiming {
    /// `BEFORE`.
    Before,
    /// `AFTER`.
    After,
    /// `INSTEAD OF` (views only).
    InsteadOf,
}

impl TriggerTiming {
    /// The keyword.
    pub fn keyword(&self) -> &'static str {
        match self {
            TriggerTiming::Before => "BEFORE",
            TriggerTiming::After => "AFTER",
            TriggerTiming::InsteadOf => "INSTEAD OF",
        }
    }
}

/// An event a trigger fires on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TriggerEvent {
    /// `INSERT`.
    Insert,
    /// `UPDATE`.
    Update,
    /// `DELETE`.
    Delete,
    /// `TRUNCATE`.
    Truncate,
}

impl TriggerEvent {
    /// The keyword.
    pub fn keyword(&self) -> &'static str {
        match self {
            TriggerEvent::Insert => "INSERT",
            TriggerEvent::Update => "UPDATE",
            TriggerEvent::Delete => "DELETE",
            TriggerEvent::Truncate => "TRUNCATE",
        }
    }
}

/// When the trigger fires, as `ALTER TABLE ... ENABLE/DISABLE TRIGGER` sets it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TriggerEnabled {
    /// Fires unless the session is a replica (`session_replication_role`): the default.
    #[default]
    Origin,
    /// `DISABLE TRIGGER`: never fires.
    Disabled,
    /// `ENABLE REPLICA TRIGGER`: fires only when the session is a replica.
    Replica,
    /// `ENABLE ALWAYS TRIGGER`: fires whatever the session's role.
    Always,
}

impl TriggerEnabled {
    /// Whether it fires as by default (left out of the JSON form).
    pub fn is_origin(&self) -> bool {
        *self == TriggerEnabled::Origin
    }
}

/// keel's shared trigger function for `#[keel(touch_updated_at)]`: one for the whole database.
pub const TOUCH_UPDATED_AT_FUNCTION: &str = "keel_touch_updated_at";

/// The name of the trigger `#[keel(touch_updated_at)]` puts on a table.
pub const TOUCH_UPDATED_AT_TRIGGER: &str = "touch_updated_at";

impl Trigger {
    /// The trigger `#[keel(touch_updated_at)]` declares: `updated_at` set to `now()` on every update.
    pub fn touch_updated_at() -> Trigger {
        Trigger {
            timing: TriggerTiming::Before,
            events: vec![TriggerEvent::Update],
            update_of: Vec::new(),
            for_each_row: true,
            when: None,
            old_table: None,
            new_table: None,
            function: QualifiedName::new(DEFAULT_SCHEMA, TOUCH_UPDATED_AT_FUNCTION),
            arguments: Vec::new(),
            enabled: TriggerEnabled::Origin,
            comment: None,
        }
    }

    /// Whether it calls `function`.
    pub fn calls(&self, function: &QualifiedName) -> bool {
        self.function == *function
    }
}
