// The insert type `NewOrder` derives nothing by default, so field types need not be `Debug + Clone`
// (`PgEnum`/`SqlType` ask for neither; the crate docs' own example has this shape).
use keel::{PgEnum, Table};

#[derive(PgEnum)]
enum Kind {
    Purchase,
    Refund,
}

#[derive(Table)]
struct Order {
    id: i64,
    kind: Kind,
}

fn main() {}
