use super::{DEFAULT_SCHEMA, QualifiedName};
use serde::{Deserialize, Serialize};

/// A function or procedure, declared in SQL (`CREATE FUNCTION`, `CREATE PROCEDURE`) or, for keel's own
/// `updated_at` trigger function, by the derive. Functions are kept in their namespace by name, then by
/// their identity arguments (`a integer, b text`): overloads are different functions.
///
/// `definition` is the whole statement as PostgreSQL prints it back (`pg_get_functiondef`): language, body,
/// volatility, strictness, `SECURITY DEFINER`, `SET search_path` and costs all live there, so two functions
/// compare equal exactly when the server stores the same thing. The other fields are read from the same
/// catalog row, for people and for deciding whether `CREATE OR REPLACE` can change it in place.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Function {
    /// A function or a procedure.
    #[serde(default, skip_serializing_if = "RoutineKind::is_function")]
    pub kind: RoutineKind,
    /// Every argument with its mode, name, type and default (`pg_get_function_arguments`).
    pub arguments: String,
    /// What it returns (`pg_get_function_result`); `None` for a procedure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub returns: Option<String>,
    /// The language (`sql`, `plpgsql`, ...).
    pub language: String,
    /// `IMMUTABLE`, `STABLE` or `VOLATILE`.
    #[serde(default, skip_serializing_if = "Volatility::is_volatile")]
    pub volatility: Volatility,
    /// `SECURITY DEFINER`: runs with its owner's privileges.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub security_definer: bool,
    /// `SET` clauses as the catalog stores them (`search_path=pg_catalog, public`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub config: Vec<String>,
    /// The `CREATE OR REPLACE FUNCTION` (or `PROCEDURE`) statement.
    pub definition: String,
    /// Types of the schema the signature uses (enums, domains...), from the catalog: they must exist first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub uses_types: Vec<QualifiedName>,
    /// `COMMENT ON FUNCTION`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// Whether a routine is a function or a procedure.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoutineKind {
    /// `CREATE FUNCTION`.
    #[default]
    Function,
    /// `CREATE PROCEDURE` (called with `CALL`, returns nothing).
    Procedure,
}

impl RoutineKind {
    /// Whether it is a function (the default, left out of the JSON form).
    pub fn is_function(&self) -> bool {
        *self == RoutineKind::Function
    }

    /// `FUNCTION` or `PROCEDURE`, for statements.
    pub fn keyword(&self) -> &'static str {
        match self {
            RoutineKind::Function => "FUNCTION",
            RoutineKind::Procedure => "PROCEDURE",
        }
    }
}

/// What a function promises about its results (`pg_proc.provolatile`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Volatility {
    /// The same result for the same arguments, forever: usable in indexes.
    Immutable,
    /// The same result within one statement.
    Stable,
    /// May change at any call (the default).
    #[default]
    Volatile,
}

impl Volatility {
    /// Whether it is `VOLATILE` (the default, left out of the JSON form).
    pub fn is_volatile(&self) -> bool {
        *self == Volatility::Volatile
    }
}

/// Which function: schema, name and identity arguments, as the catalog prints them.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FunctionId {
    /// The function's schema.
    pub schema: String,
    /// Its name.
    pub name: String,
    /// `a integer, b text`: names, modes and types of the arguments that identify it, without defaults.
    pub arguments: String,
}

impl FunctionId {
    /// The function `schema.name(arguments)`.
    pub fn new(schema: impl Into<String>, name: impl Into<String>, arguments: impl Into<String>) -> FunctionId {
        FunctionId { schema: schema.into(), name: name.into(), arguments: arguments.into() }
    }

    /// Its schema and name, without the arguments.
    pub fn qualified_name(&self) -> QualifiedName {
        QualifiedName::new(&self.schema, &self.name)
    }
}

impl std::fmt::Display for FunctionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}({})", self.schema, self.name, self.arguments)
    }
}

impl Function {
    /// keel's shared trigger function behind `#[keel(touch_updated_at)]`, and its identity.
    pub fn touch_updated_at() -> (FunctionId, Function) {
        let id = FunctionId::new(DEFAULT_SCHEMA, super::TOUCH_UPDATED_AT_FUNCTION, "");
        // Written as `pg_get_functiondef` prints it, so the declaration equals what introspection reads.
        let definition =
            "CREATE OR REPLACE FUNCTION public.keel_touch_updated_at()\n RETURNS trigger\n LANGUAGE plpgsql\n\
                          AS $function$\nBEGIN\n    NEW.updated_at := now();\n    RETURN NEW;\nEND\n$function$\n"
                .to_string();
        let function = Function {
            arguments: String::new(),
            returns: Some("trigger".into()),
            language: "plpgsql".into(),
            definition,
            comment: Some("Sets updated_at to now() on every update (keel: #[keel(touch_updated_at)]).".into()),
            ..Function::default()
        };
        (id, function)
    }
}
