//! One table as one module: a `#[derive(Table)]` struct whose attributes say everything the database has
//! that keel's conventions would not reproduce.

use super::format::{self, Attr, lit};
use super::names::{self, Taken, sql_ident};
use super::types::{FieldType, TypeContext};
use keel_core::grammar;
use keel_core::model::{
    Column, Deferrable, ForeignKeyAction, IdentityGeneration, Index, IndexKey, IndexMethod, KeyExpression, NullsOrder,
    QualifiedName, SortOrder, Table,
};
use keel_core::naming;
use std::collections::BTreeMap;

/// What a table's module needs from the rest of the schema.
pub struct TableInput<'a> {
    pub name: &'a QualifiedName,
    pub table: &'a Table,
    /// The struct's name.
    pub ident: &'a str,
    /// Columns that are `serial`s (their sequence is theirs alone): column → `serial`/`bigserial`/`smallserial`.
    pub serials: BTreeMap<&'a str, &'static str>,
}

/// The module's source, and whether it uses the `NoDefault` alias.
pub struct TableOutput {
    pub source: String,
    pub uses_no_default: bool,
}

/// A field being assembled: its attribute items by kind, so they come out in a fixed, readable order.
#[derive(Default)]
struct Field {
    ident: String,
    rust: String,
    column: Option<String>,
    primary_key: bool,
    type_items: Vec<String>,
    value_items: Vec<String>,
    unique: Option<String>,
    index: Option<Attr>,
    references: Vec<String>,
    check: Option<String>,
    comment: Option<String>,
}

impl Field {
    /// The attributes, by concern: name, type and value; keys; foreign key; check; comment.
    fn write_attributes(&self, out: &mut String) {
        let mut first: Vec<String> = self.column.iter().cloned().collect();
        if self.primary_key {
            first.push("primary_key".to_string());
        }
        first.extend(self.type_items.iter().cloned());
        first.extend(self.value_items.iter().cloned());
        let mut keys: Vec<String> = self.unique.iter().cloned().collect();
        if let Some(Attr::Flat(items)) = &self.index {
            keys.extend(items.iter().cloned());
        }
        let groups = [
            first,
            keys,
            self.references.clone(),
            self.check.iter().cloned().collect(),
            self.comment.iter().cloned().collect(),
        ];
        format::grouped(out, 4, &groups);
        if let Some(nested @ Attr::Nested(..)) = &self.index {
            format::attribute(out, 4, nested);
        }
    }
}

struct Generator<'a, 'b> {
    input: &'a TableInput<'a>,
    types: &'a mut TypeContext<'b>,
    warnings: &'a mut Vec<String>,
    fields: Vec<Field>,
    /// Struct-level attributes after `table`/`schema`/`comment`.
    constraints: Vec<Attr>,
    uses_no_default: bool,
    uses_enum: bool,
}

pub fn generate(input: &TableInput, types: &mut TypeContext, warnings: &mut Vec<String>) -> TableOutput {
    let mut g = Generator {
        input,
        types,
        warnings,
        fields: Vec::new(),
        constraints: Vec::new(),
        uses_no_default: false,
        uses_enum: false,
    };
    g.columns();
    g.primary_key();
    g.uniques();
    g.indexes();
    g.checks();
    g.foreign_keys();
    for name in input.table.exclusions.keys() {
        g.warn(format!(
            "exclusion constraint {name} cannot be declared with the derives (they have no EXCLUDE); left out"
        ));
    }
    lost_comments_and_validity(&mut g, input.table);
    for (name, trigger) in &input.table.triggers {
        if !is_touch_updated_at(name, trigger) {
            g.warn(format!(
                "trigger {name} is declared in SQL files beside the derives (keel.toml `sql`), not in Rust; left out"
            ));
        }
    }
    if input.table.row_level_security.forced && !input.table.row_level_security.enabled {
        g.warn("row level security is forced but not enabled, which the derives cannot say; left out".to_string());
    }
    for name in input.table.policies.keys() {
        g.warn(format!(
            "policy {name}: policies are declared in SQL files beside the derives (keel.toml `sql`), not in Rust; \
             `keel export --schema <database>` prints its CREATE POLICY"
        ));
    }
    let source = g.source();
    TableOutput { source, uses_no_default: g.uses_no_default }
}

