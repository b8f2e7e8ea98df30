use keel::Table;

#[derive(Table)]
struct File {
    #[keel(identity, default = "0")]
    id: i64,
}

fn main() {}
