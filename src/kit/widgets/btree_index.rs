//! The B-tree index: a real B+tree (`sim::btree`) recorded frame by frame (`sim::btree_walk`).

use crate::kit::catalog::{ParamValue, WidgetSpec, BTREE_INDEX};
use crate::kit::scene::{Anchor, Scene, Shape, Tone};
use crate::kit::url_state::{Notice, WidgetState};
use crate::kit::widget::{Reserve, Widget};
use crate::sim::btree_walk::{self, layout, BTreeWalk, IndexKey, KeyType, Op};

pub struct BTreeIndex;

#[derive(Clone, Debug, PartialEq)]
pub struct Input {
    pub order: usize,
    pub unique: bool,
    pub keytype: KeyType,
    pub keys: Vec<IndexKey>,
    pub ops: Vec<Op<IndexKey>>,
    /// Whether the "index vs full scan" panel shows.
    pub with_scan: bool,
    /// Where the next "random keys" draw starts.
    pub seed: u64,
}

impl Input {
    pub fn frames(&self) -> Vec<btree_walk::Frame<IndexKey>> {
        if self.unique {
            btree_walk::record(self.order, &self.keys, &self.ops)
        } else {
            btree_walk::record_non_unique(self.order, &self.keys, &self.ops)
        }
    }
}

/// Keys as the `keys` setting spells them.
pub fn keys_to_string(keys: &[IndexKey]) -> String {
    keys.iter().map(|k| k.to_string()).collect::<Vec<_>>().join(",")
}

impl Widget for BTreeIndex {
    const SPEC: &'static WidgetSpec = &BTREE_INDEX;
    const RESERVE: &'static [Reserve] = &[Reserve { variant: None, wide: 1335, narrow: 1640 }, Reserve { variant: Some("compact"), wide: 780, narrow: 1070 }];
    type Input = Input;
    type Machine = BTreeWalk<IndexKey>;

    fn input(state: &WidgetState, notices: &mut Vec<Notice>) -> Input {
        let keytype = KeyType::from_name(state.text("keytype").unwrap_or("int"));
        // Settings that parse as a type but not as keys or operations fall back to the
        // catalog's default keys (whole numbers) and no operations.
        let (keytype, keys, ops) = match (btree_walk::parse_keys(state.text("keys").unwrap_or(""), keytype), btree_walk::parse_ops(state.text("ops").unwrap_or(""), keytype)) {
            (Ok(k), Ok(o)) => (keytype, k, o),
            (Err(e), _) | (_, Err(e)) => {
                notices.push(Notice { key: "keys/ops".into(), message: e });
                let default_keys = BTREE_INDEX.param("keys").map_or("", |p| p.default);
                (KeyType::Int, btree_walk::parse_keys(default_keys, KeyType::Int).unwrap_or_default(), Vec::new())
            }
        };
        Input {
            order: state.int("order").unwrap_or(4) as usize,
            unique: !matches!(state.get("unique"), Some(ParamValue::Flag(false))),
            keytype,
            keys,
            ops,
            with_scan: !matches!(state.get("scan"), Some(ParamValue::Flag(false))),
            seed: state.int("seed").unwrap_or(1) as u64,
        }
    }

    fn settings(i: &Input) -> Vec<(&'static str, String)> {
        vec![
            ("order", i.order.to_string()),
            ("keytype", i.keytype.name().to_string()),
            ("keys", keys_to_string(&i.keys)),
            ("ops", btree_walk::ops_to_string(&i.ops)),
            ("seed", i.seed.to_string()),
            ("unique", i.unique.to_string()),
            ("scan", i.with_scan.to_string()),
        ]
    }

    fn machine(i: &Input) -> Self::Machine {
        BTreeWalk::new(i.frames())
    }

    fn variant(i: &Input) -> Option<&'static str> {
        (!i.with_scan).then_some("compact")
    }

    /// The tree's pages by level, the page in focus outlined and its key marked.
    fn scene(w: &Self::Machine, _: &Input) -> Scene {
        let f = w.frame();
        let placed = layout(&f.tree);
        let widest = placed.iter().flat_map(|p| p.keys.iter()).map(|k| k.chars().count()).max().unwrap_or(2).max(2) as f64;
        let cell = widest * 7.5 + 10.0;
        let levels = placed.iter().map(|p| p.level).max().unwrap_or(0) + 1;
        let right = placed.iter().map(|p| p.x + p.width).fold(1.0, f64::max);
        let (wd, h) = (right * cell + 20.0, levels as f64 * 60.0 + 10.0);
        let pos = |p: &btree_walk::Placed| (10.0 + p.x * cell, 10.0 + p.level as f64 * 60.0);
        let mut s = Scene::new(wd.max(120.0), h, format!("The B+tree, {levels} levels"));
        for p in &placed {
            let (x, y) = pos(p);
            for (n, c) in p.children.iter().enumerate() {
                if let Some(child) = placed.iter().find(|q| q.id == *c) {
                    let (cx, cy) = pos(child);
                    let k = p.children.len().max(1) as f64;
                    let from = x + (n as f64 / k + 0.5 / k) * p.width * cell;
                    s.line(from, y + 26.0, cx + child.width * cell / 2.0, cy, Tone::Line);
                }
            }
        }
        for p in &placed {
            let (x, y) = pos(p);
            let focus = f.focus.is_some_and(|fo| fo.node == p.id);
            s.push(Shape::Rect {
                x,
                y,
                w: p.width * cell,
                h: 26.0,
                fill: if focus { Tone::Soft } else { Tone::Paper },
                stroke: Some((if focus { Tone::Accent } else { Tone::Muted }, Some(if focus { 2.5 } else { 1.0 }))),
            });
            for (n, k) in p.keys.iter().enumerate() {
                let hot = focus && f.focus.and_then(|fo| fo.slot) == Some(n);
                if n > 0 {
                    let sx = x + n as f64 * cell;
                    s.line(sx, y, sx, y + 26.0, Tone::Line);
                }
                s.text(x + (n as f64 + 0.5) * cell, y + 17.5, if hot { Tone::Accent } else { Tone::Ink }, 12, Anchor::Middle, k.clone());
            }
        }
        s
    }
}
