//! Object kinds that own their whole life cycle in one module: the change type, the diff that produces it,
//! the planning steps and the SQL. See ARCHITECTURE.md, "How to add an object kind".

pub mod statistics;
