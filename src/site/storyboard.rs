//! Widgets on paper: for the print page, each widget placement becomes a storyboard, a few
//! key frames drawn as static SVG from the same engine the live widget runs (fed by the same
//! widget's input, through the registry in `kit::widget`), and the transcript of every step.
//! Colours are fixed and light, so a storyboard prints the same whatever the reader's theme.

use std::fmt::Write;

use super::escape;
use crate::book::WidgetPlacement;
use crate::kit::widget;

/// The most transcript lines printed; a longer run says how many were left out.
const MAX_TRANSCRIPT: usize = 80;

/// The storyboard of one placement, as HTML for the print page; `id` prefixes its ids. Its
/// frames are the widget's own scenes (`Widget::scene`), drawn in print colours.
pub fn render(p: &WidgetPlacement, id: &str) -> String {
    let Some(entry) = widget::entry(p.widget) else { return String::new() };
    let spec = entry.spec;
    let board = (entry.board)(p);
    let mut html = format!(
        "<figure class=\"storyboard\" id=\"{id}\" aria-labelledby=\"{id}-cap\"><figcaption id=\"{id}-cap\"><strong>{}</strong> ({}): the live widget, printed as {} key frames of its {} steps, drawn by the same engine, then the transcript of every step.</figcaption><div class=\"sb-frames\">",
        escape(spec.title),
        escape(spec.kind.label()),
        board.frames.len(),
        board.transcript.len(),
    );
    for (step, narration, scene) in &board.frames {
        let _ = write!(html, "<div class=\"sb-frame\">{}<p><strong>Step {step}.</strong> {}</p></div>", scene.to_svg(), escape(narration));
    }
    html.push_str("</div><p class=\"sb-transcript-title\"><strong>Every step</strong></p><ol class=\"sb-transcript\" start=\"0\">");
    for line in board.transcript.iter().take(MAX_TRANSCRIPT) {
        let _ = write!(html, "<li>{}</li>", escape(line));
    }
    html.push_str("</ol>");
    if board.transcript.len() > MAX_TRANSCRIPT {
        let _ = write!(html, "<p class=\"meta\">…and {} more steps, in the live widget.</p>", board.transcript.len() - MAX_TRANSCRIPT);
    }
    html.push_str("</figure>");
    html
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::book::{Segment, CHAPTERS};

    #[test]
    fn every_placement_gets_frames_and_a_transcript() {
        for ch in CHAPTERS {
            for s in ch.segments {
                if let Segment::Widget(p) = s {
                    let html = render(p, "x");
                    assert!(html.contains("<svg class=\"sb-svg\""), "{}/{}: frames drawn", ch.slug, p.instance);
                    assert!(html.matches("<div class=\"sb-frame\">").count() >= 2, "{}/{}: more than one frame", ch.slug, p.instance);
                    assert!(html.matches("<li>").count() >= 2, "{}/{}: a transcript", ch.slug, p.instance);
                    assert!(!html.contains("=\"NaN") && !html.contains("=\"inf"), "{}/{}: finite coordinates", ch.slug, p.instance);
                }
            }
        }
    }
}
