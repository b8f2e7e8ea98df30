use keel::Table;

#[derive(Table)]
struct File {
    id: i64,
    #[keel(on_delete = "cascade", fk_name = "files_folder_fk")]
    folder_id: i64,
}

fn main() {}
