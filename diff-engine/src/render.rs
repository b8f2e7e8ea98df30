//! The model as PostgreSQL DDL. Every identifier is quoted and every literal escaped here; expressions
//! (defaults, checks, predicates, generated columns) are SQL the schema's author wrote and go in as written.

use keel_core::model::{
    Column, Deferrable, Enum, Exclusion, ForeignKey, ForeignKeyAction, Index, IndexKey, IndexMethod, KeyExpression,
    NullsOrder, Policy, QualifiedName, RowLevelSecurity, Schema, Sequence, SortOrder, Table,
};
use keel_core::model::{FunctionId, Partition, Trigger, TriggerEnabled, View};
use keel_core::sql::{quote_ident, quote_literal};

/// `"schema"."name"`.
pub fn qualified(name: &QualifiedName) -> String {
    format!("{}.{}", quote_ident(&name.schema), quote_ident(&name.name))
}

/// Statements that create the whole schema in an empty database, in an order PostgreSQL accepts:
/// schemas, enums, functions, tables (with their own keys and checks), foreign keys (so cycles and self
/// references work), indexes, comments, triggers.
pub fn create_schema(schema: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    for (name, namespace) in &schema.schemas {
        if name != keel_core::DEFAULT_SCHEMA {
            out.push(format!("CREATE SCHEMA IF NOT EXISTS {}", quote_ident(name)));
        }
        if let Some(comment) = &namespace.comment {
            out.push(format!("COMMENT ON SCHEMA {} IS {}", quote_ident(name), quote_literal(comment)));
        }
    }
    for (name, extension) in &schema.extensions {
        out.push(create_extension(name, &extension.schema, extension.version.as_deref()));
    }
    for (name, e) in schema.enums() {
        out.extend(create_enum(&name, e));
    }
    out.extend(crate::render_types::create_types(schema));
    // Functions before the tables whose defaults and checks may call them.
    for (id, function) in schema.functions() {
        out.push(function.definition.trim_end().to_string());
        if let Some(comment) = &function.comment {
            out.push(comment_on(function.kind.keyword(), &function_signature(&id), Some(comment)));
        }
    }
    for (name, sequence) in schema.sequences() {
        out.push(create_sequence(&name, sequence));
        out.extend(sequence.comment.as_ref().map(|c| comment_on("SEQUENCE", &qualified(&name), Some(c))));
    }
    for (name, table) in schema.tables() {
        out.push(create_table(&name, table));
        for (partition_name, partition) in &table.partitions {
            let partition_name = table.partition_name(&name, partition_name);
            out.push(create_partition(&name, &partition_name, partition));
            out.extend(partition.comment.as_ref().map(|c| comment_on("TABLE", &qualified(&partition_name), Some(c))));
        }
    }
    for (name, sequence) in schema.sequences() {
        if let Some(owner) = &sequence.owned_by {
            out.push(sequence_owned_by(&name, Some(owner)));
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
    for (name, view) in views_in_dependency_order(schema) {
        out.push(create_view(&name, view));
        for (index_name, index) in &view.indexes {
            out.push(create_index(&name, index_name, index));
        }
        out.extend(index_comments(&name, &view.indexes));
        out.extend(view.comment.as_ref().map(|c| comment_on(view.keyword(), &qualified(&name), Some(c))));
    }
    for (name, table) in schema.tables() {
        for (trigger_name, trigger) in &table.triggers {
            out.push(create_trigger(&name, trigger_name, trigger));
            if !trigger.enabled.is_origin() {
                out.push(set_trigger_enabled(&name, trigger_name, trigger.enabled));
            }
            out.extend(
                trigger.comment.as_ref().map(|c| comment_on("TRIGGER", &trigger_target(&name, trigger_name), Some(c))),
            );
        }
    }
    // After every table: a policy may read others.
    for (name, table) in schema.tables() {
        out.extend(row_level_security(&name, table.row_level_security));
        for (policy_name, policy) in &table.policies {
            out.push(create_policy(&name, policy_name, policy));
            out.extend(
                policy.comment.as_ref().map(|c| comment_on("POLICY", &policy_target(&name, policy_name), Some(c))),
            );
        }
    }
    out
}

/// `CREATE TABLE .. PARTITION OF .. FOR VALUES ..`.
pub fn create_partition(table: &QualifiedName, name: &QualifiedName, partition: &Partition) -> String {
    format!("CREATE TABLE {} PARTITION OF {} {}", qualified(name), qualified(table), partition.bound)
}

/// `CREATE VIEW` or `CREATE MATERIALIZED VIEW`, with its options.
pub fn create_view(name: &QualifiedName, view: &View) -> String {
    format!("CREATE {} {}{} AS\n{}", view.keyword(), qualified(name), view.with_options(), view.query)
}

/// Views, each after the views it reads (their names order the rest).
fn views_in_dependency_order(schema: &Schema) -> Vec<(QualifiedName, &View)> {
    let mut pending: Vec<(QualifiedName, &View)> = schema.views().collect();
    let mut out: Vec<(QualifiedName, &View)> = Vec::new();
    while !pending.is_empty() {
        let waits = |view: &View, pending: &[(QualifiedName, &View)]| {
            pending.iter().any(|(other, _)| view.reads.iter().any(|d| d.relation == *other))
        };
        let ready = pending.iter().position(|(_, v)| !waits(v, &pending)).unwrap_or(0);
        out.push(pending.remove(ready));
    }
    out
}

/// `ALTER TABLE .. ENABLE TRIGGER ..` (or `DISABLE`, `ENABLE REPLICA`, `ENABLE ALWAYS`).
pub fn set_trigger_enabled(table: &QualifiedName, name: &str, enabled: TriggerEnabled) -> String {
    let action = match enabled {
        TriggerEnabled::Origin => "ENABLE TRIGGER",
        TriggerEnabled::Disabled => "DISABLE TRIGGER",
        TriggerEnabled::Replica => "ENABLE REPLICA TRIGGER",
        TriggerEnabled::Always => "ENABLE ALWAYS TRIGGER",
    };
    format!("ALTER TABLE {} {action} {}", qualified(table), quote_ident(name))
}

/// `"trigger" ON "schema"."table"`: how statements name a trigger.
pub fn trigger_target(table: &QualifiedName, name: &str) -> String {
    format!("{} ON {}", quote_ident(name), qualified(table))
}

pub fn create_extension(name: &str, schema: &str, version: Option<&str>) -> String {
    let version = version.map(|v| format!(" VERSION {}", quote_literal(v))).unwrap_or_default();
    format!("CREATE EXTENSION IF NOT EXISTS {} WITH SCHEMA {}{version}", quote_ident(name), quote_ident(schema))
}

pub fn create_sequence(name: &QualifiedName, sequence: &Sequence) -> String {
    let mut sql = format!("CREATE SEQUENCE {} AS {}", qualified(name), sequence.data_type);
    for clause in sequence.options.sql_clauses() {
        sql.push(' ');
        sql.push_str(&clause);
    }
    sql
}

/// `ALTER SEQUENCE .. OWNED BY table.column`, or `OWNED BY NONE`.
pub fn sequence_owned_by(name: &QualifiedName, owner: Option<&keel_core::SequenceOwner>) -> String {
    match owner {
        Some(owner) => format!(
            "ALTER SEQUENCE {} OWNED BY {}.{}.{}",
            qualified(name),
            quote_ident(&name.schema),
            quote_ident(&owner.table),
            quote_ident(&owner.column)
        ),
        None => format!("ALTER SEQUENCE {} OWNED BY NONE", qualified(name)),
    }
}

/// `COMMENT ON <kind> <target> IS ...` (`IS NULL` removes it). `target` is already quoted.
pub fn comment_on(kind: &str, target: &str, comment: Option<&String>) -> String {
    let text = comment.map(|c| quote_literal(c)).unwrap_or_else(|| "NULL".to_string());
    format!("COMMENT ON {kind} {target} IS {text}")
}

pub fn create_enum(name: &QualifiedName, e: &Enum) -> Vec<String> {
    let values = e.values.iter().map(|v| quote_literal(v)).collect::<Vec<_>>().join(", ");
    let mut out = vec![format!("CREATE TYPE {} AS ENUM ({values})", qualified(name))];
    if let Some(comment) = &e.comment {
        out.push(format!("COMMENT ON TYPE {} IS {}", qualified(name), quote_literal(comment)));
    }
    out
}

/// `CREATE TABLE` with columns, primary key, unique constraints and checks; foreign keys and indexes are
/// separate statements.
pub fn create_table(name: &QualifiedName, table: &Table) -> String {
    let mut parts: Vec<String> = table.columns.iter().map(column_definition).collect();
    if let Some(pk) = &table.primary_key {
        parts.push(format!("CONSTRAINT {} {}", quote_ident(&pk.name), primary_key_clause(pk)));
    }
    for (n, u) in &table.unique_constraints {
        parts.push(format!("CONSTRAINT {} {}", quote_ident(n), unique_clause(u)));
    }
    for (n, c) in &table.checks {
        parts.push(format!("CONSTRAINT {} CHECK ({})", quote_ident(n), c.expression));
    }
    for (n, x) in &table.exclusions {
        parts.push(format!("CONSTRAINT {} {}", quote_ident(n), exclusion_clause(x)));
    }
    let partition_by = table.partition_by.as_ref().map(|key| format!(" PARTITION BY {key}")).unwrap_or_default();
    format!("CREATE TABLE {} (\n    {}\n){partition_by}", qualified(name), parts.join(",\n    "))
}

/// `"name" type [COLLATE ..] [NOT NULL] [DEFAULT ..|GENERATED ..]`.
pub fn column_definition(column: &Column) -> String {
    let mut sql = format!("{} {}", quote_ident(&column.name), column.ty);
    if let Some(collation) = &column.collation {
        sql.push_str(&format!(" COLLATE {}", quote_ident(collation)));
    }
    if !column.nullable {
        sql.push_str(" NOT NULL");
    }
    if let Some(default) = &column.default {
        sql.push_str(&format!(" DEFAULT {default}"));
    }
    if let Some(identity) = &column.identity {
        sql.push(' ');
        sql.push_str(&identity_clause(identity));
    }
    if let Some(expression) = &column.generated {
        sql.push_str(&format!(" GENERATED ALWAYS AS ({expression}) STORED"));
    }
    sql
}

/// `UNIQUE [NULLS NOT DISTINCT] (..)`.
pub fn unique_clause(unique: &keel_core::UniqueConstraint) -> String {
    let nulls = if unique.nulls_not_distinct { " NULLS NOT DISTINCT" } else { "" };
    format!("UNIQUE{nulls} ({}){}", idents(&unique.columns), deferrable_clause(unique.deferrable))
}

/// `PRIMARY KEY (..) [DEFERRABLE ..]`.
pub fn primary_key_clause(pk: &keel_core::PrimaryKey) -> String {
    format!("PRIMARY KEY ({}){}", idents(&pk.columns), deferrable_clause(pk.deferrable))
}

pub fn deferrable_clause(deferrable: Deferrable) -> String {
    if deferrable == Deferrable::NotDeferrable { String::new() } else { format!(" {}", deferrable.sql()) }
}

/// `GENERATED { ALWAYS | BY DEFAULT } AS IDENTITY [( options )]`.
pub fn identity_clause(identity: &keel_core::Identity) -> String {
    let mut sql = match identity.generation {
        keel_core::IdentityGeneration::Always => "GENERATED ALWAYS AS IDENTITY".to_string(),
        keel_core::IdentityGeneration::ByDefault => "GENERATED BY DEFAULT AS IDENTITY".to_string(),
    };
    let options = identity.sequence.sql_clauses();
    if !options.is_empty() {
        sql.push_str(&format!(" ({})", options.join(" ")));
    }
    sql
}

/// `EXCLUDE USING gist (room WITH =, during WITH &&) [INCLUDE (..)] [WHERE (..)]`.
pub fn exclusion_clause(exclusion: &Exclusion) -> String {
    let elements = exclusion
        .elements
        .iter()
        .map(|e| format!("{} WITH {}", index_key(&e.key), e.operator.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    let mut sql = format!("EXCLUDE USING {} ({elements})", exclusion.method.name());
    if !exclusion.include.is_empty() {
        sql.push_str(&format!(" INCLUDE ({})", idents(&exclusion.include)));
    }
    if let Some(predicate) = &exclusion.predicate {
        sql.push_str(&format!(" WHERE ({predicate})"));
    }
    sql
}

pub fn add_foreign_key(table: &QualifiedName, name: &str, fk: &ForeignKey) -> String {
    format!("ALTER TABLE {} ADD CONSTRAINT {} {}", qualified(table), quote_ident(name), foreign_key_clause(fk))
}

/// `FOREIGN KEY (..) REFERENCES .. (..) [ON DELETE ..] [ON UPDATE ..] [DEFERRABLE ..]`.
pub fn foreign_key_clause(fk: &ForeignKey) -> String {
    let mut sql = format!(
        "FOREIGN KEY ({}) REFERENCES {} ({})",
        idents(&fk.columns),
        qualified(&fk.references),
        idents(&fk.referenced_columns)
    );
    if fk.match_full {
        sql.push_str(" MATCH FULL");
    }
    if fk.on_delete != ForeignKeyAction::NoAction {
        sql.push_str(&format!(" ON DELETE {}", fk.on_delete.sql()));
    }
    if fk.on_update != ForeignKeyAction::NoAction {
        sql.push_str(&format!(" ON UPDATE {}", fk.on_update.sql()));
    }
    if fk.deferrable != Deferrable::NotDeferrable {
        sql.push_str(&format!(" {}", fk.deferrable.sql()));
    }
    sql
}

/// One index key: `"col" "opclass" DESC NULLS LAST` or `(expression) ...`.
fn index_key(key: &IndexKey) -> String {
    let mut sql = match &key.on {
        KeyExpression::Column(c) => quote_ident(c),
        KeyExpression::Expression(e) => format!("({e})"),
    };
    if let Some(collation) = &key.collation {
        sql.push_str(&format!(" COLLATE {}", quote_ident(collation)));
    }
    if let Some(opclass) = &key.opclass {
        sql.push(' ');
        sql.push_str(&quote_ident(opclass));
    }
    if key.order == SortOrder::Desc {
        sql.push_str(" DESC");
    }
    // Only say NULLS when it differs from the default for the order.
    let default_nulls = if key.order == SortOrder::Desc { NullsOrder::First } else { NullsOrder::Last };
    if key.nulls != default_nulls {
        sql.push_str(if key.nulls == NullsOrder::First { " NULLS FIRST" } else { " NULLS LAST" });
    }
    sql
}

pub fn create_index(table: &QualifiedName, name: &str, index: &Index) -> String {
    create_index_with(table, name, index, false)
}

/// `CREATE [UNIQUE] INDEX [CONCURRENTLY] ...`.
pub fn create_index_with(table: &QualifiedName, name: &str, index: &Index, concurrently: bool) -> String {
    let keys = index.keys.iter().map(index_key).collect::<Vec<_>>().join(", ");
    let mut sql = format!(
        "CREATE {}INDEX {}{} ON {}{} ({keys})",
        if index.unique { "UNIQUE " } else { "" },
        if concurrently { "CONCURRENTLY " } else { "" },
        quote_ident(name),
        qualified(table),
        if index.method == IndexMethod::Btree { String::new() } else { format!(" USING {}", index.method.name()) },
    );
    if !index.include.is_empty() {
        sql.push_str(&format!(" INCLUDE ({})", idents(&index.include)));
    }
    if index.nulls_not_distinct {
        sql.push_str(" NULLS NOT DISTINCT");
    }
    if !index.storage.is_empty() {
        let options = index.storage.iter().map(|(k, v)| format!("{} = {}", quote_ident(k), quote_literal(v)));
        sql.push_str(&format!(" WITH ({})", options.collect::<Vec<_>>().join(", ")));
    }
    if let Some(predicate) = &index.predicate {
        sql.push_str(&format!(" WHERE {predicate}"));
    }
    sql
}

pub fn table_comments(name: &QualifiedName, table: &Table) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(comment) = &table.comment {
        out.push(format!("COMMENT ON TABLE {} IS {}", qualified(name), quote_literal(comment)));
    }
    for column in &table.columns {
        if let Some(comment) = &column.comment {
            out.push(format!(
                "COMMENT ON COLUMN {}.{} IS {}",
                qualified(name),
                quote_ident(&column.name),
                quote_literal(comment)
            ));
        }
    }
    out
}

pub fn idents(names: &[String]) -> String {
    names.iter().map(|n| quote_ident(n)).collect::<Vec<_>>().join(", ")
}

/// `CREATE TRIGGER name BEFORE UPDATE OF a ON t FOR EACH ROW WHEN (...) EXECUTE FUNCTION f('arg')`.
pub fn create_trigger(table: &QualifiedName, name: &str, trigger: &Trigger) -> String {
    let events: Vec<String> = trigger
        .events
        .iter()
        .map(|event| {
            let columns = trigger.update_of.iter().map(|c| quote_ident(c)).collect::<Vec<_>>().join(", ");
            match event {
                keel_core::TriggerEvent::Update if !trigger.update_of.is_empty() => format!("UPDATE OF {columns}"),
                other => other.keyword().to_string(),
            }
        })
        .collect();
    let mut sql = format!(
        "CREATE TRIGGER {} {} {} ON {}",
        quote_ident(name),
        trigger.timing.keyword(),
        events.join(" OR "),
        qualified(table)
    );
    let referencing: Vec<String> = [("OLD", &trigger.old_table), ("NEW", &trigger.new_table)]
        .into_iter()
        .filter_map(|(which, name)| name.as_ref().map(|n| format!("{which} TABLE AS {}", quote_ident(n))))
        .collect();
    if !referencing.is_empty() {
        sql.push_str(&format!(" REFERENCING {}", referencing.join(" ")));
    }
    sql.push_str(if trigger.for_each_row { " FOR EACH ROW" } else { " FOR EACH STATEMENT" });
    if let Some(condition) = &trigger.when {
        sql.push_str(&format!(" WHEN ({condition})"));
    }
    let arguments: Vec<String> = trigger.arguments.iter().map(|a| quote_literal(a)).collect();
    sql.push_str(&format!(" EXECUTE FUNCTION {}({})", qualified(&trigger.function), arguments.join(", ")));
    sql
}

/// `"schema"."name"(arguments)`: what `DROP FUNCTION` and `COMMENT ON FUNCTION` name.
pub fn function_signature(id: &FunctionId) -> String {
    format!("{}({})", qualified(&id.qualified_name()), id.arguments)
}

/// `ALTER TABLE ... ENABLE ROW LEVEL SECURITY` and `... FORCE ROW LEVEL SECURITY`, as switched on.
pub fn row_level_security(table: &QualifiedName, rls: RowLevelSecurity) -> Vec<String> {
    let mut out = Vec::new();
    if rls.enabled {
        out.push(format!("ALTER TABLE {} ENABLE ROW LEVEL SECURITY", qualified(table)));
    }
    if rls.forced {
        out.push(format!("ALTER TABLE {} FORCE ROW LEVEL SECURITY", qualified(table)));
    }
    out
}

/// `"policy" ON "schema"."table"`: how statements name a policy.
pub fn policy_target(table: &QualifiedName, name: &str) -> String {
    format!("{} ON {}", quote_ident(name), qualified(table))
}

/// `CREATE POLICY "name" ON .. AS PERMISSIVE FOR ALL TO .. USING (..) WITH CHECK (..)`.
pub fn create_policy(table: &QualifiedName, name: &str, policy: &Policy) -> String {
    let mut sql = format!(
        "CREATE POLICY {} AS {} FOR {} TO {}",
        policy_target(table, name),
        policy.kind(),
        policy.command.sql(),
        policy_roles(&policy.roles)
    );
    sql.push_str(&policy_expressions(policy));
    sql
}

/// ` USING (..) WITH CHECK (..)`, the clauses the policy has.
pub fn policy_expressions(policy: &Policy) -> String {
    let mut sql = String::new();
    if let Some(using) = &policy.using {
        sql.push_str(&format!(" USING ({using})"));
    }
    if let Some(check) = &policy.with_check {
        sql.push_str(&format!(" WITH CHECK ({check})"));
    }
    sql
}

/// Role names for `TO`: `public` is the keyword `PUBLIC` (no role may take that name), the others quoted.
pub fn policy_roles(roles: &[String]) -> String {
    if roles.is_empty() {
        return "PUBLIC".to_string();
    }
    roles
        .iter()
        .map(|r| if r == "public" { "PUBLIC".to_string() } else { quote_ident(r) })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `"name" ON schema.table`, what `COMMENT ON CONSTRAINT` names.
pub fn constraint_target(table: &QualifiedName, name: &str) -> String {
    format!("{} ON {}", quote_ident(name), qualified(table))
}

/// `COMMENT ON CONSTRAINT` and `COMMENT ON INDEX` for the constraints and indexes of a table that carry one.
pub fn constraint_and_index_comments(name: &QualifiedName, table: &Table) -> Vec<String> {
    let mut constraints: Vec<(&String, &Option<String>)> = Vec::new();
    constraints.extend(table.primary_key.iter().map(|pk| (&pk.name, &pk.comment)));
    constraints.extend(table.unique_constraints.iter().map(|(n, u)| (n, &u.comment)));
    constraints.extend(table.checks.iter().map(|(n, c)| (n, &c.comment)));
    constraints.extend(table.foreign_keys.iter().map(|(n, f)| (n, &f.comment)));
    constraints.extend(table.exclusions.iter().map(|(n, x)| (n, &x.comment)));
    let mut out: Vec<String> = constraints
        .into_iter()
        .filter_map(|(n, c)| c.as_ref().map(|c| comment_on("CONSTRAINT", &constraint_target(name, n), Some(c))))
        .collect();
    out.extend(index_comments(name, &table.indexes));
    out
}

/// `COMMENT ON INDEX` for the indexes (of a table or materialized view `on`) that carry one.
pub fn index_comments(on: &QualifiedName, indexes: &std::collections::BTreeMap<String, Index>) -> Vec<String> {
    let index = |n: &String| qualified(&QualifiedName::new(&on.schema, n));
    indexes.iter().filter_map(|(n, i)| i.comment.as_ref().map(|c| comment_on("INDEX", &index(n), Some(c)))).collect()
}
