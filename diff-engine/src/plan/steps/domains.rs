//! Statements for domains. Changes in place are `ALTER DOMAIN`; a recreated domain is renamed away, created
//! anew, its columns cast, and the old one dropped (as enums are recreated).

use super::{Context, Key, Phase, Step, type_keys};
use super::{cast_usages, rename_away};
use crate::change::Change;
use crate::hazard::Hazard;
use crate::render::comment_on;
use crate::render_types::{add_domain_check, create_domain};
use crate::sql;
use crate::sql::{Ident, Name, Printed, Sql};
use keel_core::model::QualifiedName;

pub(super) fn domain_steps(change: &Change, cx: &Context) -> Vec<Step> {
    match change {
        Change::CreateDomain { name, domain } => {
            let mut statements = create_domain(name, domain).into_iter();
            let first = statements.next().expect("CREATE DOMAIN");
            let mut out = vec![
                Step::new(Phase::CreateType, first, format!("create domain {name}"))
                    .requires([Key::Schema(name.schema.clone())])
                    .requires(type_keys(&domain.base))
                    .creates([Key::Type(name.clone())])
                    .creates(domain.checks.keys().map(|c| Key::Constraint(name.clone(), c.clone()))),
            ];
            out.extend(statements.map(|sql| {
                Step::new(Phase::CreateType, sql, format!("add a NOT VALID check to domain {name}"))
                    .requires([Key::Type(name.clone())])
            }));
            out
        }
        Change::DropDomain { name, domain } => vec![
            Step::new(Phase::DropType, sql!("DROP DOMAIN {}", name), format!("drop domain {name}"))
                .hazards(&[Hazard::BreaksClients])
                .requires([Key::Schema(name.schema.clone())])
                .requires(type_keys(&domain.base))
                .drops([Key::Type(name.clone())])
                .drops(domain.checks.keys().map(|c| Key::Constraint(name.clone(), c.clone()))),
        ],
        Change::SetDomainDefault { name, default } => {
            let action = match default {
                Some(default) => sql!("SET DEFAULT {}", Printed::new(default)),
                None => sql!("DROP DEFAULT"),
            };
            let what = if default.is_some() { "set" } else { "drop" };
            vec![alter(name, action, format!("{what} default of domain {name}"))]
        }
        Change::SetDomainNotNull { name, not_null: true, columns } => vec![
            alter(name, sql!("SET NOT NULL"), format!("set not null on domain {name}{}", checks_every(columns)))
                .hazards(&[Hazard::MayFailOnData]),
        ],
        Change::SetDomainNotNull { name, not_null: false, .. } => {
            vec![alter(name, sql!("DROP NOT NULL"), format!("allow nulls in domain {name}"))]
        }
        Change::AddDomainCheck { name, check_name, check, columns } => {
            let key = Key::Constraint(name.clone(), check_name.clone());
            let summary = format!("add check {check_name} to domain {name}");
            if check.not_valid || (cx.online && !columns.is_empty()) {
                // Online: the check holds for new values at once; existing values are read by VALIDATE.
                let add =
                    Step::new(Phase::AlterType, add_domain_check(name, check_name, &check.expression, true), summary)
                        .requires([Key::Type(name.clone())])
                        .creates([key.clone()]);
                if check.not_valid {
                    return vec![add];
                }
                let validate = alter(
                    name,
                    sql!("VALIDATE CONSTRAINT {}", Ident::new(check_name)),
                    format!("validate check {check_name} of domain {name}{}", checks_every(columns)),
                )
                .hazards(&[Hazard::MayFailOnData])
                .requires([key]);
                return vec![add, validate];
            }
            let mut step = Step::new(
                Phase::AlterType,
                add_domain_check(name, check_name, &check.expression, false),
                format!("{summary}{}", checks_every(columns)),
            )
            .requires([Key::Type(name.clone())])
            .creates([key]);
            if !columns.is_empty() {
                step.hazards.insert(Hazard::MayFailOnData);
            }
            vec![step]
        }
        Change::DropDomainCheck { name, check_name } => vec![
            alter(
                name,
                sql!("DROP CONSTRAINT {}", Ident::new(check_name)),
                format!("drop check {check_name} of domain {name}"),
            )
            .drops([Key::Constraint(name.clone(), check_name.clone())]),
        ],
        Change::ValidateDomainCheck { name, check_name } => vec![
            alter(
                name,
                sql!("VALIDATE CONSTRAINT {}", Ident::new(check_name)),
                format!("validate check {check_name} of domain {name}"),
            )
            .hazards(&[Hazard::MayFailOnData]),
        ],
        Change::RecreateDomain { name, domain, usages } => {
            let old_name = keel_core::naming::object_name(&name.name, None, "keel_old");
            let mut out = vec![rename_away(name, "DOMAIN", &old_name)];
            let mut statements = create_domain(name, domain).into_iter();
            out.push(
                Step::new(
                    Phase::RecreateType,
                    statements.next().expect("CREATE DOMAIN"),
                    format!("create domain {name} anew"),
                )
                .requires(type_keys(&domain.base))
                .creates([Key::Type(name.clone())]),
            );
            out.extend(
                statements
                    .map(|sql| Step::new(Phase::RecreateType, sql, format!("add a NOT VALID check to domain {name}"))),
            );
            let old = cx.current.schemas.get(&name.schema).and_then(|ns| ns.domains.get(&name.name));
            out.extend(cast_usages(name, &old_name, usages, true, &[], old.map(|o| (&o.base, &domain.base))));
            out.push(Step::new(
                Phase::RecreateType,
                sql!("DROP DOMAIN {}", Name::in_schema(&name.schema, &old_name)),
                format!("drop the replaced domain {old_name}"),
            ));
            if domain.comment.is_some() {
                let sql = comment_on("DOMAIN", name, domain.comment.as_ref());
                out.push(
                    Step::new(Phase::Comment, sql, format!("comment on domain {name}"))
                        .requires([Key::Type(name.clone())]),
                );
            }
            out
        }
        Change::CommentDomain { name, comment } => vec![
            Step::new(
                Phase::Comment,
                comment_on("DOMAIN", name, comment.as_ref()),
                format!("comment on domain {name}"),
            )
            .requires([Key::Type(name.clone())]),
        ],
        _ => unreachable!("steps() sends only domain changes here"),
    }
}

fn alter(name: &QualifiedName, action: Sql, summary: String) -> Step {
    Step::new(Phase::AlterType, sql!("ALTER DOMAIN {} {}", name, action), summary).requires([Key::Type(name.clone())])
}

/// `: checks every value of public.t.c, ...` for statements that read every column of the type.
fn checks_every(columns: &[String]) -> String {
    if columns.is_empty() { String::new() } else { format!(" (checks every value of {})", columns.join(", ")) }
}
