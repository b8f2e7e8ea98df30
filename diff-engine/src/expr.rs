//! The one expression analyzer: what an expression, a view's query or a SQL function reads, for ordering
//! the plan's statements. It parses the text with squawk's parser (the linter's) and walks the tree, so
//! string literals, type names and keywords are never taken for names.
//!
//! Input is the text PostgreSQL prints back (defaults, checks, index expressions and predicates, trigger
//! conditions, policies, view queries, `pg_get_functiondef`). Introspection runs with `search_path =
//! pg_catalog, public`, so an unqualified call is a function in `public` (or the catalog, which matches
//! nothing of a schema), and both sides of a comparison print names the same way. Reading a little too much
//! is harmless (a name that is no column or function of the schema matches nothing); missing a dependency
//! is not.

use keel_core::model::QualifiedName;
use squawk_syntax::ast::{self, AstNode};
use squawk_syntax::{SourceFile, SyntaxKind, SyntaxNode};
use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};

/// Longer text is parsed on a thread with a large stack: squawk's parser recurses once per level of
/// nesting, and a level takes at least two bytes (`(` and `)`, `NOT `), so shorter text nests shallowly
/// enough for any thread's stack.
const SHORT: usize = 256;

/// How many analyses a thread keeps (a plan's distinct expressions, mostly).
const REMEMBERED: usize = 4096;

/// What one piece of SQL reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Analysis {
    /// Names the SQL reads as columns: `n`, and the last part of `t.n` or `new.n`.
    columns: BTreeSet<String>,
    /// Functions it calls (`f(...)` in `public`, `app.f(...)`), in order of appearance, without duplicates.
    calls: Vec<QualifiedName>,
    /// Sequences it takes values from: `nextval('app.seq'::regclass)`.
    sequences: Vec<QualifiedName>,
}

impl Analysis {
    /// Analyzes an expression, a query (`SELECT`, `WITH`, ...) or a `CREATE FUNCTION` statement, whose
    /// SQL-language body is analyzed too. An expression is parsed as `SELECT <expression>`.
    pub(crate) fn of(sql: &str) -> Analysis {
        // Parsing costs tens of microseconds, and planning asks about the same text often (a check for each
        // column that changes, `now()` for many defaults): answers are kept per thread, a bounded number.
        thread_local! {
            static SEEN: RefCell<HashMap<String, Analysis>> = RefCell::new(HashMap::new());
        }
        if let Some(known) = SEEN.with(|seen| seen.borrow().get(sql).cloned()) {
            return known;
        }
        let analysis = Analysis::uncached(sql);
        SEEN.with(|seen| {
            let mut seen = seen.borrow_mut();
            if seen.len() >= REMEMBERED {
                seen.clear();
            }
            seen.insert(sql.to_string(), analysis.clone());
        });
        analysis
    }

    fn uncached(sql: &str) -> Analysis {
        let wrapped;
        let text = if is_statement(sql) {
            sql
        } else {
            wrapped = format!("SELECT {sql}");
            &wrapped
        };
        match crate::sql_depth::too_deep(text) {
            // More nesting than any server prints: nothing keel could order by.
            Some(_) => Analysis::default(),
            None if text.len() > SHORT => crate::sql_depth::on_big_stack(|| parsed(text)),
            None => parsed(text),
        }
    }

    /// Whether the SQL reads a column of this name.
    pub(crate) fn mentions(&self, column: &str) -> bool {
        self.columns.contains(column)
    }

    pub(crate) fn calls(&self) -> &[QualifiedName] {
        &self.calls
    }

    pub(crate) fn sequences(&self) -> &[QualifiedName] {
        &self.sequences
    }

    fn walk(&mut self, root: &SyntaxNode) {
        // A function's body comes after its signature (argument defaults), in the order of the text.
        let mut bodies = Vec::new();
        for node in root.descendants() {
            match node.kind() {
                SyntaxKind::NAME_REF if !is_callee(&node) && !is_qualifier(&node) => {
                    self.columns.insert(name_of(&node));
                }
                SyntaxKind::CALL_EXPR => self.call(&node),
                SyntaxKind::CREATE_FUNCTION => {
                    let body = ast::CreateFunction::cast(node.clone()).and_then(|f| f.sql_body());
                    bodies.extend(body);
                }
                _ => {}
            }
        }
        for body in bodies {
            self.walk(&body.syntax());
        }
    }

