//! The model as PostgreSQL DDL. Every identifier is quoted and every literal escaped here; expressions
//! (defaults, checks, predicates, generated columns) are SQL the schema's author wrote and go in as written.

use crate::kinds::{
    composites, domains, enums, extensions, functions, partitions, policies, schemas, sequences, triggers, views,
};
use crate::sql;
use crate::sql::{Ident, Idents, Keyword, Literal, Name, Printed, Sql};
use keel_core::model::{
    Column, Deferrable, Exclusion, ForeignKey, ForeignKeyAction, Index, IndexKey, IndexMethod, KeyExpression,
    NullsOrder, QualifiedName, Schema, SortOrder, Table,
};
use keel_core::model::{ColumnType, Namespace};
use std::collections::BTreeSet;

/// `"schema"."name"`, as text (for statements built outside the planner: measures, locks).
pub fn qualified(name: &QualifiedName) -> String {
    Name::new(name).to_string()
}

/// Statements that create the whole schema in an empty database, in an order PostgreSQL accepts:
/// schemas, enums, functions, tables (with their own keys and checks), foreign keys (so cycles and self
/// references work), indexes, comments, triggers.
pub fn create_schema(schema: &Schema) -> Vec<String> {
    schema_statements(schema).into_iter().map(Sql::into_string).collect()
}

fn schema_statements(schema: &Schema) -> Vec<Sql> {
    let mut out = Vec::new();
    for (name, namespace) in &schema.schemas {
        if name != keel_core::DEFAULT_SCHEMA {
            out.push(schemas::sql::create(name));
        }
        if let Some(comment) = &namespace.comment {
            out.push(schemas::sql::comment(name, Some(comment)));
        }
    }
    for (name, extension) in &schema.extensions {
        out.push(extensions::sql::create(name, &extension.schema, extension.version.as_deref()));
    }
    for (name, e) in schema.enums() {
        out.push(enums::sql::create(&name, &e.values));
        out.extend(e.comment.as_ref().map(|c| enums::sql::comment(&name, Some(c))));
    }
    out.extend(create_types(schema));
    // Functions before the tables whose defaults and checks may call them.
    for (id, function) in schema.functions() {
        out.push(functions::sql::definition(function));
        if let Some(comment) = &function.comment {
            out.push(functions::sql::comment(&id, function.kind, Some(comment)));
        }
    }
    for (name, sequence) in schema.sequences() {
        out.push(sequences::sql::create(&name, sequence));
        out.extend(sequence.comment.as_ref().map(|c| sequences::sql::comment(&name, Some(c))));
    }
    for (name, table) in schema.tables() {
        out.push(create_table(&name, table));
        for (partition_name, partition) in &table.partitions {
            let partition_name = table.partition_name(&name, partition_name);
            out.push(partitions::sql::create(&name, &partition_name, partition));
            out.extend(partition.comment.as_ref().map(|c| partitions::sql::comment(&partition_name, Some(c))));
        }
    }
    for (name, sequence) in schema.sequences() {
        if let Some(owner) = &sequence.owned_by {
            out.push(sequences::sql::owned_by(&name, Some(owner)));
        }
    }
    for (name, table) in schema.tables() {
        for (fk_name, fk) in &table.foreign_keys {
            out.push(add_foreign_key(&name, fk_name, fk));
        }
    }
    for (name, table) in schema.tables() {
        for (index_name, index) in &table.indexes {
            out.push(create_index(&name, index_name, index));
        }
    }
    out.extend(crate::kinds::statistics::create_all(schema));
    for (name, table) in schema.tables() {
        out.extend(table_comments(&name, table));
        out.extend(constraint_and_index_comments(&name, table));
    }
    for (name, view) in views::sql::in_dependency_order(schema) {
        out.push(views::sql::create(&name, view));
        for (index_name, index) in &view.indexes {
            out.push(create_index(&name, index_name, index));
        }
        out.extend(index_comments(&name, &view.indexes));
        out.extend(view.comment.as_ref().map(|c| views::sql::comment(&name, view.materialized, Some(c))));
    }
    for (name, table) in schema.tables() {
        for (trigger_name, trigger) in &table.triggers {
            out.push(triggers::sql::create(&name, trigger_name, trigger));
            if !trigger.enabled.is_origin() {
                out.push(triggers::sql::set_enabled(&name, trigger_name, trigger.enabled));
            }
            out.extend(trigger.comment.as_ref().map(|c| triggers::sql::comment(&name, trigger_name, Some(c))));
        }
    }
    // After every table: a policy may read others.
    for (name, table) in schema.tables() {
        out.extend(policies::sql::row_level_security(&name, table.row_level_security));
        for (policy_name, policy) in &table.policies {
            out.push(policies::sql::create(&name, policy_name, policy));
            out.extend(policy.comment.as_ref().map(|c| policies::sql::comment(&name, policy_name, Some(c))));
        }
    }
    out
}

