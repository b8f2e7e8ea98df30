//! Triggers of the tables being read: their parts from `pg_trigger`, the `WHEN` condition from
//! `pg_get_triggerdef`. Internal triggers (foreign keys) and constraint triggers are not the schema
//! author's `CREATE TRIGGER`; constraint triggers stay unmanaged.

use super::{ColumnNames, IntrospectError, Tables, unexpected};
use keel_core::model::{QualifiedName, Trigger, TriggerEnabled, TriggerEvent, TriggerTiming};
use sqlx::PgConnection;
use sqlx::Row;
use sqlx::postgres::PgRow;
use sqlx::postgres::types::Oid;

const TRIGGERS: &str = "
SELECT tg.tgrelid AS table_oid, tg.tgname::text AS name, tg.tgtype::int4 AS kind, tg.tgenabled::text AS enabled,
       fn.nspname::text AS function_schema, f.proname::text AS function, tg.tgnargs::int4 AS nargs,
       tg.tgargs AS args, ARRAY(SELECT unnest(tg.tgattr::int2[])) AS columns,
       tg.tgoldtable::text AS old_table, tg.tgnewtable::text AS new_table,
       pg_get_triggerdef(tg.oid) AS definition, obj_description(tg.oid, 'pg_trigger') AS comment
FROM pg_trigger tg
JOIN pg_proc f ON f.oid = tg.tgfoid
JOIN pg_namespace fn ON fn.oid = f.pronamespace
WHERE tg.tgrelid = ANY($1) AND NOT tg.tgisinternal AND tg.tgconstraint = 0";

struct TriggerRow {
    table_oid: Oid,
    name: String,
    kind: i32,
    enabled: String,
    function_schema: String,
    function: String,
    nargs: i32,
    args: Vec<u8>,
    columns: Vec<i16>,
    old_table: Option<String>,
    new_table: Option<String>,
    definition: String,
    comment: Option<String>,
}

decode_by_name!(TriggerRow {
    table_oid,
    name,
    kind,
    enabled,
    function_schema,
    function,
    nargs,
    args,
    columns,
    old_table,
    new_table,
    definition,
    comment,
});

// `pg_trigger.tgtype` bits (PostgreSQL's `TRIGGER_TYPE_*`).
const ROW: i32 = 1;
const BEFORE: i32 = 2;
const INSERT: i32 = 4;
const DELETE: i32 = 8;
const UPDATE: i32 = 16;
const TRUNCATE: i32 = 32;
const INSTEAD: i32 = 64;

pub(super) async fn read(
    conn: &mut PgConnection,
    oids: &[Oid],
    names: &ColumnNames,
    tables: &mut Tables,
) -> Result<(), IntrospectError> {
    let rows = sqlx::query(TRIGGERS).bind(oids).fetch_all(&mut *conn).await?;
    for row in rows.iter().map(TriggerRow::decode) {
        let row = row?;
        let kind = row.kind;
        let timing = if kind & INSTEAD != 0 {
            TriggerTiming::InsteadOf
        } else if kind & BEFORE != 0 {
            TriggerTiming::Before
        } else {
            TriggerTiming::After
        };
        let events = [(INSERT, TriggerEvent::Insert), (UPDATE, TriggerEvent::Update), (DELETE, TriggerEvent::Delete)]
            .into_iter()
            .chain([(TRUNCATE, TriggerEvent::Truncate)])
            .filter(|(bit, _)| kind & bit != 0)
            .map(|(_, event)| event)
            .collect();
        let table = row.table_oid.0;
        let update_of = row
            .columns
            .iter()
            .map(|num| names.get(&(table, *num)).map(|a| a.name.clone()).ok_or_else(|| unexpected("trigger column")))
            .collect::<Result<Vec<_>, _>>()?;
        let enabled = match row.enabled.as_str() {
            "D" => TriggerEnabled::Disabled,
            "R" => TriggerEnabled::Replica,
            "A" => TriggerEnabled::Always,
            _ => TriggerEnabled::Origin,
        };
        let trigger = Trigger {
            timing,
            events,
            update_of,
            for_each_row: kind & ROW != 0,
            when: when_condition(&row.definition),
            old_table: row.old_table,
            new_table: row.new_table,
            function: QualifiedName::new(row.function_schema, row.function),
            arguments: arguments(&row.args, row.nargs),
            enabled,
            comment: row.comment,
        };
        if let Some((_, t)) = tables.get_mut(&table) {
            t.triggers.insert(row.name, trigger);
        }
    }
    Ok(())
}

/// `tgargs`: each argument followed by a NUL byte.
fn arguments(bytes: &[u8], count: i32) -> Vec<String> {
    bytes.split(|b| *b == 0).take(count.max(0) as usize).map(|a| String::from_utf8_lossy(a).into_owned()).collect()
}

/// The condition of `... FOR EACH ROW WHEN (condition) EXECUTE FUNCTION ...`, without its parentheses. The
/// catalog keeps it as a node tree only `pg_get_triggerdef` can print (it names `old` and `new`).
fn when_condition(definition: &str) -> Option<String> {
    let start = definition.find(" WHEN (")? + " WHEN (".len();
    let end = definition.rfind(") EXECUTE ")?;
    (end > start).then(|| definition[start..end].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_when_condition_between_its_parentheses() {
        let def = "CREATE TRIGGER t BEFORE UPDATE ON t FOR EACH ROW WHEN ((old.* IS DISTINCT FROM new.*)) \
                   EXECUTE FUNCTION touch()";
        assert_eq!(when_condition(def).as_deref(), Some("(old.* IS DISTINCT FROM new.*)"));
        assert_eq!(when_condition("CREATE TRIGGER t AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION f()"), None);
    }

    #[test]
    fn splits_arguments_at_nul_bytes() {
        assert_eq!(arguments(b"a\0b c\0", 2), vec!["a".to_string(), "b c".to_string()]);
        assert!(arguments(b"", 0).is_empty());
    }
}
