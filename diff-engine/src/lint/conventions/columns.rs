//! What the conventional columns look like: the `id` primary key, `created_at`/`updated_at`, time zones,
//! the soft delete pair, optimistic-lock versions and user ids.

use super::words::{is_false, is_gen_random_uuid, is_now, normalized_default};
use super::{
    PRIMARY_KEY, SOFT_DELETE_PAIR, TIMESTAMP_WITHOUT_TIME_ZONE, TIMESTAMPS, TableContext, USER_ID_UUID,
    VERSION_DEFAULT, is_integer, is_timestamptz,
};
use crate::lint::{Finding, Rule};
use keel_core::{Column, ColumnType, conventions};

pub(super) fn check_table(t: &TableContext<'_>, out: &mut Vec<Finding>) {
    primary_key(t, out);
    timestamps(t, out);
    soft_delete(t, out);
    for column in &t.table.columns {
        column_types(t, column, out);
    }
}

/// `id uuid PRIMARY KEY DEFAULT gen_random_uuid()`; junction tables are keyed by their two references.
fn primary_key(t: &TableContext<'_>, out: &mut Vec<Finding>) {
    if t.links {
        return;
    }
    let Some(pk) = &t.table.primary_key else {
        out.push(Finding::new(
            &PRIMARY_KEY,
            t.at_table(),
            format!("table `{}` has no primary key", t.name),
            "add a primary key column `id`: uuid, default gen_random_uuid()",
        ));
        return;
    };
    if pk.columns != ["id"] {
        out.push(Finding::new(
            &PRIMARY_KEY,
            t.at_named(&pk.name),
            format!("the primary key of `{}` is ({}), not `id`", t.name, pk.columns.join(", ")),
            format!(
                "make a column `id` (uuid, default gen_random_uuid()) the primary key; keep ({}) unique",
                pk.columns.join(", ")
            ),
        ));
        return;
    }
    let Some(id) = t.table.column("id") else {
        return;
    };
    if id.ty != ColumnType::Uuid {
        let how = if id.identity.is_some() { " identity" } else { "" };
        out.push(Finding::new(
            &PRIMARY_KEY,
            t.at_column("id"),
            format!("primary key {} is {}{how}, not uuid", t.column_name("id"), id.ty),
            "make `id` a uuid with default gen_random_uuid()",
        ));
    } else if !id.default.as_deref().is_some_and(is_gen_random_uuid) {
        out.push(Finding::new(
            &PRIMARY_KEY,
            t.at_column("id"),
            default_message(&format!("primary key {}", t.column_name("id")), id, conventions::GEN_RANDOM_UUID),
            "set the default of `id` to gen_random_uuid()",
        ));
    }
}

/// `files.id has default `x`, not gen_random_uuid()` or `files.id has no default`.
fn default_message(what: &str, column: &Column, expected: &str) -> String {
    match &column.default {
        Some(default) => format!("{what} has default `{default}`, not {expected}"),
        None => format!("{what} has no default"),
    }
}

/// `created_at` and `updated_at`, each `timestamptz NOT NULL DEFAULT now()`. Junction tables' rows are
/// inserted and deleted, never updated: they need only `created_at` (an `updated_at` they have is checked).
fn timestamps(t: &TableContext<'_>, out: &mut Vec<Finding>) {
    for name in conventions::TIMESTAMP_COLUMNS {
        match t.table.column(name) {
            None if name == "updated_at" && t.links => {}
            None => out.push(Finding::new(
                &TIMESTAMPS,
                t.at_table(),
                format!("table `{}` has no `{name}` column", t.name),
                format!("add a column `{name}`: timestamptz, NOT NULL, default now()"),
            )),
            Some(column) => {
                let what = t.column_name(name);
                if !is_timestamptz(column) {
                    out.push(Finding::new(
                        &TIMESTAMPS,
                        t.at_column(name),
                        format!("{what} is {}, not timestamptz", column.ty),
                        format!("change the type of `{name}` to timestamptz"),
                    ));
                }
                if column.nullable {
                    out.push(Finding::new(
                        &TIMESTAMPS,
                        t.at_column(name),
                        format!("{what} is nullable"),
                        format!("make `{name}` NOT NULL"),
                    ));
                }
                if !column.default.as_deref().is_some_and(is_now) {
                    out.push(Finding::new(
                        &TIMESTAMPS,
                        t.at_column(name),
                        default_message(&what, column, conventions::NOW),
                        format!("set the default of `{name}` to now()"),
                    ));
                }
            }
        }
    }
}

