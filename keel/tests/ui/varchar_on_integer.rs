use keel::Table;

#[derive(Table)]
struct File {
    id: i64,
    #[keel(varchar = 10)]
    size: i32,
}

fn main() {}
