use keel::Table;

#[derive(Table)]
#[keel(table = "a_table_name_that_is_much_too_long_for_postgres_to_keep_it_whole")]
struct File {
    id: i64,
}

#[derive(Table)]
struct AnExtremelyLongStructNameThatBecomesATableNameLongerThanPostgresAllows {
    id: i64,
}

fn main() {}
