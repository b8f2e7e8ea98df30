//! `keel pull`: a schema model (as introspected from a database) written back as Rust source that uses keel's
//! derives, such that collecting that source and normalizing it gives back the same schema.
//!
//! The output is one module per table (`file_versions.rs` holding `FileVersion`), `enums.rs` with every enum
//! type, and a `mod.rs` declaring and re-exporting them. Attributes are written wherever keel's conventions
//! would not reproduce the database exactly. Whatever the derives cannot express is named in
//! [`Generated::warnings`] rather than dropped silently, and the code still compiles without it. The files
//! are formatted as `rustfmt` (edition 2024, `max_width = 120`) leaves them, and the same schema always gives
//! byte-identical files.

mod format;
mod names;
mod table;
mod types;

use keel_core::model::{ColumnType, Schema};
use keel_core::naming;
use keel_core::registry::Problem;
use names::Taken;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

/// Generated source files and what they could not say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Generated {
    /// Relative path (`mod.rs`, `enums.rs`, `files.rs`) → source.
    pub files: BTreeMap<String, String>,
    /// Objects of the schema the derives cannot express, each named, with what was written instead.
    pub warnings: Vec<String>,
}

/// A schema that cannot be written as Rust at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PullError {
    #[error("the {what} name {name:?} is not a PostgreSQL identifier ({reason})")]
    InvalidName { what: &'static str, name: String, reason: &'static str },
    /// A constraint or index names a column its table does not have (a hand-written model, not a database).
    #[error("the schema is inconsistent: {0}")]
    UnknownColumn(String),
}

/// Crates the generated code may name besides keel: a table module must not shadow them.
const CRATES: [&str; 8] = ["keel", "uuid", "chrono", "serde_json", "rust_decimal", "std", "core", "alloc"];

/// Writes `schema` as Rust modules using keel's derives.
pub fn generate(schema: &Schema) -> Result<Generated, PullError> {
    validate(schema)?;
    let mut warnings = Vec::new();
    schema_warnings(schema, &mut warnings);
    let serials = serials(schema);
    for (name, sequence) in schema.sequences() {
        if serials.values().any(|s| s.sequence == name) {
            continue;
        }
        let owner = match &sequence.owned_by {
            Some(o) => format!(", owned by {}.{}", o.table, o.column),
            None => String::new(),
        };
        warnings.push(format!(
            "sequence {name}{owner}: the derives declare sequences only as `serial` columns (PostgreSQL's own name \
             and options) and identity columns; left out, declare it in SQL"
        ));
    }

    let mut type_names = Taken::types();
    let tables = table_names(schema, &mut type_names);
    let (enums, enum_source) = enum_file(schema, &mut type_names, &mut warnings);

    let mut types = types::TypeContext { schema, enums: &enums, crates: BTreeSet::new() };
    let mut files = BTreeMap::new();
    let mut uses_no_default = false;
    for (name, table) in schema.tables() {
        let names = &tables[&name];
        let table_serials = serials
            .iter()
            .filter(|((s, t, _), _)| *s == name.schema && *t == name.name)
            .map(|((_, _, c), serial)| (c.as_str(), serial.kind))
            .collect();
        let input = table::TableInput { name: &name, table, ident: &names.ident, serials: table_serials };
        let output = table::generate(&input, &mut types, &mut warnings);
        uses_no_default |= output.uses_no_default;
        files.insert(format!("{}.rs", names.file), output.source);
    }

    let mut modules: Vec<&str> = tables.values().map(|t| t.module.as_str()).collect();
    if let Some(source) = enum_source {
        files.insert("enums.rs".to_string(), source);
        modules.push("enums");
    }
    files.insert("mod.rs".to_string(), mod_file(&modules, &types.crates, uses_no_default));
    Ok(Generated { files, warnings })
}