/// `is_deleted boolean NOT NULL DEFAULT false` with `deleted_at timestamptz` (nullable): one without the
/// other is a soft delete half done.
fn soft_delete(t: &TableContext<'_>, out: &mut Vec<Finding>) {
    let flag = t.table.column("is_deleted");
    let stamp = t.table.column("deleted_at");
    let rule = &SOFT_DELETE_PAIR;
    match (flag, stamp) {
        (None, None) => return,
        (Some(_), None) => out.push(Finding::new(
            rule,
            t.at_column("is_deleted"),
            format!("table `{}` has `is_deleted` but no `deleted_at`", t.name),
            "add a column `deleted_at`: timestamptz, nullable, set when a row is deleted",
        )),
        (None, Some(_)) => out.push(Finding::new(
            rule,
            t.at_column("deleted_at"),
            format!("table `{}` has `deleted_at` but no `is_deleted`", t.name),
            "add a column `is_deleted`: boolean, NOT NULL, default false",
        )),
        (Some(_), Some(_)) => {}
    }
    if let Some(flag) = flag {
        let what = t.column_name("is_deleted");
        let at = || t.at_column("is_deleted");
        if flag.ty != ColumnType::Boolean {
            let fix = "change the type of `is_deleted` to boolean";
            out.push(Finding::new(rule, at(), format!("{what} is {}, not boolean", flag.ty), fix));
        }
        if flag.nullable {
            out.push(Finding::new(rule, at(), format!("{what} is nullable"), "make `is_deleted` NOT NULL"));
        }
        if !flag.default.as_deref().is_some_and(is_false) {
            let message = default_message(&what, flag, conventions::FALSE);
            out.push(Finding::new(rule, at(), message, "set the default of `is_deleted` to false"));
        }
    }
    if let Some(stamp) = stamp {
        let what = t.column_name("deleted_at");
        let at = || t.at_column("deleted_at");
        if !is_timestamptz(stamp) {
            let fix = "change the type of `deleted_at` to timestamptz";
            out.push(Finding::new(rule, at(), format!("{what} is {}, not timestamptz", stamp.ty), fix));
        }
        if !stamp.nullable {
            let message = format!("{what} is NOT NULL: rows that are not deleted have no deletion time");
            out.push(Finding::new(rule, at(), message, "make `deleted_at` nullable"));
        }
    }
}

fn column_types(t: &TableContext<'_>, column: &Column, out: &mut Vec<Finding>) {
    let name = column.name.as_str();
    let what = t.column_name(name);
    if (name == "user_id" || name.ends_with("_user_id")) && column.ty == ColumnType::Uuid {
        out.push(Finding::new(
            &USER_ID_UUID,
            t.at_column(name),
            format!("{what} is uuid, but the auth system's user ids are not UUIDs"),
            format!("change the type of `{name}` to text"),
        ));
    }
    if let ColumnType::Timestamp { with_time_zone: false, precision } = column.ty.scalar() {
        let zoned =
            column.ty.clone().with_scalar(ColumnType::Timestamp { precision: *precision, with_time_zone: true });
        let zoned = zoned.to_string().replace("timestamp with time zone", "timestamptz");
        out.push(Finding::new(
            &TIMESTAMP_WITHOUT_TIME_ZONE,
            t.at_column(name),
            format!("{what} is {}: its values carry no time zone", column.ty),
            format!("change the type of `{name}` to {zoned}"),
        ));
    }
    if (name == "version" || name == "current_version") && is_integer(column) {
        version(t, column, out);
    }
}

/// An optimistic-lock version is compared in every update's `WHERE`: a null never matches, and an insert
/// without a value must start it somewhere.
fn version(t: &TableContext<'_>, column: &Column, out: &mut Vec<Finding>) {
    let rule: &Rule = &VERSION_DEFAULT;
    let (name, what) = (column.name.as_str(), t.column_name(&column.name));
    if column.nullable {
        let message = format!("optimistic-lock column {what} is nullable");
        out.push(Finding::new(rule, t.at_column(name), message, format!("make `{name}` NOT NULL")));
    }
    if column.default.as_deref().is_none_or(|d| normalized_default(d).is_empty()) {
        let message = format!("optimistic-lock column {what} has no default");
        out.push(Finding::new(rule, t.at_column(name), message, format!("set the default of `{name}` to 1")));
    }
}
