//! `pull::generate` on schemas written as JSON: determinism, escaping, and what it refuses.

use keel_cli::pull;
use keel_core::Schema;

#[test]
fn generation_is_deterministic_and_escapes_every_literal() {
    let json = r#"{
      "format_version": 1,
      "schemas": {
        "app": {
          "tables": {
            "notes": {
              "columns": [
                {"name": "id", "type": {"kind": "uuid"}, "nullable": false, "default": "gen_random_uuid()"},
                {"name": "body", "type": {"kind": "text"}, "nullable": false, "default": "'say \"hi\" \\ it''s'::text",
                 "comment": "line one\nline two \"quoted\" \\ back 🦀 表"}
              ],
              "primary_key": {"name": "notes_pkey", "columns": ["id"]},
              "checks": {"notes_body_check": {"expression": "(body <> 'a\\b')"}},
              "comment": "Notes: \"quoted\", back\\slash"
            }
          }
        }
      }
    }"#;
    let schema = Schema::from_json(json).expect("a schema");
    let first = pull::generate(&schema).expect("generate");
    for _ in 0..3 {
        assert_eq!(pull::generate(&schema.clone()).expect("generate"), first, "byte-identical every time");
    }
    let notes = &first.files["notes.rs"];
    assert!(notes.contains(r#"#[keel(schema = "app", comment = "Notes: \"quoted\", back\\slash")]"#), "{notes}");
    assert!(notes.contains(r#"default = "'say \"hi\" \\ it''s'::text""#), "{notes}");
    assert!(notes.contains(r#"check = "(body <> 'a\\b')""#), "{notes}");
    assert!(notes.contains(r#"comment = "line one\nline two \"quoted\" \\ back \u{1f980} \u{8868}""#), "{notes}");
    assert!(first.warnings.is_empty(), "{:?}", first.warnings);
}

#[test]
fn schemas_that_cannot_be_written_are_refused() {
    let mut schema = Schema::default();
    schema.schemas.entry(String::new()).or_default();
    assert!(matches!(pull::generate(&schema), Err(pull::PullError::InvalidName { what: "schema", .. })));

    let json = r#"{"format_version": 1, "schemas": {"app": {"tables": {"t": {
        "columns": [{"name": "a", "type": {"kind": "integer"}, "nullable": false}],
        "primary_key": {"name": "t_pkey", "columns": ["b"]}}}}}}"#;
    let schema = Schema::from_json(json).expect("a schema");
    assert!(matches!(pull::generate(&schema), Err(pull::PullError::UnknownColumn(_))));
}

#[test]
fn a_partitioned_table_gets_partition_by_and_its_partitions_a_warning() {
    let json = r#"{"format_version": 1, "schemas": {"public": {"tables": {"events": {
        "columns": [{"name": "id", "type": {"kind": "big_int"}, "nullable": false},
                    {"name": "day", "type": {"kind": "date"}, "nullable": false}],
        "primary_key": {"name": "events_pkey", "columns": ["id", "day"]},
        "partition_by": "RANGE (day)",
        "partitions": {"events_2025": {"bound": "FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')"},
                       "events_old": {"bound": "DEFAULT", "schema": "archive"}}}}}}}"#;
    let schema = Schema::from_json(json).expect("a schema");
    let generated = pull::generate(&schema).expect("generate");
    let events = &generated.files["events.rs"];
    assert!(events.contains(r#"partition_by = "RANGE (day)""#), "{events}");
    let partitions: Vec<&String> = generated.warnings.iter().filter(|w| w.starts_with("partition ")).collect();
    assert_eq!(partitions.len(), 2, "{:?}", generated.warnings);
    assert!(partitions[1].starts_with("partition archive.events_old of public.events: "), "{partitions:?}");
}

#[test]
fn a_virtual_generated_column_is_written_with_virtual() {
    let json = r#"{"format_version": 1, "schemas": {"public": {"tables": {"invoices": {
        "columns": [{"name": "id", "type": {"kind": "big_int"}, "nullable": false},
                    {"name": "net", "type": {"kind": "big_int"}, "nullable": false},
                    {"name": "doubled", "type": {"kind": "big_int"}, "nullable": true, "generated": "(net * 2)"},
                    {"name": "tripled", "type": {"kind": "big_int"}, "nullable": true, "generated": "(net * 3)",
                     "generated_kind": "virtual"}],
        "primary_key": {"name": "invoices_pkey", "columns": ["id"]}}}}}}"#;
    let schema = Schema::from_json(json).expect("a schema");
    let invoices = &pull::generate(&schema).expect("generate").files["invoices.rs"];
    assert!(invoices.contains(r#"#[keel(generated = "(net * 2)")]"#), "{invoices}");
    assert!(invoices.contains(r#"#[keel(generated = "(net * 3)", virtual)]"#), "{invoices}");
}
