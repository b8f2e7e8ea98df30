use super::ViewDependency;
use serde::{Deserialize, Serialize};

/// A table's row level security switches (`ALTER TABLE ... ENABLE | FORCE ROW LEVEL SECURITY`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RowLevelSecurity {
    /// Policies apply to every role but the table's owner, superusers and `BYPASSRLS` roles. Enabled with
    /// no policy, the table shows those roles no row at all.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub enabled: bool,
    /// The owner is held to the policies too.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub forced: bool,
}

impl RowLevelSecurity {
    /// Enabled and forced: what the guidelines ask for (the owner does not bypass the policies).
    pub const FORCED: RowLevelSecurity = RowLevelSecurity { enabled: true, forced: true };

    /// The switches as given.
    pub const fn new(enabled: bool, forced: bool) -> RowLevelSecurity {
        RowLevelSecurity { enabled, forced }
    }

    /// Neither enabled nor forced: PostgreSQL's default, left out of the JSON form.
    pub fn is_off(&self) -> bool {
        !self.enabled && !self.forced
    }
}

/// The command a policy applies to (`CREATE POLICY ... FOR <command>`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PolicyCommand {
    /// `FOR ALL` (the default).
    #[default]
    All,
    /// `FOR SELECT`.
    Select,
    /// `FOR INSERT`.
    Insert,
    /// `FOR UPDATE`.
    Update,
    /// `FOR DELETE`.
    Delete,
}

impl PolicyCommand {
    /// The command as SQL.
    pub fn sql(self) -> &'static str {
        match self {
            PolicyCommand::All => "ALL",
            PolicyCommand::Select => "SELECT",
            PolicyCommand::Insert => "INSERT",
            PolicyCommand::Update => "UPDATE",
            PolicyCommand::Delete => "DELETE",
        }
    }

    /// From `pg_policy.polcmd`: `*`, `r`, `a`, `w`, `d`.
    pub fn from_catalog(code: &str) -> Option<PolicyCommand> {
        Some(match code {
            "*" => PolicyCommand::All,
            "r" => PolicyCommand::Select,
            "a" => PolicyCommand::Insert,
            "w" => PolicyCommand::Update,
            "d" => PolicyCommand::Delete,
            _ => return None,
        })
    }

    fn is_all(&self) -> bool {
        *self == PolicyCommand::All
    }
}

/// A row level security policy on a table, declared in SQL (`CREATE POLICY`). Its expressions are kept as
/// PostgreSQL prints them back, so two policies compare equal exactly when the server stores the same ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// The command it applies to.
    #[serde(default, skip_serializing_if = "PolicyCommand::is_all")]
    pub command: PolicyCommand,
    /// `AS PERMISSIVE` (rows any permissive policy allows) or, when false, `AS RESTRICTIVE` (rows every
    /// restrictive policy allows, among those).
    #[serde(default = "permissive", skip_serializing_if = "is_true")]
    pub permissive: bool,
    /// Role names as PostgreSQL stores them, sorted; `public` is every role.
    pub roles: Vec<String>,
    /// `USING (...)`: which existing rows the policy shows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub using: Option<String>,
    /// `WITH CHECK (...)`: which new rows it accepts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with_check: Option<String>,
    /// Tables, views and their columns the expressions read, from the catalog (`pg_depend`): the policy is
    /// dropped before they change and created after. Not compared: it follows from the expressions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reads: Vec<ViewDependency>,
    /// `COMMENT ON POLICY`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

fn permissive() -> bool {
    true
}

fn is_true(value: &bool) -> bool {
    *value
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            command: PolicyCommand::All,
            permissive: true,
            roles: vec!["public".to_string()],
            using: None,
            with_check: None,
            reads: Vec::new(),
            comment: None,
        }
    }
}

impl Policy {
    /// `PERMISSIVE` or `RESTRICTIVE`.
    pub fn kind(&self) -> &'static str {
        if self.permissive { "PERMISSIVE" } else { "RESTRICTIVE" }
    }

    /// Whether the policy reads `relation` (any column of it when `column` is `None`).
    pub fn reads(&self, relation: &super::QualifiedName, column: Option<&str>) -> bool {
        self.reads.iter().any(|d| {
            d.relation == *relation && (column.is_none() || d.column.is_none() || d.column.as_deref() == column)
        })
    }

    /// The same definition: everything but what it reads (which follows from the expressions) and the
    /// comment.
    pub fn same_definition(&self, other: &Policy) -> bool {
        self.command == other.command
            && self.permissive == other.permissive
            && self.roles == other.roles
            && self.using == other.using
            && self.with_check == other.with_check
    }
}
