use keel::Table;

#[derive(Table)]
struct File {
    id: i64,
    #[keel(varchar = 10, char = 10)]
    code: String,
    #[keel(sql_type = "text", varchar = 20)]
    name: String,
}

fn main() {}
