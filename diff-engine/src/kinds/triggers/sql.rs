//! The SQL of triggers.

use crate::render::comment_on;
use crate::sql;
use crate::sql::{Ident, Idents, Keyword, Literals, Printed, Sql};
use keel_core::model::{QualifiedName, Trigger, TriggerEnabled};

/// `ALTER TABLE .. ENABLE TRIGGER ..` (or `DISABLE`, `ENABLE REPLICA`, `ENABLE ALWAYS`).
pub(crate) fn set_enabled(table: &QualifiedName, name: &str, enabled: TriggerEnabled) -> Sql {
    let action = match enabled {
        TriggerEnabled::Origin => "ENABLE TRIGGER",
        TriggerEnabled::Disabled => "DISABLE TRIGGER",
        TriggerEnabled::Replica => "ENABLE REPLICA TRIGGER",
        TriggerEnabled::Always => "ENABLE ALWAYS TRIGGER",
    };
    sql!("ALTER TABLE {} {} {}", table, Keyword(action), Ident::new(name))
}

/// `"trigger" ON "schema"."table"`: how statements name a trigger.
fn target(table: &QualifiedName, name: &str) -> Sql {
    sql!("{} ON {}", Ident::new(name), table)
}

/// `CREATE TRIGGER name BEFORE UPDATE OF a ON t FOR EACH ROW WHEN (...) EXECUTE FUNCTION f('arg')`.
pub(crate) fn create(table: &QualifiedName, name: &str, trigger: &Trigger) -> Sql {
    let events = trigger.events.iter().map(|event| match event {
        keel_core::TriggerEvent::Update if !trigger.update_of.is_empty() => {
            sql!("UPDATE OF {}", Idents::new(&trigger.update_of))
        }
        other => sql!("{}", Keyword(other.keyword())),
    });
    let mut sql = sql!(
        "CREATE TRIGGER {} {} {} ON {}",
        Ident::new(name),
        Keyword(trigger.timing.keyword()),
        Sql::join(events, " OR "),
        table
    );
    let referencing: Vec<Sql> = [("OLD", &trigger.old_table), ("NEW", &trigger.new_table)]
        .into_iter()
        .filter_map(|(which, name)| name.as_ref().map(|n| sql!("{} TABLE AS {}", Keyword(which), Ident::new(n))))
        .collect();
    if !referencing.is_empty() {
        sql.push(sql!(" REFERENCING {}", Sql::join(referencing, " ")));
    }
    sql.push(Keyword(if trigger.for_each_row { " FOR EACH ROW" } else { " FOR EACH STATEMENT" }));
    if let Some(condition) = &trigger.when {
        sql.push(sql!(" WHEN ({})", Printed::new(condition)));
    }
    sql.push(sql!(" EXECUTE FUNCTION {}({})", trigger.function, Literals::new(&trigger.arguments)));
    sql
}

/// `DROP TRIGGER "name" ON "schema"."table"`.
pub(crate) fn drop(table: &QualifiedName, name: &str) -> Sql {
    sql!("DROP TRIGGER {}", target(table, name))
}

pub(crate) fn comment(table: &QualifiedName, name: &str, comment: Option<&String>) -> Sql {
    comment_on("TRIGGER", target(table, name), comment)
}
