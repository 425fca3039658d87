//! A run's record read back: totals, time slices and density for the charts, and [`Replay`],
//! the widget's timeline over one run or two side by side.

use std::sync::Arc;

use super::*;
use crate::sim::timeline::Machine;
use crate::sim::{group, plural};

impl Run {
    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for a in &self.attempts {
            if a.arrive_us.is_some() {
                s.calls += 1;
            }
            if a.outcome == Outcome::ShortCircuit {
                s.short_circuited += 1;
            }
        }
        for &(end, at) in &self.ends {
            match end {
                ClientEnd::Succeeded => s.succeeded += 1,
                ClientEnd::GaveUp => s.gave_up += 1,
                ClientEnd::NotRetryable => s.not_retryable += 1,
                ClientEnd::Unfinished => s.unfinished += 1,
            }
            s.finish_us = s.finish_us.max(at);
        }
        s.wasted = s.calls - s.succeeded;
        s.peak_per_s = self.slices(100 * MS, None).iter().map(Slice::calls).max().unwrap_or(0) * 10;
        s
    }

    /// When the last client finished (at least 1 ms, so charts have a width).
    pub fn end_us(&self) -> u64 {
        self.ends.iter().map(|&(_, t)| t).max().unwrap_or(0).max(MS)
    }

    /// Calls and endings per slice of `width_us`, over `count` slices (enough to cover the run
    /// when `None`). Calls are placed by when they reached the API.
    pub fn slices(&self, width_us: u64, count: Option<usize>) -> Vec<Slice> {
        let width_us = width_us.max(1);
        let count = count.unwrap_or((self.end_us() / width_us + 1) as usize);
        let mut out = vec![Slice::default(); count];
        let at = |t: u64| ((t / width_us) as usize).min(count.saturating_sub(1));
        if count == 0 {
            return out;
        }
        for a in &self.attempts {
            match (a.arrive_us, a.outcome) {
                (Some(t), Outcome::Ok) => out[at(t)].ok += 1,
                (Some(t), Outcome::Timeout) => out[at(t)].lost += 1,
                (Some(t), _) => out[at(t)].failed += 1,
                (None, _) => out[at(a.sent_us)].short += 1,
            }
        }
        for &(end, t) in &self.ends {
            match end {
                ClientEnd::Succeeded => out[at(t)].succeeded += 1,
                ClientEnd::GaveUp | ClientEnd::NotRetryable => out[at(t)].gave_up += 1,
                ClientEnd::Unfinished => {}
            }
        }
        out
    }

    /// Attempts sent per band of clients per slice: `bands` rows of `count` cells. Client `c`
    /// falls in band `c · bands / clients`.
    pub fn density(&self, width_us: u64, count: usize, bands: usize) -> Vec<Vec<u32>> {
        let bands = bands.max(1);
        let mut out = vec![vec![0u32; count]; bands];
        if count == 0 {
            return out;
        }
        let clients = u64::from(self.config.clients.max(1));
        for a in &self.attempts {
            let band = (u64::from(a.client) * bands as u64 / clients) as usize;
            let slot = ((a.sent_us / width_us.max(1)) as usize).min(count - 1);
            out[band.min(bands - 1)][slot] += 1;
        }
        out
    }

    /// Where the circuit breaker stood at time `t`.
    pub fn breaker_at(&self, t: u64) -> BreakerState {
        self.breaker_log.iter().take_while(|(at, _)| *at <= t).last().map_or(BreakerState::Closed, |&(_, s)| s)
    }
}

/// Widths a replay's time steps may take: each run is cut into at most [`MAX_STEPS`] slices.
const WIDTHS_MS: &[u64] = &[10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 30_000, 60_000];
pub const MAX_STEPS: usize = 150;

/// The slice width that shows a run ending at `end_us` in at most [`MAX_STEPS`] steps.
pub fn step_width(end_us: u64) -> u64 {
    WIDTHS_MS.iter().map(|w| w * MS).find(|w| end_us.div_ceil(*w) as usize <= MAX_STEPS).unwrap_or(60_000 * MS)
}

