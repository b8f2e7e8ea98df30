use keel::Table;

#[derive(Table)]
#[keel(
    unique(columns = "name"),
    index(columns = "name", name = "files_pkey")
)]
struct File {
    id: i64,
    #[keel(unique)]
    name: String,
}

fn main() {}
