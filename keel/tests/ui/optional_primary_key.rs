use keel::Table;

#[derive(Table)]
struct File {
    id: Option<i64>,
    name: String,
}

#[derive(Table)]
struct Tag {
    #[keel(primary_key)]
    name: Option<String>,
}

fn main() {}
