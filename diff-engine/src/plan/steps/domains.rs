//! Statements for domains. Changes in place are `ALTER DOMAIN`; a recreated domain is renamed away, created
//! anew, its columns cast, and the old one dropped (as enums are recreated).

use super::{Context, Key, LOCK, Step, alter_table, col, rel, type_keys, using};
use crate::change::{Change, EnumUsage};
use crate::hazard::Hazard;
use crate::render::{comment_on, qualified};
use crate::render_types::{add_domain_check, create_domain};
use keel_core::model::{ColumnType, QualifiedName};
use keel_core::sql::quote_ident;

/// Domains go up with the other types, before tables, and come down after what uses them.
pub(super) const CREATE_RANK: u32 = 22;
pub(super) const ALTER_RANK: u32 = 35;
pub(super) const DROP_RANK: u32 = 272;

pub(super) fn domain_steps(change: &Change, cx: &Context) -> Vec<Step> {
    match change {
        Change::CreateDomain { name, domain } => {
            let mut statements = create_domain(name, domain).into_iter();
            let first = statements.next().expect("CREATE DOMAIN");
            let mut out = vec![
                Step::new(CREATE_RANK, first, format!("create domain {name}"))
                    .requires([Key::Schema(name.schema.clone())])
                    .requires(type_keys(&domain.base))
                    .creates([Key::Type(name.clone())])
                    .creates(domain.checks.keys().map(|c| Key::Constraint(name.clone(), c.clone()))),
            ];
            out.extend(statements.map(|sql| {
                Step::new(CREATE_RANK, sql, format!("add a NOT VALID check to domain {name}"))
                    .requires([Key::Type(name.clone())])
            }));
            out
        }
        Change::DropDomain { name, domain } => vec![
            Step::new(DROP_RANK, format!("DROP DOMAIN {}", qualified(name)), format!("drop domain {name}"))
                .hazards(&[Hazard::BreaksClients])
                .requires([Key::Schema(name.schema.clone())])
                .requires(type_keys(&domain.base))
                .drops([Key::Type(name.clone())])
                .drops(domain.checks.keys().map(|c| Key::Constraint(name.clone(), c.clone()))),
        ],
        Change::SetDomainDefault { name, default } => {
            let action = match default {
                Some(default) => format!("SET DEFAULT {default}"),
                None => "DROP DEFAULT".to_string(),
            };
            let what = if default.is_some() { "set" } else { "drop" };
            vec![alter(name, &action, format!("{what} default of domain {name}"))]
        }
        Change::SetDomainNotNull { name, not_null: true, columns } => vec![
            alter(name, "SET NOT NULL", format!("set not null on domain {name}{}", checks_every(columns)))
                .hazards(&[Hazard::MayFailOnData]),
        ],
        Change::SetDomainNotNull { name, not_null: false, .. } => {
            vec![alter(name, "DROP NOT NULL", format!("allow nulls in domain {name}"))]
        }
        Change::AddDomainCheck { name, check_name, check, columns } => {
            let key = Key::Constraint(name.clone(), check_name.clone());
            let summary = format!("add check {check_name} to domain {name}");
            if check.not_valid || (cx.online && !columns.is_empty()) {
                // Online: the check holds for new values at once; existing values are read by VALIDATE.
                let add = Step::new(ALTER_RANK, add_domain_check(name, check_name, &check.expression, true), summary)
                    .requires([Key::Type(name.clone())])
                    .creates([key.clone()]);
                if check.not_valid {
                    return vec![add];
                }
                let validate = alter(
                    name,
                    &format!("VALIDATE CONSTRAINT {}", quote_ident(check_name)),
                    format!("validate check {check_name} of domain {name}{}", checks_every(columns)),
                )
                .hazards(&[Hazard::MayFailOnData])
                .requires([key]);
                return vec![add, validate];
            }
            let mut step = Step::new(
                ALTER_RANK,
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
                &format!("DROP CONSTRAINT {}", quote_ident(check_name)),
                format!("drop check {check_name} of domain {name}"),
            )
            .drops([Key::Constraint(name.clone(), check_name.clone())]),
        ],
        Change::ValidateDomainCheck { name, check_name } => vec![
            alter(
                name,
                &format!("VALIDATE CONSTRAINT {}", quote_ident(check_name)),
                format!("validate check {check_name} of domain {name}"),
            )
            .hazards(&[Hazard::MayFailOnData]),
        ],
        Change::RecreateDomain { name, domain, usages } => {
            let old_name = keel_core::naming::object_name(&name.name, None, "keel_old");
            let mut out = vec![rename_away(name, "DOMAIN", &old_name)];
            let mut statements = create_domain(name, domain).into_iter();
            out.push(
                Step::new(100, statements.next().expect("CREATE DOMAIN"), format!("create domain {name} anew"))
                    .requires(type_keys(&domain.base))
                    .creates([Key::Type(name.clone())]),
            );
            out.extend(statements.map(|sql| Step::new(100, sql, format!("add a NOT VALID check to domain {name}"))));
            out.extend(cast_usages(name, &old_name, usages));
            out.push(Step::new(
                100,
                format!("DROP DOMAIN {}", qualified(&QualifiedName::new(&name.schema, &old_name))),
                format!("drop the replaced domain {old_name}"),
            ));
            if domain.comment.is_some() {
                let sql = comment_on("DOMAIN", &qualified(name), domain.comment.as_ref());
                out.push(Step::new(190, sql, format!("comment on domain {name}")).requires([Key::Type(name.clone())]));
            }
            out
        }
        Change::CommentDomain { name, comment } => vec![
            Step::new(
                190,
                comment_on("DOMAIN", &qualified(name), comment.as_ref()),
                format!("comment on domain {name}"),
            )
            .requires([Key::Type(name.clone())]),
        ],
        _ => unreachable!("steps() sends only domain changes here"),
    }
}

