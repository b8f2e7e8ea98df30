//! Statements for views and materialized views. A view's drop needs what it reads to still exist (it runs
//! before those change or go); its creation needs them in their new form (it runs after).

use super::{Key, Phase, Step, col, function_keys, rel};
use crate::change::Change;
use crate::hazard::Hazard;
use crate::render::{comment_on, create_view, view_options};
use crate::sql;
use crate::sql::{Keyword, Printed};
use keel_core::model::View;

pub(super) fn view_steps(change: &Change) -> Vec<Step> {
    match change {
        Change::CreateView { name, view } => vec![
            Step::new(
                Phase::CreateView,
                create_view(name, view),
                format!("create {} {name}", view.keyword().to_lowercase()),
            )
            .requires(reads(view))
            .creates([rel(name)]),
        ],
        Change::DropView { name, view } => vec![
            Step::new(
                Phase::DropView,
                sql!("DROP {} {}", Keyword(view.keyword()), name),
                format!("drop {} {name}", view.keyword().to_lowercase()),
            )
            .hazards(&[Hazard::BreaksClients])
            .requires(reads(view))
            .drops([rel(name)]),
        ],
        Change::ReplaceView { name, view } => vec![
            Step::new(
                Phase::CreateView,
                sql!("CREATE OR REPLACE VIEW {}{} AS\n{}", name, view_options(view), Printed::new(&view.query)),
                format!("replace view {name}"),
            )
            .requires(reads(view))
            .modifies([rel(name)]),
        ],
        Change::CommentView { name, materialized, comment } => {
            let kind = if *materialized { "MATERIALIZED VIEW" } else { "VIEW" };
            vec![
                Step::new(
                    Phase::CommentView,
                    comment_on(kind, name, comment.as_ref()),
                    format!("comment on {} {name}", kind.to_lowercase()),
                )
                .requires([rel(name)]),
            ]
        }
        _ => unreachable!("view_steps called with {change:?}"),
    }
}

/// What the view's query reads, as keys: each relation, each column it names, and the functions it calls.
/// The catalog records a view's reads of another view by column; the relation key is what orders it
/// against that view's drop.
fn reads(view: &View) -> Vec<Key> {
    let mut keys: Vec<Key> = view.reads.iter().map(|d| rel(&d.relation)).collect();
    keys.extend(function_keys(&view.query));
    keys.extend(view.reads.iter().filter_map(|d| d.column.as_ref().map(|c| col(&d.relation, c))));
    keys.sort();
    keys.dedup();
    keys
}
