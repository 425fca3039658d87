//! Transactions: a row store with a write-ahead log (`sim::txn`) crashed and recovered, or
//! two sessions interleaved at an isolation level.

use crate::kit::catalog::{WidgetSpec, TRANSACTION_ROLLBACK};
use crate::kit::scene::{clip, Scene, Tone};
use crate::kit::url_state::{Notice, WidgetState};
use crate::kit::widget::{Reserve, Widget};
use crate::sim::txn::scenarios::{self, Anomaly, CrashConfig, IsoConfig, Story, TxnWalk};
use crate::sim::txn::Level;

pub struct TransactionRollback;

/// A crash story or two sessions at an isolation level; both configurations are kept, so
/// switching modes keeps the other's choices.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Input {
    pub isolation: bool,
    pub crash: CrashConfig,
    pub iso: IsoConfig,
}

impl Input {
    pub fn frames(&self) -> Vec<scenarios::Frame> {
        if self.isolation {
            scenarios::record_isolation(&self.iso).0
        } else {
            scenarios::record_crash(&self.crash)
        }
    }
}

impl Widget for TransactionRollback {
    const SPEC: &'static WidgetSpec = &TRANSACTION_ROLLBACK;
    const RESERVE: &'static [Reserve] = &[Reserve { variant: None, wide: 1010, narrow: 1495 }, Reserve { variant: Some("sessions"), wide: 930, narrow: 1530 }];
    type Input = Input;
    type Machine = TxnWalk;

    fn input(state: &WidgetState, notices: &mut Vec<Notice>) -> Input {
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
        let mut s = Input { isolation: state.text("mode") == Some("isolation"), crash, iso };
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

    fn settings(s: &Input) -> Vec<(&'static str, String)> {
        vec![
            ("mode", if s.isolation { "isolation" } else { "crash" }.to_string()),
            ("story", s.crash.story.key().to_string()),
            ("amount", s.crash.amount.to_string()),
            ("from", s.crash.from.clone()),
            ("to", s.crash.to.clone()),
            ("qty", s.crash.qty.to_string()),
            ("crash", s.crash.crash_after.map_or(-1, |c| c as i64).to_string()),
            ("anomaly", s.iso.anomaly.key().to_string()),
            ("level", s.iso.level.key().to_string()),
            ("order", s.iso.interleaving.clone().unwrap_or_default()),
        ]
    }

    fn machine(s: &Input) -> TxnWalk {
        TxnWalk::new(s.frames())
    }

    fn variant(s: &Input) -> Option<&'static str> {
        s.isolation.then_some("sessions")
    }

    /// The rows (committed, in memory, on disk) beside the newest log records.
    fn scene(w: &TxnWalk, _: &Input) -> Scene {
        let f = w.frame();
        let v = |x: Option<i64>| x.map_or("–".to_string(), |x| x.to_string());
        let log = f.log.iter().rev().take(8).collect::<Vec<_>>();
        let h = 50.0 + (f.rows.len().max(log.len()) as f64) * 18.0 + 20.0;
        let mut s = Scene::new(640.0, h, "The rows and the write-ahead log");
        s.code(12.0, 20.0, Tone::Ink, 12, true, format!("{:<14} {:>9}  {:>9}  {:>7}", "row", "committed", "in memory", "on disk"));
        for (n, r) in f.rows.iter().enumerate() {
            let y = 40.0 + n as f64 * 18.0;
            let pending = r.pending.map_or(String::new(), |(val, tx)| format!("{} (T{tx})", v(val)));
            let line = format!("{:<14} {:>9}  {:>9}  {:>7}", clip(&r.key, 14), v(r.committed), pending, v(r.disk));
            s.code(12.0, y, if r.pending.is_some() { Tone::Accent } else { Tone::Ink }, 12, false, line);
        }
        s.text(390.0, 20.0, Tone::Ink, 12, crate::kit::scene::Anchor::Start, "write-ahead log (newest first)");
        for (n, (rec, durable)) in log.iter().enumerate() {
            let label = format!("{} {}", if *durable { "disk" } else { "mem " }, clip(rec, 32));
            s.code(390.0, 40.0 + n as f64 * 18.0, if *durable { Tone::Ink } else { Tone::Muted }, 11, false, label);
        }
        if let Some(verdict) = &f.verdict {
            s.text(12.0, h - 8.0, Tone::Ok, 11, crate::kit::scene::Anchor::Start, clip(verdict, 95));
        }
        s
    }
}
