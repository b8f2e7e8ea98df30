//! The SQL of sequences. Options are the model's clauses, printed as they are.

use crate::render::comment_on;
use crate::sql;
use crate::sql::{Ident, Literal, Name, Printed, Sql};
use keel_core::model::{ColumnType, QualifiedName, Sequence, SequenceOwner};

/// `CREATE SEQUENCE ... AS type` with every option the model sets.
pub(crate) fn create(name: &QualifiedName, sequence: &Sequence) -> Sql {
    let mut sql = sql!("CREATE SEQUENCE {} AS {}", name, sequence.data_type);
    for clause in sequence.options.sql_clauses() {
        sql.push(sql!(" {}", Printed::new(&clause)));
    }
    sql
}

pub(super) fn drop(name: &QualifiedName) -> Sql {
    sql!("DROP SEQUENCE {}", name)
}

pub(super) fn rename(from: &QualifiedName, to: &str) -> Sql {
    sql!("ALTER SEQUENCE {} RENAME TO {}", from, Ident::new(to))
}

/// `ALTER SEQUENCE ... AS type` followed by the option clauses (`RESTART` among them when it restarts).
pub(super) fn alter(name: &QualifiedName, data_type: &ColumnType, clauses: &[String]) -> Sql {
    sql!("ALTER SEQUENCE {} AS {} {}", name, data_type, Sql::join(clauses.iter().map(|c| Printed::new(c)), " "))
}

/// `'"schema"."name"'`: the name as a literal, which casts to the sequence's regclass.
pub(super) fn name_literal(name: &QualifiedName) -> Sql {
    let qualified = Name::new(name).to_string();
    sql!("{}", Literal::new(&qualified))
}

/// `ALTER SEQUENCE .. OWNED BY table.column`, or `OWNED BY NONE`.
pub(crate) fn owned_by(name: &QualifiedName, owner: Option<&SequenceOwner>) -> Sql {
    match owner {
        Some(owner) => sql!(
            "ALTER SEQUENCE {} OWNED BY {}.{}",
            name,
            Name::in_schema(&name.schema, &owner.table),
            Ident::new(&owner.column)
        ),
        None => sql!("ALTER SEQUENCE {} OWNED BY NONE", name),
    }
}

pub(crate) fn comment(name: &QualifiedName, comment: Option<&String>) -> Sql {
    comment_on("SEQUENCE", name, comment)
}
