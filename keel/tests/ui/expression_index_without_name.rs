use keel::Table;

#[derive(Table)]
#[keel(index(columns = "(lower(name))"))]
struct File {
    id: i64,
    name: String,
}

fn main() {}
