use keel::Table;

#[derive(Table)]
#[keel(rls = "always")]
struct Secret {
    id: i64,
}

#[derive(Table)]
#[keel(rls = true)]
struct Other {
    id: i64,
}

fn main() {}
