// `optimistic_lock` sets `DEFAULT 1`, so it cannot be combined with `identity` or `generated`.
use keel::Table;

#[derive(Table)]
struct Doc {
    id: i64,
    #[keel(optimistic_lock, identity)]
    version: i32,
}

#[derive(Table)]
struct Doc2 {
    id: i64,
    #[keel(optimistic_lock, generated = "1")]
    version: i32,
}

fn main() {}
