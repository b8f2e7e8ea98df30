//! keel's engine: turns the schema model into DDL, applies it, reads a live database back into the model,
//! and provides scratch databases to do that on.

pub mod apply;
pub mod introspect;
pub mod normalize;
pub mod render;
pub mod scratch;

pub use apply::{ApplyError, StatementError, apply_in_transaction};
pub use introspect::{IntrospectError, introspect};