/// Every name the generated code says must be one PostgreSQL could have stored; the derives reject others.
fn validate(schema: &Schema) -> Result<(), PullError> {
    let check = |what: &'static str, name: &str| {
        let reason = if name.is_empty() {
            "empty"
        } else if name.len() > naming::MAX_IDENTIFIER_BYTES {
            "longer than 63 bytes"
        } else {
            return Ok(());
        };
        Err(PullError::InvalidName { what, name: name.to_string(), reason })
    };
    for (schema_name, ns) in &schema.schemas {
        check("schema", schema_name)?;
        for name in ns.enums.keys() {
            check("enum", name)?;
        }
        for (name, table) in &ns.tables {
            check("table", name)?;
            for column in &table.columns {
                check("column", &column.name)?;
            }
            let constraints = table.primary_key.iter().map(|pk| &pk.name).chain(table.unique_constraints.keys());
            for name in constraints.chain(table.checks.keys()).chain(table.foreign_keys.keys()) {
                check("constraint", name)?;
            }
            for name in table.indexes.keys() {
                check("index", name)?;
            }
        }
    }
    // Foreign keys to tables outside the schema and columns of types no enum declares are warnings; a
    // constraint on a column that does not exist cannot be written at all.
    match keel_core::registry::check(schema).into_iter().find(|p| matches!(p, Problem::UnknownColumn { .. })) {
        Some(problem) => Err(PullError::UnknownColumn(problem.to_string())),
        None => Ok(()),
    }
}

/// Schema-wide objects the derives have no attribute for.
fn schema_warnings(schema: &Schema, warnings: &mut Vec<String>) {
    for (name, view) in schema.views() {
        let kind = if view.materialized { "materialized view" } else { "view" };
        warnings.push(format!(
            "{kind} {name}: views are declared in SQL files beside the derives (keel.toml `sql`), not in Rust; \
             `keel export --schema <database>` prints its CREATE statement"
        ));
    }
    let (touch, _) = keel_core::Function::touch_updated_at();
    for (id, function) in schema.functions().filter(|(id, _)| *id != touch) {
        warnings.push(format!(
            "{} {id}: functions are declared in SQL files beside the derives (keel.toml `sql`), not in Rust; \
             `keel export --schema <database>` prints its CREATE statement",
            function.kind.keyword().to_lowercase()
        ));
    }
    for (name, _) in schema.domains() {
        warnings.push(format!(
            "domain {name}: domains are declared in SQL files beside the derives (keel.toml `sql`), not in Rust; \
             `keel export --schema <database>` prints its CREATE statement"
        ));
    }
    for (name, _) in schema.composite_types() {
        warnings.push(format!(
            "type {name}: composite types are declared in SQL files beside the derives (keel.toml `sql`), not in \
             Rust; `keel export --schema <database>` prints its CREATE statement"
        ));
    }
    for (name, _) in schema.statistics() {
        warnings.push(format!(
            "statistics {name}: extended statistics are declared in SQL files beside the derives (keel.toml \
             `sql`), not in Rust; `keel export --schema <database>` prints its CREATE statement"
        ));
    }
    for (name, table) in schema.tables() {
        for partition in table.partitions.keys() {
            warnings.push(format!(
                "partition {} of {name}: partitions are declared in SQL files beside the derives (keel.toml \
                 `sql`), not in Rust; `keel export --schema <database>` prints its CREATE statement",
                table.partition_name(&name, partition)
            ));
        }
    }
    for (name, extension) in &schema.extensions {
        warnings.push(format!(
            "extension {name} (in schema {}): the derives declare no extensions; create it outside them",
            extension.schema
        ));
    }
    for (name, ns) in &schema.schemas {
        if ns.comment.is_some() {
            warnings.push(format!("schema {name}: its comment cannot be declared with the derives; left out"));
        }
        if ns.tables.is_empty() && ns.enums.is_empty() && name != keel_core::DEFAULT_SCHEMA {
            warnings.push(format!(
                "schema {name} holds no table or enum, and the derives create a schema only for what it holds; left out"
            ));
        }
    }
}

/// A `serial` column: its sequence is the one PostgreSQL makes for `serial`, with default options.
struct Serial {
    sequence: keel_core::QualifiedName,
    kind: &'static str,
}