fn alter(name: &QualifiedName, action: &str, summary: String) -> Step {
    Step::new(ALTER_RANK, format!("ALTER DOMAIN {} {action}", qualified(name)), summary)
        .requires([Key::Type(name.clone())])
}

/// `: checks every value of public.t.c, ...` for statements that read every column of the type.
fn checks_every(columns: &[String]) -> String {
    if columns.is_empty() { String::new() } else { format!(" (checks every value of {})", columns.join(", ")) }
}

/// `ALTER {kind} name RENAME TO old_name`, making way for the new type of the same name.
pub(super) fn rename_away(name: &QualifiedName, kind: &str, old_name: &str) -> Step {
    Step::new(
        100,
        format!("ALTER {kind} {} RENAME TO {}", qualified(name), quote_ident(old_name)),
        format!("rename {} {name} to {old_name} to replace it", kind.to_lowercase()),
    )
    .drops([Key::Type(name.clone())])
    .teardown_off()
}

/// Casts every column of a recreated type (now renamed to `old_name`) to the new type through its text
/// form; a default is dropped before (it may name the old type) and set again after.
pub(super) fn cast_usages(name: &QualifiedName, old_name: &str, usages: &[EnumUsage]) -> Vec<Step> {
    let old = ColumnType::named(&name.schema, old_name);
    let mut out = Vec::new();
    for usage in usages {
        let (table, column) = (&usage.table, &usage.column);
        let key = col(table, column);
        if usage.drop_default {
            out.push(
                Step::new(
                    100,
                    format!("{} ALTER COLUMN {} DROP DEFAULT", alter_table(table), quote_ident(column)),
                    format!("drop default of {table}.{column} for the cast"),
                )
                .hazards(&[LOCK])
                .requires([rel(table)]),
            );
        }
        let old_ty = usage.ty.clone().with_scalar(old.clone());
        let mut cast = Step::new(
            100,
            format!(
                "{} ALTER COLUMN {} TYPE {} USING {}",
                alter_table(table),
                quote_ident(column),
                usage.ty,
                using(column, &old_ty, &usage.ty)
            ),
            format!("cast {table}.{column} to the new {name}"),
        )
        .hazards(&[LOCK, Hazard::RewritesTable, Hazard::MayFailOnData])
        .requires([rel(table), Key::Type(name.clone())])
        .modifies([key.clone()]);
        cast.affects.push((table.clone(), Some(column.clone())));
        out.push(cast);
        if let Some(default) = &usage.default {
            out.push(
                Step::new(
                    100,
                    format!("{} ALTER COLUMN {} SET DEFAULT {default}", alter_table(table), quote_ident(column)),
                    format!("restore default of {table}.{column}"),
                )
                .hazards(&[LOCK])
                .requires([rel(table), key]),
            );
        }
    }
    out
}
