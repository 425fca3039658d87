//! What one frame of a widget looks like, as data: shapes in a coordinate box, each with a
//! semantic tone instead of a colour. A widget's `Widget::scene` builds it from its engine;
//! the print storyboard turns it into SVG here ([`Scene::to_svg`], fixed light colours that
//! print the same in any theme), and a live view can draw the same shapes with the theme's
//! colours. Pure: strings and numbers only, tested natively.

use std::fmt::Write;

/// A colour by meaning. Print maps each to a fixed colour; the screen to a CSS custom property.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    /// Body text and outlines that matter.
    Ink,
    /// Secondary text, inactive outlines.
    Muted,
    /// Rules, guides and connectors.
    Line,
    /// The focus of this step.
    Accent,
    /// A light fill behind the focus.
    Soft,
    Ok,
    Bad,
    Warn,
    /// The page itself.
    Paper,
}

/// Where a scene is drawn: on paper (fixed light colours) or on screen (the theme's colours,
/// through classes the stylesheet colours, so a still follows light and dark).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Paint {
    Print,
    Screen,
}

impl Tone {
    /// The tone's name on screen, in the classes `f-NAME` (fill) and `s-NAME` (stroke) that
    /// the stylesheet colours with the theme (the Content-Security-Policy allows no inline
    /// styles, and SVG's presentation attributes take no custom properties).
    pub fn name(self) -> &'static str {
        match self {
            Tone::Ink => "ink",
            Tone::Muted => "muted",
            Tone::Line => "line",
            Tone::Accent => "accent",
            Tone::Soft => "soft",
            Tone::Ok => "ok",
            Tone::Bad => "bad",
            Tone::Warn => "warn",
            Tone::Paper => "paper",
        }
    }

    /// The colour on paper: dark ink on white, AA contrast for text.
    pub fn print(self) -> &'static str {
        match self {
            Tone::Ink => "#1b1d21",
            Tone::Muted => "#50555e",
            Tone::Line => "#8a9099",
            Tone::Accent => "#0a58ca",
            Tone::Soft => "#eef3fb",
            Tone::Ok => "#1b6e2e",
            Tone::Bad => "#a4161a",
            Tone::Warn => "#8a5a00",
            Tone::Paper => "#ffffff",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Anchor {
    Start,
    Middle,
    End,
}

/// One drawn thing. Coordinates are in the scene's own units (its `viewBox`).
#[derive(Clone, Debug, PartialEq)]
pub enum Shape {
    Rect { x: f64, y: f64, w: f64, h: f64, fill: Tone, stroke: Option<(Tone, Option<f64>)> },
    Line { x1: f64, y1: f64, x2: f64, y2: f64, tone: Tone, width: Option<f64>, dashed: bool },
    Circle { x: f64, y: f64, r: f64, fill: Tone },
    /// A filled arrowhead whose tip is at (x, y), pointing right when `dx` is negative
    /// (the head is drawn back along `dx`) and left when it is positive.
    Arrowhead { x: f64, y: f64, dx: f64, fill: Tone },
    /// Path data (from `kit::chart`) drawn with its origin moved to (x, y).
    Path { x: f64, y: f64, d: String, fill: Tone },
    /// Text; `anchor` None leaves SVG's default (start), `preserve` keeps runs of spaces.
    Text { x: f64, y: f64, tone: Tone, size: u32, anchor: Option<Anchor>, bold: bool, preserve: bool, body: String },
}

/// A frame's picture: its size, its text alternative and its shapes in drawing order.
#[derive(Clone, Debug, PartialEq)]
pub struct Scene {
    pub w: f64,
    pub h: f64,
    /// What the picture shows, for screen readers (`aria-label`).
    pub label: String,
    pub shapes: Vec<Shape>,
}

impl Scene {
    pub fn new(w: f64, h: f64, label: impl Into<String>) -> Scene {
        Scene { w, h, label: label.into(), shapes: Vec::new() }
    }

    pub fn push(&mut self, s: Shape) {
        self.shapes.push(s);
    }

    /// Text anchored at (x, y), the common case.
    pub fn text(&mut self, x: f64, y: f64, tone: Tone, size: u32, anchor: Anchor, body: impl Into<String>) {
        self.push(Shape::Text { x, y, tone, size, anchor: Some(anchor), bold: false, preserve: false, body: body.into() });
    }

    /// A line of monospaced text whose spaces are kept (aligned columns).
    pub fn code(&mut self, x: f64, y: f64, tone: Tone, size: u32, bold: bool, body: impl Into<String>) {
        self.push(Shape::Text { x, y, tone, size, anchor: None, bold, preserve: true, body: body.into() });
    }

    pub fn line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64, tone: Tone) {
        self.push(Shape::Line { x1, y1, x2, y2, tone, width: None, dashed: false });
    }

    /// True when every coordinate is a finite number (a NaN would draw nothing, silently).
    pub fn is_finite(&self) -> bool {
        let all = |v: &[f64]| v.iter().all(|n| n.is_finite());
        [self.w, self.h].iter().all(|n| n.is_finite())
            && self.shapes.iter().all(|s| match s {
                Shape::Rect { x, y, w, h, .. } => all(&[*x, *y, *w, *h]),
                Shape::Line { x1, y1, x2, y2, .. } => all(&[*x1, *y1, *x2, *y2]),
                Shape::Circle { x, y, r, .. } => all(&[*x, *y, *r]),
                Shape::Arrowhead { x, y, dx, .. } => all(&[*x, *y, *dx]),
                Shape::Path { x, y, .. } => all(&[*x, *y]),
                Shape::Text { x, y, .. } => all(&[*x, *y]),
            })
    }

    /// The scene as a standalone SVG in print colours, on a white ground with a frame.
    /// Text is escaped: a scene may hold the reader's own input.
    pub fn to_svg(&self) -> String {
        let (w, h) = (self.w, self.h);
        let body = self.body(Paint::Print);
        format!(
            "<svg class=\"sb-svg\" viewBox=\"0 0 {w:.0} {h:.0}\" width=\"{w:.0}\" height=\"{h:.0}\" role=\"img\" aria-label=\"{}\" font-family=\"ui-monospace, Menlo, Consolas, monospace\"><rect width=\"{w:.0}\" height=\"{h:.0}\" fill=\"#ffffff\" stroke=\"{}\"/>{body}</svg>",
            escape(&self.label),
            Tone::Line.print()
        )
    }

    /// Every shape as SVG elements, painted for `paint`.
    fn body(&self, paint: Paint) -> String {
        let mut body = String::new();
        for s in &self.shapes {
            shape_svg(&mut body, s, paint);
        }
        body
    }

    /// The scene as SVG for the screen, in the theme's colours, scaling to its box (a still
    /// drawn at build time, like the landing page's). `class` names it for the stylesheet.
    pub fn to_screen_svg(&self, class: &str) -> String {
        let body = self.body(Paint::Screen);
        format!(
            "<svg class=\"{}\" viewBox=\"0 0 {:.0} {:.0}\" role=\"img\" aria-label=\"{}\">{body}</svg>",
            escape(class),
            self.w,
            self.h,
            escape(&self.label)
        )
    }
}

