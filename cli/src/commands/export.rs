//! `keel export`: the DDL that creates a schema source from nothing (or its JSON).

use super::Outcome;
use crate::args::{Output, ProjectArgs, SqlArgs};
use crate::session::Session;
use keel_core::Schema;
use keel_diff::PlanOptions;

pub async fn run(mut session: Session, project: &ProjectArgs, sql: &SqlArgs) -> anyhow::Result<Outcome> {
    let desired = session.desired(project, sql)?;
    let schema = session.load(&desired).await?;
    match session.global.output.unwrap_or(Output::Sql) {
        Output::Json => print!("{}", schema.to_json()),
        Output::Sql | Output::Text => {
            // The planner from nothing: the same order and the same SQL a first migration gets.
            let plan = keel_diff::plan(&Schema::default(), &schema, &PlanOptions::default())?;
            for statement in &plan.statements {
                println!("{};\n", statement.sql);
            }
        }
    }
    session.finish();
    Ok(Outcome::Done)
}
