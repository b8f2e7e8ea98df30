use keel::Table;

#[derive(Table)]
struct Folder {
    id: i64,
}

// Three independent mistakes in three fields: all are reported in one compile.
#[derive(Table)]
struct File {
    id: i64,
    #[keel(references = "folders(id)", on_delete = "explode")]
    folder_id: i64,
    #[keel(scale = 2)]
    size: i64,
    #[keel(column = "folder_id")]
    parent_id: i64,
}

fn main() {}
