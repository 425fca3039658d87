//! Sharding: a few sample keys placed on nodes before and after a node joins or leaves
//! (`sim::shard`), with every key tallied under all four schemes beside them.

use crate::kit::catalog::{WidgetSpec, SHARDING};
use crate::kit::scene::{Anchor, Scene, Shape, Tone};
use crate::kit::url_state::{Notice, WidgetState};
use crate::kit::widget::{Reserve, Widget};
use crate::sim::shard::{self, Change, Config, Scheme, ShardWalk};

pub struct Sharding;

impl Widget for Sharding {
    const SPEC: &'static WidgetSpec = &SHARDING;
    const RESERVE: &'static [Reserve] = &[Reserve { variant: None, wide: 1840, narrow: 2200 }];
    type Input = Config;
    type Machine = ShardWalk;

    fn input(state: &WidgetState, notices: &mut Vec<Notice>) -> Config {
        let int = |k: &str, d: i64| state.int(k).unwrap_or(d);
        let change = match state.text("change") {
            Some("remove") => Change::Remove((int("leave", 1) - 1).max(0) as u32),
            _ => Change::Add,
        };
        let cfg = Config {
            scheme: state.text("scheme").and_then(Scheme::from_key).unwrap_or(Scheme::Ring),
            nodes: int("nodes", 9) as u32,
            vnodes: int("vnodes", 100) as u32,
            keys: int("keys", 10_000) as u32,
            change,
            seed: int("seed", 1) as u64,
        };
        match cfg.validate() {
            Ok(()) => cfg,
            Err(why) => {
                notices.push(Notice { key: "settings".into(), message: format!("{why} The default cluster is shown instead.") });
                Config { seed: cfg.seed, nodes: 9, ..Config::default() }
            }
        }
    }

    fn settings(c: &Config) -> Vec<(&'static str, String)> {
        let (change, leave) = match c.change {
            Change::Add => ("add", 1),
            Change::Remove(p) => ("remove", p + 1),
        };
        vec![
            ("scheme", c.scheme.key().to_string()),
            ("nodes", c.nodes.to_string()),
            ("change", change.to_string()),
            ("leave", leave.to_string()),
            ("vnodes", c.vnodes.to_string()),
            ("keys", c.keys.to_string()),
            ("seed", c.seed.to_string()),
        ]
    }

    fn summary(c: &Config) -> String {
        let change = match c.change {
            Change::Add => format!("then {} joins", shard::node_name(c.nodes)),
            Change::Remove(p) => format!("then {} leaves", shard::node_name(p)),
        };
        let mut line = format!("{} · {} nodes, {change} · {} keys", c.scheme.label(), c.nodes, crate::sim::group(u64::from(c.keys)));
        if c.scheme == Scheme::Ring {
            line.push_str(&format!(" · {} ring points each", c.vnodes));
        }
        line
    }

    fn machine(c: &Config) -> ShardWalk {
        ShardWalk::new(shard::record(c))
    }

    /// The sample keys as rows: the node each sat on, the node it sits on now, moves marked.
    fn scene(w: &ShardWalk, _: &Config) -> Scene {
        let f = w.frame();
        let row = 20.0;
        let h = 40.0 + f.keys.len() as f64 * row + 10.0;
        let mut s = Scene::new(420.0, h, "Sample keys and their nodes, before and after the change");
        s.text(12.0, 22.0, Tone::Ink, 12, Anchor::Start, "key");
        s.text(150.0, 22.0, Tone::Ink, 12, Anchor::Middle, "before");
        s.text(260.0, 22.0, Tone::Ink, 12, Anchor::Middle, "after");
        for (i, k) in f.keys.iter().enumerate() {
            let y = 44.0 + i as f64 * row;
            if f.focus == Some(i) {
                s.push(Shape::Rect { x: 4.0, y: y - 14.0, w: 412.0, h: row - 2.0, fill: Tone::Soft, stroke: Some((Tone::Accent, None)) });
            }
            s.text(12.0, y, Tone::Ink, 12, Anchor::Start, k.key.clone());
            s.text(150.0, y, Tone::Ink, 12, Anchor::Middle, k.before.clone().unwrap_or_else(|| "·".into()));
            let tone = if k.moved() { Tone::Bad } else { Tone::Ink };
            s.text(260.0, y, tone, 12, Anchor::Middle, k.after.clone().unwrap_or_else(|| "·".into()));
            if k.moved() {
                s.text(300.0, y, Tone::Bad, 11, Anchor::Start, "moved");
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_says_what_the_picture_was_set_up_with() {
        assert_eq!(Sharding::summary(&Config { nodes: 9, ..Config::default() }), "Hash ring · 9 nodes, then J joins · 10,000 keys · 100 ring points each");
        let c = Config { scheme: Scheme::Jump, nodes: 5, change: Change::Remove(1), keys: 500, ..Config::default() };
        assert_eq!(Sharding::summary(&c), "Jump hash · 5 nodes, then B leaves · 500 keys");
    }
}
