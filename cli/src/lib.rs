//! The `keel` command line, as a library so its parts can be tested: arguments, configuration, schema
//! sources, migration files, prompts and output. Everything that compares, plans or runs SQL is in
//! `keel-diff`; this crate decides what to compare and how to show the result.

pub mod args;
pub mod commands;
pub mod config;
pub mod db_url;
pub mod integrity;
pub mod lint_baseline;
pub mod migration_files;
pub mod output;
pub mod prompt;
pub mod pull;
pub mod redact;
pub mod scratch_version;
pub mod session;
pub mod signals;
pub mod source;
