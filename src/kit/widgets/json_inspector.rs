//! The JSON inspector: a strict reader (`sim::json`) stepping through a document.

use crate::kit::catalog::{WidgetSpec, JSON_INSPECTOR};
use crate::kit::scene::{clip, Anchor, Scene, Shape, Tone};
use crate::kit::url_state::{Notice, WidgetState};
use crate::kit::widget::{Reserve, Widget};
use crate::sim::json::{self, Focus, JsonWalk};

pub struct JsonInspector;

/// The text to read: a preset's, or the reader's own when edited.
pub type Input = super::PresetText;

impl Widget for JsonInspector {
    const SPEC: &'static WidgetSpec = &JSON_INSPECTOR;
    const RESERVE: &'static [Reserve] = &[Reserve { variant: None, wide: 875, narrow: 1110 }];
    type Input = Input;
    type Machine = JsonWalk;

    fn input(state: &WidgetState, _notices: &mut Vec<Notice>) -> Input {
        Input::read(state, "order", json::preset)
    }

    fn settings(i: &Input) -> Vec<(&'static str, String)> {
        i.settings()
    }

    fn machine(i: &Input) -> JsonWalk {
        JsonWalk::new(&i.text)
    }

    /// The first lines of the text with the current token (or the error) boxed.
    fn scene(w: &JsonWalk, i: &Input) -> Scene {
        let src = &i.text;
        let (hot, tone) = match w.focus() {
            Focus::Token(t) => (Some((t.start, t.end)), Tone::Accent),
            Focus::Error(e) => (Some((e.offset, e.offset + 1)), Tone::Bad),
            _ => (None, Tone::Accent),
        };
        let lines: Vec<&str> = src.lines().take(14).collect();
        let widest = lines.iter().map(|l| l.chars().count()).max().unwrap_or(10).min(70);
        let (wd, ht) = (widest as f64 * 7.3 + 30.0, lines.len().max(1) as f64 * 17.0 + 40.0);
        let mut s = Scene::new(wd.max(200.0), ht, "The JSON text with the reader's position marked");
        let mut offset = 0;
        for (n, line) in lines.iter().enumerate() {
            let y = 20.0 + n as f64 * 17.0;
            if let Some((a, b)) = hot {
                let (ls, le) = (offset, offset + line.len());
                if a < le.max(ls + 1) && b > ls {
                    let from = line[..a.saturating_sub(ls).min(line.len())].chars().count();
                    let to = line[..b.saturating_sub(ls).min(line.len())].chars().count().max(from + 1);
                    s.push(Shape::Rect { x: 12.0 + from as f64 * 7.3, y: y - 12.0, w: (to - from) as f64 * 7.3, h: 16.0, fill: Tone::Soft, stroke: Some((tone, None)) });
                }
            }
            s.code(12.0, y, Tone::Ink, 12, false, clip(line, 70));
            offset += line.len() + 1;
        }
        let status = match w.focus() {
            Focus::Start => "Not started".to_string(),
            Focus::Token(t) => format!("at {}", clip(&t.path, 60)),
            Focus::Valid => "The whole document is valid JSON".to_string(),
            Focus::Error(e) => clip(&format!("Error, line {} column {}", e.line, e.col), 60),
        };
        s.text(12.0, ht - 10.0, Tone::Muted, 11, Anchor::Start, status);
        s
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_catalog_offers_the_engine_s_presets() {
        assert_eq!(crate::kit::catalog::JSON_PRESETS, crate::sim::json::PRESETS);
    }
}
