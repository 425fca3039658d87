//! Replication: a primary, its replicas, and where reads go (`sim::replication`). The picture
//! is the end of the log as a grid, a row per database and a column per entry, filled where
//! that database has the entry; the followed user's entries stand out.

use crate::kit::catalog::{WidgetSpec, REPLICATION};
use crate::kit::scene::{Anchor, Scene, Shape, Tone};
use crate::kit::url_state::{Notice, WidgetState};
use crate::kit::widget::{Reserve, Widget};
use crate::sim::des::{fmt_time, run_to_end};
use crate::sim::group;
use crate::sim::replication::{node_name, Commit, Config, Lag, Moment, Outcome, Reads, Replay, Role, Snap};

pub struct Replication;

impl Widget for Replication {
    const SPEC: &'static WidgetSpec = &REPLICATION;
    const RESERVE: &'static [Reserve] = &[Reserve { variant: None, wide: 1940, narrow: 2565 }];
    type Input = Config;
    type Machine = Replay;

    fn input(state: &WidgetState, notices: &mut Vec<Notice>) -> Config {
        let d = Config::default();
        let int = |k: &str, v: u32| state.int(k).map_or(v, |n| n as u32);
        let c = Config {
            reads: state.text("reads").and_then(Reads::from_key).unwrap_or(d.reads),
            commit: state.text("commit").and_then(Commit::from_key).unwrap_or(d.commit),
            replicas: int("replicas", d.replicas),
            lag_ms: int("lag", d.lag_ms),
            lag: state.text("shape").and_then(Lag::from_key).unwrap_or(d.lag),
            think_ms: int("think", d.think_ms),
            crash: state.flag("crash").unwrap_or(d.crash),
            ops: int("ops", d.ops),
            seed: state.int("seed").unwrap_or(1) as u64,
        };
        match c.validate() {
            Ok(()) => c,
            Err(why) => {
                notices.push(Notice { key: "settings".into(), message: format!("{why} The default databases are shown instead.") });
                Config { reads: c.reads, commit: c.commit, seed: c.seed, ..d }
            }
        }
    }

    fn settings(c: &Config) -> Vec<(&'static str, String)> {
        vec![
            ("reads", c.reads.key().to_string()),
            ("commit", c.commit.key().to_string()),
            ("replicas", c.replicas.to_string()),
            ("lag", c.lag_ms.to_string()),
            ("shape", c.lag.key().to_string()),
            ("think", c.think_ms.to_string()),
            ("crash", c.crash.to_string()),
            ("ops", c.ops.to_string()),
            ("seed", c.seed.to_string()),
        ]
    }

    fn summary(c: &Config) -> String {
        let mut line = format!(
            "Reads: {} · {} commits · {} replica{}, lag {} ms ({}) · pauses {} ms · {} operations",
            c.reads.label().to_lowercase(),
            c.commit.label().to_lowercase(),
            c.replicas,
            crate::sim::plural(c.replicas as usize),
            group(u64::from(c.lag_ms)),
            c.lag.label(),
            group(u64::from(c.think_ms)),
            group(u64::from(c.ops))
        );
        if c.crash {
            line.push_str(" · the primary crashes");
        }
        line
    }

    fn machine(c: &Config) -> Replay {
        Replay::new(run_to_end(crate::sim::replication::sims(c)))
    }

