use keel::Table;

#[derive(Table)]
struct Folder {
    id: i64,
    owner_id: i64,
}

#[derive(Table)]
#[keel(foreign_key(columns = "folder_id", references = "folders(id, owner_id)"))]
struct File {
    id: i64,
    folder_id: i64,
    #[keel(references = "folders(id, owner_id)")]
    parent_folder_id: i64,
}

fn main() {}
