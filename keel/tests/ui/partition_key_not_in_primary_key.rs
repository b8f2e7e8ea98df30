use keel::Table;

#[derive(Table)]
#[keel(partition_by = "RANGE (created_at)")]
struct Event {
    id: i64,
    created_at: chrono::NaiveDate,
}

#[derive(Table)]
#[keel(partition_by = "RANGE (at)", primary_key(columns = "id, created_at"))]
struct Log {
    id: i64,
    created_at: chrono::NaiveDate,
}

#[derive(Table)]
#[keel(partition_by = "SPLIT (id)")]
struct Sample {
    id: i64,
}

fn main() {}
