//! Planning through the public API outside the oracle, for cases that need their own [`PlanOptions`]
//! (a lock timeout) or whose plan PostgreSQL refuses to apply (an unmanaged view in the way).

use keel_diff::{Plan, PlanOptions, apply_plan, introspect, plan, unmanaged};
use keel_test_support::ScratchDatabase;
use sqlx::{AssertSqlSafe, PgConnection};

/// Two scratch databases built from SQL, A and B.
pub struct Pair {
    databases: Vec<ScratchDatabase>,
    pub a: PgConnection,
    pub b: PgConnection,
}

impl Pair {
    pub async fn new(a_sql: &str, b_sql: &str) -> Pair {
        let (db_a, a) = crate::harness::database(a_sql).await;
        let (db_b, b) = crate::harness::database(b_sql).await;
        Pair { databases: vec![db_a, db_b], a, b }
    }

    /// The A→B plan with `options`, A's unmanaged objects added to them.
    pub async fn plan(&mut self, options: PlanOptions) -> Plan {
        let current = introspect(&mut self.a, None).await.expect("introspect A");
        let desired = introspect(&mut self.b, None).await.expect("introspect B");
        let unmanaged = unmanaged(&mut self.a, None).await.expect("unmanaged objects of A");
        let options = PlanOptions { unmanaged, ..options };
        crate::golden::record(&current, &desired, &options);
        plan(&current, &desired, &options).expect("plan A→B")
    }

    /// Applies `planned` to A, then checks that A equals B (column order aside) and that nothing is left
    /// to plan.
    pub async fn apply_and_converge(&mut self, planned: &Plan) {
        if let Err(e) = apply_plan(&mut self.a, planned).await {
            panic!("applying the plan failed: {e}\n-- plan:\n{}", planned.to_sql());
        }
        let after = introspect(&mut self.a, None).await.expect("introspect A after the plan");
        let desired = introspect(&mut self.b, None).await.expect("introspect B");
        assert_eq!(
            after.without_column_order(),
            desired.without_column_order(),
            "A differs from B after:\n{}",
            planned.to_sql()
        );
        let again = plan(&after, &desired, &PlanOptions::default()).expect("plan again");
        assert!(again.is_empty(), "planning again is not empty:\n{}", again.to_sql());
    }

    /// Runs a query on A that returns one boolean.
    pub async fn check_a(&mut self, sql: &str) -> bool {
        sqlx::query_scalar(AssertSqlSafe(sql.to_string()))
            .fetch_one(&mut self.a)
            .await
            .unwrap_or_else(|e| panic!("query on A failed: {e}\n{sql}"))
    }

    pub async fn drop(self) {
        let Pair { databases, a, b } = self;
        drop((a, b));
        for database in databases {
            database.drop_database().await.expect("drop a scratch database");
        }
    }
}
