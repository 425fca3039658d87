//! Widgets on paper: for the print page, each widget placement becomes a storyboard, a few
//! key frames drawn as static SVG from the same engine the live widget runs (fed by the same
//! `kit::setup` input), and the transcript of every step. Colours are fixed and light, so a
//! storyboard prints the same whatever the reader's theme.

use std::fmt::Write;

use super::escape;
use crate::book::WidgetPlacement;
use crate::kit::{catalog, setup, url_state};
use crate::sim::btree_walk::{self, layout};
use crate::sim::dns::resolver::{Actor, HopKind};
use crate::sim::dns::world::{Role, World};
use crate::sim::json::{Focus, JsonWalk};
use crate::sim::retry::{Replay, Sim};
use crate::sim::timeline::{Machine, Timeline, TimelineConfig};

/// Key frames per storyboard.
const FRAMES: usize = 4;
/// The most transcript lines printed; a longer run says how many were left out.
const MAX_TRANSCRIPT: usize = 80;

const INK: &str = "#1b1d21";
const MUTED: &str = "#50555e";
const LINE: &str = "#8a9099";
const ACCENT: &str = "#0a58ca";
const SOFT: &str = "#eef3fb";
const OK: &str = "#1b6e2e";
const BAD: &str = "#a4161a";
const WARN: &str = "#8a5a00";

/// The steps to draw: the first, the last, and evenly spaced ones between.
pub fn key_steps(last: usize) -> Vec<usize> {
    let mut s: Vec<usize> = (0..FRAMES).map(|i| i * last / (FRAMES - 1).max(1)).collect();
    s.dedup();
    s
}

fn text(x: f64, y: f64, fill: &str, size: u32, anchor: &str, body: &str) -> String {
    format!("<text x=\"{x:.1}\" y=\"{y:.1}\" fill=\"{fill}\" font-size=\"{size}\" text-anchor=\"{anchor}\">{}</text>", escape(body))
}

fn svg(w: f64, h: f64, label: &str, body: &str) -> String {
    format!(
        "<svg class=\"sb-svg\" viewBox=\"0 0 {w:.0} {h:.0}\" width=\"{w:.0}\" height=\"{h:.0}\" role=\"img\" aria-label=\"{}\" font-family=\"ui-monospace, Menlo, Consolas, monospace\"><rect width=\"{w:.0}\" height=\"{h:.0}\" fill=\"#ffffff\" stroke=\"{LINE}\"/>{body}</svg>",
        escape(label)
    )
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    }
}

/// One storyboard: the frames (step, narration, drawing) and the whole transcript.
struct Board {
    frames: Vec<(usize, String, String)>,
    transcript: Vec<String>,
}

impl Board {
    fn of<M: Machine>(mut t: Timeline<M>, draw: impl Fn(&M) -> String) -> Board {
        let transcript = t.transcript();
        let frames = key_steps(t.last())
            .into_iter()
            .map(|s| {
                t.seek(s);
                (s, t.narration(), draw(t.current()))
            })
            .collect();
        Board { frames, transcript }
    }
}

fn timeline<M: Machine>(m: M) -> Timeline<M> {
    Timeline::new(m, TimelineConfig { checkpoint_every: 64, max_steps: 20_000 })
}

