use keel::Table;

#[derive(Table)]
struct File {
    #[keel(identity = "sometimes")]
    id: i64,
}

fn main() {}
