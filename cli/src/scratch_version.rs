//! A statement that fails on the scratch server may be valid on another PostgreSQL version: the note an
//! error of replayed migrations or declared SQL gets when the scratch server's version may be the cause.

use keel_diff::version::major;

/// The newest release whose syntax older servers lack and keel knows of (`NULLS NOT DISTINCT`, 15).
const NEWEST_SYNTAX: i32 = 150000;

/// SQLSTATE `syntax_error`.
const SYNTAX_ERROR: &str = "42601";

/// The note for a statement that failed on the scratch server (`scratch`, a `server_version_num`) with
/// SQLSTATE `code`. When the database keel compares with (`target`) is another major, any error may come
/// from the difference: both are named. Otherwise a syntax error on a server older than 15 may be a later
/// version's statement.
pub fn note(scratch: i32, target: Option<i32>, code: Option<&str>) -> Option<String> {
    if let Some(target) = target
        && major(target) != major(scratch)
    {
        return Some(format!(
            "note: the scratch server is PostgreSQL {} and the database is PostgreSQL {}: a statement one version \
             accepts may fail on the other; --dev-url or KEEL_DEV_URL names a scratch server of the database's \
             version",
            major(scratch),
            major(target)
        ));
    }
    (code == Some(SYNTAX_ERROR) && scratch < NEWEST_SYNTAX).then(|| {
        format!(
            "note: the scratch server is PostgreSQL {}; statements of later versions (BEGIN ATOMIC, NULLS NOT \
             DISTINCT, statistics on expressions...) fail there with a syntax error; --dev-url or KEEL_DEV_URL \
             names a newer server",
            major(scratch)
        )
    })
}

/// The warning for SQL read on a scratch server of an older major (`scratch`) than the database's
/// (`target`), when it succeeded: what the newer version adds is read as the older one understands it (an
/// older server accepts `CONSTRAINT name NOT NULL` and keeps no name), so the difference would show up
/// in the plan, not as an error.
pub fn older_scratch_warning(scratch: i32, target: Option<i32>) -> Option<String> {
    let target = target.filter(|target| major(*target) > major(scratch))?;
    Some(format!(
        "warning: the SQL was read on a PostgreSQL {} scratch server and the database is PostgreSQL {}: what {} \
         adds (named NOT NULL constraints, VIRTUAL generated columns...) is read as {} reads it; --dev-url or \
         KEEL_DEV_URL names a scratch server of the database's version",
        major(scratch),
        major(target),
        major(target),
        major(scratch)
    ))
}

#[cfg(test)]
mod tests {
    use super::{note, older_scratch_warning};

    #[test]
    fn sql_read_on_an_older_scratch_server_than_the_database_is_a_warning() {
        let warning = older_scratch_warning(150008, Some(180004)).expect("a warning");
        assert!(warning.starts_with("warning: the SQL was read on a PostgreSQL 15 scratch server"), "{warning}");
        assert!(warning.contains("the database is PostgreSQL 18: what 18 adds"), "{warning}");
        assert_eq!(older_scratch_warning(180004, Some(150008)), None, "a newer scratch server reads older SQL");
        assert_eq!(older_scratch_warning(150002, Some(150008)), None, "same major");
        assert_eq!(older_scratch_warning(150008, None), None, "no database");
    }

    #[test]
    fn another_major_than_the_database_is_named_whatever_the_error() {
        let note = note(130023, Some(160014), Some("22023")).expect("a note");
        assert!(note.contains("the scratch server is PostgreSQL 13 and the database is PostgreSQL 16"), "{note}");
        assert!(note.contains("KEEL_DEV_URL"), "{note}");
        let newer = super::note(180004, Some(150008), None).expect("a note");
        assert!(newer.contains("PostgreSQL 18 and the database is PostgreSQL 15"), "{newer}");
    }

    #[test]
    fn a_syntax_error_on_a_server_older_than_15_may_be_a_later_versions_statement() {
        for target in [None, Some(140011)] {
            let note = note(140023, target, Some("42601")).expect("a note");
            assert!(note.starts_with("note: the scratch server is PostgreSQL 14; statements of later"), "{note}");
        }
    }

    #[test]
    fn no_note_when_the_version_cannot_be_the_cause() {
        assert_eq!(note(150008, Some(150014), Some("42601")), None, "same major, syntax known");
        assert_eq!(note(130023, None, Some("42P01")), None, "not a syntax error");
        assert_eq!(note(130023, Some(130001), Some("42P01")), None, "same major");
        assert_eq!(note(180004, None, Some("42601")), None, "a server with every syntax keel knows");
    }
}
