use keel::Table;

#[derive(Table)]
#[keel(
    index(columns = "lower(name)", name = "idx_files_lower_name"),
    index(columns = "name DESC NULLS", name = "idx_files_name"),
    unique(columns = "name,, id")
)]
struct File {
    id: i64,
    name: String,
}

fn main() {}
