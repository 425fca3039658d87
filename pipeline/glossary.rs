//! The glossary: `content/glossary.json` lists every technical term with a short Markdown
//! definition. The pipeline turns it into the glossary chapter, links each term's first use
//! in every other chapter to its entry, refuses terms that no chapter uses, and refuses
//! acronyms in the text that the glossary does not define.

use super::Diagnostic;

pub const FILE: &str = "glossary.json";
/// Where the glossary chapter lives, as `(part, slug)`.
pub const ROUTE: (&str, &str) = ("reference", "glossary");

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Term {
    pub id: String,
    pub term: String,
    /// Other spellings that link to the same entry (abbreviations, expansions).
    pub also: Vec<String>,
    /// Markdown, one or two sentences.
    pub def: String,
    /// The definition as plain text, for the popover beside each linked use.
    pub tip: String,
    pub line: usize,
}

impl Term {
    /// Every spelling that counts as a use of this term.
    pub fn spellings(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.term.as_str()).chain(self.also.iter().map(String::as_str))
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Glossary {
    pub terms: Vec<Term>,
    /// Upper-case words that are ordinary words here, not jargon (e.g. "OK").
    pub plain: Vec<String>,
}

impl Glossary {
    /// Reads the glossary if the content folder has one. A folder without one gets an
    /// empty glossary and no term checks.
    pub fn load(dir: &std::path::Path, diags: &mut Vec<Diagnostic>) -> Option<Glossary> {
        let file = format!("content/{FILE}");
        let text = std::fs::read_to_string(dir.join(FILE)).ok()?;
        let err = |line: usize, message: String| Diagnostic { file: file.clone(), line, message };
        let value: serde_json::Value = match serde_json::from_str(&text) {
            Ok(v) => v,
            Err(e) => {
                diags.push(err(e.line(), format!("not valid JSON: {e}")));
                return None;
            }
        };
        let line_of = |needle: &str| text.lines().position(|l| l.contains(needle)).map_or(1, |i| i + 1);
        let strings = |v: Option<&serde_json::Value>| -> Vec<String> {
            v.and_then(|v| v.as_array()).into_iter().flatten().filter_map(|s| s.as_str().map(str::to_string)).collect()
        };
        let mut g = Glossary { terms: Vec::new(), plain: strings(value.get("plain")) };
        for item in value.get("terms").and_then(|t| t.as_array()).into_iter().flatten() {
            let term = item.get("term").and_then(|t| t.as_str()).unwrap_or_default().to_string();
            let def = item.get("def").and_then(|t| t.as_str()).unwrap_or_default().trim().to_string();
            let line = line_of(&format!("\"term\": {}", serde_json::Value::String(term.clone())));
            if term.trim().is_empty() || def.is_empty() {
                diags.push(err(line, "every glossary entry needs a \"term\" and a \"def\"".into()));
                continue;
            }
            let id = slugify(&term);
            if let Some(first) = g.terms.iter().find(|t| t.id == id) {
                diags.push(err(line, format!("\"{term}\" has the same anchor #{id} as \"{}\" on line {}", first.term, first.line)));
                continue;
            }
            let tip = plain_text(&def);
            g.terms.push(Term { id, term, also: strings(item.get("also")), def, tip, line });
        }
        let mut seen: Vec<(&str, &str)> = Vec::new();
        for t in &g.terms {
            for s in t.spellings() {
                if let Some((_, other)) = seen.iter().find(|(x, _)| x.eq_ignore_ascii_case(s)) {
                    diags.push(err(t.line, format!("the spelling \"{s}\" belongs to both \"{other}\" and \"{}\"", t.term)));
                }
                seen.push((s, &t.term));
            }
        }
        if g.terms.is_empty() {
            diags.push(err(1, "expected {\"terms\": [{\"term\": …, \"def\": …}], \"plain\": […]}".into()));
        }
        Some(g)
    }

    /// The glossary chapter's Markdown: terms in alphabetical order, one `###` each.
    pub fn markdown(&self) -> String {
        let mut terms: Vec<&Term> = self.terms.iter().collect();
        terms.sort_by_key(|t| t.term.to_lowercase());
        let mut md = String::from(
            "Each term links here from its first use in every chapter. Entries are in alphabetical order; the letter links jump ahead.\n\n",
        );
        let mut letters: Vec<char> = terms.iter().filter_map(|t| t.term.chars().next()).map(|c| c.to_ascii_uppercase()).collect();
        letters.dedup();
        let index: Vec<String> = letters.iter().map(|c| format!("[{c}](#letter-{})", c.to_ascii_lowercase())).collect();
        md.push_str(&index.join(" · "));
        md.push_str("\n\n");
        let mut current = None;
        for t in terms {
            let first = t.term.chars().next().map(|c| c.to_ascii_uppercase());
            if first != current {
                current = first;
                if let Some(c) = first {
                    md.push_str(&format!("## {c} {{#letter-{}}}\n\n", c.to_ascii_lowercase()));
                }
            }
            md.push_str(&format!("### {} {{#{}}}\n\n", t.term, t.id));
            if !t.also.is_empty() {
                md.push_str(&format!("*Also written:* {}\n\n", t.also.join(", ")));
            }
            md.push_str(&t.def);
            md.push_str("\n\n");
        }
        md
    }