/// The storyboard of one placement, as HTML for the print page; `id` prefixes its ids.
pub fn render(p: &WidgetPlacement, id: &str) -> String {
    let Some(spec) = catalog::find(p.widget) else { return String::new() };
    let state = url_state::read(spec, p.instance, p.settings, &[]);
    let mut notices = Vec::new();
    let board = match p.widget {
        "btree-index" => {
            let s = setup::btree(spec, &state, &mut notices);
            Board::of(timeline(btree_walk::BTreeWalk::new(s.frames())), |w| draw_btree(w.frame()))
        }
        "dns-lookup" => {
            let (seed, ops) = setup::dns(&state, &mut notices);
            let world = World::sample();
            Board::of(timeline(crate::sim::dns::DnsWalk::new(crate::sim::dns::record(seed, &ops))), |w| draw_dns(w.so_far(), &world))
        }
        "json-inspector" => {
            let (_, text, _) = setup::json_text(&state);
            Board::of(timeline(JsonWalk::new(&text)), |w| draw_json(w, &text))
        }
        "retry-backoff" => {
            let (cfg, compare) = setup::retry(&state, &mut notices);
            let mut configs = vec![cfg.clone()];
            if let Some(other) = compare {
                configs.push(crate::sim::retry::Config { strategy: other, ..cfg });
            }
            let runs = configs
                .iter()
                .map(|c| {
                    let mut sim = Sim::new(c);
                    while !sim.is_done() {
                        sim.run_slice(10_000);
                    }
                    sim.finish()
                })
                .collect();
            Board::of(timeline(Replay::new(runs)), draw_retry)
        }
        "transaction-rollback" => {
            let s = setup::txn(&state, &mut notices);
            Board::of(timeline(crate::sim::txn::scenarios::TxnWalk::new(s.frames())), |w| draw_txn(w.frame()))
        }
        _ => return String::new(),
    };
    let mut html = format!(
        "<figure class=\"storyboard\" id=\"{id}\" aria-labelledby=\"{id}-cap\"><figcaption id=\"{id}-cap\"><strong>{}</strong> ({}): the live widget, printed as {} key frames of its {} steps, drawn by the same engine, then the transcript of every step.</figcaption><div class=\"sb-frames\">",
        escape(spec.title),
        escape(spec.kind.label()),
        board.frames.len(),
        board.transcript.len(),
    );
    for (step, narration, drawing) in &board.frames {
        let _ = write!(html, "<div class=\"sb-frame\">{drawing}<p><strong>Step {step}.</strong> {}</p></div>", escape(narration));
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

fn draw_btree(f: &btree_walk::Frame<crate::sim::btree_walk::IndexKey>) -> String {
    let placed = layout(&f.tree);
    let widest = placed.iter().flat_map(|p| p.keys.iter()).map(|k| k.chars().count()).max().unwrap_or(2).max(2) as f64;
    let cell = widest * 7.5 + 10.0;
    let levels = placed.iter().map(|p| p.level).max().unwrap_or(0) + 1;
    let right = placed.iter().map(|p| p.x + p.width).fold(1.0, f64::max);
    let (w, h) = (right * cell + 20.0, levels as f64 * 60.0 + 10.0);
    let pos = |p: &btree_walk::Placed| (10.0 + p.x * cell, 10.0 + p.level as f64 * 60.0);
    let mut body = String::new();
    for p in &placed {
        let (x, y) = pos(p);
        for (i, c) in p.children.iter().enumerate() {
            if let Some(child) = placed.iter().find(|q| q.id == *c) {
                let (cx, cy) = pos(child);
                let from = x + (i as f64 / p.children.len().max(1) as f64 + 0.5 / p.children.len().max(1) as f64) * p.width * cell;
                let _ = write!(body, "<line x1=\"{from:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{cy:.1}\" stroke=\"{LINE}\"/>", y + 26.0, cx + child.width * cell / 2.0);
            }
        }
    }
    for p in &placed {
        let (x, y) = pos(p);
        let focus = f.focus.is_some_and(|fo| fo.node == p.id);
        let _ = write!(
            body,
            "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"26\" fill=\"{}\" stroke=\"{}\" stroke-width=\"{}\"/>",
            p.width * cell,
            if focus { SOFT } else { "#ffffff" },
            if focus { ACCENT } else { MUTED },
            if focus { 2.5 } else { 1.0 }
        );
        for (i, k) in p.keys.iter().enumerate() {
            let hot = focus && f.focus.and_then(|fo| fo.slot) == Some(i);
            if i > 0 {
                let sx = x + i as f64 * cell;
                let _ = write!(body, "<line x1=\"{sx:.1}\" y1=\"{y:.1}\" x2=\"{sx:.1}\" y2=\"{:.1}\" stroke=\"{LINE}\"/>", y + 26.0);
            }
            body.push_str(&text(x + (i as f64 + 0.5) * cell, y + 17.5, if hot { ACCENT } else { INK }, 12, "middle", k));
        }
    }
    svg(w.max(120.0), h, &format!("The B+tree, {} levels", levels), &body)
}

fn dns_column(a: Actor, world: &World) -> usize {
    match a {
        Actor::Browser => 0,
        Actor::Os => 1,
        Actor::Resolver => 2,
        Actor::Server(s) => match world.servers.get(s).map(|s| s.role) {
            Some(Role::Root) => 3,
            Some(Role::Tld) => 4,
            _ => 5,
        },
    }
}

fn draw_dns(so_far: &[crate::sim::dns::Frame], world: &World) -> String {
    const NAMES: [&str; 6] = ["Browser", "OS stub", "Resolver", "Root", "TLD", "Authoritative"];
    let col = |i: usize| 60.0 + i as f64 * 110.0;
    // The hops of the current operation, up to this step: at most the last 10.
    let op = so_far.last().and_then(|f| f.op);
    let hops: Vec<&crate::sim::dns::resolver::Hop> = so_far.iter().filter(|f| f.op == op && op.is_some()).filter_map(|f| f.hop.as_ref()).collect();
    let shown = &hops[hops.len().saturating_sub(10)..];
    let (w, h) = (660.0, 50.0 + shown.len().max(1) as f64 * 26.0 + 10.0);
    let mut body = String::new();
    for (i, n) in NAMES.iter().enumerate() {
        body.push_str(&text(col(i), 20.0, INK, 12, "middle", n));
        let _ = write!(body, "<line x1=\"{0:.1}\" y1=\"28\" x2=\"{0:.1}\" y2=\"{1:.1}\" stroke=\"{LINE}\" stroke-dasharray=\"3 3\"/>", col(i), h - 6.0);
    }
    for (i, hop) in shown.iter().enumerate() {
        let y = 48.0 + i as f64 * 26.0;
        let (a, b) = (dns_column(hop.from, world), dns_column(hop.to, world));
        let (colour, label) = match &hop.kind {
            HopKind::CacheCheck { hit: true, .. } => (OK, "cache hit".to_string()),
            HopKind::CacheCheck { hit: false, .. } => (MUTED, "cache miss".to_string()),
            HopKind::Timeout => (BAD, "no answer: timeout".to_string()),
            HopKind::Local => (INK, "call".to_string()),
            HopKind::Message => (ACCENT, format!("{} bytes, {} ms", hop.bytes.len(), hop.took_ms)),
        };
        if a == b {
            let _ = write!(body, "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"5\" fill=\"{colour}\"/>", col(a), y - 4.0);
            body.push_str(&text(col(a) + 10.0, y, colour, 11, "start", &label));
        } else {
            let (x1, x2) = (col(a), col(b));
            let dir = if x2 > x1 { -1.0 } else { 1.0 };
            let _ = write!(
                body,
                "<line x1=\"{x1:.1}\" y1=\"{y:.1}\" x2=\"{x2:.1}\" y2=\"{y:.1}\" stroke=\"{colour}\" stroke-width=\"1.6\"/><path d=\"M{x2:.1} {y:.1} l{:.1} -4 l0 8 z\" fill=\"{colour}\"/>",
                dir * 8.0
            );
            body.push_str(&text((x1 + x2) / 2.0, y - 4.0, colour, 11, "middle", &label));
        }
    }
    if shown.is_empty() {
        body.push_str(&text(w / 2.0, 54.0, MUTED, 12, "middle", "No messages yet: every cache is empty."));
    }
    svg(w, h, "DNS messages between the browser, the resolver and the servers", &body)
}

fn draw_json(w: &JsonWalk, src: &str) -> String {
    let (hot, colour) = match w.focus() {
        Focus::Token(t) => (Some((t.start, t.end)), ACCENT),
        Focus::Error(e) => (Some((e.offset, e.offset + 1)), BAD),
        _ => (None, ACCENT),
    };
    let lines: Vec<&str> = src.lines().take(14).collect();
    let widest = lines.iter().map(|l| l.chars().count()).max().unwrap_or(10).min(70);
    let (wd, ht) = (widest as f64 * 7.3 + 30.0, lines.len().max(1) as f64 * 17.0 + 40.0);
    let mut body = String::new();
    let mut offset = 0;
    for (i, line) in lines.iter().enumerate() {
        let y = 20.0 + i as f64 * 17.0;
        if let Some((s, e)) = hot {
            let (ls, le) = (offset, offset + line.len());
            if s < le.max(ls + 1) && e > ls {
                let from = line[..s.saturating_sub(ls).min(line.len())].chars().count();
                let to = line[..e.saturating_sub(ls).min(line.len())].chars().count().max(from + 1);
                let _ = write!(body, "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"16\" fill=\"{SOFT}\" stroke=\"{colour}\"/>", 12.0 + from as f64 * 7.3, y - 12.0, (to - from) as f64 * 7.3);
            }
        }
        body.push_str(&format!("<text x=\"12\" y=\"{y:.1}\" fill=\"{INK}\" font-size=\"12\" xml:space=\"preserve\">{}</text>", escape(&clip(line, 70))));
        offset += line.len() + 1;
    }
    let status = match w.focus() {
        Focus::Start => "Not started".to_string(),
        Focus::Token(t) => format!("at {}", clip(&t.path, 60)),
        Focus::Valid => "The whole document is valid JSON".to_string(),
        Focus::Error(e) => clip(&format!("Error, line {} column {}", e.line, e.col), 60),
    };
    body.push_str(&text(12.0, ht - 10.0, MUTED, 11, "start", &status));
    svg(wd.max(200.0), ht, "The JSON text with the reader's position marked", &body)
}

fn draw_retry(r: &Replay) -> String {
    let runs = r.runs().len().max(1);
    let steps = r.steps().max(1);
    let (w, panel) = (640.0, 110.0);
    let h = panel * runs as f64 + 10.0;
    let bar = (w - 60.0) / steps as f64;
    let mut body = String::new();
    for run in 0..r.runs().len() {
        let top = 10.0 + run as f64 * panel;
        let slices = r.slices(run);
        let peak = slices.iter().map(|s| s.calls() + s.short).max().unwrap_or(1).max(1) as f64;
        let base = top + panel - 30.0;
        let _ = write!(body, "<line x1=\"40\" y1=\"{base:.1}\" x2=\"{:.1}\" y2=\"{base:.1}\" stroke=\"{LINE}\"/>", w - 20.0);
        body.push_str(&text(40.0, top + 10.0, INK, 12, "start", &format!("{}: calls per slice", r.runs()[run].config.strategy.label())));
        for (i, s) in slices.iter().enumerate().take(r.step()) {
            let x = 40.0 + i as f64 * bar;
            let mut y = base;
            for (n, colour) in [(s.ok, OK), (s.failed, BAD), (s.lost, WARN), (s.short, MUTED)] {
                if n == 0 {
                    continue;
                }
                let hgt = n as f64 / peak * (panel - 50.0);
                y -= hgt;
                let _ = write!(body, "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{hgt:.1}\" fill=\"{colour}\"/>", (bar - 0.5).max(0.5));
            }
        }
        let (ok, gave_up) = r.finished_by_now(run);
        body.push_str(&text(40.0, base + 16.0, MUTED, 11, "start", &format!("by {}: {ok} clients succeeded, {gave_up} gave up", crate::sim::retry::fmt_time(r.now_us()))));
    }
    body.push_str(&text(w - 20.0, h - 4.0, MUTED, 10, "end", "green ok · red failed · amber lost · grey refused by the breaker"));
    svg(w, h, "Calls reaching the API over time", &body)
}

fn draw_txn(f: &crate::sim::txn::scenarios::Frame) -> String {
    let v = |x: Option<i64>| x.map_or("–".to_string(), |x| x.to_string());
    let rows = f.rows.len();
    let log = f.log.iter().rev().take(8).collect::<Vec<_>>();
    let h = 50.0 + (rows.max(log.len()) as f64) * 18.0 + 20.0;
    let w = 640.0;
    let mut body = String::new();
    let head = format!("{:<14} {:>9}  {:>9}  {:>7}", "row", "committed", "in memory", "on disk");
    body.push_str(&format!("<text x=\"12\" y=\"20\" fill=\"{INK}\" font-size=\"12\" font-weight=\"bold\" xml:space=\"preserve\">{}</text>", escape(&head)));
    for (i, r) in f.rows.iter().enumerate() {
        let y = 40.0 + i as f64 * 18.0;
        let pending = r.pending.map_or("".to_string(), |(val, tx)| format!("{} (T{tx})", v(val)));
        let line = format!("{:<14} {:>9}  {:>9}  {:>7}", clip(&r.key, 14), v(r.committed), pending, v(r.disk));
        body.push_str(&format!("<text x=\"12\" y=\"{y:.1}\" fill=\"{}\" font-size=\"12\" xml:space=\"preserve\">{}</text>", if r.pending.is_some() { ACCENT } else { INK }, escape(&line)));
    }
    body.push_str(&text(390.0, 20.0, INK, 12, "start", "write-ahead log (newest first)"));
    for (i, (rec, durable)) in log.iter().enumerate() {
        let y = 40.0 + i as f64 * 18.0;
        let label = format!("{} {}", if *durable { "disk" } else { "mem " }, clip(rec, 32));
        body.push_str(&format!("<text x=\"390\" y=\"{y:.1}\" fill=\"{}\" font-size=\"11\" xml:space=\"preserve\">{}</text>", if *durable { INK } else { MUTED }, escape(&label)));
    }
    if let Some(verdict) = &f.verdict {
        body.push_str(&text(12.0, h - 8.0, OK, 11, "start", &clip(verdict, 95)));
    }
    svg(w, h, "The rows and the write-ahead log", &body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::book::{Segment, CHAPTERS};

    #[test]
    fn key_steps_cover_first_and_last() {
        assert_eq!(key_steps(0), [0]);
        assert_eq!(key_steps(2), [0, 1, 2]);
        assert_eq!(key_steps(30), [0, 10, 20, 30]);
    }

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
