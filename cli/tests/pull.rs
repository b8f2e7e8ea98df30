//! `keel pull`'s code generator against real PostgreSQL and real compilation. Each case is a database built
//! from SQL (the guideline example: from its derives), introspected and generated into its own module tree of
//! one scratch crate. The crate is compiled once and its `keel::collect()` printed; each case's part of that
//! schema, normalized through the same server, must plan to nothing against the database it came from.
//!
//! `TEST_DATABASE_URL` (or `DATABASE_URL`) when set, else a throwaway cluster. The scratch crate builds in
//! `target/pull-scratch`, so its dependencies compile once across runs.

#[path = "pull/harness.rs"]
mod harness;

#[path = "pull/cases.rs"]
mod cases;

#[path = "pull/round_trip.rs"]
mod round_trip;

#[path = "pull/generate.rs"]
mod generate;
