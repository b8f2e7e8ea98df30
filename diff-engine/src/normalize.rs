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

/// The declared schema as PostgreSQL stores it. Rename hints are dropped: a database cannot hold them.
pub async fn normalize(server: &Server, declared: &Schema) -> Result<Schema, NormalizeError> {
    let database = server.create_database().await?;
    let result = async {
        let mut conn = database.connect().await?;
        crate::apply_in_transaction(&mut conn, &crate::render::create_schema(declared)).await?;
        let only: Vec<String> = declared.schemas.keys().cloned().collect();
        Ok::<_, NormalizeError>(crate::introspect(&mut conn, Some(&only)).await?)
    }
    .await;
    database.drop_database().await?;
    result
}
