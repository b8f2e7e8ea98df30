//! The team's schema conventions (reference/database-guidelines.txt), on a model.
//!
//! One file per rule family: `names` (how tables and columns are named, and identifier length), `columns`
//! (what the conventional columns look like: keys, timestamps, soft delete, optimistic locking, user ids)
//! and `keys` (foreign key columns and indexes), with the English and SQL-text helpers they share in
//! `words`. Every check iterates sorted maps or ordered column lists, so findings come out in a stable order.

mod columns;
mod keys;
mod names;
mod words;

use super::{Finding, Location, Rule, Severity};
use keel_core::model::{ForeignKey, QualifiedName, Table};
use keel_core::{Column, ColumnType, Schema};

const fn rule(id: &'static str, default: Severity, summary: &'static str) -> Rule {
    Rule { id, default, summary }
}

pub const TABLE_SNAKE_CASE: Rule = rule("table-snake-case", Severity::Error, "table names are snake_case");
pub const TABLE_PLURAL: Rule =
    rule("table-plural", Severity::Warning, "the last word of a table name is a plural noun (files, file_versions)");
pub const JUNCTION_TABLE_NAME: Rule = rule(
    "junction-table-name",
    Severity::Warning,
    "a junction table is named {entity1}_{entity2}: singular of one referenced table, plural of the other (file_tags)",
);
pub const COLUMN_SNAKE_CASE: Rule = rule("column-snake-case", Severity::Error, "column names are snake_case");
pub const FOREIGN_KEY_COLUMN_NAME: Rule =
    rule("foreign-key-column-name", Severity::Warning, "a single-column foreign key's column is named {entity}_id");
pub const BOOLEAN_PREFIX: Rule = rule("boolean-prefix", Severity::Warning, "boolean columns start with is_ or has_");
pub const TIMESTAMP_SUFFIX: Rule =
    rule("timestamp-suffix", Severity::Warning, "timestamp columns end in _at (date columns in _at, _on or _date)");
pub const COUNT_SUFFIX: Rule =
    rule("count-suffix", Severity::Warning, "integer columns named with a plural noun are counts, named {thing}_count");
pub const USER_ID_UUID: Rule =
    rule("user-id-uuid", Severity::Error, "user_id columns are text: the auth system's user ids are not UUIDs");
pub const PRIMARY_KEY: Rule = rule(
    "primary-key",
    Severity::Warning,
    "a table's primary key is id uuid DEFAULT gen_random_uuid() (junction tables exempt)",
);
pub const TIMESTAMPS: Rule = rule(
    "timestamps",
    Severity::Warning,
    "every table has created_at and updated_at timestamptz NOT NULL DEFAULT now() (junction tables: created_at)",
);
pub const TIMESTAMP_WITHOUT_TIME_ZONE: Rule =
    rule("timestamp-without-time-zone", Severity::Warning, "timestamp columns are timestamptz");
pub const SOFT_DELETE_PAIR: Rule = rule(
    "soft-delete-pair",
    Severity::Error,
    "is_deleted (boolean NOT NULL DEFAULT false) and deleted_at (nullable timestamptz) come together",
);
pub const VERSION_DEFAULT: Rule = rule(
    "version-default",
    Severity::Error,
    "an optimistic-lock column (version, current_version) is NOT NULL with a default",
);
pub const INDEX_NAME: Rule = rule("index-name", Severity::Warning, "index names start with idx_{table}_");
pub const FOREIGN_KEY_INDEX: Rule = rule(
    "foreign-key-index",
    Severity::Warning,
    "a foreign key's columns lead some index, primary key or unique constraint of its table",
);
pub const IDENTIFIER_TOO_LONG: Rule = rule(
    "identifier-too-long",
    Severity::Error,
    "names are at most 63 bytes: PostgreSQL truncates longer ones silently",
);

/// Every convention rule.
pub const RULES: &[Rule] = &[
    TABLE_SNAKE_CASE,
    TABLE_PLURAL,
    JUNCTION_TABLE_NAME,
    COLUMN_SNAKE_CASE,
    FOREIGN_KEY_COLUMN_NAME,
    BOOLEAN_PREFIX,
    TIMESTAMP_SUFFIX,
    COUNT_SUFFIX,
    USER_ID_UUID,
    PRIMARY_KEY,
    TIMESTAMPS,
    TIMESTAMP_WITHOUT_TIME_ZONE,
    SOFT_DELETE_PAIR,
    VERSION_DEFAULT,
    INDEX_NAME,
    FOREIGN_KEY_INDEX,
    IDENTIFIER_TOO_LONG,
];

