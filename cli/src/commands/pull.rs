//! temporary
use super::Outcome;
use crate::session::Session;
use std::path::Path;
pub async fn run(_session: Session, _out: &Path, _force: bool) -> anyhow::Result<Outcome> {
    anyhow::bail!("not yet")
}
