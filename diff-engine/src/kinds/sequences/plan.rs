//! Statements for sequences. A sequence comes up after its schema and before the tables whose defaults
//! call it; it is given to its owner column once that exists, and taken from it before the column goes.
//! Dropping or restarting one forgets where it was, so ids rows hold may be handed out again.

use super::{SequenceChange, SequenceRestart, sql};
use crate::hazard::Hazard;
use crate::kinds::KindChange;
use crate::plan::step::{Context, Key, Measure, Phase, Step, col, rel, restart_steps};
use keel_core::model::{QualifiedName, SequenceOwner};

impl KindChange for SequenceChange {
    fn steps(&self, cx: &Context) -> Vec<Step> {
        match self {
            SequenceChange::Create { name, sequence } => vec![
                Step::new(Phase::CreateSequence, sql::create(name, sequence), format!("create sequence {name}"))
                    .requires([Key::Schema(name.schema.clone())])
                    .creates([rel(name)]),
            ],
            SequenceChange::Drop { name } => {
                // What it handed out is lost: a sequence created again starts over, at ids rows already hold.
                let mut step = Step::new(Phase::DropSequence, sql::drop(name), format!("drop sequence {name}"))
                    .hazards(&[Hazard::DeletesData, Hazard::BreaksClients])
                    .drops([rel(name)]);
                step.measure = Some(Measure::Sequence { sequence: name.clone() });
                vec![step]
            }
            SequenceChange::Alter { name, data_type, options, restart } => {
                let target = sql::name_literal(name);
                let mut clauses = options.alter_clauses(data_type);
                let mut out = restart_steps(*restart, &target, &mut clauses, &format!("sequence {name}"));
                let mut step = Step::new(
                    Phase::CreateSequence,
                    sql::alter(name, data_type, &clauses),
                    format!("alter sequence {name}"),
                )
                .requires([rel(name)]);
                if *restart == SequenceRestart::Restart {
                    // Where it was is lost: a restart may hand out again ids that rows hold (DESIGN, invariant 4).
                    step = step.hazards(&[Hazard::DeletesData, Hazard::MayFailOnData]);
                    step.measure = Some(Measure::Sequence { sequence: name.clone() });
                }
                out.push(step);
                out
            }
            SequenceChange::SetOwner { name, owner } => vec![set_owner(name, owner.as_ref(), cx)],
            SequenceChange::Comment { name, comment } => vec![
                Step::new(Phase::Comment, sql::comment(name, comment.as_ref()), format!("comment on sequence {name}"))
                    .requires([rel(name)]),
            ],
            SequenceChange::Rename { from, to } => vec![
                Step::new(Phase::RenameSequence, sql::rename(from, to), format!("rename sequence {from} to {to}"))
                    .hazards(&[Hazard::BreaksClients])
                    .drops([rel(from)])
                    .creates([rel(&QualifiedName::new(&from.schema, to))])
                    .teardown_off(),
            ],
        }
    }
}

/// `OWNED BY` a column once it exists; `OWNED BY NONE` before the column it had (as the current schema
/// has it) goes.
fn set_owner(name: &QualifiedName, owner: Option<&SequenceOwner>, cx: &Context) -> Step {
    let sql = sql::owned_by(name, owner);
    match owner {
        Some(owner) => {
            let table = QualifiedName::new(&name.schema, &owner.table);
            Step::new(Phase::AddKey, sql, format!("set owner of sequence {name}")).requires([
                rel(name),
                rel(&table),
                col(&table, &owner.column),
            ])
        }
        None => {
            let old = cx.current.schemas.get(&name.schema).and_then(|ns| ns.sequences.get(&name.name));
            let old_owner = old.and_then(|s| s.owned_by.clone());
            let mut step = Step::new(Phase::UnsetSequenceOwner, sql, format!("unset owner of sequence {name}"))
                .requires([rel(name)]);
            if let Some(o) = old_owner {
                step.uses_old.push(col(&QualifiedName::new(&name.schema, &o.table), &o.column));
            }
            step
        }
    }
}
