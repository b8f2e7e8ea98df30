//! How things are named: tables (snake_case, plural, junctions), columns (snake_case, `is_`/`has_`, `_at`,
//! `_count`), and identifier length.

use super::words::{
    is_plural, is_singular_of, is_snake_case, plural_name, singular, singular_name, split_last_word, to_snake_case,
};
use super::{
    BOOLEAN_PREFIX, COLUMN_SNAKE_CASE, COUNT_SUFFIX, IDENTIFIER_TOO_LONG, JUNCTION_TABLE_NAME, TABLE_PLURAL,
    TABLE_SNAKE_CASE, TIMESTAMP_SUFFIX, TableContext, is_integer,
};
use crate::lint::{Finding, Location};
use keel_core::conventions;
use keel_core::naming::{self, MAX_IDENTIFIER_BYTES};
use keel_core::{Column, ColumnType, Schema};

/// Names that belong to no table: schemas, enums, sequences.
pub(super) fn check_schema(schema: &Schema, out: &mut Vec<Finding>) {
    for (namespace, ns) in &schema.schemas {
        let at_schema = Location::Object { schema: namespace.clone(), table: None, column: None, name: None };
        too_long(out, "schema", namespace, at_schema);
        for name in ns.enums.keys() {
            too_long(out, "enum", name, Location::in_schema(namespace, name));
        }
        for name in ns.sequences.keys() {
            too_long(out, "sequence", name, Location::in_schema(namespace, name));
        }
    }
}

pub(super) fn check_table(t: &TableContext<'_>, out: &mut Vec<Finding>) {
    table_name(t, out);
    junction_name(t, out);
    identifiers(t, out);
    for column in &t.table.columns {
        column_name(t, column, out);
    }
}

fn table_name(t: &TableContext<'_>, out: &mut Vec<Finding>) {
    let snake = to_snake_case(t.name);
    if !is_snake_case(t.name) {
        out.push(Finding::new(
            &TABLE_SNAKE_CASE,
            t.at_table(),
            format!("table `{}` is not snake_case", t.name),
            rename("table", &snake),
        ));
    }
    // The last word that is a word: `files_v2` is judged by `files`.
    let mut words: Vec<String> = snake.split('_').map(str::to_string).collect();
    let noun = words.iter().rposition(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_alphabetic()));
    if let Some(i) = noun
        && !is_plural(&words[i])
    {
        let message = format!("table `{}` is named in the singular: `{}` is not a plural noun", t.name, words[i]);
        words[i] = naming::pluralize(&words[i]);
        out.push(Finding::new(&TABLE_PLURAL, t.at_table(), message, rename("table", &words.join("_"))));
    }
}

/// `{entity1}_{entity2}`: one referenced table in the singular, then the other as named (or in the plural),
/// in either order. A junction of a table with itself (followers of users) names a relationship instead and
/// is not checked.
fn junction_name(t: &TableContext<'_>, out: &mut Vec<Finding>) {
    let Some(junction) = &t.junction else {
        return;
    };
    let (first, second) = (junction.first.name.as_str(), junction.second.name.as_str());
    if first == second {
        return;
    }
    let named = |one: &str, other: &str| {
        t.name.match_indices('_').any(|(i, _)| {
            let (entity, rest) = (&t.name[..i], &t.name[i + 1..]);
            is_singular_of(entity, one) && (rest == other || rest == plural_name(other))
        })
    };
    if named(first, second) || named(second, first) {
        return;
    }
    let expected = format!("{}_{}", singular_name(first), plural_name(second));
    let reversed = format!("{}_{}", singular_name(second), plural_name(first));
    out.push(Finding::new(
        &JUNCTION_TABLE_NAME,
        t.at_table(),
        format!("junction table `{}` ({first} × {second}) is not named {{entity1}}_{{entity2}}", t.name),
        format!("rename the table to `{expected}` (or `{reversed}`)"),
    ));
}

fn column_name(t: &TableContext<'_>, column: &Column, out: &mut Vec<Finding>) {
    let name = column.name.as_str();
    let snake = to_snake_case(name);
    if !is_snake_case(name) {
        out.push(Finding::new(
            &COLUMN_SNAKE_CASE,
            t.at_column(name),
            format!("column {} is not snake_case", t.column_name(name)),
            rename("column", &snake),
        ));
    }
    match &column.ty {
        ColumnType::Boolean if !conventions::is_boolean_name(&snake) => {
            out.push(Finding::new(
                &BOOLEAN_PREFIX,
                t.at_column(name),
                format!("boolean column {} does not start with `is_` or `has_`", t.column_name(name)),
                boolean_fix(&snake),
            ));
        }
        ColumnType::Timestamp { .. } if !snake.ends_with("_at") => out.push(Finding::new(
            &TIMESTAMP_SUFFIX,
            t.at_column(name),
            format!("timestamp column {} does not end in `_at`", t.column_name(name)),
            rename("column", &format!("{}_at", time_stem(&snake))),
        )),
        ColumnType::Date if !["_at", "_on", "_date"].iter().any(|s| snake.ends_with(s)) => {
            let stem = time_stem(&snake);
            out.push(Finding::new(
                &TIMESTAMP_SUFFIX,
                t.at_column(name),
                format!("date column {} does not end in `_at`, `_on` or `_date`", t.column_name(name)),
                format!("rename the column to `{stem}_on` (or `{stem}_date`)"),
            ));
        }
        _ if is_integer(column) => count(t, name, &snake, out),
        _ => {}
    }
}