/// Columns that `sql_type = "serial"` reproduces with their sequence: (schema, table, column) → serial.
fn serials(schema: &Schema) -> BTreeMap<(String, String, String), Serial> {
    let mut out = BTreeMap::new();
    for (name, sequence) in schema.sequences() {
        let Some(owner) = &sequence.owned_by else { continue };
        let Some(column) = schema.table(&name.schema, &owner.table).and_then(|t| t.column(&owner.column)) else {
            continue;
        };
        let kind = match (&sequence.data_type, &column.ty) {
            (ColumnType::SmallInt, ColumnType::SmallInt) => "smallserial",
            (ColumnType::Integer, ColumnType::Integer) => "serial",
            (ColumnType::BigInt, ColumnType::BigInt) => "bigserial",
            _ => continue,
        };
        let plain = sequence.options.is_default()
            && sequence.comment.is_none()
            && !column.nullable
            && column.identity.is_none()
            && column.generated.is_none()
            && name.name == naming::object_name(&owner.table, Some(&owner.column), "seq")
            && column.default.as_deref().and_then(nextval_target).is_some_and(|target| match target.as_slice() {
                [sequence] => name.schema == keel_core::DEFAULT_SCHEMA && *sequence == name.name,
                [schema, sequence] => *schema == name.schema && *sequence == name.name,
                _ => false,
            });
        if plain {
            let key = (name.schema.clone(), owner.table.clone(), owner.column.clone());
            out.insert(key, Serial { sequence: name, kind });
        }
    }
    out
}

/// `nextval('app."Odd_seq"'::regclass)` → `["app", "Odd_seq"]`.
fn nextval_target(default: &str) -> Option<Vec<String>> {
    let literal = default.strip_prefix("nextval('")?.strip_suffix("'::regclass)")?;
    if literal.replace("''", "").contains('\'') {
        return None;
    }
    let text = literal.replace("''", "'");
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (false, '"') => quoted = true,
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                current.push('"');
            }
            (true, '"') => quoted = false,
            (false, '.') => parts.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    parts.push(current);
    (!quoted).then_some(parts)
}

/// Where a table's code goes and what its struct is called.
struct TableNames {
    /// `files`, `r#type`: the module as `mod.rs` declares it.
    module: String,
    /// The file name without `.rs`.
    file: String,
    ident: String,
}

/// Modules and struct names for every table, unique and deterministic: a table's own name when it is free,
/// else prefixed with its schema, else numbered.
fn table_names(schema: &Schema, type_names: &mut Taken) -> BTreeMap<keel_core::QualifiedName, TableNames> {
    let bases: Vec<(keel_core::QualifiedName, String)> =
        schema.tables().map(|(name, _)| (name.clone(), names::snake(&name.name, "table"))).collect();
    let mut modules = Taken::with(&["mod", "enums"]);
    let mut out = BTreeMap::new();
    for (name, base) in &bases {
        let shared = bases.iter().filter(|(_, b)| b == base).count() > 1;
        let module_base = if shared || modules.contains(base) || CRATES.contains(&base.as_str()) {
            names::snake(&format!("{}_{}", name.schema, name.name), "table")
        } else {
            base.clone()
        };
        let module = (1..)
            .map(|n| names::rust_ident(&if n == 1 { module_base.clone() } else { format!("{module_base}_{n}") }))
            .find(|m| {
                let file = m.trim_start_matches("r#");
                !modules.contains(file) && !CRATES.contains(&file)
            })
            .expect("some suffix is free");
        let file = module.trim_start_matches("r#").to_string();
        modules.insert(&file);

        let singular = names::camel(&names::singular(base), "Table");
        let candidates = [singular.clone(), format!("{}{singular}", names::camel(&name.schema, "Schema"))];
        // The insert type (`NewFile`) needs its name free too.
        let ident = type_names.claim(&candidates, "", |taken, c| !taken.contains(&format!("New{c}")));
        type_names.insert(&format!("New{ident}"));
        out.insert(name.clone(), TableNames { module, file, ident });
    }
    out
}

