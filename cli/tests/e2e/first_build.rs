//! The first command on a crate builds its schema dump target, which compiles the crate's dependencies:
//! keel says so and lets cargo's progress through on stderr, and stdout stays the command's result.

use crate::harness::App;

const LIB: &str = r#"
#[derive(keel::Table)]
pub struct Note {
    pub id: uuid::Uuid,
    pub title: String,
}
"#;

#[test]
fn the_first_run_shows_the_dump_build_and_json_stays_pure() {
    let app = App::new(LIB);
    app.keel(&["init"]).run().expect(0);

    let run = app.keel(&["diff", "--from", "empty", "--to", ".", "--output", "json"]).dev().run().expect(2);
    assert!(run.json()["statements"].is_array(), "stdout is the plan, as JSON\n{}", run.describe());
    assert!(
        run.stderr.contains("building the crate's schema dump (`keel-schema`)"),
        "keel says what it builds\n{}",
        run.describe()
    );
    assert!(
        run.stderr.contains(&format!("Compiling {} v0.1.0", app.name)),
        "cargo's progress reaches stderr\n{}",
        run.describe()
    );

    // Built: the next run compiles nothing and says nothing about building.
    let again = app.keel(&["diff", "--from", "empty", "--to", ".", "--output", "json"]).dev().run().expect(2);
    again.json();
    for quiet in ["building", "Compiling", "Finished", "Running"] {
        assert!(!again.stderr.contains(quiet), "a fresh build is silent ({quiet})\n{}", again.describe());
    }
}
