use keel::Table;

#[derive(Table)]
struct Folder {
    id: i64,
}

#[derive(Table)]
struct File {
    id: i64,
    #[keel(references = "folders(")]
    folder_id: i64,
}

fn main() {}