/// `enums.rs`: every enum type as a `#[derive(PgEnum)]` enum. Returns the Rust name of each enum and the
/// file (none when the schema has no enums).
fn enum_file(
    schema: &Schema,
    type_names: &mut Taken,
    warnings: &mut Vec<String>,
) -> (BTreeMap<(String, String), String>, Option<String>) {
    let mut idents = BTreeMap::new();
    let mut out = String::from("//! The enum types, as `keel pull` read them.\n\nuse keel::PgEnum;\n");
    for (name, e) in schema.enums() {
        let labels: Vec<&String> = e
            .values
            .iter()
            .filter(|label| {
                let ok = !label.is_empty() && label.len() <= naming::MAX_IDENTIFIER_BYTES;
                if !ok {
                    warnings.push(format!(
                        "enum {name}: the label {label:?} cannot be a PgEnum variant (labels are 1 to 63 bytes); left out"
                    ));
                }
                ok
            })
            .collect();
        if labels.is_empty() {
            warnings.push(format!(
                "enum {name} has no labels, and a PgEnum needs at least one variant; left out (columns of this type \
                 are declared with `sql_type`)"
            ));
            continue;
        }
        let base = names::camel(&name.name, "Enum");
        let candidates = [base.clone(), format!("{}{base}", names::camel(&name.schema, "Schema"))];
        let ident = type_names.claim(&candidates, "", |_, _| true);
        idents.insert((name.schema.clone(), name.name.clone()), ident.clone());

        out.push_str("\n#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PgEnum)]\n");
        let mut header = Vec::new();
        if naming::type_name(&ident) != name.name {
            header.push(format!("name = {}", format::lit(&name.name)));
        }
        if name.schema != keel_core::DEFAULT_SCHEMA {
            header.push(format!("schema = {}", format::lit(&name.schema)));
        }
        if let Some(comment) = &e.comment {
            header.push(format!("comment = {}", format::lit(comment)));
        }
        if !header.is_empty() {
            format::attribute(&mut out, 0, &format::Attr::Flat(header));
        }
        let _ = writeln!(out, "pub enum {ident} {{");
        let mut variants = Taken::with(&["Self"]);
        for label in labels {
            let base = names::camel(label, "V");
            let variant = variants.claim(std::slice::from_ref(&base), "", |_, _| true);
            if naming::enum_value(&variant) != *label {
                format::attribute(&mut out, 4, &format::Attr::Flat(vec![format!("rename = {}", format::lit(label))]));
            }
            let _ = writeln!(out, "    {variant},");
        }
        out.push_str("}\n");
    }
    let source = (!idents.is_empty()).then_some(out);
    (idents, source)
}

/// `mod.rs`: the modules, re-exported, in rustfmt's order; the `NoDefault` alias when a table uses it.
fn mod_file(modules: &[&str], crates: &BTreeSet<&'static str>, no_default: bool) -> String {
    let mut out = String::from(
        "//! The database schema as keel derives, written by `keel pull`: one module per table, and `enums` with the\n\
         //! enum types.\n",
    );
    if !crates.is_empty() {
        let list = crates.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ");
        let _ = writeln!(out, "//!\n//! Besides `keel`, the code uses the crates {list}.");
    }
    let mut declared = modules.to_vec();
    if !declared.is_empty() {
        declared.sort_by(|a, b| format::mod_order(a, b));
        out.push('\n');
        for module in &declared {
            let _ = writeln!(out, "pub mod {module};");
        }
        declared.sort_by(|a, b| format::use_order(a, b));
        out.push('\n');
        for module in &declared {
            let _ = writeln!(out, "pub use {module}::*;");
        }
    }
    if no_default {
        out.push_str(
            "\n/// `T` itself, under a name keel's conventions do not recognize. They give a `created_at`/`updated_at`\n\
             /// timestamp `DEFAULT now()`, an `is_*`/`has_*` bool `DEFAULT false` and a `Uuid` primary key `id`\n\
             /// `DEFAULT gen_random_uuid()`; a field of type `NoDefault<T>` is a column without that default.\n\
             pub type NoDefault<T> = T;\n",
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_nextval_targets() {
        assert_eq!(nextval_target("nextval('files_id_seq'::regclass)").unwrap(), ["files_id_seq"]);
        assert_eq!(nextval_target("nextval('app.\"Odd\"\"x_seq\"'::regclass)").unwrap(), ["app", "Odd\"x_seq"]);
        assert_eq!(nextval_target("nextval('it''s_seq'::regclass)").unwrap(), ["it's_seq"]);
        assert!(nextval_target("nextval('a'::text)").is_none());
    }
}
