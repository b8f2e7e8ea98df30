use keel::Table;

#[derive(Table)]
struct Event {
    id: i64,
    #[keel(precision = 3)]
    happened_at: String,
}

fn main() {}
