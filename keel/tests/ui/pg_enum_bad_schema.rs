// `#[derive(PgEnum)]` checks its `schema` name: not empty, at most 63 bytes.
use keel::PgEnum;

#[derive(PgEnum)]
#[keel(schema = "")]
enum Mood {
    Happy,
}

#[derive(PgEnum)]
#[keel(schema = "a_schema_name_that_is_much_too_long_for_postgres_to_keep_it_whole")]
enum Color {
    Red,
}

fn main() {}
