//! Rename questions: where an object disappears and another of the same kind appears in the same scope,
//! only a person knows whether it was renamed. keel never guesses; the CLI asks, or reads the answer from
//! a hints file, and stops when neither is possible.

use crate::hints::{Created, Hints, Rename};
use keel_core::model::{Schema, Table};
use serde::Serialize;
use std::collections::BTreeSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectKind {
    Table,
    Column,
    Enum,
}

impl ObjectKind {
    pub fn noun(self) -> &'static str {
        match self {
            ObjectKind::Table => "table",
            ObjectKind::Column => "column",
            ObjectKind::Enum => "enum",
        }
    }
}

/// In one scope (a PostgreSQL schema for tables and enums, a table for columns): names that disappear and
/// names that appear without a hint saying whether they are renames. Every name in `added` needs an
/// answer: renamed from one of `removed`, or new.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RenameQuestion {
    pub kind: ObjectKind,
    pub schema: String,
    /// The table (its desired name) for column questions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    pub removed: Vec<String>,
    pub added: Vec<String>,
}

impl RenameQuestion {
    /// `public` or `public.files`, for messages.
    pub fn scope(&self) -> String {
        match &self.table {
            Some(table) => format!("{}.{table}", self.schema),
            None => self.schema.clone(),
        }
    }

    /// The hint that says `to` was `from`.
    pub fn rename(&self, from: &str, to: &str) -> Rename {
        let (schema, from, to) = (self.schema.clone(), from.to_string(), to.to_string());
        match (self.kind, &self.table) {
            (ObjectKind::Column, Some(table)) => Rename::Column { schema, table: table.clone(), from, to },
            (ObjectKind::Enum, _) => Rename::Enum { schema, from, to },
            _ => Rename::Table { schema, from, to },
        }
    }

    /// The hint that says `name` is new.
    pub fn created(&self, name: &str) -> Created {
        let (schema, name) = (self.schema.clone(), name.to_string());
        match (self.kind, &self.table) {
            (ObjectKind::Column, Some(table)) => Created::Column { schema, table: table.clone(), name },
            (ObjectKind::Enum, _) => Created::Enum { schema, name },
            _ => Created::Table { schema, name },
        }
    }
}

/// The questions left open between `current` and `desired` once the hints (and the `renamed_from`
/// hints `desired` carries) are taken into account. Sorted: by kind, then scope.
pub fn rename_questions(current: &Schema, desired: &Schema, hints: &Hints) -> Vec<RenameQuestion> {
    let hints = Hints::from_schema(desired).merged(hints.clone());
    let mut questions = Vec::new();
    let schemas: BTreeSet<&String> = current.schemas.keys().chain(desired.schemas.keys()).collect();
    for schema in schemas {
        let names = |s: &Schema, tables: bool| -> BTreeSet<String> {
            s.schemas.get(schema).map_or_else(BTreeSet::new, |ns| {
                if tables { ns.tables.keys().cloned().collect() } else { ns.enums.keys().cloned().collect() }
            })
        };
        for kind in [ObjectKind::Table, ObjectKind::Enum] {
            let tables = kind == ObjectKind::Table;
            let question =
                RenameQuestion { kind, schema: schema.clone(), table: None, removed: Vec::new(), added: Vec::new() };
            questions.extend(open(question, &names(current, tables), &names(desired, tables), &hints));
        }
    }
    for (name, table) in desired.tables() {
        let Some(old) = current_table(current, &name.schema, &name.name, &hints) else { continue };
        let question = RenameQuestion {
            kind: ObjectKind::Column,
            schema: name.schema.clone(),
            table: Some(name.name.clone()),
            removed: Vec::new(),
            added: Vec::new(),
        };
        let columns = |t: &Table| t.columns.iter().map(|c| c.name.clone()).collect::<BTreeSet<_>>();
        questions.extend(open(question, &columns(old), &columns(table), &hints));
    }
    questions.sort_by_key(|q| (q.kind, q.scope()));
    questions
}

/// The question for one scope, if names disappear and unanswered names appear.
fn open(
    mut question: RenameQuestion,
    before: &BTreeSet<String>,
    after: &BTreeSet<String>,
    hints: &Hints,
) -> Option<RenameQuestion> {
    // Renames that belong to this scope: the hint equals the one this question would write.
    let renames: Vec<(&str, &str)> =
        hints.renames.iter().filter_map(pair).filter(|(from, to)| hints_equal(&question, from, to, hints)).collect();
    question.removed =
        before.difference(after).filter(|n| !renames.iter().any(|(from, _)| from == n)).cloned().collect();
    question.added = after
        .difference(before)
        .filter(|n| !renames.iter().any(|(_, to)| to == n) && !hints.new.contains(&question.created(n)))
        .cloned()
        .collect();
    (!question.removed.is_empty() && !question.added.is_empty()).then_some(question)
}

fn pair(rename: &Rename) -> Option<(&str, &str)> {
    match rename {
        Rename::Table { from, to, .. } | Rename::Column { from, to, .. } | Rename::Enum { from, to, .. } => {
            Some((from, to))
        }
        Rename::Index { .. } | Rename::EnumValue { .. } => None,
    }
}

fn hints_equal(question: &RenameQuestion, from: &str, to: &str, hints: &Hints) -> bool {
    hints.renames.contains(&question.rename(from, to))
}

/// The current table a desired table continues: same name, or the one a table rename hint names.
fn current_table<'a>(current: &'a Schema, schema: &str, name: &str, hints: &Hints) -> Option<&'a Table> {
    current.table(schema, name).or_else(|| {
        hints.renames.iter().find_map(|r| match r {
            Rename::Table { schema: s, from, to } if s == schema && to == name => current.table(schema, from),
            _ => None,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use keel_core::model::Schema;

    fn schema(json: serde_json::Value) -> Schema {
        Schema::from_json(&json.to_string()).expect("schema")
    }

    fn files(columns: &[&str]) -> serde_json::Value {
        let columns: Vec<_> = columns
            .iter()
            .map(|c| serde_json::json!({"name": c, "type": {"kind": "text"}, "nullable": true}))
            .collect();
        serde_json::json!({"format_version": 1, "schemas": {"public": {"tables": {"files": {"columns": columns}}}}})
    }

    #[test]
    fn a_column_replaced_by_another_is_a_question_until_answered() {
        let (current, desired) = (schema(files(&["id", "name"])), schema(files(&["id", "title"])));
        let questions = rename_questions(&current, &desired, &Hints::default());
        assert_eq!(questions.len(), 1);
        let q = &questions[0];
        assert_eq!((q.kind, q.scope().as_str()), (ObjectKind::Column, "public.files"));
        assert_eq!((q.removed.as_slice(), q.added.as_slice()), (&["name".to_string()][..], &["title".to_string()][..]));

        let renamed = Hints { renames: vec![q.rename("name", "title")], ..Hints::default() };
        assert!(rename_questions(&current, &desired, &renamed).is_empty());
        let new = Hints { new: vec![q.created("title")], ..Hints::default() };
        assert!(rename_questions(&current, &desired, &new).is_empty());
    }

    #[test]
    fn only_additions_or_only_removals_ask_nothing() {
        let base = schema(files(&["id"]));
        assert!(rename_questions(&base, &schema(files(&["id", "title"])), &Hints::default()).is_empty());
        assert!(rename_questions(&schema(files(&["id", "title"])), &base, &Hints::default()).is_empty());
    }
}