/// What the generated attributes do not carry: comments on keys, checks, foreign keys and indexes, and
/// constraints left `NOT VALID` (the derives declare every constraint valid).
fn lost_comments_and_validity(g: &mut Generator<'_, '_>, table: &keel_core::model::Table) {
    let mut commented: Vec<(&str, &str)> = Vec::new();
    commented
        .extend(table.primary_key.iter().filter(|pk| pk.comment.is_some()).map(|pk| ("primary key", pk.name.as_str())));
    commented.extend(
        table
            .unique_constraints
            .iter()
            .filter(|(_, u)| u.comment.is_some())
            .map(|(n, _)| ("unique constraint", n.as_str())),
    );
    commented.extend(table.checks.iter().filter(|(_, c)| c.comment.is_some()).map(|(n, _)| ("check", n.as_str())));
    commented.extend(
        table.foreign_keys.iter().filter(|(_, f)| f.comment.is_some()).map(|(n, _)| ("foreign key", n.as_str())),
    );
    commented.extend(table.indexes.iter().filter(|(_, i)| i.comment.is_some()).map(|(n, _)| ("index", n.as_str())));
    for (kind, name) in commented {
        g.warn(format!(
            "{kind} {name}: its comment is not written (add `comment = \"...\"` to its attribute); left out"
        ));
    }
    let not_valid = table.checks.iter().filter(|(_, c)| c.not_valid).map(|(n, _)| ("check", n));
    let not_valid =
        not_valid.chain(table.foreign_keys.iter().filter(|(_, f)| f.not_valid).map(|(n, _)| ("foreign key", n)));
    for (kind, name) in not_valid {
        g.warn(format!("{kind} {name} is NOT VALID, which the derives cannot say; it is declared valid"));
    }
}

/// The trigger `#[keel(touch_updated_at)]` declares, exactly.
fn is_touch_updated_at(name: &str, trigger: &keel_core::Trigger) -> bool {
    name == keel_core::TOUCH_UPDATED_AT_TRIGGER && *trigger == keel_core::Trigger::touch_updated_at()
}

impl Generator<'_, '_> {
    fn warn(&mut self, message: String) {
        let name = self.input.name;
        self.warnings.push(format!("table {}.{}: {message}", name.schema, name.name));
    }

    fn table_name(&self) -> &str {
        &self.input.name.name
    }

    fn field_index(&self, column: &str) -> Option<usize> {
        self.input.table.columns.iter().position(|c| c.name == column)
    }

    fn columns(&mut self) {
        let mut taken = Taken::default();
        let pk: Vec<String> = self.input.table.primary_key.as_ref().map(|pk| pk.columns.clone()).unwrap_or_default();
        for column in &self.input.table.columns {
            let base = names::snake(&column.name, "column");
            let ident = (1..)
                .map(|n| names::rust_ident(&if n == 1 { base.clone() } else { format!("{base}_{n}") }))
                .find(|id| !taken.contains(id))
                .expect("some suffix is free");
            taken.insert(&ident);
            let field = self.column(column, ident, pk.contains(&column.name));
            self.fields.push(field);
        }
    }

