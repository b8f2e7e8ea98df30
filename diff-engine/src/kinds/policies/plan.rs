//! Statements for row level security. Policies are created after what they read and dropped before it
//! changes; row level security is switched on after the table's policies exist and off before any of them
//! is dropped, so that no statement boundary leaves a table with fewer rows visible than either end state.

use super::PolicyChange;
use super::sql;
use crate::hazard::Hazard;
use crate::kinds::KindChange;
use crate::plan::step::{Context, Key, Phase, Step, col, function_keys, rel};
use keel_core::model::{Policy, QualifiedName};

const ACCESS: Hazard = Hazard::ChangesAccess;

impl KindChange for PolicyChange {
    fn steps(&self, cx: &Context) -> Vec<Step> {
        policy_steps(self, cx)
    }
}

fn policy_steps(change: &PolicyChange, cx: &Context) -> Vec<Step> {
    match change {
        PolicyChange::EnableRowLevelSecurity { table } => {
            let summary = format!("enable row level security on {table}{}", without_policies(table, cx));
            vec![switch(table, "ENABLE", Phase::EnableRowSecurity, summary).requires(desired_policies(table, cx))]
        }
        PolicyChange::DisableRowLevelSecurity { table } => {
            let summary = format!("disable row level security on {table}: its policies stop applying");
            vec![switch(table, "DISABLE", Phase::DisableRowSecurity, summary)]
        }
        PolicyChange::ForceRowLevelSecurity { table } => {
            let summary = format!("force row level security on {table}: its owner is held to the policies too");
            vec![switch(table, "FORCE", Phase::EnableRowSecurity, summary).requires(desired_policies(table, cx))]
        }
        PolicyChange::NoForceRowLevelSecurity { table } => {
            let summary = format!("stop forcing row level security on {table}: its owner bypasses the policies");
            vec![switch(table, "NO FORCE", Phase::DisableRowSecurity, summary)]
        }
        PolicyChange::Create { table, name, policy } => vec![
            Step::new(
                Phase::CreatePolicy,
                sql::create(table, name, policy),
                format!("create policy {name} on {table}"),
            )
            .requires(reads(table, policy))
            .creates([key(table, name)]),
        ],
        PolicyChange::Drop { table, name, policy, recreated } => {
            let step = Step::new(Phase::DropPolicy, sql::drop(table, name), format!("drop policy {name} on {table}"))
                .requires(reads(table, policy))
                .drops([key(table, name)]);
            // Dropped and created again as it was, in the same transaction: nobody sees the difference.
            vec![if *recreated { step } else { step.hazards(&[ACCESS]) }]
        }
        PolicyChange::Alter { table, name, policy } => vec![
            Step::new(Phase::CreatePolicy, sql::alter(table, name, policy), format!("alter policy {name} on {table}"))
                .hazards(&[ACCESS])
                .requires(reads(table, policy))
                .modifies([key(table, name)]),
        ],
        PolicyChange::Comment { table, name, comment } => vec![
            Step::new(
                Phase::CommentPolicy,
                sql::comment(table, name, comment.as_ref()),
                format!("comment on policy {name} on {table}"),
            )
            .requires([rel(table), key(table, name)]),
        ],
    }
}

fn switch(table: &QualifiedName, action: &'static str, rank: Phase, summary: String) -> Step {
    Step::new(rank, sql::switch(table, action), summary).hazards(&[ACCESS]).requires([rel(table)])
}

/// `: no policy, ...` when the table will have none: switched on, row level security then hides every row.
fn without_policies(table: &QualifiedName, cx: &Context) -> &'static str {
    let Some(t) = cx.desired.table(&table.schema, &table.name) else { return "" };
    match (t.policies.is_empty(), t.row_level_security.forced) {
        (false, _) => "",
        (true, false) => ": no policy, so only its owner (and superusers, BYPASSRLS roles) see any row",
        (true, true) => ": no policy, so only superusers and BYPASSRLS roles see any row, not even its owner",
    }
}

/// The policies the table will have: row level security is switched on once they exist.
fn desired_policies(table: &QualifiedName, cx: &Context) -> Vec<Key> {
    let Some(t) = cx.desired.table(&table.schema, &table.name) else { return Vec::new() };
    t.policies.keys().map(|name| key(table, name)).collect()
}

fn key(table: &QualifiedName, name: &str) -> Key {
    Key::Policy(table.clone(), name.to_string())
}

/// The table, and what the expressions read: each relation, each column they name, each function they call.
fn reads(table: &QualifiedName, policy: &Policy) -> Vec<Key> {
    let mut keys = vec![rel(table)];
    keys.extend(policy.using.iter().chain(&policy.with_check).flat_map(|e| function_keys(e)));
    keys.extend(policy.reads.iter().map(|d| rel(&d.relation)));
    keys.extend(policy.reads.iter().filter_map(|d| d.column.as_ref().map(|c| col(&d.relation, c))));
    keys.sort();
    keys.dedup();
    keys
}