    /// Is this upper-case word defined (or declared plain)?
    pub fn knows_acronym(&self, word: &str) -> bool {
        self.plain.iter().any(|p| p == word) || self.terms.iter().any(|t| t.spellings().any(|s| s == word))
    }
}

/// Markdown to plain text: the words of text and code, formatting dropped.
pub fn plain_text(md: &str) -> String {
    use pulldown_cmark::{Event, Parser};
    let mut out = String::new();
    for e in Parser::new(md) {
        match e {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            _ => {}
        }
    }
    out
}

/// The first use of any term in `text` that `skip` does not rule out, as (start, end, term
/// index). A use starts and ends at word boundaries and may add a plural `s` or `es`.
/// Spellings with capitals match exactly; lower-case spellings match in any case.
pub fn first_use(text: &str, terms: &[Term], skip: &dyn Fn(usize) -> bool) -> Option<(usize, usize, usize)> {
    let bytes = text.as_bytes();
    let is_word = |b: u8| b.is_ascii_alphanumeric();
    let mut best: Option<(usize, usize, usize)> = None;
    for (ti, t) in terms.iter().enumerate() {
        if skip(ti) {
            continue;
        }
        for s in t.spellings() {
            let exact = s.chars().any(|c| c.is_ascii_uppercase());
            let n = s.len();
            let mut from = 0;
            while from + n <= text.len() {
                let hay = &text[from..];
                let found = if exact {
                    hay.find(s)
                } else {
                    hay.char_indices().find(|(i, _)| hay.len() >= i + n && hay.is_char_boundary(i + n) && hay[*i..i + n].eq_ignore_ascii_case(s)).map(|(i, _)| i)
                };
                let Some(rel) = found else { break };
                let start = from + rel;
                let mut end = start + n;
                from = start + 1;
                while !text.is_char_boundary(from) {
                    from += 1;
                }
                if start > 0 && is_word(bytes[start - 1]) {
                    continue;
                }
                if bytes.get(end) == Some(&b's') {
                    end += 1;
                } else if bytes.get(end) == Some(&b'e') && bytes.get(end + 1) == Some(&b's') {
                    end += 2;
                }
                if bytes.get(end).is_some_and(|b| is_word(*b)) {
                    // "cache" inside "cacheable" is not a use; retry without the plural.
                    let bare = start + n;
                    if bytes.get(bare).is_some_and(|b| is_word(*b)) {
                        continue;
                    }
                    end = bare;
                }
                if best.is_none_or(|(bs, be, _)| start < bs || (start == bs && end > be)) {
                    best = Some((start, end, ti));
                }
                break;
            }
        }
    }
    best
}

/// Upper-case words of two or more letters (a trailing plural `s` dropped), for the
/// acronym check: "HTTP", "APIs" → "API", "TLS".
pub fn acronyms(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_ascii_alphanumeric()).filter_map(|w| {
        let w = w.strip_suffix('s').filter(|r| r.len() >= 2 && r.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())).unwrap_or(w);
        let upper = w.chars().filter(|c| c.is_ascii_uppercase()).count();
        (upper >= 2 && w.starts_with(|c: char| c.is_ascii_uppercase()) && w.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())).then_some(w)
    })
}

/// A heading's or term's anchor: lower case, letters and digits, runs of spaces and hyphens
/// as one hyphen ("section" when nothing is left).
pub fn slugify(text: &str) -> String {
    let mut s = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            s.push(c);
        } else if (c.is_whitespace() || c == '-') && !s.ends_with('-') && !s.is_empty() {
            s.push('-');
        }
    }
    let s = s.trim_end_matches('-').to_string();
    if s.is_empty() {
        "section".into()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(term: &str, also: &[&str]) -> Term {
        Term { id: slugify(term), term: term.into(), also: also.iter().map(|s| s.to_string()).collect(), def: "d".into(), tip: "d".into(), line: 1 }
    }

    #[test]
    fn finds_first_use_with_plurals_and_boundaries() {
        let terms = [t("cache", &[]), t("DNS", &["Domain Name System"]), t("index", &[])];
        let none = |_| false;
        assert_eq!(first_use("Caches help", &terms, &none), Some((0, 6, 0)));
        assert_eq!(first_use("uncacheable; then DNS", &terms, &none), Some((18, 21, 1)));
        assert_eq!(first_use("dns is lower", &terms, &none), None);
        assert_eq!(first_use("two indexes", &terms, &none), Some((4, 11, 2)));
    }
}
