use keel::Table;

#[derive(Table)]
struct Item {
    id: i64,
    r#type: String,
    #[keel(index)]
    r#match: Option<String>,
}

fn main() {
    assert_eq!(Item::TYPE, "type");
    assert_eq!(Item::MATCH, "match");
    assert_eq!(<Item as Table>::COLUMNS, ["id", "type", "match"]);
    let def = Item::definition();
    assert!(def.table.indexes.contains_key("idx_items_match"));
    let new = NewItem {
        id: 1,
        r#type: "t".into(),
        r#match: None,
    };
    assert_eq!(new.r#type, "t");
}