    fn column(&mut self, column: &Column, ident: String, in_primary_key: bool) -> Field {
        let mut field = Field { ident, ..Field::default() };
        if naming::column_name(&field.ident) != column.name {
            field.column = Some(format!("column = {}", lit(&column.name)));
        }
        let serial = self.input.serials.get(column.name.as_str()).copied();
        let ty = match serial {
            Some(kind) => {
                let rust = match kind {
                    "smallserial" => "i16",
                    "bigserial" => "i64",
                    _ => "i32",
                };
                FieldType { rust: rust.to_string(), items: vec![format!("sql_type = {}", lit(kind))], uses_enum: false }
            }
            None => match self.types.field_type(&column.ty) {
                Ok(ty) => ty,
                Err((ty, problem)) => {
                    self.warn(format!("column {}: {problem}", column.name));
                    ty
                }
            },
        };
        self.uses_enum |= ty.uses_enum;
        field.type_items = ty.items;
        let mut rust = ty.rust;

        if let Some(identity) = &column.identity {
            field.value_items.push(match identity.generation {
                IdentityGeneration::ByDefault => "identity".to_string(),
                IdentityGeneration::Always => "identity = \"always\"".to_string(),
            });
            if !identity.sequence.is_default() {
                let options = identity.sequence.sql_clauses().join(" ");
                self.warn(format!(
                    "column {}: identity options ({options}) cannot be declared with the derives; left out",
                    column.name
                ));
            }
        }
        if let Some(expression) = &column.generated {
            field.value_items.push(format!("generated = {}", lit(expression)));
            if column.is_virtual() {
                field.value_items.push("virtual".to_string());
            }
        }
        let has_value = column.identity.is_some() || column.generated.is_some();
        let convention =
            if column.nullable || has_value { None } else { convention_default(&column.name, &rust, in_primary_key) };
        match (&column.default, serial) {
            (_, Some(_)) => {}
            (Some(default), None) => {
                if convention != Some(default.as_str()) {
                    field.value_items.push(format!("default = {}", lit(default)));
                }
            }
            (None, None) => {
                if convention.is_some() && !has_value {
                    // The convention would add a default the database does not have.
                    rust = format!("NoDefault<{rust}>");
                    self.uses_no_default = true;
                }
            }
        }
        if let Some(collation) = &column.collation {
            field.value_items.push(format!("collation = {}", lit(collation)));
        }
        if let Some(comment) = &column.comment {
            field.comment = Some(format!("comment = {}", lit(comment)));
        }
        field.rust = if column.nullable { format!("Option<{rust}>") } else { rust };
        field
    }

    fn primary_key(&mut self) {
        let table = self.input.table;
        let Some(pk) = &table.primary_key else {
            if table.column("id").is_some() {
                self.warn(
                    "it has no primary key, but keel's convention makes a column named `id` the primary key, and \
                     the derives cannot opt out of it: the declaration will have PRIMARY KEY (id)"
                        .to_string(),
                );
            }
            return;
        };
        if pk.deferrable != Deferrable::NotDeferrable {
            self.warn(format!(
                "primary key {} is {}, which the derives cannot declare; declared NOT DEFERRABLE",
                pk.name,
                pk.deferrable.sql()
            ));
        }
        let default_name = pk.name == naming::primary_key_name(self.table_name());
        if default_name && pk.columns == ["id"] {
            return;
        }
        if default_name && pk.columns.len() == 1 {
            let i = self.field_index(&pk.columns[0]).expect("primary key columns exist");
            self.fields[i].primary_key = true;
            return;
        }
        let columns = columns_text(&pk.columns);
        let mut items = vec![format!("columns = {}", lit(&columns))];
        if !default_name {
            items.push(format!("name = {}", lit(&pk.name)));
        }
        if grammar::columns(&columns).ok().as_ref() != Some(&pk.columns) {
            self.warn(format!("primary key {}: its column names cannot be written for the derive; left out", pk.name));
            return;
        }
        self.constraints.push(Attr::Nested("primary_key", items));
    }

