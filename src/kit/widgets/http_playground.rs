//! The HTTP playground: a session of raw requests answered by the shop API (`sim::http`),
//! stepped through one decision at a time.

use crate::kit::catalog::{WidgetSpec, HTTP_PLAYGROUND};
use crate::kit::scene::{clip, Anchor, Scene, Shape, Tone};
use crate::kit::url_state::{Notice, WidgetState};
use crate::kit::widget::{Reserve, Widget};
use crate::sim::http::{self, HttpWalk, Kind};

pub struct HttpPlayground;

/// The text to read: a preset's, or the reader's own when edited.
pub type Input = super::PresetText;

impl Widget for HttpPlayground {
    const SPEC: &'static WidgetSpec = &HTTP_PLAYGROUND;
    const RESERVE: &'static [Reserve] = &[Reserve { variant: None, wide: 1363, narrow: 1712 }, Reserve { variant: Some("session"), wide: 1736, narrow: 2212 }];
    type Input = Input;
    type Machine = HttpWalk;

    fn input(state: &WidgetState, _notices: &mut Vec<Notice>) -> Input {
        Input::read(state, "read", http::preset)
    }

    fn settings(i: &Input) -> Vec<(&'static str, String)> {
        i.settings()
    }

    /// A placement that opens on a longer session (the methods chapter's retries) starts
    /// taller than the one-request read.
    fn variant(i: &Input) -> Option<&'static str> {
        (i.preset != "read" || i.edited).then_some("session")
    }

    fn machine(i: &Input) -> HttpWalk {
        HttpWalk::new(&i.text)
    }

    /// The decisions of the current request as a path: each node a box, passed ones in ink,
    /// the one that chose the status marked, and the status at the end.
    fn scene(w: &HttpWalk, _i: &Input) -> Scene {
        let Some((e, s)) = w.here() else {
            let mut sc = Scene::new(480.0, 60.0, "An empty session");
            sc.text(12.0, 34.0, Tone::Muted, 12, Anchor::Start, "No requests yet");
            return sc;
        };
        let x = &w.record.exchanges[e];
        let rows = x.steps.len();
        let (wd, ht) = (520.0, 44.0 + rows as f64 * 26.0);
        let title = match &x.kind {
            Kind::Request { read: Ok(r), response, .. } => clip(&format!("{} {} → {} {}", r.method, r.target, response.status, http::wire::reason(response.status)), 60),
            Kind::Request { response, .. } => format!("Unreadable request → {} {}", response.status, http::wire::reason(response.status)),
            Kind::Event(ev) => clip(&format!("Server event: {ev}"), 60),
        };
        let mut sc = Scene::new(wd, ht, format!("The decisions for exchange {}: {title}", e + 1));
        sc.text(12.0, 20.0, Tone::Ink, 13, Anchor::Start, title);
        for (i, st) in x.steps.iter().enumerate() {
            let y = 34.0 + i as f64 * 26.0;
            let reached = i <= s;
            let tone = if !reached { Tone::Line } else if i == s { Tone::Accent } else if st.decided { Tone::Bad } else { Tone::Ink };
            let fill = if i == s { Tone::Soft } else { Tone::Paper };
            sc.push(Shape::Rect { x: 12.0, y, w: 200.0, h: 20.0, fill, stroke: Some((tone, None)) });
            sc.text(20.0, y + 14.0, if reached { Tone::Ink } else { Tone::Muted }, 11, Anchor::Start, st.node);
            if reached {
                sc.text(222.0, y + 14.0, Tone::Muted, 10, Anchor::Start, clip(st.rfc, 40));
            }
        }
        sc
    }
}

/// Bytes as the wire has them, a line at a time, each with its line end spelled out (`\r\n`,
/// or a bare `\n` or `\r`), so the reader sees exactly what was sent. Text only: what the
/// reader typed is never parsed as HTML.
pub fn wire_lines(bytes: &[u8]) -> Vec<(String, &'static str)> {
    let text = String::from_utf8_lossy(bytes);
    let mut out = Vec::new();
    let mut line = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' if chars.peek() == Some(&'\n') => {
                chars.next();
                out.push((std::mem::take(&mut line), "\\r\\n"));
            }
            '\r' => out.push((std::mem::take(&mut line), "\\r")),
            '\n' => out.push((std::mem::take(&mut line), "\\n")),
            c => line.push(c),
        }
    }
    if !line.is_empty() {
        out.push((line, ""));
    }
    out
}

/// The index, among [`wire_lines`], of the line holding byte `offset`: where a refused
/// request went wrong.
pub fn line_at(bytes: &[u8], offset: usize) -> usize {
    let mut at = 0;
    for (i, (text, end)) in wire_lines(bytes).iter().enumerate() {
        // Each line end is spelled with two characters per byte (\r is one byte).
        at += text.len() + end.len() / 2;
        if offset < at {
            return i;
        }
    }
    wire_lines(bytes).len().saturating_sub(1)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_catalog_offers_the_engine_s_presets_and_limit() {
        assert_eq!(crate::kit::catalog::HTTP_PRESETS, crate::sim::http::PRESETS);
        assert_eq!(crate::kit::catalog::HTTP_MAX_CHARS, crate::sim::http::MAX_CHARS);
    }

    #[test]
    fn a_refusal_s_byte_is_found_on_its_line() {
        let b = b"GET / HTTP/1.1\r\nHost : a\r\n\r\n";
        assert_eq!(super::line_at(b, 0), 0);
        assert_eq!(super::line_at(b, 15), 0, "the line end belongs to its line");
        assert_eq!(super::line_at(b, 16), 1);
        assert_eq!(super::line_at(b, 20), 1);
        assert_eq!(super::line_at(b, 999), 2);
    }

    #[test]
    fn line_ends_are_spelled_out_exactly() {
        let lines = super::wire_lines(b"GET / HTTP/1.1\r\nHost: a\rX\n\r\n{}");
        assert_eq!(lines, [("GET / HTTP/1.1".to_string(), "\\r\\n"), ("Host: a".into(), "\\r"), ("X".into(), "\\n"), ("".into(), "\\r\\n"), ("{}".into(), "")]);
    }
}