/// Every domain and composite type of `schema` with its comment, each after the domains and composite
/// types it is built from. Types that build on each other in a circle (PostgreSQL allows none) come last,
/// for the server to refuse.
fn create_types(schema: &Schema) -> Vec<Sql> {
    let mut pending: Vec<(QualifiedName, Vec<QualifiedName>)> = Vec::new();
    for (name, domain) in schema.domains() {
        pending.push((name, named(&domain.base).into_iter().collect()));
    }
    for (name, composite) in schema.composite_types() {
        pending.push((name, composite.attributes.iter().filter_map(|a| named(&a.ty)).collect()));
    }
    let declared: BTreeSet<QualifiedName> = pending.iter().map(|(n, _)| n.clone()).collect();
    let mut done: BTreeSet<QualifiedName> = BTreeSet::new();
    let mut order = Vec::new();
    while !pending.is_empty() {
        let ready = pending.iter().position(|(_, deps)| deps.iter().all(|d| done.contains(d) || !declared.contains(d)));
        let (name, _) = pending.remove(ready.unwrap_or(0));
        done.insert(name.clone());
        order.push(name);
    }
    let mut out = Vec::new();
    for name in order {
        if let Some(domain) = schema.domain(&name.schema, &name.name) {
            out.extend(domains::sql::create(&name, domain));
            out.extend(domain.comment.as_ref().map(|c| domains::sql::comment(&name, Some(c))));
        } else if let Some(composite) = schema.composite_type(&name.schema, &name.name) {
            out.push(composites::sql::create(&name, composite));
            out.extend(composite.comment.as_ref().map(|c| composites::sql::comment(&name, Some(c))));
        }
    }
    out
}

/// The declared type a column type names, if any (arrays by their element).
fn named(ty: &ColumnType) -> Option<QualifiedName> {
    match ty.scalar() {
        ColumnType::Named { schema, name } => Some(QualifiedName::new(schema, name)),
        _ => None,
    }
}

/// `(types, the rest)`: the schemas that hold types (with their comments), the extensions and every enum,
/// domain and composite type; then the schemas with their tables, sequences and views. Created one after
/// the other, they make the whole schema, with room between them for SQL that declares types.
pub fn split_schema(schema: &Schema) -> (Schema, Schema) {
    let mut types = Schema { extensions: schema.extensions.clone(), ..Schema::default() };
    let mut rest = schema.clone();
    for (name, ns) in &schema.schemas {
        let holds_types = !ns.enums.is_empty() || !ns.domains.is_empty() || !ns.composite_types.is_empty();
        let holds_extension = schema.extensions.values().any(|e| e.schema == *name);
        if holds_types || holds_extension {
            let kept = Namespace {
                enums: ns.enums.clone(),
                domains: ns.domains.clone(),
                composite_types: ns.composite_types.clone(),
                comment: ns.comment.clone(),
                ..Namespace::default()
            };
            types.schemas.insert(name.clone(), kept);
        }
    }
    for ns in rest.schemas.values_mut() {
        ns.enums.clear();
        ns.domains.clear();
        ns.composite_types.clear();
    }
    (types, rest)
}