    fn uniques(&mut self) {
        for (name, unique) in &self.input.table.unique_constraints {
            if unique.nulls_not_distinct {
                self.warn(format!(
                    "unique constraint {name} is NULLS NOT DISTINCT, which the derives cannot declare; declared without"
                ));
            }
            if unique.deferrable != Deferrable::NotDeferrable {
                self.warn(format!(
                    "unique constraint {name} is {}, which the derives cannot declare; declared NOT DEFERRABLE",
                    unique.deferrable.sql()
                ));
            }
            let table = self.table_name();
            let cols: Vec<&str> = unique.columns.iter().map(String::as_str).collect();
            let default_name = *name == naming::unique_name(table, &cols);
            if let [column] = cols.as_slice() {
                let i = self.field_index(column).expect("unique columns exist");
                if self.fields[i].unique.is_none() {
                    self.fields[i].unique =
                        Some(if default_name { "unique".to_string() } else { format!("unique = {}", lit(name)) });
                    continue;
                }
            }
            let columns = columns_text(&unique.columns);
            if grammar::columns(&columns).ok().as_ref() != Some(&unique.columns) {
                self.warn(format!(
                    "unique constraint {name}: its column names cannot be written for the derive; left out"
                ));
                continue;
            }
            let mut items = vec![format!("columns = {}", lit(&columns))];
            if !default_name {
                items.push(format!("name = {}", lit(name)));
            }
            self.constraints.push(Attr::Nested("unique", items));
        }
    }

    fn checks(&mut self) {
        for (name, check) in &self.input.table.checks {
            let table = self.table_name();
            let column = self
                .input
                .table
                .columns
                .iter()
                .position(|c| naming::check_name(table, &c.name) == *name)
                .filter(|&i| self.fields[i].check.is_none());
            match column {
                Some(i) => self.fields[i].check = Some(format!("check = {}", lit(&check.expression))),
                None => self.constraints.push(Attr::Nested(
                    "check",
                    vec![format!("name = {}", lit(name)), format!("expr = {}", lit(&check.expression))],
                )),
            }
        }
    }

    fn foreign_keys(&mut self) {
        let schema = self.types.schema;
        for (name, fk) in &self.input.table.foreign_keys {
            let target = &fk.references;
            if schema.table(&target.schema, &target.name).is_none() {
                self.warn(format!(
                    "foreign key {name} references {target}, which is not in the schema being pulled; left out"
                ));
                continue;
            }
            if fk.match_full {
                self.warn(format!(
                    "foreign key {name} is MATCH FULL, which the derives cannot declare; declared MATCH SIMPLE"
                ));
            }
            let own_schema = &self.input.name.schema;
            let mut reference = String::new();
            if target.schema != *own_schema {
                reference.push_str(&sql_ident(&target.schema));
                reference.push('.');
            }
            reference.push_str(&sql_ident(&target.name));
            reference.push('(');
            reference.push_str(&columns_text(&fk.referenced_columns));
            reference.push(')');
            let read = grammar::reference(&reference)
                .ok()
                .map(|r| (r.schema.unwrap_or_else(|| own_schema.clone()), r.table, r.columns));
            let expected = (target.schema.clone(), target.name.clone(), fk.referenced_columns.clone());
            let columns = columns_text(&fk.columns);
            if read.as_ref() != Some(&expected) || grammar::columns(&columns).ok().as_ref() != Some(&fk.columns) {
                self.warn(format!(
                    "foreign key {name}: its table or column names cannot be written for the derive; left out"
                ));
                continue;
            }
            let mut options = Vec::new();
            for (key, action) in [("on_delete", fk.on_delete), ("on_update", fk.on_update)] {
                if action != ForeignKeyAction::NoAction {
                    options.push(format!("{key} = {}", lit(&action.sql().to_ascii_lowercase())));
                }
            }
            match fk.deferrable {
                Deferrable::NotDeferrable => {}
                Deferrable::InitiallyImmediate => options.push("deferrable".to_string()),
                Deferrable::InitiallyDeferred => options.push("initially_deferred".to_string()),
            }
            let cols: Vec<&str> = fk.columns.iter().map(String::as_str).collect();
            let default_name = *name == naming::foreign_key_name(self.table_name(), &cols);
            if let [column] = cols.as_slice() {
                let i = self.field_index(column).expect("foreign key columns exist");
                if self.fields[i].references.is_empty() {
                    let mut items = vec![format!("references = {}", lit(&reference))];
                    items.extend(options);
                    if !default_name {
                        items.push(format!("fk_name = {}", lit(name)));
                    }
                    self.fields[i].references = items;
                    continue;
                }
            }
            let mut items = vec![format!("columns = {}", lit(&columns)), format!("references = {}", lit(&reference))];
            if !default_name {
                items.push(format!("name = {}", lit(name)));
            }
            items.extend(options);
            self.constraints.push(Attr::Nested("foreign_key", items));
        }
    }

