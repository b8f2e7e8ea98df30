use keel::Table;

#[derive(Table)]
#[keel(index(columns = "name", methd = "gin"))]
struct File {
    id: i64,
    #[keel(index(nmae = "idx_files_size"))]
    size: i64,
    name: String,
}

fn main() {}
