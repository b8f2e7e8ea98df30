use keel::PgEnum;

#[derive(PgEnum)]
enum Status {
    Active,
    Suspended { until: i64 },
    Deleted(String),
}

fn main() {}
