use keel::Table;

#[derive(Table)]
struct File {
    id: i64,
    #[keel(column = "name")]
    title: String,
    #[keel(column = "name")]
    label: String,
}

fn main() {}
