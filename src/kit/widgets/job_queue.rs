//! Background jobs on a queue (`sim::queue`). The picture: the queue's depth over time up to
//! this step, as a filled area, the workers as a row of boxes lit by what each is doing, and
//! the counts that matter (done, dead letters, cards charged twice).

use crate::kit::catalog::{WidgetSpec, JOB_QUEUE};
use crate::kit::chart;
use crate::kit::scene::{Anchor, Scene, Shape, Tone};
use crate::kit::url_state::{Notice, WidgetState};
use crate::kit::widget::{Reserve, Widget};
use crate::sim::des::{fmt_time, run_to_end};
use crate::sim::group;
use crate::sim::queue::{Config, Replay, Run, Sim, Snap, WorkerState};
use crate::sim::retry::Strategy;

pub struct JobQueue;

/// Each numeric setting: its URL key, its field, and its label in messages and the form.
pub const NUMBERS: [(&str, fn(&mut Config) -> &mut u32, &str); 13] = [
    ("rate", |c| &mut c.rate, "Orders a second"),
    ("jobs", |c| &mut c.jobs, "Jobs"),
    ("workers", |c| &mut c.workers, "Workers"),
    ("work", |c| &mut c.work_ms, "Mean work time (ms)"),
    ("pool", |c| &mut c.pool, "Connections in the pool"),
    ("poolwait", |c| &mut c.pool_wait_ms, "Wait for a connection (ms)"),
    ("visibility", |c| &mut c.visibility_ms, "Visibility timeout (ms)"),
    ("fail", |c| &mut c.fail_pct, "Failing attempts (%)"),
    ("poison", |c| &mut c.poison_pct, "Poison jobs (%)"),
    ("crash", |c| &mut c.crash_pct, "Crashing workers (%)"),
    ("attempts", |c| &mut c.max_attempts, "Attempts before the dead-letter queue"),
    ("base", |c| &mut c.base_ms, "Backoff base (ms)"),
    ("cap", |c| &mut c.cap_ms, "Backoff cap (ms)"),
];

/// The backoffs a failed job can wait out. "No retry" is left out: a queue always hands a
/// failed message out again (it would only be an immediate retry under another name).
pub const BACKOFFS: [Strategy; 6] = [Strategy::Immediate, Strategy::Fixed, Strategy::Exponential, Strategy::FullJitter, Strategy::EqualJitter, Strategy::Decorrelated];

/// A backoff by its URL name, if the queue offers it.
pub fn backoff_from_name(name: &str) -> Option<Strategy> {
    BACKOFFS.into_iter().find(|s| s.name() == name)
}

impl Widget for JobQueue {
    const SPEC: &'static WidgetSpec = &JOB_QUEUE;
    /// More than 16 workers take a second row of boxes on a phone.
    const RESERVE: &'static [Reserve] = &[Reserve { variant: None, wide: 1845, narrow: 2121 }, Reserve { variant: Some("crowd"), wide: 1845, narrow: 2217 }];
    type Input = Config;
    type Machine = Replay;

    fn input(state: &WidgetState, notices: &mut Vec<Notice>) -> Config {
        let d = Config::default();
        let mut c = d.clone();
        for (key, field, _) in NUMBERS {
            if let Some(n) = state.int(key) {
                *field(&mut c) = n.clamp(0, i64::from(u32::MAX)) as u32;
            }
        }
        c.backoff = state.text("backoff").and_then(backoff_from_name).unwrap_or(d.backoff);
        c.idempotent = state.flag("idempotent").unwrap_or(d.idempotent);
        c.seed = state.int("seed").unwrap_or(1) as u64;
        match c.validate() {
            Ok(()) => c,
            Err(why) => {
                notices.push(Notice { key: "settings".into(), message: format!("{why} The default queue is shown instead.") });
                Config { seed: c.seed, idempotent: c.idempotent, backoff: c.backoff, ..d }
            }
        }
    }