/// A shape's fill and stroke: colour attributes on paper, tone classes on screen.
fn paints(parts: &[(&str, Tone)], paint: Paint) -> String {
    match paint {
        Paint::Print => parts.iter().map(|(what, t)| format!(" {what}=\"{}\"", t.print())).collect(),
        Paint::Screen => format!(" class=\"{}\"", parts.iter().map(|(what, t)| format!("{}-{}", &what[..1], t.name())).collect::<Vec<_>>().join(" ")),
    }
}

fn shape_svg(out: &mut String, s: &Shape, paint: Paint) {
    match s {
        Shape::Rect { x, y, w, h, fill, stroke } => {
            let mut parts = vec![("fill", *fill)];
            if let Some((tone, _)) = stroke {
                parts.push(("stroke", *tone));
            }
            let _ = write!(out, "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\"{}", paints(&parts, paint));
            if let Some((_, Some(sw))) = stroke {
                let _ = write!(out, " stroke-width=\"{sw}\"");
            }
            out.push_str("/>");
        }
        Shape::Line { x1, y1, x2, y2, tone, width, dashed } => {
            let _ = write!(out, "<line x1=\"{x1:.1}\" y1=\"{y1:.1}\" x2=\"{x2:.1}\" y2=\"{y2:.1}\"{}", paints(&[("stroke", *tone)], paint));
            if let Some(sw) = width {
                let _ = write!(out, " stroke-width=\"{sw}\"");
            }
            if *dashed {
                out.push_str(" stroke-dasharray=\"3 3\"");
            }
            out.push_str("/>");
        }
        Shape::Circle { x, y, r, fill } => {
            let _ = write!(out, "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{r}\"{}/>", paints(&[("fill", *fill)], paint));
        }
        Shape::Arrowhead { x, y, dx, fill } => {
            let _ = write!(out, "<path d=\"M{x:.1} {y:.1} l{dx:.1} -4 l0 8 z\"{}/>", paints(&[("fill", *fill)], paint));
        }
        Shape::Path { x, y, d, fill } => {
            if !d.is_empty() {
                let _ = write!(out, "<path transform=\"translate({x:.1} {y:.1})\" d=\"{}\"{}/>", escape(d), paints(&[("fill", *fill)], paint));
            }
        }
        Shape::Text { x, y, tone, size, anchor, bold, preserve, body } => {
            let _ = write!(out, "<text x=\"{x:.1}\" y=\"{y:.1}\"{} font-size=\"{size}\"", paints(&[("fill", *tone)], paint));
            if *bold {
                out.push_str(" font-weight=\"bold\"");
            }
            if let Some(a) = anchor {
                out.push_str(match a {
                    Anchor::Start => " text-anchor=\"start\"",
                    Anchor::Middle => " text-anchor=\"middle\"",
                    Anchor::End => " text-anchor=\"end\"",
                });
            }
            if *preserve {
                out.push_str(" xml:space=\"preserve\"");
            }
            let _ = write!(out, ">{}</text>", escape(body));
        }
    }
}

