use keel::Table;

#[derive(Table)]
struct File(i64, String);

fn main() {}
