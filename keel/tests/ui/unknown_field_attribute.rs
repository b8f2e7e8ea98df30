use keel::Table;

#[derive(Table)]
struct File {
    #[keel(primary_ky)]
    id: i64,
    name: String,
}

fn main() {}
