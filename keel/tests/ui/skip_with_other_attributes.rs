// A `skip`ped field is not a column, so its other keel attributes are an error, not silently dropped.
use keel::Table;

#[derive(Table)]
struct File {
    id: i64,
    #[keel(skip, primary_key, varchar = 3, references = "nowhere(x)")]
    cache: i32,
}

fn main() {}
