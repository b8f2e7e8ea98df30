//! The convergence catalogue: focused A→B cases, each run against a real PostgreSQL through the oracle
//! in `harness`. One module per area.

mod harness;

mod smoke;
