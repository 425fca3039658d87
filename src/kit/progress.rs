//! A reader's progress, kept in their browser only: the chapters they marked as read and
//! where they were last reading. The same JSON is stored in localStorage and written to the
//! file a reader exports; both are read back through `Progress::parse`, which checks every
//! field (the strict JSON reader of `sim::json` does the syntax), so a corrupted store or a
//! wrong file is refused with a reason and never half-applied.

use std::collections::BTreeSet;

use crate::sim::json::{self, TokenKind};

/// The localStorage key.
pub const STORAGE_KEY: &str = "techbasics.progress";
/// What the file says it is.
pub const FORMAT: &str = "techbasics-progress";
pub const VERSION: u32 = 1;
/// A progress file is a few hundred bytes; anything much larger is not one.
pub const MAX_BYTES: usize = 64 * 1024;
const MAX_HEADING_CHARS: usize = 200;
const MAX_ID_CHARS: usize = 120;

/// Where the reader was: a chapter (`part/slug`), the id of the heading they were under
/// (empty at the top), and that heading's text for "continue reading".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    pub chapter: String,
    pub section: String,
    pub heading: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    /// Chapters marked as read, as `part/slug`.
    pub done: BTreeSet<String>,
    pub last: Option<Place>,
}

/// What reading a file found besides the progress itself.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Read {
    pub progress: Progress,
    /// Chapters the file names that this edition of the guide does not have.
    pub unknown: usize,
}

