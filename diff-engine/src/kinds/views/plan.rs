//! Statements for views and materialized views. A view's drop needs what it reads to still exist (it runs
//! before those change or go); its creation needs them in their new form (it runs after).

use super::{ViewChange, sql};
use crate::hazard::Hazard;
use crate::kinds::KindChange;
use crate::plan::step::{Context, Key, Phase, Step, col, function_keys, rel};
use keel_core::model::View;

impl KindChange for ViewChange {
    fn steps(&self, _cx: &Context) -> Vec<Step> {
        match self {
            ViewChange::Create { name, view } => vec![
                Step::new(
                    Phase::CreateView,
                    sql::create(name, view),
                    format!("create {} {name}", view.keyword().to_lowercase()),
                )
                .requires(reads(view))
                .creates([rel(name)]),
            ],
            ViewChange::Drop { name, view } => vec![
                Step::new(
                    Phase::DropView,
                    sql::drop(name, view),
                    format!("drop {} {name}", view.keyword().to_lowercase()),
                )
                .hazards(&[Hazard::BreaksClients])
                .requires(reads(view))
                .drops([rel(name)]),
            ],
            ViewChange::Replace { name, view } => vec![
                Step::new(Phase::CreateView, sql::replace(name, view), format!("replace view {name}"))
                    .requires(reads(view))
                    .modifies([rel(name)]),
            ],
            ViewChange::Comment { name, materialized, comment } => {
                let kind = sql::kind(*materialized);
                vec![
                    Step::new(
                        Phase::CommentView,
                        sql::comment(name, *materialized, comment.as_ref()),
                        format!("comment on {} {name}", kind.to_lowercase()),
                    )
                    .requires([rel(name)]),
                ]
            }
        }
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
