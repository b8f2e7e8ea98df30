//! Enum values a plan removes while rows still hold them: the cast of those rows to the new type fails, so
//! `push` refuses before running anything, says how many rows of which column hold each value (counted on
//! the target), and suggests the UPDATE that moves them to a value that stays.

use keel_core::Schema;
use keel_core::model::{ColumnType, QualifiedName};
use keel_core::sql::{quote_ident, quote_literal};
use keel_diff::{Measure, Plan};
use sqlx::PgConnection;

/// Rows of one column that hold one removed value.
pub struct Held {
    pub table: QualifiedName,
    pub column: String,
    pub value: String,
    pub rows: i64,
}

/// Every removed value some row holds, per column, as the database holds them now.
pub async fn held(conn: &mut PgConnection, plan: &Plan) -> Result<Vec<Held>, sqlx::Error> {
    let mut out = Vec::new();
    for statement in &plan.statements {
        let Some(measure @ Measure::Values { table, column, .. }) = &statement.measure else { continue };
        // Counted when the plan was measured; only a column that holds some is counted per value.
        if statement.data_loss.unwrap_or(0) == 0 {
            continue;
        }
        for (value, rows) in keel_diff::removed_values_held(conn, measure).await? {
            out.push(Held { table: table.clone(), column: column.clone(), value, rows });
        }
    }
    Ok(out)
}

/// Why the plan cannot run, and what to do first: one line per column and value, then the statements.
pub fn refusal(held: &[Held], current: &Schema, desired: &Schema) -> String {
    let mut out = String::from("the plan removes enum values that rows still hold, and converting those rows fails:\n");
    for h in held {
        let rows = keel_diff::counts::count(h.rows, "row", "rows");
        let verb = keel_diff::counts::plural(h.rows, "holds", "hold");
        out.push_str(&format!("  {rows} of {}.{} {verb} {}\n", h.table, h.column, quote_literal(&h.value)));
    }
    out.push_str("Update those rows first, to a value that stays (or delete them), then push again, e.g.:\n");
    for h in held {
        let ty = column_type(current, &h.table, &h.column);
        let kept = ty.and_then(|ty| kept_values(desired, ty)).unwrap_or_default();
        let to = kept.first().map_or_else(|| "'<a value that stays>'".to_string(), |v| quote_literal(v));
        out.push_str(&format!("  {}\n", update(h, ty.is_some_and(is_array), &to)));
    }
    out.push_str(
        "If the value is renamed rather than removed, declare the rename instead (docs/enums.md): its rows follow \
         it.",
    );
    out
}

/// The statement that moves the rows of `h` to the value `to` (an SQL literal).
fn update(h: &Held, array: bool, to: &str) -> String {
    let (table, column, value) = (
        format!("{}.{}", quote_ident(&h.table.schema), quote_ident(&h.table.name)),
        quote_ident(&h.column),
        quote_literal(&h.value),
    );
    if array {
        format!("UPDATE {table} SET {column} = array_replace({column}, {value}, {to}) WHERE {value} = ANY ({column});")
    } else {
        format!("UPDATE {table} SET {column} = {to} WHERE {column} = {value};")
    }
}

fn column_type<'a>(schema: &'a Schema, table: &QualifiedName, column: &str) -> Option<&'a ColumnType> {
    let table = schema.table(&table.schema, &table.name)?;
    table.columns.iter().find(|c| c.name == column).map(|c| &c.ty)
}

fn is_array(ty: &ColumnType) -> bool {
    matches!(ty, ColumnType::Array { .. })
}

/// The values the column's enum keeps in the desired schema.
fn kept_values<'a>(desired: &'a Schema, ty: &ColumnType) -> Option<&'a [String]> {
    let ColumnType::Named { schema, name } = ty.scalar() else { return None };
    desired.enum_type(schema, name).map(|e| e.values.as_slice())
}
