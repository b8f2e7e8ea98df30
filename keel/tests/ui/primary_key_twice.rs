use keel::Table;

#[derive(Table)]
#[keel(primary_key(columns = "file_id, tag"))]
struct FileTag {
    #[keel(primary_key)]
    file_id: i64,
    tag: String,
}

fn main() {}
