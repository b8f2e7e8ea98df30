use keel::Table;

#[derive(Table)]
#[keel(primary_key(columns = "file_id, tag_name"))]
struct FileTag {
    file_id: i64,
    tag: String,
}

fn main() {}
