use keel::Table;

#[derive(Table)]
#[keel(touch_updated_at)]
struct Document {
    id: i64,
    modified_at: String,
}

fn main() {}