/// `s` cut to `n` characters, the last one an ellipsis when something was cut.
pub fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n.saturating_sub(1)).collect::<String>())
    }
}

#[path = "../../pipeline/escape.rs"]
mod escape_html;
/// Text made safe inside an element or a quoted attribute (the pipeline's one definition).
pub use escape_html::escape;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svg_escapes_reader_text_and_keeps_its_frame() {
        let mut s = Scene::new(100.0, 40.0, "a <b> \"label\"");
        s.text(10.0, 20.0, Tone::Ink, 12, Anchor::Middle, "<script>&");
        let svg = s.to_svg();
        assert!(svg.starts_with("<svg class=\"sb-svg\" viewBox=\"0 0 100 40\""), "{svg}");
        assert!(svg.contains("aria-label=\"a &lt;b&gt; &quot;label&quot;\""));
        assert!(svg.contains(">&lt;script&gt;&amp;</text>"));
        assert!(!svg.contains("<script"));
    }

    #[test]
    fn optional_attributes_appear_only_when_set() {
        let mut s = Scene::new(10.0, 10.0, "x");
        s.push(Shape::Rect { x: 1.0, y: 2.0, w: 3.0, h: 4.0, fill: Tone::Soft, stroke: None });
        s.push(Shape::Rect { x: 1.0, y: 2.0, w: 3.0, h: 4.0, fill: Tone::Paper, stroke: Some((Tone::Accent, Some(2.5))) });
        s.push(Shape::Line { x1: 0.0, y1: 0.0, x2: 1.0, y2: 1.0, tone: Tone::Line, width: None, dashed: true });
        s.code(12.0, 20.0, Tone::Ink, 12, true, "a  b");
        let svg = s.to_svg();
        assert!(svg.contains("<rect x=\"1.0\" y=\"2.0\" width=\"3.0\" height=\"4.0\" fill=\"#eef3fb\"/>"), "{svg}");
        assert!(svg.contains("fill=\"#ffffff\" stroke=\"#0a58ca\" stroke-width=\"2.5\"/>"));
        assert!(svg.contains("stroke-dasharray=\"3 3\"/>"));
        assert!(svg.contains("font-size=\"12\" font-weight=\"bold\" xml:space=\"preserve\">a  b</text>"));
    }

    #[test]
    fn finiteness_is_checked_on_every_shape() {
        let mut s = Scene::new(10.0, 10.0, "x");
        assert!(s.is_finite());
        s.push(Shape::Circle { x: f64::NAN, y: 0.0, r: 1.0, fill: Tone::Ok });
        assert!(!s.is_finite());
    }

    #[test]
    fn clip_counts_characters() {
        assert_eq!(clip("héllo", 5), "héllo");
        assert_eq!(clip("héllo!", 5), "héll…");
    }
}
