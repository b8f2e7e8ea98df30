//! The convergence catalogue: focused A→B cases, each run against a real PostgreSQL through the oracle
//! in `harness`. One module per area.

mod harness;
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
mod indexes;
mod lossy;
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
mod views;
