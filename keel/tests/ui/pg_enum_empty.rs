use keel::PgEnum;

#[derive(PgEnum)]
enum Never {}

fn main() {}
