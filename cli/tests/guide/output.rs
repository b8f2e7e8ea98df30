//! What a `text` block must be to stand for what its `sh` block printed: the whole output, line for line,
//! except where it says otherwise. A line `...` stands for any run of lines (none included); `[..]` inside
//! a line stands for any text. Cargo's own progress lines (`   Compiling x`, `    Finished ...`) are left
//! out of what was printed first: they vary with what is already built.

/// The printed text equals `expected`, line for line, with its elisions; `Err` shows both.
pub fn expect_output(printed: &str, expected: &str) -> Result<(), String> {
    let printed: Vec<&str> = significant_lines(printed.lines().filter(|l| !is_cargo_progress(l)));
    let expected: Vec<&str> = significant_lines(expected.lines());
    if matches_lines(&printed, &expected) {
        return Ok(());
    }
    let first_difference = printed
        .iter()
        .zip(&expected)
        .position(|(line, wanted)| *wanted == "..." || !matches_line(line, wanted))
        .unwrap_or(printed.len().min(expected.len()));
    Err(format!(
        "the output is not what the guide shows (first difference at line {}; `...` elides lines, `[..]` text \
         within a line).\nThe guide shows:\n{}\nIt printed (cargo's progress lines left out):\n{}",
        first_difference + 1,
        expected.join("\n"),
        printed.join("\n"),
    ))
}

/// Lines without trailing spaces, and without blank lines at the start and the end.
fn significant_lines<'a>(lines: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut lines: Vec<&str> = lines.map(str::trim_end).skip_while(|l| l.is_empty()).collect();
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines
}

/// `expected` (with its `...` lines) matches all of `printed`.
fn matches_lines(printed: &[&str], expected: &[&str]) -> bool {
    // matched[i][j]: expected[i..] matches printed[j..].
    let (n, m) = (expected.len(), printed.len());
    let mut matched = vec![vec![false; m + 1]; n + 1];
    matched[n][m] = true;
    for i in (0..n).rev() {
        for j in (0..=m).rev() {
            matched[i][j] = if expected[i] == "..." {
                matched[i + 1][j] || (j < m && matched[i][j + 1])
            } else {
                j < m && matches_line(printed[j], expected[i]) && matched[i + 1][j + 1]
            };
        }
    }
    matched[0][0]
}

/// The whole `line` is `pattern`, where each `[..]` stands for any text.
pub fn matches_line(line: &str, pattern: &str) -> bool {
    let parts: Vec<&str> = pattern.split("[..]").collect();
    let [first, middle @ .., last] = parts.as_slice() else { return line == pattern };
    let Some(mut rest) = line.strip_prefix(first) else { return false };
    for part in middle {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    rest.ends_with(last)
}

/// A status line of cargo's: a known verb right-aligned in 12 columns, then a space.
fn is_cargo_progress(line: &str) -> bool {
    const VERBS: &[&str] = &[
        "Adding",
        "Blocking",
        "Checking",
        "Compiling",
        "Downloaded",
        "Downloading",
        "Finished",
        "Locking",
        "Running",
        "Updating",
    ];
    line.len() > 13
        && line.is_char_boundary(12)
        && line.as_bytes()[12] == b' '
        && VERBS.contains(&line[..12].trim_start_matches(' '))
}

#[cfg(test)]
mod tests {
    use super::{expect_output, matches_line};

    #[test]
    fn output_lines_match_in_order_with_wildcards() {
        assert!(matches_line("wrote migrations/20260101000000_init.sql", "wrote migrations/[..]_init.sql"));
        assert!(!matches_line("wrote migrations/2026_init.txt", "wrote migrations/[..]_init.sql"));
        let printed = "a one\nb two\nc three\n";
        assert!(expect_output(printed, "three\none\n").is_err());
    }

    #[test]
    fn the_whole_output_is_shown() {
        assert!(expect_output("one\ntwo\n", "one\ntwo\n").is_ok());
        assert!(expect_output("one\ntwo\n", "one\n").is_err(), "a line left out");
        assert!(expect_output("one\ntwo\n", "two\n").is_err(), "a line left out at the start");
        assert!(expect_output("a one\n", "one\n").is_err(), "part of a line");
        assert!(expect_output("one\n", "one\ntwo\n").is_err(), "a line not printed");
        assert!(!matches_line("wrote migrations/2026_init.sql.bak", "wrote migrations/[..]_init.sql"));
        assert!(!matches_line("  wrote migrations/2026_init.sql", "wrote migrations/[..]_init.sql"));
        assert!(matches_line("took 12ms", "took [..]"));
        assert!(matches_line("a-b-c", "a[..]b[..]c"));
        assert!(!matches_line("ab", "a[..]b[..]b"), "parts do not overlap");
    }

    #[test]
    fn a_migration_without_the_line_that_closes_create_table_does_not_match() {
        let printed =
            "CREATE TABLE \"public\".\"notes\" (\n    \"id\" uuid NOT NULL\n);\nCREATE INDEX i ON notes (id);\n";
        let shown = "CREATE TABLE \"public\".\"notes\" (\n    \"id\" uuid NOT NULL\nCREATE INDEX i ON notes (id);\n";
        assert!(expect_output(printed, shown).is_err());
        assert!(expect_output(printed, printed).is_ok());
    }

    #[test]
    fn an_elision_line_matches_any_run_of_lines() {
        let printed = "header\none\ntwo\nthree\nfooter\n";
        assert!(expect_output(printed, "header\n...\nfooter\n").is_ok());
        assert!(expect_output(printed, "header\none\n...\ntwo\n...\nfooter\n").is_ok(), "... may match no line");
        assert!(expect_output(printed, "...\nthree\n...\n").is_ok());
        assert!(expect_output(printed, "header\n...\nthree\n").is_err(), "the footer is not elided");
        assert!(expect_output(printed, "header\n...\nfour\n...\n").is_err());
    }

    #[test]
    fn cargo_progress_lines_are_not_part_of_the_output() {
        let printed = "   Compiling notes v0.1.0 (/tmp/x)\n    Finished `dev` profile in 1.2s\n     \
                       Running `target/debug/keel-schema`\nok\n";
        assert!(expect_output(printed, "ok\n").is_ok());
        assert!(expect_output("Compiling is slow\n", "").is_err(), "only cargo's own status lines");
    }
}
