mod model {
    use keel::Table;

    /// A documented, public table: the derive's output must not trip `missing_docs`.
    #[derive(Table)]
    pub struct Account {
        /// The key.
        pub id: uuid::Uuid,
        /// The login.
        #[keel(varchar = 64, unique)]
        pub login: String,
        /// When.
        pub created_at: chrono::DateTime<chrono::Utc>,
    }
}

#[deny(missing_docs)]
fn main() {
    use keel::Table;
    let new = model::NewAccount {
        id: None,
        login: "root".into(),
        created_at: None,
    };
    assert_eq!(new.login, "root");
    assert_eq!(model::Account::LOGIN, "login");
    assert_eq!(<model::Account as Table>::NAME, "accounts");
    let schema = keel::collect().unwrap();
    assert!(schema.table("public", "accounts").is_some());
}
