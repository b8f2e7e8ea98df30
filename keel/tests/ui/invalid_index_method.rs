use keel::Table;

#[derive(Table)]
#[keel(index(columns = "name", method = "foo"))]
struct File {
    id: i64,
    name: String,
}

fn main() {}
