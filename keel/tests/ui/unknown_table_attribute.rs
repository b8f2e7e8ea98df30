use keel::Table;

#[derive(Table)]
#[keel(tabel = "documents")]
struct File {
    id: i64,
    name: String,
}

fn main() {}