/// Prefixes of boolean names that already say "whether" another way (`can_edit`): no `is_` name is
/// guessed for them.
const MODAL_PREFIXES: &[&str] = &["can_", "should_", "must_", "allow_", "allows_", "was_", "will_", "needs_", "does_"];

fn boolean_fix(snake: &str) -> String {
    if MODAL_PREFIXES.iter().any(|p| snake.starts_with(p)) {
        "rename the column to a name starting with `is_` or `has_` (e.g. `is_edit_allowed` for `can_edit`)".into()
    } else {
        format!("rename the column to `is_{snake}` or `has_{snake}`")
    }
}

/// `created_time` → `created`, `birthday` → `birthday`: the name without a suffix that says "time".
fn time_stem(name: &str) -> &str {
    ["_timestamp", "_datetime", "_time", "_date", "_ts", "_on"]
        .iter()
        .find_map(|s| name.strip_suffix(s).filter(|stem| !stem.is_empty()))
        .unwrap_or(name)
}

/// Plural words that name units of measure, not things counted: `duration_seconds`, `size_bytes`.
const UNITS: &[&str] = &[
    "ms", "millis", "seconds", "secs", "minutes", "mins", "hours", "hrs", "days", "weeks", "months", "years", "bytes",
    "bits", "cents", "pixels", "points", "credits", "degrees", "meters", "metres", "miles", "inches", "grams", "kilos",
];

/// An integer column named with a plural noun (`downloads`, `page_views`) holds a count.
fn count(t: &TableContext<'_>, name: &str, snake: &str, out: &mut Vec<Finding>) {
    let (head, last) = split_last_word(snake);
    let exempt = snake.ends_with("_id") || snake.ends_with("_count") || UNITS.contains(&last);
    if exempt || !is_plural(last) {
        return;
    }
    let head = ["num_", "number_of_"].iter().find_map(|p| head.strip_prefix(p)).unwrap_or(head);
    out.push(Finding::new(
        &COUNT_SUFFIX,
        t.at_column(name),
        format!("integer column {} is named like a count (`{last}` is plural) without `_count`", t.column_name(name)),
        rename("column", &format!("{head}{}_count", singular(last))),
    ));
}

/// Every name the table declares: its own, its columns', its indexes' and its constraints'.
fn identifiers(t: &TableContext<'_>, out: &mut Vec<Finding>) {
    too_long(out, "table", t.name, t.at_table());
    for column in &t.table.columns {
        too_long(out, "column", &column.name, t.at_column(&column.name));
    }
    let table = t.table;
    let constraints = table.primary_key.iter().map(|pk| ("primary key", &pk.name));
    let constraints = constraints
        .chain(table.unique_constraints.keys().map(|n| ("unique constraint", n)))
        .chain(table.checks.keys().map(|n| ("check constraint", n)))
        .chain(table.foreign_keys.keys().map(|n| ("foreign key", n)))
        .chain(table.exclusions.keys().map(|n| ("exclusion constraint", n)))
        .chain(table.indexes.keys().map(|n| ("index", n)));
    for (kind, name) in constraints {
        too_long(out, kind, name, t.at_named(name));
    }
}

fn too_long(out: &mut Vec<Finding>, kind: &str, name: &str, location: Location) {
    if name.len() > MAX_IDENTIFIER_BYTES {
        out.push(Finding::new(
            &IDENTIFIER_TOO_LONG,
            location,
            format!(
                "{kind} name `{name}` is {} bytes; PostgreSQL truncates names to {MAX_IDENTIFIER_BYTES}",
                name.len()
            ),
            format!("shorten the {kind} name to at most {MAX_IDENTIFIER_BYTES} bytes"),
        ));
    }
}

/// `rename the table to `file_versions``, or a description when no snake_case spelling could be made.
fn rename(what: &str, to: &str) -> String {
    if is_snake_case(to) {
        format!("rename the {what} to `{to}`")
    } else {
        format!("rename the {what} to a snake_case name: lower-case words joined by `_`, starting with a letter")
    }
}