/// Findings at default severity, in no particular order.
pub fn check(schema: &Schema) -> Vec<Finding> {
    let mut out = Vec::new();
    names::check_schema(schema, &mut out);
    for (namespace, ns) in &schema.schemas {
        for (name, table) in &ns.tables {
            let t = TableContext {
                schema: namespace,
                name,
                table,
                junction: Junction::of(table),
                links: links_two_things(table),
            };
            names::check_table(&t, &mut out);
            columns::check_table(&t, &mut out);
            keys::check_table(&t, &mut out);
        }
    }
    out
}

/// One table being checked, with what the rules need to know about it.
struct TableContext<'a> {
    schema: &'a str,
    name: &'a str,
    table: &'a Table,
    /// Both primary key columns reference tables: the naming rule applies.
    junction: Option<Junction<'a>>,
    /// The primary key is two columns, each a foreign key or the text `user_id` of an auth system's user
    /// (the guidelines' `user_roles`): keyed by what it links, its rows inserted and deleted, never updated.
    links: bool,
}

impl TableContext<'_> {
    fn at_table(&self) -> Location {
        Location::table(self.schema, self.name)
    }

    fn at_column(&self, column: &str) -> Location {
        Location::column(self.schema, self.name, column)
    }

    /// An index or constraint of the table.
    fn at_named(&self, name: &str) -> Location {
        Location::named(self.schema, self.name, name)
    }

    /// A foreign key: its column too when it has one, so per-column overrides reach it.
    fn at_foreign_key(&self, name: &str, fk: &ForeignKey) -> Location {
        match fk.columns.as_slice() {
            [column] => Location::Object {
                schema: self.schema.to_string(),
                table: Some(self.name.to_string()),
                column: Some(column.clone()),
                name: Some(name.to_string()),
            },
            _ => self.at_named(name),
        }
    }

    /// `files.user_id`, how messages name a column.
    fn column_name(&self, column: &str) -> String {
        format!("`{}.{column}`", self.name)
    }
}

/// A junction table: its primary key is exactly two columns, each the whole of a foreign key. The
/// referenced tables in primary key order.
struct Junction<'a> {
    first: &'a QualifiedName,
    second: &'a QualifiedName,
}

impl<'a> Junction<'a> {
    fn of(table: &'a Table) -> Option<Junction<'a>> {
        let [a, b] = table.primary_key.as_ref()?.columns.as_slice() else {
            return None;
        };
        let target = |column: &String| {
            let whole = |fk: &&ForeignKey| fk.columns.as_slice() == std::slice::from_ref(column);
            table.foreign_keys.values().find(whole).map(|fk| &fk.references)
        };
        Some(Junction { first: target(a)?, second: target(b)? })
    }
}

/// Whether the table links two things (see [`TableContext::links`]).
fn links_two_things(table: &Table) -> bool {
    let Some([a, b]) = table.primary_key.as_ref().map(|pk| pk.columns.as_slice()) else { return false };
    let side = |column: &String| {
        let referenced = table.foreign_keys.values().any(|fk| fk.columns.as_slice() == std::slice::from_ref(column));
        let auth_user = (column == "user_id" || column.ends_with("_user_id"))
            && table.columns.iter().any(|c| &c.name == column && matches!(c.ty, ColumnType::Text));
        referenced || auth_user
    };
    side(a) && side(b)
}

/// Whether a column's type is an integer (smallint, integer, bigint).
fn is_integer(column: &Column) -> bool {
    matches!(column.ty, ColumnType::SmallInt | ColumnType::Integer | ColumnType::BigInt)
}

/// Whether a column is `timestamptz`, at any precision.
fn is_timestamptz(column: &Column) -> bool {
    matches!(column.ty, ColumnType::Timestamp { with_time_zone: true, .. })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The guidelines' own junction example, `user_roles`: one side is an auth system's text user id, which
    /// has no table to reference.
    #[test]
    fn a_junction_with_an_auth_user_id_is_keyed_by_what_it_links() {
        let json = serde_json::json!({"format_version": 1, "schemas": {"public": {"tables": {"user_roles": {
            "columns": [
                {"name": "user_id", "type": {"kind": "text"}, "nullable": false},
                {"name": "role_id", "type": {"kind": "uuid"}, "nullable": false},
                {"name": "created_at", "type": {"kind": "timestamp", "with_time_zone": true}, "nullable": false,
                 "default": "now()"}
            ],
            "primary_key": {"name": "user_roles_pkey", "columns": ["user_id", "role_id"]},
            "foreign_keys": {"user_roles_role_id_fkey": {"columns": ["role_id"],
                "references": {"schema": "public", "name": "roles"}, "referenced_columns": ["id"]}}
        }}}}});
        let schema = Schema::from_json(&json.to_string()).expect("schema");
        let rules: Vec<String> = check(&schema).into_iter().map(|f| f.rule).collect();
        assert!(!rules.iter().any(|r| r == "primary-key" || r == "timestamps"), "{rules:?}");
    }
}
