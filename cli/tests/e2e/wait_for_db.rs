//! Scenario 5: `keel migrate --wait-for-db` against a server that is down when it starts (a throwaway
//! cluster of this test's own, paused), and comes up while keel retries.

use crate::harness::{Db, TempDir, finish, keel};
use keel_test_support::Server;

#[test]
fn migrate_waits_for_the_database_to_come_up() {
    let server = Server::start_local().expect("a throwaway cluster (needs initdb and pg_ctl)");
    let db = Db::on(&server);
    let project = TempDir::new("wait");
    project.write("migrations/20240101000001_create_things.sql", "CREATE TABLE things (id int PRIMARY KEY);\n");
    project.write("migrations/20240101000002_add_name.sql", "ALTER TABLE things ADD COLUMN name text;\n");

    server.pause().expect("stop the cluster");
    let (command, mut child) = keel(project.path(), &["migrate", "--wait-for-db", "60"]).db(&db.url).spawn();
    std::thread::sleep(std::time::Duration::from_secs(2));
    let exited_early = child.try_wait().expect("poll keel");
    server.resume().expect("start the cluster again");
    let run = finish(command, child);
    assert!(exited_early.is_none(), "keel gave up while the server was down\n{}", run.describe());
    assert_eq!(run.code, 0, "`{}`\n{}", run.command, run.describe());
    run.says("not reachable");
    assert_eq!(db.applied().len(), 2);
    assert_eq!(db.columns("things"), ["id", "name"]);

    drop(db);
    server.stop().expect("stop the cluster");
}
