//! The convergence catalogue: focused A→B cases, each run against a real PostgreSQL through the oracle
//! in `harness`. One module per area.

mod harness;
// With KEEL_GOLDEN_RECORD=1, every plan's inputs are recorded for the golden test (tests/golden).
#[path = "../golden/case.rs"]
#[allow(dead_code)]
mod golden;
#[path = "../support/mod.rs"]
mod support;

mod columns;
mod comments;
mod composites;
mod constraints;
mod direct;
mod domains;
mod enums;
mod foreign_keys;
mod functions;
mod generated;
mod indexes;
mod lossy;
mod not_null;
mod online;
mod partitions;
mod policies;
mod renames;
mod schemas;
mod sequences;
mod smoke;
mod statistics;
mod tables;
mod triggers;
mod unmanaged;
mod validity;
mod versions;
mod views;
