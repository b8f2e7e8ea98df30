use keel::Table;

#[derive(Table)]
struct File {
    id: i64,
    #[keel(optimistic_lock)]
    version: String,
}

fn main() {}