    fn indexes(&mut self) {
        for (name, index) in &self.input.table.indexes {
            if index.keys.iter().any(|k| k.collation.is_some()) {
                self.warn(format!(
                    "index {name} has a key with a COLLATE clause, which the derives cannot declare; declared without"
                ));
            }
            if index.nulls_not_distinct {
                self.warn(format!(
                    "index {name} is NULLS NOT DISTINCT, which the derives cannot declare; declared without"
                ));
            }
            if !index.storage.is_empty() {
                let options: Vec<String> = index.storage.iter().map(|(k, v)| format!("{k}={v}")).collect();
                self.warn(format!(
                    "index {name} has storage parameters ({}), which the derives cannot declare; declared without",
                    options.join(", ")
                ));
            }
            self.index(name, index);
        }
    }

    fn index(&mut self, name: &String, index: &Index) {
        let table = self.table_name().to_string();
        // A plain ascending key on one column can sit on its field.
        if let [key] = index.keys.as_slice()
            && let KeyExpression::Column(column) = &key.on
            && key.opclass.is_none()
            && key.order == SortOrder::Asc
            && key.nulls == NullsOrder::Last
            && index.include.is_empty()
        {
            let i = self.field_index(column).expect("index columns exist");
            if self.fields[i].index.is_none() {
                let default_name = *name == naming::index_name(&table, &[column]);
                let plain = index.method == IndexMethod::Btree && !index.unique && index.predicate.is_none();
                self.fields[i].index = Some(match (plain, default_name) {
                    (true, true) => Attr::Flat(vec!["index".to_string()]),
                    (true, false) => Attr::Flat(vec![format!("index = {}", lit(name))]),
                    (false, _) => {
                        let mut items = Vec::new();
                        if !default_name {
                            items.push(format!("name = {}", lit(name)));
                        }
                        items.extend(index_options(index));
                        Attr::Nested("index", items)
                    }
                });
                return;
            }
        }
        let keys = index.keys.iter().map(key_text).collect::<Vec<_>>().join(", ");
        let include = columns_text(&index.include);
        let read_back = grammar::index_keys(&keys).ok();
        let same_keys = read_back.as_ref().is_some_and(|read| {
            read.len() == index.keys.len() && read.iter().zip(&index.keys).all(|(r, k)| same_key(r, k))
        });
        let same_include = index.include.is_empty() || grammar::columns(&include).ok().as_ref() == Some(&index.include);
        if !same_keys || !same_include {
            self.warn(format!(
                "index {name}: its keys cannot be written for the derive (it would read them differently); left out"
            ));
            return;
        }
        let key_columns: Vec<&str> = index.keys.iter().filter_map(|k| k.on.as_column().map(String::as_str)).collect();
        let needs_name = key_columns.len() < index.keys.len() || *name != naming::index_name(&table, &key_columns);
        let mut items = vec![format!("columns = {}", lit(&keys))];
        if needs_name {
            items.push(format!("name = {}", lit(name)));
        }
        items.extend(index_options(index));
        if !index.include.is_empty() {
            items.push(format!("include = {}", lit(&include)));
        }
        self.constraints.push(Attr::Nested("index", items));
    }

