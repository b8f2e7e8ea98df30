//! Normalization: PostgreSQL rewrites what it stores (`x > 0` becomes `(x > 0)`, `int4` becomes `integer`),
//! so a declared schema is compared in the form the server would store it. The declared schema is
//! materialized in a scratch database and read back with the same catalog reader as the live side.

use crate::scratch::{ScratchError, Server};
use crate::{ApplyError, IntrospectError};
use keel_core::Schema;

#[derive(Debug, thiserror::Error)]
pub enum NormalizeError {
    #[error("could not get a scratch database: {0}")]
    Scratch(#[from] ScratchError),
    #[error("the declared schema does not apply to PostgreSQL: {0}")]
    Apply(#[from] ApplyError),
    #[error(transparent)]
    Introspect(#[from] IntrospectError),
}

/// The declared schema as PostgreSQL stores it, with the declaration's rename hints carried over (the
/// planner reads them from the desired schema).
pub async fn normalize(server: &Server, declared: &Schema) -> Result<Schema, NormalizeError> {
    let mut normalized = stored_form(server, declared).await?;
    carry_hints(declared, &mut normalized);
    Ok(normalized)
}

/// `renamed_from` of tables, columns and enums, copied by name.
fn carry_hints(declared: &Schema, normalized: &mut Schema) {
    for (name, ns) in &declared.schemas {
        let Some(target) = normalized.schemas.get_mut(name) else { continue };
        for (table_name, table) in &ns.tables {
            let Some(t) = target.tables.get_mut(table_name) else { continue };
            t.renamed_from.clone_from(&table.renamed_from);
            for column in &table.columns {
                if let Some(c) = t.columns.iter_mut().find(|c| c.name == column.name) {
                    c.renamed_from.clone_from(&column.renamed_from);
                }
            }
        }
        for (enum_name, e) in &ns.enums {
            if let Some(target_enum) = target.enums.get_mut(enum_name) {
                target_enum.renamed_from.clone_from(&e.renamed_from);
            }
        }
    }
}

async fn stored_form(server: &Server, declared: &Schema) -> Result<Schema, NormalizeError> {
    let database = server.create_database().await?;
    let result = async {
        let mut conn = database.connect().await?;
        crate::apply_in_transaction(&mut conn, &crate::render::create_schema(&declared.without_hints())).await?;
        let only: Vec<String> = declared.schemas.keys().cloned().collect();
        Ok::<_, NormalizeError>(crate::introspect(&mut conn, Some(&only)).await?)
    }
    .await;
    database.drop_database().await?;
    result
}
