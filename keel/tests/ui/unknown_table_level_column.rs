use keel::Table;

#[derive(Table)]
#[keel(
    index(columns = "user_id, creatd_at DESC"),
    unique(columns = "user_id, nmae"),
    index(columns = "user_id", include = "sise")
)]
struct File {
    id: i64,
    user_id: i64,
    name: String,
    size: i64,
    created_at: i64,
}

fn main() {}
