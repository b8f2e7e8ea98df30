//! Whether two view queries, each as its server prints it, are the same query.
//!
//! `pg_get_viewdef` prints a view from its parse tree, and the printing changes between majors while the
//! tree does not: PostgreSQL 16 stopped qualifying a column where its query level reads one relation
//! (`SELECT id FROM app.posts`, where 15 prints `SELECT posts.id FROM app.posts`). A database upgraded
//! from 15, or a schema normalized on a scratch server of another major, would otherwise show every view
//! as changed. So queries that differ as text are compared in a canonical form: tokens without layout,
//! and without a qualifier that names the one relation of its query level, a qualifier PostgreSQL may
//! print or not for the same tree. Every other difference, however small, stays a difference: the
//! canonical form never makes two queries equal that read different things.

use crate::expr::identifier;
use squawk_syntax::{SourceFile, SyntaxKind, SyntaxNode, SyntaxToken};
use std::collections::BTreeSet;

/// Whether `a` and `b` print the same query. Text that does not parse (or nests deeper than a server
/// prints) compares as text.
pub(crate) fn same_query(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    match (canonical(a), canonical(b)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

/// The query's tokens separated by single spaces, without layout, comments and the qualifiers
/// [`droppable_qualifier`] finds.
fn canonical(query: &str) -> Option<String> {
    if crate::sql_depth::too_deep(query).is_some() {
        return None;
    }
    let work = || {
        let parse = SourceFile::parse(query);
        if !parse.errors().is_empty() {
            return None;
        }
        let root = parse.syntax_node();
        let dropped: BTreeSet<(u32, u32)> = root
            .descendants()
            .filter(|node| node.kind() == SyntaxKind::FIELD_EXPR)
            .filter_map(|field| droppable_qualifier(&field))
            .flatten()
            .map(|token| span(&token))
            .collect();
        let tokens: Vec<String> = root
            .descendants_with_tokens()
            .filter_map(|element| element.into_token())
            .filter(|token| !token.kind().is_trivia() && !dropped.contains(&span(token)))
            .map(|token| token.text().to_string())
            .collect();
        Some(tokens.join(" "))
    };
    if query.len() > 256 { crate::sql_depth::on_big_stack(work) } else { work() }
}

/// For `q.c` (a field expression), the tokens of `q.` when `q` names the only relation its query level
/// reads: there the bare `c` means the same column. Not for a name in the `FROM` clause itself (a
/// lateral reference reads an outer level), nor for a function's schema (`app.f(x)`).
fn droppable_qualifier(field: &SyntaxNode) -> Option<Vec<SyntaxToken>> {
    let qualifier = field.first_child().filter(|n| n.kind() == SyntaxKind::NAME_REF)?;
    let is_callee =
        field.parent().is_some_and(|p| p.kind() == SyntaxKind::CALL_EXPR && p.first_child().as_ref() == Some(field));
    if is_callee {
        return None;
    }
    let mut level = field.parent();
    while let Some(node) = &level {
        match node.kind() {
            SyntaxKind::FROM_CLAUSE => return None,
            SyntaxKind::SELECT => break,
            _ => level = node.parent(),
        }
    }
    let relation = only_relation(&level?)?;
    if identifier(&qualifier.text().to_string()) != relation {
        return None;
    }
    let dot = std::iter::successors(qualifier.next_sibling_or_token(), |e| e.next_sibling_or_token())
        .filter_map(|e| e.into_token())
        .find(|t| !t.kind().is_trivia())
        .filter(|t| t.kind() == SyntaxKind::DOT)?;
    let mut tokens: Vec<SyntaxToken> = qualifier.descendants_with_tokens().filter_map(|e| e.into_token()).collect();
    tokens.push(dot);
    Some(tokens)
}

/// The name a query level's only relation goes by (its alias, else its own name), when its `FROM`
/// clause holds exactly one item and that item is no join.
fn only_relation(select: &SyntaxNode) -> Option<String> {
    let from = select.children().find(|n| n.kind() == SyntaxKind::FROM_CLAUSE)?;
    let mut items = from.children();
    let item = items.next()?;
    if items.next().is_some() || item.kind() == SyntaxKind::JOIN_EXPR {
        return None;
    }
    if let Some(alias) = item.children().find(|n| n.kind() == SyntaxKind::FROM_ALIAS) {
        let name = alias.descendants().find(|n| n.kind() == SyntaxKind::TABLE_ALIAS)?;
        return Some(identifier(&name.text().to_string()));
    }
    if item.kind() != SyntaxKind::RELATION_FROM_ITEM {
        return None;
    }
    // `app.posts` goes by `posts`: the last identifier of the relation's name.
    let last = item
        .descendants_with_tokens()
        .filter_map(|e| e.into_token())
        .filter(|t| t.kind() == SyntaxKind::IDENT || t.kind().is_keyword())
        .last()?;
    Some(identifier(last.text()))
}

/// Where a token sits in the text, as a key.
fn span(token: &SyntaxToken) -> (u32, u32) {
    let range = token.text_range();
    (range.start().into(), range.end().into())
}

#[cfg(test)]
mod tests {
    use super::same_query;

    #[test]
    fn the_only_relations_qualifier_is_optional() {
        // PostgreSQL 15 and 16 print the same view so.
        let v15 = "SELECT posts.id,\n    posts.title\n   FROM app.posts\n  WHERE posts.score > 1.5;";
        let v16 = "SELECT id,\n    title\n   FROM app.posts\n  WHERE score > 1.5;";
        assert!(same_query(v15, v16));
        let aliased = "SELECT p.id FROM app.posts p ORDER BY p.id";
        assert!(same_query(aliased, "SELECT id FROM app.posts p ORDER BY id"));
        let composite = "SELECT (users.balance).amount, users.tags[1], app.f(users.id) FROM app.users";
        assert!(same_query(composite, "SELECT (balance).amount, tags[1], app.f(id) FROM app.users"));
        let quoted = r#"SELECT "My T".id FROM app."My T" GROUP BY "My T".id"#;
        assert!(same_query(quoted, r#"SELECT id FROM app."My T" GROUP BY id"#));
    }

    #[test]
    fn each_query_level_has_its_own_relation() {
        let v15 = "WITH x AS (SELECT users.id FROM app.users) SELECT x.id, (SELECT count(*) AS count FROM app.posts p \
                   WHERE p.author_id = x.id) AS posts FROM x;";
        let v16 = "WITH x AS (SELECT id FROM app.users) SELECT id, (SELECT count(*) AS count FROM app.posts p \
                   WHERE p.author_id = x.id) AS posts FROM x;";
        assert!(same_query(v15, v16));
        let outer_dropped = "WITH x AS (SELECT id FROM app.users) SELECT id, (SELECT count(*) AS count FROM app.posts p \
                             WHERE p.author_id = id) AS posts FROM x;";
        assert!(!same_query(v15, outer_dropped), "an outer reference inside a subquery keeps its qualifier");
    }

    #[test]
    fn qualifiers_that_choose_between_relations_stay() {
        let join = "SELECT a.id FROM app.a JOIN app.b ON a.id = b.id";
        assert!(!same_query(join, "SELECT b.id FROM app.a JOIN app.b ON a.id = b.id"));
        assert!(!same_query(join, "SELECT id FROM app.a JOIN app.b ON a.id = b.id"));
        // In a FROM clause, `t.id` reads the outer `t`, even where the level's own relation is called `t`.
        let outer = "SELECT t.id FROM app.t WHERE EXISTS (SELECT 1 FROM app.f(t.id) t(n))";
        assert!(same_query(outer, "SELECT id FROM app.t WHERE EXISTS (SELECT 1 FROM app.f(t.id) t(n))"));
        assert!(!same_query(outer, "SELECT id FROM app.t WHERE EXISTS (SELECT 1 FROM app.f(id) t(n))"));
        assert!(
            !same_query("SELECT p.id FROM app.posts p", "SELECT id FROM app.posts"),
            "the alias is part of the query"
        );
        assert!(!same_query("SELECT app.f(id) FROM app.t", "SELECT f(id) FROM app.t"), "a function's schema stays");
    }

    #[test]
    fn everything_else_still_differs() {
        assert!(!same_query("SELECT 'a  b'::text AS x", "SELECT 'a b'::text AS x"));
        assert!(!same_query("SELECT t.id FROM app.t WHERE t.id > 1", "SELECT id FROM app.t WHERE id > 2"));
        assert!(!same_query("SELECT id FROM app.t", "SELECT id FROM public.t"));
        assert!(same_query("SELECT id\n   FROM app.t;", "SELECT id FROM app.t;"), "layout is no difference");
        let unparsable = "SELECT t.id FROM app.t WHERE";
        assert!(!same_query(unparsable, "SELECT id FROM app.t WHERE"), "text that does not parse compares as text");
    }
}