    fn source(&self) -> String {
        let name = self.input.name;
        let mut out = format!(
            "//! The table {} in schema {}, as `keel pull` read it.\n\nuse keel::Table;\n",
            lit(&name.name),
            lit(&name.schema)
        );
        let uses_enum = self.uses_enum;
        if self.uses_no_default || uses_enum {
            out.push('\n');
        }
        if self.uses_no_default {
            out.push_str("use super::NoDefault;\n");
        }
        if uses_enum {
            out.push_str("use super::enums::*;\n");
        }
        out.push_str("\n#[derive(Debug, Clone, Table)]\n");
        let mut header = Vec::new();
        if naming::table_name(self.input.ident) != name.name {
            header.push(format!("table = {}", lit(&name.name)));
        }
        if name.schema != keel_core::DEFAULT_SCHEMA {
            header.push(format!("schema = {}", lit(&name.schema)));
        }
        if let Some(comment) = &self.input.table.comment {
            header.push(format!("comment = {}", lit(comment)));
        }
        if let Some(key) = &self.input.table.partition_by {
            header.push(format!("partition_by = {}", lit(key)));
        }
        if self.input.table.triggers.iter().any(|(n, t)| is_touch_updated_at(n, t)) {
            header.push("touch_updated_at".to_string());
        }
        match (self.input.table.row_level_security.enabled, self.input.table.row_level_security.forced) {
            (true, true) => header.push("rls".to_string()),
            (true, false) => header.push("rls = \"enable\"".to_string()),
            (false, _) => {}
        }
        if !header.is_empty() {
            format::attribute(&mut out, 0, &Attr::Flat(header));
        }
        for attr in &self.constraints {
            format::attribute(&mut out, 0, attr);
        }
        if self.fields.is_empty() {
            out.push_str(&format!("pub struct {} {{}}\n", self.input.ident));
            return out;
        }
        out.push_str(&format!("pub struct {} {{\n", self.input.ident));
        for field in &self.fields {
            field.write_attributes(&mut out);
            format::field(&mut out, &field.ident, &field.rust);
        }
        out.push_str("}\n");
        out
    }
}

/// `unique`, `method = "gin"`, `predicate = "..."`: what an index says besides its keys and name.
fn index_options(index: &Index) -> Vec<String> {
    let mut items = Vec::new();
    if index.unique {
        items.push("unique".to_string());
    }
    if index.method != IndexMethod::Btree {
        items.push(format!("method = {}", lit(index.method.name())));
    }
    if let Some(predicate) = &index.predicate {
        items.push(format!("predicate = {}", lit(predicate)));
    }
    items
}

/// `col`, `(expr) opclass DESC NULLS LAST`, saying NULLS only when it is not the default for the order.
fn key_text(key: &IndexKey) -> String {
    let mut out = match &key.on {
        KeyExpression::Column(c) => sql_ident(c),
        KeyExpression::Expression(e) => format!("({e})"),
    };
    if let Some(opclass) = &key.opclass {
        out.push(' ');
        out.push_str(&sql_ident(opclass));
    }
    let descending = key.order == SortOrder::Desc;
    if descending {
        out.push_str(" DESC");
    }
    let default_nulls = if descending { NullsOrder::First } else { NullsOrder::Last };
    if key.nulls != default_nulls {
        out.push_str(if key.nulls == NullsOrder::First { " NULLS FIRST" } else { " NULLS LAST" });
    }
    out
}

/// Whether the derive's reading of a key is the key (its collation aside, which is warned about).
fn same_key(read: &grammar::KeySpec, key: &IndexKey) -> bool {
    let same_on = match (&read.on, &key.on) {
        (grammar::KeyOn::Column(a), KeyExpression::Column(b)) => a == b,
        (grammar::KeyOn::Expression(a), KeyExpression::Expression(b)) => a == b,
        _ => false,
    };
    let nulls = if read.nulls_first.unwrap_or(read.descending) { NullsOrder::First } else { NullsOrder::Last };
    same_on && read.opclass == key.opclass && read.descending == (key.order == SortOrder::Desc) && nulls == key.nulls
}

fn columns_text(columns: &[String]) -> String {
    columns.iter().map(|c| sql_ident(c)).collect::<Vec<_>>().join(", ")
}

/// The default keel's conventions give a NOT NULL column without identity or generation, judged as the
/// derive judges it: by the column name and the last path segment of the field type as written.
fn convention_default(column: &str, rust: &str, in_primary_key: bool) -> Option<&'static str> {
    let head = rust.split('<').next().unwrap_or(rust);
    let last = head.rsplit("::").next().unwrap_or(head);
    keel_core::conventions::default_for(column, last, in_primary_key)
}
