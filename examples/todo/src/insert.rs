//! Inserting the derive's `New*` types: a field left `None` becomes SQL `DEFAULT`, so the database, not
//! the service, decides ids, flags and timestamps (the same defaults the migrations declare).

use sqlx::query_builder::Separated;
use sqlx::{Encode, Postgres, Type};
use std::fmt::Display;

/// Appends `value` as a bind parameter, or `DEFAULT` when the caller left it to the database.
pub(crate) fn bind_or_default<'t, T, Sep>(values: &mut Separated<'_, Postgres, Sep>, value: Option<T>)
where
    T: Encode<'t, Postgres> + Type<Postgres>,
    Sep: Display,
{
    match value {
        Some(value) => values.push_bind(value),
        None => values.push("DEFAULT"),
    };
}
