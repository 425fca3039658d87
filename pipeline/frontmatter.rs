//! Chapter front matter: a block between `---` lines at the very top of the file, one
//! `key: value` per line. Every key is required, none may repeat, and no other key is allowed.

use super::Diagnostic;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrontMatter {
    pub title: String,
    pub slug: String,
    pub part: String,
    pub part_line: usize,
    pub order: u32,
    pub summary: String,
}

const KEYS: &[&str] = &["title", "slug", "part", "order", "summary"];

/// A slug is lowercase ASCII letters, digits and single hyphens, starting with a letter.
pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && !s.ends_with('-')
        && !s.contains("--")
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Splits `text` into front matter and body. Returns the body and the line it starts on.
pub fn parse<'a>(file: &str, text: &'a str, diags: &mut Vec<Diagnostic>) -> Option<(FrontMatter, &'a str, usize)> {
    let err = |line: usize, message: String| Diagnostic { file: file.to_string(), line, message };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.split_inclusive('\n');
    if lines.next().map(str::trim_end) != Some("---") {
        diags.push(err(1, format!("front matter is missing: start the file with a `---` block holding {}", KEYS.join(", "))));
        return None;
    }
    let mut values: Vec<(&str, String, usize)> = Vec::new();
    let mut consumed = 4;
    let mut line_no = 1;
    let mut closed = false;
    let before = diags.len();
    for raw in lines {
        line_no += 1;
        consumed += raw.len();
        let line = raw.trim_end();
        if line == "---" {
            closed = true;
            break;
        }
        if line.trim().is_empty() {
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            diags.push(err(line_no, format!("front matter line should be `key: value`, found \"{}\"", line.chars().take(60).collect::<String>())));
            continue;
        };
        let key = key.trim();
        let value = value.trim();
        let Some(known) = KEYS.iter().find(|k| **k == key) else {
            diags.push(err(line_no, format!("unknown front matter key \"{key}\"; the keys are {}", KEYS.join(", "))));
            continue;
        };
        if let Some((_, _, first)) = values.iter().find(|(k, _, _)| k == known) {
            diags.push(err(line_no, format!("front matter key \"{key}\" is duplicated (first given on line {first})")));
            continue;
        }
        if value.is_empty() {
            diags.push(err(line_no, format!("front matter key \"{key}\" is empty")));
            continue;
        }
        values.push((known, value.to_string(), line_no));
    }
    if !closed {
        diags.push(err(1, "front matter is never closed: add a `---` line after it".into()));
        return None;
    }
    let body = &text[consumed.min(text.len())..];
    let body_line = line_no + 1;
    if body.trim_start().starts_with("---\n") || body.trim_start() == "---" {
        let leading = &body[..body.len() - body.trim_start().len()];
        let extra = body_line + leading.matches('\n').count();
        diags.push(err(extra, "front matter is duplicated: a second `---` block follows the first".into()));
    }
    let get = |k: &str| values.iter().find(|(key, _, _)| *key == k).map(|(_, v, l)| (v.clone(), *l));
    for k in KEYS {
        if get(k).is_none() && !diags[before..].iter().any(|d| d.message.contains(&format!("\"{k}\""))) {
            diags.push(err(1, format!("front matter is missing the key \"{k}\"")));
        }
    }
    let (title, _) = get("title")?;
    let (slug, slug_line) = get("slug")?;
    let (part, part_line) = get("part")?;
    let (order_raw, order_line) = get("order")?;
    let (summary, _) = get("summary")?;
    if !is_slug(&slug) {
        diags.push(err(slug_line, format!("slug \"{slug}\" must be lowercase letters, digits and single hyphens, starting with a letter")));
    }
    let order = match order_raw.parse::<u32>() {
        Ok(n) => n,
        Err(_) => {
            diags.push(err(order_line, format!("order \"{order_raw}\" must be a whole number")));
            0
        }
    };
    if diags.len() > before {
        return None;
    }
    Some((FrontMatter { title, slug, part, part_line, order, summary }, body, body_line))
}
