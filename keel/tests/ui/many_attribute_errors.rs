use keel::Table;

// Three misspelled attributes in three fields: darling reports all of them.
#[derive(Table)]
struct File {
    #[keel(primary_ky)]
    id: i64,
    #[keel(uniqe)]
    name: String,
    #[keel(refrences = "folders(id)")]
    folder_id: i64,
}

fn main() {}
