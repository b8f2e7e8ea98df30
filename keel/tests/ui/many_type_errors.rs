use keel::Table;

struct Point {
    x: f64,
    y: f64,
}

// Three field types that cannot carry their column: each is reported at its own field type.
#[derive(Table)]
struct Place {
    id: i64,
    location: Point,
    #[keel(varchar = 10)]
    code: i32,
    #[keel(json)]
    data: String,
}

fn main() {}
