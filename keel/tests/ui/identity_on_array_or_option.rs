// `identity` and `optimistic_lock` need a single integer: not `Vec<i64>` (an array) nor `Option<i64>`
// (identity columns are NOT NULL).
use keel::Table;

#[derive(Table)]
struct Counter {
    id: i64,
    #[keel(identity)]
    sequence: Vec<i64>,
    #[keel(identity)]
    other_sequence: Option<i64>,
    #[keel(optimistic_lock)]
    version: Vec<i32>,
}

fn main() {}
