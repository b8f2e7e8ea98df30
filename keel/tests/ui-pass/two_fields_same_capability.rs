// Several fields needing the same capability of their type (here `Text` twice and `Integer` twice) in one
// table: the helpers the derive generates for each must not collide (this once failed with E0428).
use keel::Table;

#[derive(Table)]
struct User {
    id: i64,
    #[keel(varchar = 320)]
    email: String,
    #[keel(varchar = 64)]
    login: String,
    #[keel(optimistic_lock)]
    version: i32,
    #[keel(identity = "always")]
    seq: i64,
}

fn main() {
    use keel::Table;
    let def = User::definition();
    assert_eq!(def.table.column("login").unwrap().ty, keel::ColumnType::Varchar { length: Some(64) });
}
