//! From a widget's validated settings to the engine's input: one function per widget, used
//! by the widget's view in the browser and by the print page's storyboards at build time,
//! so both run the engine on exactly the same input. Settings that pass the catalog but
//! not the engine's own checks fall back to the defaults, with a notice.

use crate::kit::catalog::{ParamValue, WidgetSpec};
use crate::kit::url_state::{Notice, WidgetState};
use crate::sim::btree_walk::{self, IndexKey, KeyType, Op};
use crate::sim::dns;
use crate::sim::json;
use crate::sim::retry::{Config, Strategy};
use crate::sim::txn::scenarios::{Anomaly, CrashConfig, IsoConfig, Story};
use crate::sim::txn::Level;

#[derive(Clone, Debug, PartialEq)]
pub struct BTree {
    pub order: usize,
    pub unique: bool,
    pub keytype: KeyType,
    pub keys: Vec<IndexKey>,
    pub ops: Vec<Op<IndexKey>>,
    /// Whether the "index vs full scan" panel shows.
    pub with_scan: bool,
}

impl BTree {
    pub fn frames(&self) -> Vec<btree_walk::Frame<IndexKey>> {
        if self.unique {
            btree_walk::record(self.order, &self.keys, &self.ops)
        } else {
            btree_walk::record_non_unique(self.order, &self.keys, &self.ops)
        }
    }
}

pub fn btree(spec: &WidgetSpec, state: &WidgetState, notices: &mut Vec<Notice>) -> BTree {
    let keytype = KeyType::from_name(state.text("keytype").unwrap_or("int"));
    // Settings that parse as a type but not as keys or operations fall back to the catalog's
    // default keys (whole numbers) and no operations.
    let (keytype, keys, ops) = match (btree_walk::parse_keys(state.text("keys").unwrap_or(""), keytype), btree_walk::parse_ops(state.text("ops").unwrap_or(""), keytype)) {
        (Ok(k), Ok(o)) => (keytype, k, o),
        (Err(e), _) | (_, Err(e)) => {
            notices.push(Notice { key: "keys/ops".into(), message: e });
            let default_keys = spec.param("keys").map_or("", |p| p.default);
            (KeyType::Int, btree_walk::parse_keys(default_keys, KeyType::Int).unwrap_or_default(), Vec::new())
        }
    };
    BTree {
        order: state.int("order").unwrap_or(4) as usize,
        unique: !matches!(state.get("unique"), Some(ParamValue::Flag(false))),
        keytype,
        keys,
        ops,
        with_scan: !matches!(state.get("scan"), Some(ParamValue::Flag(false))),
    }
}

/// The DNS widget's seed and operations.
pub fn dns(state: &WidgetState, notices: &mut Vec<Notice>) -> (u64, Vec<dns::Op>) {
    let ops = dns::parse_ops(state.text("ops").unwrap_or("")).unwrap_or_else(|e| {
        notices.push(Notice { key: "ops".into(), message: e });
        Vec::new()
    });
    (state.int("seed").unwrap_or(1) as u64, ops)
}

/// The JSON inspector's text: a custom text when given, else the preset's.
pub fn json_text(state: &WidgetState) -> (String, String, bool) {
    let preset = state.text("preset").unwrap_or("order").to_string();
    let custom = state.text("input").unwrap_or("").to_string();
    let edited = !custom.is_empty();
    let text = if edited { custom } else { json::preset(&preset).to_string() };
    (preset, text, edited)
}

/// The retry simulation's configuration and the strategy to compare with, if any.
pub fn retry(state: &WidgetState, notices: &mut Vec<Notice>) -> (Config, Option<Strategy>) {
    let mut cfg = Config::default();
    for (key, value) in &state.values {
        match value {
            ParamValue::Int(n) => {
                cfg.set(key, *n);
            }
            ParamValue::Flag(b) => {
                cfg.set(key, i64::from(*b));
            }
            _ => {}
        }
    }
    cfg.strategy = state.text("strategy").and_then(Strategy::from_name).unwrap_or(cfg.strategy);
    cfg.seed = state.int("seed").unwrap_or(1) as u64;
    if let Err(why) = cfg.validate() {
        notices.push(Notice { key: "settings".into(), message: format!("{why} The default scenario is shown instead.") });
        cfg = Config { seed: cfg.seed, ..Config::default() };
    }
    (cfg, state.text("compare").and_then(Strategy::from_name))
}

/// The transactions widget: a crash story, or two sessions at an isolation level.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Txn {
    pub isolation: bool,
    pub crash: CrashConfig,
    pub iso: IsoConfig,
}

impl Txn {
    pub fn frames(&self) -> Vec<crate::sim::txn::scenarios::Frame> {
        if self.isolation {
            crate::sim::txn::scenarios::record_isolation(&self.iso).0
        } else {
            crate::sim::txn::scenarios::record_crash(&self.crash)
        }
    }
}

pub fn txn(state: &WidgetState, notices: &mut Vec<Notice>) -> Txn {
    let crash = CrashConfig {
        story: Story::from_key(state.text("story").unwrap_or("")).unwrap_or(Story::Transfer),
        amount: state.int("amount").unwrap_or(100),
        from: state.text("from").unwrap_or("A").to_string(),
        to: state.text("to").unwrap_or("B").to_string(),
        qty: state.int("qty").unwrap_or(1),
        crash_after: state.int("crash").filter(|c| *c >= 0).map(|c| c as usize),
    };
    let iso = IsoConfig {
        anomaly: Anomaly::from_key(state.text("anomaly").unwrap_or("")).unwrap_or(Anomaly::LostUpdate),
        level: Level::from_key(state.text("level").unwrap_or("")).unwrap_or(Level::ReadCommitted),
        interleaving: state.text("order").filter(|o| !o.is_empty()).map(str::to_string),
    };
    let mut s = Txn { isolation: state.text("mode") == Some("isolation"), crash, iso };
    if let Err(e) = s.crash.validate() {
        notices.push(Notice { key: "story".into(), message: e });
        s.crash = CrashConfig { story: s.crash.story, ..CrashConfig::default() };
    }
    if let Err(e) = s.iso.validate() {
        notices.push(Notice { key: "order".into(), message: e });
        s.iso.interleaving = None;
    }
    s
}
