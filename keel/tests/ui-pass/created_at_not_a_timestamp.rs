// The `created_at`/`updated_at` convention (`DEFAULT now()`) applies to timestamp fields only: a `bigint`
// `created_at` (epoch seconds) gets no default, which PostgreSQL would reject.
use keel::Table;

#[derive(Table)]
struct Event {
    id: i64,
    created_at: i64,
}

fn main() {
    let table = <Event as Table>::definition().table;
    let created_at = table.column("created_at").unwrap();
    assert_eq!(created_at.ty, keel::ColumnType::BigInt);
    assert_eq!(created_at.default, None);
}