    /// The log grid: a row per database, a column per recent entry.
    fn scene(r: &Replay, c: &Config) -> Scene {
        let Some(snap) = r.snap() else {
            return Scene::new(640.0, 60.0, "The databases, once simulated".to_string());
        };
        let g = grid(snap);
        let (w, row, left, cell) = (640.0, 26.0, 170.0, 40.0);
        let h = 40.0 + row * g.rows.len() as f64 + 34.0;
        let mut s = Scene::new(w, h, format!("Each database's copy of the log at {}, reads going to {}", fmt_time(snap.at), c.reads.label().to_lowercase()));
        for (j, col) in g.columns.iter().enumerate() {
            let x = left + j as f64 * cell + cell / 2.0;
            s.text(x, 16.0, if col.yours { Tone::Accent } else { Tone::Muted }, 11, Anchor::Middle, col.lsn.to_string());
            s.text(x, 30.0, if col.yours { Tone::Accent } else { Tone::Muted }, 10, Anchor::Middle, col.label.clone());
        }
        for (i, rowd) in g.rows.iter().enumerate() {
            let y = 40.0 + i as f64 * row;
            if rowd.focus {
                s.push(Shape::Rect { x: 4.0, y: y - 2.0, w: w - 8.0, h: row, fill: Tone::Soft, stroke: Some((Tone::Accent, None)) });
            }
            s.text(10.0, y + 15.0, Tone::Ink, 12, Anchor::Start, rowd.name.clone());
            s.text(52.0, y + 15.0, rowd.tone, 11, Anchor::Start, rowd.tag.clone());
            for (j, col) in g.columns.iter().enumerate() {
                let has = rowd.has(col.lsn);
                let fill = match (has, col.yours) {
                    (true, true) => Tone::Accent,
                    (true, false) => Tone::Line,
                    (false, _) => Tone::Paper,
                };
                s.push(Shape::Rect { x: left + j as f64 * cell + 6.0, y: y + 3.0, w: cell - 12.0, h: row - 8.0, fill, stroke: Some((if col.yours { Tone::Accent } else { Tone::Muted }, if has { None } else { Some(3.0) })) });
            }
        }
        s.text(10.0, h - 10.0, Tone::Ink, 12, Anchor::Start, you_line(snap));
        s
    }
}

/// One column of the log grid: an entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    pub lsn: u32,
    /// "u3 v2": whose profile, which version.
    pub label: String,
    /// The followed user's.
    pub yours: bool,
}

/// One row: a database.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub node: usize,
    pub name: String,
    /// Its role and how far behind, in words ("primary", "replica · 3 behind", "down").
    pub tag: String,
    pub tone: Tone,
    pub applied: u32,
    pub role: Role,
    /// The version of your profile a read here shows.
    pub yours: u32,
    /// The step is about this database.
    pub focus: bool,
}

impl Row {
    pub fn has(&self, lsn: u32) -> bool {
        lsn <= self.applied
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grid {
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
}

/// The log grid of a moment.
pub fn grid(s: &Snap) -> Grid {
    let columns = s.tail.iter().map(|e| Column { lsn: e.lsn, label: format!("u{} v{}", e.user + 1, e.version), yours: e.user == 0 }).collect();
    let head = s.nodes.iter().find(|n| n.role == Role::Primary).map(|n| n.applied);
    let focus = match s.moment {
        Moment::Op { node, .. } | Moment::Reached { node, .. } | Moment::Promoted { node, .. } => Some(node),
        _ => None,
    };
    let rows = s
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let (tag, tone) = match n.role {
                Role::Primary => ("primary".to_string(), Tone::Ink),
                Role::Down => ("down".to_string(), Tone::Bad),
                Role::Replica => match head.map(|h| h.saturating_sub(n.applied)) {
                    Some(0) => ("replica · up to date".to_string(), Tone::Ok),
                    Some(b) => (format!("replica · {} behind", group(u64::from(b))), Tone::Warn),
                    None => ("replica".to_string(), Tone::Warn),
                },
            };
            Row { node: i, name: node_name(i), tag, tone, applied: n.applied, role: n.role, yours: n.yours, focus: focus == Some(i) }
        })
        .collect();
    Grid { columns, rows }
}

/// "You: saved version 3 · last read version 2", for under the grid.
pub fn you_line(s: &Snap) -> String {
    let v = |n: u32| if n == 0 { "nothing yet".to_string() } else { format!("version {n}") };
    format!("You (user 1): saved {} · newest read {}", v(s.your_saved), v(s.your_seen))
}

/// The verdict on the followed user's operation at this step, if any, and whether it is bad
/// news: "stale", "back in time", "saved", …
pub fn verdict(s: &Snap) -> Option<(&'static str, bool)> {
    match s.moment {
        Moment::Op { outcome, .. } => Some(match outcome {
            Outcome::Saved { .. } => ("saved", false),
            Outcome::Failed => ("failed", true),
            Outcome::Fresh { .. } => ("up to date", false),
            Outcome::FellBack => ("up to date (from the primary)", false),
            Outcome::Stale { .. } => ("stale", true),
            Outcome::BackInTime { .. } => ("back in time", true),
        }),
        Moment::Promoted { lost, .. } if lost > 0 => Some(("writes lost", true)),
        Moment::Crash { .. } => Some(("primary down", true)),
        _ => None,
    }
}

