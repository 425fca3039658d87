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
