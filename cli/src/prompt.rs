//! Asking a person: rename decisions and consent to lose data. Without a terminal keel never assumes an
//! answer; the caller stops and says what must be decided.

use anyhow::Context;
use dialoguer::{Confirm, Select};
use keel_diff::{Hints, RenameQuestion};
use std::io::IsTerminal;

/// Whether a person can answer: stdin and stderr are terminals.
pub fn interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// Asks, for every added name of every question, whether it was renamed from a removed one or is new.
pub fn ask_renames(questions: &[RenameQuestion]) -> anyhow::Result<Hints> {
    let mut hints = Hints::default();
    for question in questions {
        let mut removed = question.removed.clone();
        for added in &question.added {
            let noun = question.kind.noun();
            let mut items: Vec<String> = removed.iter().map(|r| format!("renamed from {noun} `{r}`")).collect();
            items.push(format!("a new {noun}"));
            let choice = Select::new()
                .with_prompt(format!("{noun} `{added}` in {} is new in the schema. Is it", question.scope()))
                .items(&items)
                .default(items.len() - 1)
                .interact()
                .context("reading the answer")?;
            if choice < removed.len() {
                let from = removed.remove(choice);
                hints.renames.push(question.rename(&from, added));
            } else {
                hints.new.push(question.created(added));
            }
        }
    }
    Ok(hints)
}

/// What must be decided, and how to say it without a terminal.
pub fn undecided(questions: &[RenameQuestion]) -> String {
    let mut out = String::from("keel does not guess renames, and cannot tell whether these are:\n");
    let mut example = Hints::default();
    for q in questions {
        let list = |names: &[String]| names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ");
        out.push_str(&format!(
            "  {}s in {}: {} disappeared, {} appeared\n",
            q.kind.noun(),
            q.scope(),
            list(&q.removed),
            list(&q.added)
        ));
        // Suggest a rename only where the pairing is unambiguous; otherwise everything is marked new, and
        // the person moves the right pairs to `renames`.
        match (q.removed.as_slice(), q.added.as_slice()) {
            ([from], [to]) => example.renames.push(q.rename(from, to)),
            _ => example.new.extend(q.added.iter().map(|a| q.created(a))),
        }
    }
    let json = serde_json::to_string_pretty(&example).unwrap_or_default();
    out.push_str(
        "Decide on a terminal (run the command interactively), add #[keel(renamed_from = \"old\")] to the field, \
         struct or enum, or pass --hints FILE, for example (edit it: `renames` are renames, `new` are objects \
         that are new, and whatever disappeared without being renamed is dropped):\n",
    );
    out.push_str(&json);
    out
}

/// A yes/no question; `false` unless the person says yes.
pub fn confirm(prompt: &str) -> anyhow::Result<bool> {
    Confirm::new().with_prompt(prompt).default(false).interact().context("reading the answer")
}
