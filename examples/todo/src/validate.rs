//! Checks on caller input, done before the database sees it, so callers get a [`TodoError::Invalid`] that
//! names the field instead of a PostgreSQL error.

use crate::TodoError;

/// An auth system's user id: any non-empty text (ids are opaque; their format belongs to the auth system).
pub(crate) fn user_id(user_id: &str) -> Result<(), TodoError> {
    if user_id.is_empty() {
        return Err(TodoError::Invalid { field: "user_id", reason: "is empty".into() });
    }
    Ok(())
}

/// A title or name: not blank, at most `max_chars` characters (the column's varchar length).
pub(crate) fn text(field: &'static str, value: &str, max_chars: usize) -> Result<(), TodoError> {
    if value.trim().is_empty() {
        return Err(TodoError::Invalid { field, reason: "is blank".into() });
    }
    let chars = value.chars().count();
    if chars > max_chars {
        return Err(TodoError::Invalid { field, reason: format!("has {chars} characters, at most {max_chars} fit") });
    }
    Ok(())
}
