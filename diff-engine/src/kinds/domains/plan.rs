//! Statements for domains. Changes in place are `ALTER DOMAIN`; a recreated domain is renamed away, created
//! anew, its columns cast, and the old one dropped (as enums are recreated).

use super::{DomainChange, sql};
use crate::hazard::Hazard;
use crate::kinds::KindChange;
use crate::plan::step::{Context, Key, Phase, Step, cast_usages, rename_away, type_keys};
use crate::sql::Sql;
use keel_core::model::QualifiedName;

impl KindChange for DomainChange {
    fn steps(&self, cx: &Context) -> Vec<Step> {
        domain_steps(self, cx)
    }
}

fn domain_steps(change: &DomainChange, cx: &Context) -> Vec<Step> {
    match change {
        DomainChange::Create { name, domain } => {
            let mut statements = sql::create(name, domain).into_iter();
            let first = statements.next().expect("CREATE DOMAIN");
            let mut out = vec![
                Step::new(Phase::CreateType, first, format!("create domain {name}"))
                    .requires([Key::Schema(name.schema.clone())])
                    .requires(type_keys(&domain.base))
                    .creates([key(name)])
                    .creates(domain.checks.keys().map(|c| Key::Constraint(name.clone(), c.clone()))),
            ];
            out.extend(statements.map(|sql| {
                Step::new(Phase::CreateType, sql, format!("add a NOT VALID check to domain {name}"))
                    .requires([key(name)])
            }));
            out
        }
        DomainChange::Drop { name, domain } => vec![
            Step::new(Phase::DropType, sql::drop(name), format!("drop domain {name}"))
                .hazards(&[Hazard::BreaksClients])
                .requires([Key::Schema(name.schema.clone())])
                .requires(type_keys(&domain.base))
                .drops([key(name)])
                .drops(domain.checks.keys().map(|c| Key::Constraint(name.clone(), c.clone()))),
        ],
        DomainChange::SetDefault { name, default } => {
            let what = if default.is_some() { "set" } else { "drop" };
            vec![alter(name, sql::set_default(name, default.as_deref()), format!("{what} default of domain {name}"))]
        }
        DomainChange::SetNotNull { name, not_null: true, columns } => vec![
            alter(
                name,
                sql::set_not_null(name, true),
                format!("set not null on domain {name}{}", checks_every(columns)),
            )
            .hazards(&[Hazard::MayFailOnData]),
        ],
        DomainChange::SetNotNull { name, not_null: false, .. } => {
            vec![alter(name, sql::set_not_null(name, false), format!("allow nulls in domain {name}"))]
        }
        DomainChange::AddCheck { name, check_name, check, columns } => {
            let check_key = Key::Constraint(name.clone(), check_name.clone());
            let summary = format!("add check {check_name} to domain {name}");
            if check.not_valid || (cx.online && !columns.is_empty()) {
                // Online: the check holds for new values at once; existing values are read by VALIDATE.
                let add =
                    Step::new(Phase::AlterType, sql::add_check(name, check_name, &check.expression, true), summary)
                        .requires([key(name)])
                        .creates([check_key.clone()]);
                if check.not_valid {
                    return vec![add];
                }
                let validate = alter(
                    name,
                    sql::validate_check(name, check_name),
                    format!("validate check {check_name} of domain {name}{}", checks_every(columns)),
                )
                .hazards(&[Hazard::MayFailOnData])
                .requires([check_key]);
                return vec![add, validate];
            }
            let mut step = Step::new(
                Phase::AlterType,
                sql::add_check(name, check_name, &check.expression, false),
                format!("{summary}{}", checks_every(columns)),
            )
            .requires([key(name)])
            .creates([check_key]);
            if !columns.is_empty() {
                step.hazards.insert(Hazard::MayFailOnData);
            }
            vec![step]
        }
        DomainChange::DropCheck { name, check_name } => vec![
            alter(name, sql::drop_check(name, check_name), format!("drop check {check_name} of domain {name}"))
                .drops([Key::Constraint(name.clone(), check_name.clone())]),
        ],
        DomainChange::ValidateCheck { name, check_name } => vec![
            alter(name, sql::validate_check(name, check_name), format!("validate check {check_name} of domain {name}"))
                .hazards(&[Hazard::MayFailOnData]),
        ],
        DomainChange::Recreate { name, domain, usages } => {
            let old_name = keel_core::naming::object_name(&name.name, None, "keel_old");
            let mut out = vec![rename_away(name, "DOMAIN", &old_name)];
            let mut statements = sql::create(name, domain).into_iter();
            out.push(
                Step::new(
                    Phase::RecreateType,
                    statements.next().expect("CREATE DOMAIN"),
                    format!("create domain {name} anew"),
                )
                .requires(type_keys(&domain.base))
                .creates([key(name)]),
            );
            out.extend(
                statements
                    .map(|sql| Step::new(Phase::RecreateType, sql, format!("add a NOT VALID check to domain {name}"))),
            );
            let old = cx.current.schemas.get(&name.schema).and_then(|ns| ns.domains.get(&name.name));
            out.extend(cast_usages(name, &old_name, usages, true, &[], old.map(|o| (&o.base, &domain.base))));
            out.push(Step::new(
                Phase::RecreateType,
                sql::drop_replaced(name, &old_name),
                format!("drop the replaced domain {old_name}"),
            ));
            if domain.comment.is_some() {
                let sql = sql::comment(name, domain.comment.as_ref());
                out.push(Step::new(Phase::Comment, sql, format!("comment on domain {name}")).requires([key(name)]));
            }
            out
        }
        DomainChange::Comment { name, comment } => vec![
            Step::new(Phase::Comment, sql::comment(name, comment.as_ref()), format!("comment on domain {name}"))
                .requires([key(name)]),
        ],
    }
}

fn key(name: &QualifiedName) -> Key {
    Key::Type(name.clone())
}

/// `ALTER DOMAIN` in place: after the domain exists.
fn alter(name: &QualifiedName, sql: Sql, summary: String) -> Step {
    Step::new(Phase::AlterType, sql, summary).requires([key(name)])
}

/// ` (checks every value of public.t.c, ...)` for statements that read every column of the domain.
fn checks_every(columns: &[String]) -> String {
    if columns.is_empty() { String::new() } else { format!(" (checks every value of {})", columns.join(", ")) }
}