/// `COMMENT ON <kind> <target> IS ...` (`IS NULL` removes it).
pub fn comment_on(kind: &'static str, target: impl sql::ToSql, comment: Option<&String>) -> Sql {
    match comment {
        Some(text) => sql!("COMMENT ON {} {} IS {}", Keyword(kind), target, Literal::new(text)),
        None => sql!("COMMENT ON {} {} IS NULL", Keyword(kind), target),
    }
}

/// ` COLLATE "name"`, or nothing (a domain's or a composite type's attribute's).
pub(crate) fn collate(collation: Option<&str>) -> Sql {
    collation.map(|c| sql!(" COLLATE {}", Ident::new(c))).unwrap_or_default()
}

/// `CREATE TABLE` with columns, primary key, unique constraints and checks; foreign keys and indexes are
/// separate statements.
pub fn create_table(name: &QualifiedName, table: &Table) -> Sql {
    let mut parts: Vec<Sql> = table.columns.iter().map(column_definition).collect();
    if let Some(pk) = &table.primary_key {
        parts.push(sql!("CONSTRAINT {} {}", Ident::new(&pk.name), primary_key_clause(pk)));
    }
    for (n, u) in &table.unique_constraints {
        parts.push(sql!("CONSTRAINT {} {}", Ident::new(n), unique_clause(u)));
    }
    for (n, c) in &table.checks {
        parts.push(sql!("CONSTRAINT {} CHECK ({})", Ident::new(n), Printed::new(&c.expression)));
    }
    for (n, x) in &table.exclusions {
        parts.push(sql!("CONSTRAINT {} {}", Ident::new(n), exclusion_clause(x)));
    }
    let partition_by = table.partition_by.as_ref().map(|key| sql!(" PARTITION BY {}", Printed::new(key)));
    sql!("CREATE TABLE {} (\n    {}\n){}", name, Sql::join(parts, ",\n    "), partition_by)
}

/// `"name" type [COLLATE ..] [NOT NULL] [DEFAULT ..|GENERATED ..]`.
pub fn column_definition(column: &Column) -> Sql {
    let mut sql = sql!("{} {}", Ident::new(&column.name), column.ty);
    if let Some(collation) = &column.collation {
        sql.push(sql!(" COLLATE {}", Ident::new(collation)));
    }
    if !column.nullable {
        sql.push(Keyword(" NOT NULL"));
    }
    if let Some(default) = &column.default {
        sql.push(sql!(" DEFAULT {}", Printed::new(default)));
    }
    if let Some(identity) = &column.identity {
        sql.push(sql!(" {}", identity_clause(identity)));
    }
    if let Some(expression) = &column.generated {
        sql.push(sql!(" GENERATED ALWAYS AS ({}) STORED", Printed::new(expression)));
    }
    sql
}

/// `UNIQUE [NULLS NOT DISTINCT] (..)`.
pub fn unique_clause(unique: &keel_core::UniqueConstraint) -> Sql {
    let nulls = Keyword(if unique.nulls_not_distinct { " NULLS NOT DISTINCT" } else { "" });
    sql!("UNIQUE{} ({}){}", nulls, Idents::new(&unique.columns), deferrable_clause(unique.deferrable))
}

/// `PRIMARY KEY (..) [DEFERRABLE ..]`.
pub fn primary_key_clause(pk: &keel_core::PrimaryKey) -> Sql {
    sql!("PRIMARY KEY ({}){}", Idents::new(&pk.columns), deferrable_clause(pk.deferrable))
}

pub fn deferrable_clause(deferrable: Deferrable) -> Sql {
    if deferrable == Deferrable::NotDeferrable { Sql::default() } else { sql!(" {}", Keyword(deferrable.sql())) }
}