    fn variant(c: &Config) -> Option<&'static str> {
        (c.workers > 16).then_some("crowd")
    }

    fn settings(c: &Config) -> Vec<(&'static str, String)> {
        let mut c2 = c.clone();
        let mut v: Vec<(&'static str, String)> = NUMBERS.iter().map(|(k, field, _)| (*k, field(&mut c2).to_string())).collect();
        v.push(("backoff", c.backoff.name().to_string()));
        v.push(("idempotent", c.idempotent.to_string()));
        v.push(("seed", c.seed.to_string()));
        v
    }

    fn summary(c: &Config) -> String {
        format!(
            "{} orders at {}/s · {} worker{}, {} ms a job, {} connections · visibility {} ms · {} % fail, {} % poison, {} % crash · {} attempts, {} backoff · {}",
            group(u64::from(c.jobs)),
            group(u64::from(c.rate)),
            c.workers,
            crate::sim::plural(c.workers as usize),
            group(u64::from(c.work_ms)),
            c.pool,
            group(u64::from(c.visibility_ms)),
            c.fail_pct,
            c.poison_pct,
            c.crash_pct,
            c.max_attempts,
            c.backoff.label().to_lowercase(),
            if c.idempotent { "idempotent jobs" } else { "jobs not idempotent" }
        )
    }

    fn machine(c: &Config) -> Replay {
        Replay::new(run_to_end(Sim::new(c)))
    }

    fn scene(r: &Replay, _c: &Config) -> Scene {
        let (Some(run), Some(snap)) = (r.run(), r.snap()) else {
            return Scene::new(640.0, 60.0, "The queue, once simulated".to_string());
        };
        let (w, chart_h, left) = (640.0, 110.0, 46.0);
        let cw = w - left - 10.0;
        let workers_y = 24.0 + chart_h + 26.0;
        let per_row = 32usize;
        let rows = snap.workers.len().div_ceil(per_row).max(1);
        let h = workers_y + rows as f64 * 18.0 + 40.0;
        let mut s = Scene::new(w, h, format!("The queue at {}: {} messages on it, {} done, {} dead-lettered", fmt_time(snap.at), group(u64::from(snap.depth())), group(u64::from(snap.totals.done)), group(u64::from(snap.totals.dead))));
        let (pts, xmax, ymax) = depth_points(run, r.step());
        s.text(8.0, 14.0, Tone::Ink, 12, Anchor::Start, "Messages on the queue");
        s.text(left - 6.0, 28.0, Tone::Muted, 10, Anchor::End, group(ymax));
        s.text(left - 6.0, 24.0 + chart_h, Tone::Muted, 10, Anchor::End, "0");
        s.push(Shape::Line { x1: left, y1: 24.0 + chart_h, x2: w - 10.0, y2: 24.0 + chart_h, tone: Tone::Line, width: None, dashed: false });
        s.push(Shape::Path { x: left, y: 24.0, d: area(&pts, xmax, ymax, cw as u64, chart_h as u64), fill: Tone::Accent });
        s.text(w - 10.0, 24.0 + chart_h + 14.0, Tone::Muted, 10, Anchor::End, fmt_time(xmax));
        s.text(8.0, workers_y - 6.0, Tone::Ink, 12, Anchor::Start, "Workers");
        for (i, ws) in snap.workers.iter().enumerate() {
            let (x, y) = (left + (i % per_row) as f64 * 18.0, workers_y + (i / per_row) as f64 * 18.0);
            let (fill, stroke) = worker_tones(*ws);
            s.push(Shape::Rect { x, y, w: 14.0, h: 14.0, fill, stroke: Some((stroke, if *ws == WorkerState::Waiting { Some(2.0) } else { None })) });
        }
        let t = snap.totals;
        s.text(8.0, h - 12.0, Tone::Ink, 12, Anchor::Start, format!("Done {} · dead letters {} · charged twice {}", group(u64::from(t.done)), group(u64::from(t.dead)), group(u64::from(t.double_charges()))));
        s
    }
}

/// A worker's box: its fill and outline.
pub fn worker_tones(w: WorkerState) -> (Tone, Tone) {
    match w {
        WorkerState::Idle => (Tone::Paper, Tone::Muted),
        WorkerState::Waiting => (Tone::Soft, Tone::Warn),
        WorkerState::Working => (Tone::Accent, Tone::Accent),
        WorkerState::Down => (Tone::Bad, Tone::Bad),
    }
}

/// The depth at each snapshot up to `step`, and the chart's axes: time to the run's end, depth
/// to the run's peak at a snapshot (so the axes stay still while stepping).
pub fn depth_points(run: &Run, step: usize) -> (Vec<(u64, u64)>, u64, u64) {
    let pts = run.snaps.iter().take(step + 1).map(|s| (s.at, u64::from(s.depth()))).collect();
    let ymax = run.snaps.iter().map(|s| u64::from(s.depth())).max().unwrap_or(0).max(1);
    (pts, run.end_us.max(1), ymax)
}

