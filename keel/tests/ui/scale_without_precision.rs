use keel::Table;

#[derive(Table)]
struct Invoice {
    id: i64,
    #[keel(scale = 2, sql_type = "numeric")]
    amount: String,
}

fn main() {}