/// `GENERATED { ALWAYS | BY DEFAULT } AS IDENTITY [( options )]`.
pub fn identity_clause(identity: &keel_core::Identity) -> Sql {
    let mut sql = match identity.generation {
        keel_core::IdentityGeneration::Always => sql!("GENERATED ALWAYS AS IDENTITY"),
        keel_core::IdentityGeneration::ByDefault => sql!("GENERATED BY DEFAULT AS IDENTITY"),
    };
    let options = identity.sequence.sql_clauses();
    if !options.is_empty() {
        sql.push(sql!(" ({})", Sql::join(options.iter().map(|o| Printed::new(o)), " ")));
    }
    sql
}

/// `EXCLUDE USING gist (room WITH =, during WITH &&) [INCLUDE (..)] [WHERE (..)]`.
pub fn exclusion_clause(exclusion: &Exclusion) -> Sql {
    let elements =
        exclusion.elements.iter().map(|e| sql!("{} WITH {}", index_key(&e.key), Printed::new(e.operator.as_str())));
    let mut sql = sql!("EXCLUDE USING {} ({})", Printed::new(exclusion.method.name()), Sql::join(elements, ", "));
    if !exclusion.include.is_empty() {
        sql.push(sql!(" INCLUDE ({})", Idents::new(&exclusion.include)));
    }
    if let Some(predicate) = &exclusion.predicate {
        sql.push(sql!(" WHERE ({})", Printed::new(predicate)));
    }
    sql
}

pub fn add_foreign_key(table: &QualifiedName, name: &str, fk: &ForeignKey) -> Sql {
    sql!("ALTER TABLE {} ADD CONSTRAINT {} {}", table, Ident::new(name), foreign_key_clause(fk))
}

/// `FOREIGN KEY (..) REFERENCES .. (..) [ON DELETE ..] [ON UPDATE ..] [DEFERRABLE ..]`.
pub fn foreign_key_clause(fk: &ForeignKey) -> Sql {
    let mut sql = sql!(
        "FOREIGN KEY ({}) REFERENCES {} ({})",
        Idents::new(&fk.columns),
        fk.references,
        Idents::new(&fk.referenced_columns)
    );
    if fk.match_full {
        sql.push(Keyword(" MATCH FULL"));
    }
    if fk.on_delete != ForeignKeyAction::NoAction {
        sql.push(sql!(" ON DELETE {}", Keyword(fk.on_delete.sql())));
    }
    if fk.on_update != ForeignKeyAction::NoAction {
        sql.push(sql!(" ON UPDATE {}", Keyword(fk.on_update.sql())));
    }
    sql.push(deferrable_clause(fk.deferrable));
    sql
}

/// One index key: `"col" "opclass" DESC NULLS LAST` or `(expression) ...`.
fn index_key(key: &IndexKey) -> Sql {
    let mut sql = match &key.on {
        KeyExpression::Column(c) => sql!("{}", Ident::new(c)),
        KeyExpression::Expression(e) => sql!("({})", Printed::new(e)),
    };
    if let Some(collation) = &key.collation {
        sql.push(sql!(" COLLATE {}", Ident::new(collation)));
    }
    if let Some(opclass) = &key.opclass {
        sql.push(sql!(" {}", Ident::new(opclass)));
    }
    if key.order == SortOrder::Desc {
        sql.push(Keyword(" DESC"));
    }
    // Only say NULLS when it differs from the default for the order.
    let default_nulls = if key.order == SortOrder::Desc { NullsOrder::First } else { NullsOrder::Last };
    if key.nulls != default_nulls {
        sql.push(Keyword(if key.nulls == NullsOrder::First { " NULLS FIRST" } else { " NULLS LAST" }));
    }
    sql
}

pub fn create_index(table: &QualifiedName, name: &str, index: &Index) -> Sql {
    create_index_with(table, name, index, false)
}

/// `CREATE [UNIQUE] INDEX [CONCURRENTLY] ...`.
pub fn create_index_with(table: &QualifiedName, name: &str, index: &Index, concurrently: bool) -> Sql {
    create_index_on(table, false, name, index, concurrently)
}

