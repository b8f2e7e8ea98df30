//! The attribute strings' grammars (`keel_core::grammar`), with errors pointing at the string literal.

use syn::LitStr;

pub use keel_core::grammar::{KeyOn, KeySpec, Reference};

fn at(lit: &LitStr) -> impl Fn(keel_core::grammar::GrammarError) -> syn::Error + '_ {
    |e| syn::Error::new(lit.span(), e)
}

/// `"a, b"` → `["a", "b"]`.
pub fn columns(lit: &LitStr) -> syn::Result<Vec<String>> {
    keel_core::grammar::columns(&lit.value()).map_err(at(lit))
}

/// Index keys: a column or a parenthesized expression, then an optional operator class,
/// `ASC`/`DESC` and `NULLS FIRST`/`NULLS LAST`.
pub fn index_keys(lit: &LitStr) -> syn::Result<Vec<KeySpec>> {
    keel_core::grammar::index_keys(&lit.value()).map_err(at(lit))
}

/// `table`, `table(col, ...)`, `schema.table(col, ...)`. Without columns the target is `id`.
pub fn reference(lit: &LitStr) -> syn::Result<Reference> {
    keel_core::grammar::reference(&lit.value()).map_err(at(lit))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proc_macro2::Span;

    fn lit(s: &str) -> LitStr {
        LitStr::new(s, Span::call_site())
    }

    #[test]
    fn parses_index_keys() {
        let keys = index_keys(&lit("user_id, (lower(name)) text_pattern_ops, created_at DESC NULLS LAST, \"Odd Col\""))
            .unwrap();
        assert_eq!(keys.len(), 4);
        assert!(matches!(&keys[0].on, KeyOn::Column(c) if c == "user_id"));
        assert!(matches!(&keys[1].on, KeyOn::Expression(e) if e == "lower(name)"));
        assert_eq!(keys[1].opclass.as_deref(), Some("text_pattern_ops"));
        assert!(keys[2].descending);
        assert_eq!(keys[2].nulls_first, Some(false));
        assert!(matches!(&keys[3].on, KeyOn::Column(c) if c == "Odd Col"));
    }

    #[test]
    fn rejects_bad_keys() {
        assert!(index_keys(&lit("a,,b")).is_err());
        assert!(index_keys(&lit("a DESC NULLS")).is_err());
        assert!(index_keys(&lit("lower(a)")).is_err());
        assert!(index_keys(&lit("(a")).is_err());
        assert!(index_keys(&lit("a DESC extra")).is_err());
    }

    #[test]
    fn parses_references() {
        let r = reference(&lit("auth.users(id, tenant_id)")).unwrap();
        assert_eq!((r.schema.as_deref(), r.table.as_str()), (Some("auth"), "users"));
        assert_eq!(r.columns, ["id", "tenant_id"]);
        let r = reference(&lit("folders")).unwrap();
        assert_eq!(r.columns, ["id"]);
        assert!(reference(&lit("folders(")).is_err());
        assert!(reference(&lit("fol ders(id)")).is_err());
        assert!(reference(&lit("folders()")).is_err());
    }
}