/// "1,234 reads · 56 stale · 3 back in time · 400 writes confirmed", the totals so far.
pub fn totals_line(s: &Snap) -> String {
    let t = s.totals;
    let mut line = format!("So far: {} reads · {} stale · {} back in time · {} writes confirmed", group(u64::from(t.reads)), group(u64::from(t.stale)), group(u64::from(t.back_in_time)), group(u64::from(t.saved)));
    if t.failed_writes > 0 {
        line.push_str(&format!(" · {} failed", group(u64::from(t.failed_writes))));
    }
    if t.lost > 0 {
        line.push_str(&format!(" · {} lost", group(u64::from(t.lost))));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::timeline::Machine;

    #[test]
    fn the_catalog_describes_this_engine() {
        use crate::kit::catalog::{ParamKind, REPL_READS};
        let keys: Vec<_> = Reads::ALL.iter().map(|r| r.key()).collect();
        assert_eq!(keys, REPL_READS);
        let bound = |k: &str| match REPLICATION.param(k).unwrap().kind {
            ParamKind::Int { min, max } => (min, max),
            _ => panic!("{k} is not a number"),
        };
        use crate::sim::replication as e;
        assert_eq!(bound("replicas"), (i64::from(e::MIN_REPLICAS), i64::from(e::MAX_REPLICAS)));
        assert_eq!(bound("lag"), (1, i64::from(e::MAX_LAG_MS)));
        assert_eq!(bound("think"), (1, i64::from(e::MAX_THINK_MS)));
        assert_eq!(bound("ops"), (1, i64::from(e::MAX_OPS)));
        let state = crate::kit::url_state::read(&REPLICATION, "w", &[], &[]);
        assert_eq!(Replication::input(&state, &mut Vec::new()), Config::default());
    }

    #[test]
    fn a_crash_with_one_replica_falls_back_with_a_notice() {
        let pairs = crate::kit::url_state::parse_query("w.replicas=1&w.crash=true&w.reads=lsn");
        let state = crate::kit::url_state::read(&REPLICATION, "w", &[], &pairs);
        let mut notices = Vec::new();
        let c = Replication::input(&state, &mut notices);
        assert_eq!((c.replicas, c.crash, c.reads), (2, false, Reads::WaitLsn));
        assert!(notices[0].message.starts_with("A crash needs at least 2 replicas"));
    }

    #[test]
    fn the_summary_says_what_was_set_up() {
        assert_eq!(Replication::summary(&Config::default()), "Reads: any replica · asynchronous commits · 2 replicas, lag 200 ms (varies every second) · pauses 300 ms · 5,000 operations");
        let c = Config { replicas: 1, crash: false, ..Config::default() };
        assert!(Replication::summary(&c).contains("1 replica, lag"));
    }

    #[test]
    fn the_grid_fills_what_each_database_has_and_marks_yours() {
        let c = Config { ops: 600, ..Config::default() };
        let mut r = Replication::machine(&c);
        let mut seen_stale = false;
        loop {
            let s = r.snap().unwrap();
            let g = grid(s);
            assert_eq!(g.rows.len(), 3);
            assert!(g.columns.len() <= crate::sim::replication::TAIL);
            assert!(g.columns.windows(2).all(|w| w[0].lsn + 1 == w[1].lsn), "consecutive entries");
            // The primary has every entry; a replica a prefix of them.
            assert!(g.columns.iter().all(|col| g.rows[0].has(col.lsn)));
            for row in &g.rows[1..] {
                let have: Vec<bool> = g.columns.iter().map(|col| row.has(col.lsn)).collect();
                assert!(have.windows(2).all(|w| w[0] || !w[1]), "in order: {have:?}");
            }
            if let Some(("stale", true)) = verdict(s) {
                seen_stale = true;
                let Moment::Op { node, .. } = s.moment else { unreachable!() };
                assert!(g.rows[node].focus && g.rows[node].yours < s.your_saved);
            }
            if !r.advance() {
                break;
            }
        }
        assert!(seen_stale, "seed 1 shows a stale read among your first operations");
        let scene = Replication::scene(&r, &c);
        assert!(scene.label.starts_with("Each database's copy of the log at "));
    }
}
