// keel's schema dump target, written by `keel init`: `keel` runs it to read the tables this crate declares.
keel::dump_schema_main!(keel_example_credits);
