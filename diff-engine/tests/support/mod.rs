//! Shared by the engine's test binaries (each includes this module).

/// The lines between the common head and tail of two JSON texts, with some context before them, so that a
/// failing comparison of two schemas shows only what differs.
pub fn json_diff(left: &str, right: &str, left_name: &str, right_name: &str) -> String {
    let (l, r): (Vec<&str>, Vec<&str>) = (left.lines().collect(), right.lines().collect());
    let head = l.iter().zip(&r).take_while(|(a, b)| a == b).count();
    let tail = l[head..].iter().rev().zip(r[head..].iter().rev()).take_while(|(a, b)| a == b).count();
    let mut out = String::from("-- context:\n");
    l[head.saturating_sub(8)..head].iter().for_each(|line| out.push_str(&format!("   {line}\n")));
    out.push_str(&format!("-- {left_name}:\n"));
    l[head..l.len() - tail].iter().for_each(|line| out.push_str(&format!(" < {line}\n")));
    out.push_str(&format!("-- {right_name}:\n"));
    r[head..r.len() - tail].iter().for_each(|line| out.push_str(&format!(" > {line}\n")));
    out
}
