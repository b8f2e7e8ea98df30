use keel::Table;

#[derive(Table)]
struct File {
    id: i64,
    #[keel(column = "a", column = "b")]
    label: String,
    #[keel(unique(name = "x"))]
    code: String,
    #[keel(precision = 300)]
    at: chrono::NaiveTime,
}

fn main() {}
