use keel::Table;

#[derive(Table)]
struct File<T> {
    id: i64,
    payload: T,
}

fn main() {}