/// Steps through one or more finished runs, one time slice per step. Step 0 is the moment
/// before anything happens; step `k` shows everything up to the end of slice `k`.
#[derive(Clone, Debug)]
pub struct Replay {
    runs: Arc<Vec<Run>>,
    slices: Arc<Vec<Vec<Slice>>>,
    width_us: u64,
    steps: usize,
    step: usize,
}

impl Replay {
    pub fn new(runs: Vec<Run>) -> Replay {
        let end = runs.iter().map(Run::end_us).max().unwrap_or(0);
        let width_us = step_width(end);
        let steps = end.div_ceil(width_us) as usize;
        let slices = runs.iter().map(|r| r.slices(width_us, Some(steps))).collect();
        Replay { runs: Arc::new(runs), slices: Arc::new(slices), width_us, steps, step: 0 }
    }

    pub fn runs(&self) -> &[Run] {
        &self.runs
    }

    pub fn slices(&self, run: usize) -> &[Slice] {
        &self.slices[run]
    }

    pub fn width_us(&self) -> u64 {
        self.width_us
    }

    /// Number of slices (the last step's number).
    pub fn steps(&self) -> usize {
        self.steps
    }

    pub fn step(&self) -> usize {
        self.step
    }

    /// The time the current step shows up to.
    pub fn now_us(&self) -> u64 {
        self.step as u64 * self.width_us
    }

    /// Clients of run `r` finished (succeeded, gave up) by the current step.
    pub fn finished_by_now(&self, r: usize) -> (u32, u32) {
        self.slices[r][..self.step].iter().fold((0, 0), |(s, g), x| (s + x.succeeded, g + x.gave_up))
    }
}

impl Machine for Replay {
    fn advance(&mut self) -> bool {
        if self.step >= self.steps {
            return false;
        }
        self.step += 1;
        true
    }

    fn narrate(&self) -> String {
        if self.runs.is_empty() {
            return "Nothing simulated yet.".into();
        }
        let clients = self.runs[0].config.clients;
        if self.step == 0 {
            let cfg = &self.runs[0].config;
            return format!(
                "Before the first call. {} client{} will each try to make one call within {}; the API serves {} requests a second. Step forward to watch each slice of {}.",
                group(u64::from(clients)),
                plural(clients as usize),
                fmt_time(u64::from(cfg.spread_ms) * MS),
                group(u64::from(cfg.capacity)),
                fmt_time(self.width_us),
            );
        }
        let from = (self.step as u64 - 1) * self.width_us;
        let to = self.step as u64 * self.width_us;
        let mut parts = vec![format!("{} to {}:", fmt_time(from), fmt_time(to))];
        for (r, run) in self.runs.iter().enumerate() {
            let s = self.slices[r][self.step - 1];
            let (done, gave_up) = self.finished_by_now(r);
            let serveable = (u64::from(run.config.capacity) * self.width_us / SECOND) as u32;
            let mut line = format!(
                "{}: {} call{} reached the API (it can serve about {} in this time), {} succeeded, {} failed, {} timed out",
                run.config.strategy.label(),
                group(u64::from(s.calls())),
                plural(s.calls() as usize),
                group(u64::from(serveable)),
                group(u64::from(s.ok)),
                group(u64::from(s.failed)),
                group(u64::from(s.lost)),
            );
            if s.short > 0 {
                line.push_str(&format!(", {} refused by the open breaker", s.short));
            }
            if run.config.breaker {
                line.push_str(&format!("; breaker {}", run.breaker_at(to).label()));
            }
            line.push_str(&format!(
                ". So far {} of {} succeeded and {} gave up.",
                group(u64::from(done)),
                group(u64::from(clients)),
                group(u64::from(gave_up))
            ));
            parts.push(line);
        }
        parts.join(" ")
    }
}
