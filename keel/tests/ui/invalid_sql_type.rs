use keel::Table;

#[derive(Table)]
struct File {
    id: i64,
    #[keel(sql_type = "varchar(ten)")]
    name: String,
    #[keel(sql_type = "timestamp(9)")]
    at: String,
}

fn main() {}