    fn call(&mut self, node: &SyntaxNode) {
        let Some(function) = node.first_child().and_then(|callee| qualified_name(&callee)) else { return };
        if function.name == "nextval"
            && let Some(sequence) = regclass_argument(node)
            && !self.sequences.contains(&sequence)
        {
            self.sequences.push(sequence);
        }
        if !self.calls.contains(&function) {
            self.calls.push(function);
        }
    }
}

fn parsed(text: &str) -> Analysis {
    let mut out = Analysis::default();
    out.walk(&SourceFile::parse(text).syntax_node());
    out
}

/// Whether the text is a statement of its own rather than an expression: its first word is one that
/// starts a query or a `CREATE`.
fn is_statement(sql: &str) -> bool {
    let word: String = sql.trim_start().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
    ["select", "with", "values", "table", "create"].iter().any(|k| word.eq_ignore_ascii_case(k))
}

/// Whether a name is the function a call calls: the first child of a `CALL_EXPR`, or a part of the
/// `schema.name` that is.
fn is_callee(node: &SyntaxNode) -> bool {
    let first_of = |parent: &SyntaxNode, kind| parent.kind() == kind && parent.first_child().as_ref() == Some(node);
    match node.parent() {
        Some(parent) if first_of(&parent, SyntaxKind::CALL_EXPR) => true,
        Some(parent) if parent.kind() == SyntaxKind::FIELD_EXPR => parent
            .parent()
            .is_some_and(|call| call.kind() == SyntaxKind::CALL_EXPR && call.first_child() == Some(parent)),
        _ => false,
    }
}

/// The `t` of `t.n`: a qualifier (table, alias, `new`/`old`), not a column.
fn is_qualifier(node: &SyntaxNode) -> bool {
    node.parent().is_some_and(|p| p.kind() == SyntaxKind::FIELD_EXPR && p.first_child().as_ref() == Some(node))
}

/// `name` or `schema.name` (a `NAME_REF`, or a `FIELD_EXPR` of two), unqualified names in `public`.
fn qualified_name(node: &SyntaxNode) -> Option<QualifiedName> {
    match node.kind() {
        SyntaxKind::NAME_REF => Some(QualifiedName::new(keel_core::DEFAULT_SCHEMA, name_of(node))),
        SyntaxKind::FIELD_EXPR => match node.children().collect::<Vec<_>>().as_slice() {
            [schema, name] if schema.kind() == SyntaxKind::NAME_REF && name.kind() == SyntaxKind::NAME_REF => {
                Some(QualifiedName::new(name_of(schema), name_of(name)))
            }
            _ => None,
        },
        _ => None,
    }
}

/// A name node's identifier as PostgreSQL resolves it ([`identifier`]).
fn name_of(node: &SyntaxNode) -> String {
    identifier(&node.text().to_string())
}

/// An identifier as PostgreSQL resolves it: folded to lower case unless quoted (`""` is a quote).
pub(crate) fn identifier(text: &str) -> String {
    let text = text.trim();
    match text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        Some(quoted) => quoted.replace("\"\"", "\""),
        None => text.to_lowercase(),
    }
}