fn is_id(s: &str) -> bool {
    s.len() <= MAX_ID_CHARS && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

fn is_chapter(s: &str) -> bool {
    matches!(s.split_once('/'), Some((p, c)) if !p.is_empty() && !c.is_empty() && is_id(p) && is_id(c))
}

/// JSON string syntax for our own output.
fn string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

impl Progress {
    pub fn is_empty(&self) -> bool {
        self.done.is_empty() && self.last.is_none()
    }

    pub fn set_done(&mut self, chapter: &str, done: bool) {
        if done {
            self.done.insert(chapter.to_string());
        } else {
            self.done.remove(chapter);
        }
    }

    /// Records where the reader is; the heading is cleaned of control characters and cut.
    pub fn visit(&mut self, chapter: &str, section: &str, heading: &str) {
        if !is_chapter(chapter) || !is_id(section) {
            return;
        }
        let heading: String = heading.chars().filter(|c| !c.is_control()).take(MAX_HEADING_CHARS).collect();
        self.last = Some(Place { chapter: chapter.into(), section: section.into(), heading: heading.trim().to_string() });
    }

    pub fn to_json(&self) -> String {
        let done: Vec<String> = self.done.iter().map(|c| string(c)).collect();
        let last = match &self.last {
            Some(p) => format!("{{\"chapter\": {}, \"section\": {}, \"heading\": {}}}", string(&p.chapter), string(&p.section), string(&p.heading)),
            None => "null".into(),
        };
        format!("{{\"format\": {}, \"version\": {VERSION}, \"done\": [{}], \"last\": {last}}}\n", string(FORMAT), done.join(", "))
    }

    /// Reads a stored value or an imported file. `known` says whether a chapter exists in
    /// this edition; progress in chapters it does not know is dropped and counted.
    pub fn parse(text: &str, known: &dyn Fn(&str) -> bool) -> Result<Read, String> {
        if text.len() > MAX_BYTES {
            return Err(format!("This file is {} KB; a progress file is under {} KB, so it is not one.", text.len() / 1024, MAX_BYTES / 1024));
        }
        let parsed = json::parse(text);
        if let Some(e) = &parsed.error {
            return Err(format!("This is not a progress file: it is not valid JSON ({e})."));
        }
        let at = |path: &str| parsed.tokens.iter().find(|t| t.path == path && !matches!(t.kind, TokenKind::Key(_) | TokenKind::EndObject { .. } | TokenKind::EndArray { .. }));
        if !matches!(at("$").map(|t| &t.kind), Some(TokenKind::BeginObject)) {
            return Err("This is not a progress file: it should be a JSON object.".into());
        }
        match at("$.format").map(|t| &t.kind) {
            Some(TokenKind::String(f)) if f == FORMAT => {}
            _ => return Err(format!("This is not a progress file: its \"format\" should be \"{FORMAT}\".")),
        }
        match at("$.version").map(|t| &t.kind) {
            Some(TokenKind::Number { text }) if text == "1" => {}
            Some(TokenKind::Number { text }) => return Err(format!("This progress file is version {text}; this guide reads version {VERSION}.")),
            _ => return Err("This progress file has no \"version\" number.".into()),
        }
        let mut read = Read::default();
        match at("$.done").map(|t| &t.kind) {
            None => {}
            Some(TokenKind::BeginArray) => {
                for t in parsed.tokens.iter().filter(|t| t.path.starts_with("$.done[") && !matches!(t.kind, TokenKind::EndObject { .. } | TokenKind::EndArray { .. })) {
                    match &t.kind {
                        TokenKind::String(c) if is_chapter(c) => {
                            if known(c) {
                                read.progress.done.insert(c.clone());
                            } else {
                                read.unknown += 1;
                            }
                        }
                        _ => return Err(format!("In \"done\", {} is not a chapter name like \"web/client-server\".", t.path.trim_start_matches("$."))),
                    }
                }
            }
            Some(_) => return Err("In this progress file, \"done\" should be a list of chapter names.".into()),
        }
        match at("$.last").map(|t| &t.kind) {
            None | Some(TokenKind::Null) => {}
            Some(TokenKind::BeginObject) => {
                let field = |k: &str| match at(&format!("$.last.{k}")).map(|t| &t.kind) {
                    Some(TokenKind::String(s)) => Ok(s.clone()),
                    _ => Err(format!("In \"last\", \"{k}\" should be text.")),
                };
                let (chapter, section, heading) = (field("chapter")?, field("section")?, field("heading")?);
                if !is_chapter(&chapter) || !is_id(&section) {
                    return Err("In \"last\", the chapter or section is not a name this guide uses.".into());
                }
                if known(&chapter) {
                    read.progress.visit(&chapter, &section, &heading);
                } else {
                    read.unknown += 1;
                }
            }
            Some(_) => return Err("In this progress file, \"last\" should be an object or null.".into()),
        }
        Ok(read)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(c: &str) -> bool {
        ["web/client-server", "databases/indexes"].contains(&c)
    }

    #[test]
    fn progress_round_trips_through_its_json() {
        let mut p = Progress::default();
        p.set_done("web/client-server", true);
        p.set_done("databases/indexes", true);
        p.set_done("databases/indexes", false);
        p.visit("databases/indexes", "what-to-index", "What \"to\" index\u{7}\\");
        let back = Progress::parse(&p.to_json(), &known).unwrap();
        assert_eq!(back.progress, p);
        assert_eq!(back.unknown, 0);
        assert_eq!(p.last.as_ref().unwrap().heading, "What \"to\" index\\");
    }

    #[test]
    fn chapters_this_edition_lacks_are_dropped_and_counted() {
        let text = r#"{"format":"techbasics-progress","version":1,"done":["web/client-server","old/gone"],"last":{"chapter":"old/gone","section":"","heading":"x"}}"#;
        let r = Progress::parse(text, &known).unwrap();
        assert_eq!(r.progress.done.len(), 1);
        assert_eq!(r.progress.last, None);
        assert_eq!(r.unknown, 2);
    }

    #[test]
    fn malformed_files_are_refused_with_a_reason() {
        let cases = [
            ("", "not valid JSON"),
            ("{\"format\": ", "not valid JSON"),
            ("[1,2]", "JSON object"),
            ("{\"format\":\"other\",\"version\":1}", "\"format\""),
            ("{\"format\":\"techbasics-progress\"}", "no \"version\""),
            ("{\"format\":\"techbasics-progress\",\"version\":2}", "version 2"),
            ("{\"format\":\"techbasics-progress\",\"version\":1,\"done\":\"all\"}", "list of chapter names"),
            ("{\"format\":\"techbasics-progress\",\"version\":1,\"done\":[3]}", "done[0]"),
            ("{\"format\":\"techbasics-progress\",\"version\":1,\"done\":[\"<script>\"]}", "not a chapter name"),
            ("{\"format\":\"techbasics-progress\",\"version\":1,\"last\":{\"chapter\":1}}", "\"chapter\" should be text"),
            ("{\"format\":\"techbasics-progress\",\"version\":1,\"last\":{\"chapter\":\"web/client-server\",\"section\":\"a b\",\"heading\":\"\"}}", "not a name"),
            ("{\"format\":\"techbasics-progress\",\"version\":1,\"last\":[]}", "object or null"),
        ];
        for (text, why) in cases {
            let e = Progress::parse(text, &known).unwrap_err();
            assert!(e.contains(why), "{text:?}: {e}");
        }
        let huge = format!("{{\"format\":\"techbasics-progress\",\"version\":1,\"x\":\"{}\"}}", "a".repeat(MAX_BYTES));
        assert!(Progress::parse(&huge, &known).unwrap_err().contains("KB"));
    }

    #[test]
    fn visits_to_odd_places_are_ignored() {
        let mut p = Progress::default();
        p.visit("no-slash", "", "x");
        p.visit("web/client-server", "Bad Id", "x");
        assert!(p.is_empty());
    }
}
