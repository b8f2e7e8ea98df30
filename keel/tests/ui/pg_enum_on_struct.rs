use keel::PgEnum;

#[derive(PgEnum)]
struct Status {
    active: bool,
}

fn main() {}
