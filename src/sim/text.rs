//! Text helpers for engines' messages. No dependencies: `kit::catalog` (which the build
//! script includes on its own) includes this file by path too.

/// Shortens a value for an error message, so a 100,000-character input does not fill the page.
pub fn clip(raw: &str) -> String {
    const MAX: usize = 40;
    let mut out: String = raw.chars().filter(|c| !c.is_control()).take(MAX).collect();
    if raw.chars().count() > MAX {
        out.push('…');
    }
    out
}

/// Joins phrases as English does: "a", "a and b", "a, b and c".
pub fn join_and(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn joins_like_english() {
        let s = |v: &[&str]| super::join_and(&v.iter().map(|x| x.to_string()).collect::<Vec<_>>());
        assert_eq!((s(&[]), s(&["a"]), s(&["a", "b"]), s(&["a", "b", "c"])), (String::new(), "a".into(), "a and b".into(), "a, b and c".into()));
    }
}
