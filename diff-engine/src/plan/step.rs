//! The step model the object kinds (`crate::kinds`) build their statements with: a statement, its phase,
//! what it needs, creates and drops, and its hazards.

pub(crate) use super::Measure;
pub(crate) use super::phase::Phase;
pub(crate) use super::steps::{Context, Key, Step, col, expression_keys, function_keys, partition_bounds, rel};
pub(crate) use super::steps::{LOCK, alter_table, cast, default_keys, type_keys, unique_key};
pub(crate) use super::steps::{cast_usages, rename_away, restart_steps};
