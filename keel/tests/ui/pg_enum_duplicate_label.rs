use keel::PgEnum;

#[derive(PgEnum)]
enum Status {
    Active,
    #[keel(rename = "active")]
    Enabled,
}

fn main() {}