/// `CREATE [UNIQUE] INDEX [CONCURRENTLY] name ON [ONLY] table ...`.
pub fn create_index_on(table: &QualifiedName, only: bool, name: &str, index: &Index, concurrently: bool) -> Sql {
    let keys = Sql::join(index.keys.iter().map(index_key), ", ");
    let method = (index.method != IndexMethod::Btree).then(|| sql!(" USING {}", Printed::new(index.method.name())));
    let mut sql = sql!(
        "CREATE {}INDEX {}{} ON {}{}{} ({})",
        Keyword(if index.unique { "UNIQUE " } else { "" }),
        Keyword(if concurrently { "CONCURRENTLY " } else { "" }),
        Ident::new(name),
        Keyword(if only { "ONLY " } else { "" }),
        table,
        method,
        keys,
    );
    if !index.include.is_empty() {
        sql.push(sql!(" INCLUDE ({})", Idents::new(&index.include)));
    }
    if index.nulls_not_distinct {
        sql.push(Keyword(" NULLS NOT DISTINCT"));
    }
    if !index.storage.is_empty() {
        let options = index.storage.iter().map(|(k, v)| sql!("{} = {}", Ident::new(k), Literal::new(v)));
        sql.push(sql!(" WITH ({})", Sql::join(options, ", ")));
    }
    if let Some(predicate) = &index.predicate {
        sql.push(sql!(" WHERE {}", Printed::new(predicate)));
    }
    sql
}

/// `"schema"."table"."column"`: what `COMMENT ON COLUMN` names.
pub fn column_target(table: &QualifiedName, column: &str) -> Sql {
    sql!("{}.{}", table, Ident::new(column))
}

pub fn table_comments(name: &QualifiedName, table: &Table) -> Vec<Sql> {
    let mut out = Vec::new();
    if let Some(comment) = &table.comment {
        out.push(comment_on("TABLE", name, Some(comment)));
    }
    for column in &table.columns {
        if let Some(comment) = &column.comment {
            out.push(comment_on("COLUMN", column_target(name, &column.name), Some(comment)));
        }
    }
    out
}

/// `"name" ON schema.table`, what `COMMENT ON CONSTRAINT` names.
pub fn constraint_target(table: &QualifiedName, name: &str) -> Sql {
    sql!("{} ON {}", Ident::new(name), table)
}

/// `COMMENT ON CONSTRAINT` and `COMMENT ON INDEX` for the constraints and indexes of a table that carry one.
pub fn constraint_and_index_comments(name: &QualifiedName, table: &Table) -> Vec<Sql> {
    let mut constraints: Vec<(&String, &Option<String>)> = Vec::new();
    constraints.extend(table.primary_key.iter().map(|pk| (&pk.name, &pk.comment)));
    constraints.extend(table.unique_constraints.iter().map(|(n, u)| (n, &u.comment)));
    constraints.extend(table.checks.iter().map(|(n, c)| (n, &c.comment)));
    constraints.extend(table.foreign_keys.iter().map(|(n, f)| (n, &f.comment)));
    constraints.extend(table.exclusions.iter().map(|(n, x)| (n, &x.comment)));
    let mut out: Vec<Sql> = constraints
        .into_iter()
        .filter_map(|(n, c)| c.as_ref().map(|c| comment_on("CONSTRAINT", constraint_target(name, n), Some(c))))
        .collect();
    out.extend(index_comments(name, &table.indexes));
    out
}

/// `COMMENT ON INDEX` for the indexes (of a table or materialized view `on`) that carry one.
pub fn index_comments(on: &QualifiedName, indexes: &std::collections::BTreeMap<String, Index>) -> Vec<Sql> {
    let comment = |n: &String, c: &String| comment_on("INDEX", Name::in_schema(&on.schema, n), Some(c));
    indexes.iter().filter_map(|(n, i)| i.comment.as_ref().map(|c| comment(n, c))).collect()
}