/// A filled area under the line through `pts`, closed along the bottom.
pub fn area(pts: &[(u64, u64)], xmax: u64, ymax: u64, w: u64, h: u64) -> String {
    let Some(&(last_x, _)) = pts.last() else { return String::new() };
    let mut all = Vec::with_capacity(pts.len() + 2);
    all.push((0, 0));
    all.extend_from_slice(pts);
    all.push((last_x, 0));
    let mut d = chart::line(&all, xmax, ymax, w, h);
    d.push('Z');
    d
}

/// "Done 1,234 · waiting 56 · …", the counts beside the picture.
/// The names `counts` gives its numbers, in order: also what the picture shows, with no
/// numbers yet, while the run is still being simulated.
pub const COUNT_NAMES: [&str; 10] = [
    "waiting for a worker",
    "held back by a backoff",
    "being worked on",
    "done",
    "failed attempts",
    "reappeared after the timeout",
    "worker crashes",
    "in the dead-letter queue",
    "cards charged twice",
    "repeat charges skipped",
];

pub fn counts(s: &Snap) -> Vec<(&'static str, u32, bool)> {
    let t = s.totals;
    let values = [
        (s.ready, false),
        (s.delayed, false),
        (s.in_flight, false),
        (t.done, false),
        (t.failed + t.pool_timeouts, false),
        (t.reappeared, false),
        (t.crashes, false),
        (t.dead, t.dead > 0),
        (t.double_charges(), t.double_charges() > 0),
        (t.skipped, false),
    ];
    COUNT_NAMES.into_iter().zip(values).map(|(name, (n, bad))| (name, n, bad)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kit::catalog::ParamKind;
    use crate::sim::queue as e;
    use crate::sim::timeline::Machine;

    #[test]
    fn the_catalog_describes_this_engine() {
        let bound = |k: &str| match JOB_QUEUE.param(k).unwrap().kind {
            ParamKind::Int { min, max } => (min, max),
            _ => panic!("{k} is not a number"),
        };
        for (k, lo, hi) in [("rate", 1, e::MAX_RATE), ("jobs", 1, e::MAX_JOBS), ("workers", 1, e::MAX_WORKERS), ("work", 1, e::MAX_WORK_MS), ("pool", 1, e::MAX_POOL), ("poolwait", 1, e::MAX_WAIT_MS), ("visibility", 1, e::MAX_WAIT_MS), ("fail", 0, 100), ("poison", 0, 100), ("crash", 0, 100), ("attempts", 1, e::MAX_ATTEMPTS), ("base", 1, e::MAX_WAIT_MS), ("cap", 1, e::MAX_WAIT_MS)] {
            assert_eq!(bound(k), (lo, i64::from(hi)), "{k}");
        }
        assert_eq!(NUMBERS.len() + 2, JOB_QUEUE.params.len(), "every setting is read");
        let state = crate::kit::url_state::read(&JOB_QUEUE, "w", &[], &[]);
        assert_eq!(JobQueue::input(&state, &mut Vec::new()), Config::default());
    }

    #[test]
    fn settings_that_do_not_fit_together_fall_back_with_a_notice() {
        let pairs = crate::kit::url_state::parse_query("w.fail=70&w.crash=40&w.idempotent=true");
        let state = crate::kit::url_state::read(&JOB_QUEUE, "w", &[], &pairs);
        let mut notices = Vec::new();
        let c = JobQueue::input(&state, &mut notices);
        assert_eq!((c.fail_pct, c.crash_pct, c.idempotent), (5, 1, true));
        assert!(notices[0].message.starts_with("Failing and crashing attempts together"), "{}", notices[0].message);
    }

    #[test]
    fn the_picture_follows_the_run() {
        let c = Config { jobs: 600, ..Config::default() };
        let mut r = JobQueue::machine(&c);
        let steps = r.steps();
        let mut last_len = 0;
        loop {
            let run = r.run().unwrap();
            let (pts, xmax, ymax) = depth_points(run, r.step());
            assert_eq!(pts.len(), r.step() + 1);
            assert!(pts.len() > last_len || r.step() == 0);
            last_len = pts.len();
            assert!(pts.iter().all(|&(x, y)| x <= xmax && y <= ymax));
            let scene = JobQueue::scene(&r, &c);
            assert!(scene.label.starts_with("The queue at "));
            if !r.advance() {
                break;
            }
        }
        assert_eq!(r.step() + 1, steps);
        assert!(area(&[(5, 3)], 10, 3, 100, 50).ends_with('Z'));
        assert_eq!(area(&[], 10, 3, 100, 50), "");
    }
}