/// The sequence of `nextval('name'::regclass)`: the literal read as a (qualified) name.
fn regclass_argument(call: &SyntaxNode) -> Option<QualifiedName> {
    let args = call.children().find(|n| n.kind() == SyntaxKind::ARG_LIST)?;
    let cast = args.children().next()?.first_child().filter(|n| n.kind() == SyntaxKind::CAST_EXPR)?;
    let literal = cast.first_child().filter(|n| n.kind() == SyntaxKind::LITERAL)?.text().to_string();
    let name = literal.strip_prefix('\'')?.strip_suffix('\'')?.replace("''", "'");
    let parsed = SourceFile::parse(&format!("SELECT {name}")).syntax_node();
    let target = parsed.descendants().find(|n| n.kind() == SyntaxKind::TARGET)?;
    qualified_name(&target.first_child()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn calls(sql: &str) -> Vec<String> {
        Analysis::of(sql).calls().iter().map(|n| n.to_string()).collect()
    }

    fn sequences(sql: &str) -> Vec<String> {
        Analysis::of(sql).sequences().iter().map(|n| n.to_string()).collect()
    }

    #[test]
    fn reads_unqualified_calls_as_public() {
        assert_eq!(calls("next_code()"), ["public.next_code"]);
        assert_eq!(calls("(lower(name) = slug(title))"), ["public.lower", "public.slug"]);
    }

    #[test]
    fn reads_qualified_and_quoted_calls() {
        assert_eq!(calls("app.next_id() + 1"), ["app.next_id"]);
        assert_eq!(calls(r#""My App"."Next ""Id"""(x)"#), [r#"My App.Next "Id""#]);
        assert_eq!(calls("public.f (x)"), ["public.f"]);
        assert_eq!(calls("table_name() || select_one()"), ["public.table_name", "public.select_one"]);
    }

    #[test]
    fn skips_string_literals_and_plain_words() {
        assert!(calls("'f(x)'::text").is_empty());
        assert!(calls("'it''s f(x)' || name").is_empty());
        assert!(calls("(status = 'a'::text)").is_empty());
        assert!(calls("(x)::numeric(10,2) > 0").is_empty(), "a type modifier is no call");
        assert_eq!(calls("n > 0 AND g(n)"), ["public.g"]);
    }

    #[test]
    fn a_column_of_a_table_is_not_a_call() {
        assert!(calls("t.n > 0").is_empty());
        assert_eq!(calls("t.n > app.f(t.n)"), ["app.f"]);
    }

    #[test]
    fn columns_are_names_read_as_values_not_strings_functions_or_qualifiers() {
        let check = Analysis::of("((name <> 'other_col'::text) AND (lower(\"Code\") <> ''))");
        assert!(check.mentions("name") && check.mentions("Code"));
        assert!(!check.mentions("other_col"), "a string literal is no column");
        assert!(!check.mentions("lower") && !check.mentions("text"));
        let trigger = Analysis::of("(old.n IS DISTINCT FROM new.n)");
        assert!(trigger.mentions("n") && !trigger.mentions("old") && !trigger.mentions("new"));
    }

    #[test]
    fn reads_sequences_of_nextval() {
        assert_eq!(sequences("nextval('t_id_seq'::regclass)"), ["public.t_id_seq"]);
        assert_eq!(sequences(r#"nextval('app."My ''Seq"'::regclass)"#), [r#"app.My 'Seq"#]);
        assert_eq!(calls("nextval('s'::regclass)"), ["public.nextval"]);
        assert!(sequences("'nextval(''s''::regclass)'::text").is_empty());
    }

    #[test]
    fn reads_view_queries_and_sql_function_bodies() {
        let view = "SELECT x.a FROM app.srf(1) x(a) WHERE EXISTS (SELECT 1 FROM u WHERE u.id = coalesce(x.a, g2(1)))";
        assert_eq!(calls(view), ["app.srf", "public.coalesce", "public.g2"]);
        let function = "CREATE OR REPLACE FUNCTION public.f(a integer DEFAULT g())\n RETURNS integer\n LANGUAGE sql\n\
                        AS $function$ SELECT h(a) + app.k('x(') $function$\n";
        assert_eq!(calls(function), ["public.g", "public.h", "app.k"]);
        let atomic = "CREATE OR REPLACE FUNCTION public.f2(a integer)\n RETURNS integer\n LANGUAGE sql\n\
                      BEGIN ATOMIC\n SELECT (h(f2.a) + 1);\nEND\n";
        assert_eq!(calls(atomic), ["public.h"]);
    }

    #[test]
    fn deep_nesting_parses_without_overflowing() {
        let deep = format!("{}f(x){}", "(".repeat(500), ")".repeat(500));
        assert_eq!(calls(&deep), ["public.f"]);
        let nots = format!("{}f(x)", "NOT ".repeat(3000));
        assert_eq!(calls(&nots), ["public.f"], "nesting without parentheses");
        let too_deep = format!("{}f(x){}", "(".repeat(5000), ")".repeat(5000));
        assert!(calls(&too_deep).is_empty());
    }
}
