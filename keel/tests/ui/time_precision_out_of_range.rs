// `precision` on a time type is at most 6 (microseconds), as `sql_type = "timestamp(9)"` is refused.
use keel::Table;

#[derive(Table)]
struct Event {
    id: i64,
    #[keel(precision = 9)]
    at: chrono::DateTime<chrono::Utc>,
}

fn main() {}
