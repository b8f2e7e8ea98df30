#![allow(dead_code)]
use keel::{PgEnum, Table};

#[derive(Table)]
struct Probe {
    #[keel(identity)]
    ids: Vec<i64>,
    #[keel(identity)]
    maybe: Option<i64>,
}

#[derive(Table)]
struct Probe2 {
    id: i64,
    #[keel(optimistic_lock, identity)]
    version: i32,
}

#[derive(Table)]
struct Probe3 {
    id: i64,
    #[keel(optimistic_lock, generated = "1")]
    version: i32,
    created_at: i64,
    #[keel(precision = 9)]
    at: chrono::DateTime<chrono::Utc>,
    #[keel(skip, primary_key, varchar = 3, references = "nowhere(x)")]
    skipped: i32,
}

type MaybeId = Option<i64>;
#[derive(Table)]
struct Probe4 {
    id: MaybeId,
}

#[derive(PgEnum)]
#[keel(schema = "")]
enum Probe5 {
    A,
}

#[derive(PgEnum)]
#[keel(schema = "a_schema_name_that_is_much_too_long_for_postgres_to_keep_it_whole")]
enum Probe6 {
    A,
}

#[test]
fn probe() {
    for d in [Probe::definition(), Probe2::definition(), Probe3::definition(), Probe4::definition()] {
        println!("{:#?}", d);
    }
    println!("{:?}", Probe5::definition());
    println!("{:?}", Probe6::definition());
}
