//! Counts in messages: `1 row`, `2 rows`, `0 rows`. Every count keel prints goes through these, so none
//! says "1 warnings".

use std::fmt::Display;

/// `one` when `n` is 1, else `many`.
pub fn plural<'a, N: PartialEq + From<u8>>(n: N, one: &'a str, many: &'a str) -> &'a str {
    if n == N::from(1) { one } else { many }
}

/// `n` and its noun: `1 warning`, `3 warnings`.
pub fn count<N: Display + PartialEq + From<u8> + Copy>(n: N, one: &str, many: &str) -> String {
    format!("{n} {}", plural(n, one, many))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_is_singular_and_every_other_count_plural() {
        assert_eq!(count(1usize, "warning", "warnings"), "1 warning");
        assert_eq!(count(0usize, "warning", "warnings"), "0 warnings");
        assert_eq!(count(2i64, "index", "indexes"), "2 indexes");
        assert_eq!(count(11u32, "row", "rows"), "11 rows");
        assert_eq!(plural(1i64, "row holds", "rows hold"), "row holds");
    }
}
