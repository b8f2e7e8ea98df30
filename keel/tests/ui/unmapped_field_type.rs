use keel::Table;

struct Point {
    x: f64,
    y: f64,
}

#[derive(Table)]
struct Place {
    id: i64,
    location: Point,
}

fn main() {}
