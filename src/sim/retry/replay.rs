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
                (Some(t), o) => {
                    let s = &mut out[at(t)];
                    s.failed += 1;
                    match o {
                        Outcome::Server(503) => s.unavailable += 1,
                        Outcome::RateLimited { .. } => s.limited += 1,
                        Outcome::Client(_) => s.client += 1,
                        Outcome::Conflict => s.conflict += 1,
                        _ => s.server += 1,
                    }
                }
                (None, _) => out[at(a.sent_us)].short += 1,
            }
        }
        for &(end, t) in &self.ends {
            match end {
                ClientEnd::Succeeded => out[at(t)].succeeded += 1,
                ClientEnd::GaveUp => out[at(t)].gave_up += 1,
                ClientEnd::NotRetryable => out[at(t)].stopped += 1,
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

    /// Clients of run `r` finished by the current step.
    pub fn finished_by_now(&self, r: usize) -> Finished {
        self.slices[r][..self.step].iter().fold(Finished::default(), |f, x| Finished { succeeded: f.succeeded + x.succeeded, gave_up: f.gave_up + x.gave_up, stopped: f.stopped + x.stopped })
    }
}

/// Clients finished by a moment: with a success, out of attempts (or retries), or stopped on
/// an answer that retrying cannot fix (a 4xx other than 429).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Finished {
    pub succeeded: u32,
    pub gave_up: u32,
    pub stopped: u32,
}

impl Finished {
    /// "312 of 1,000 clients have succeeded, 20 gave up after their last try, 5 stopped on a
    /// 4xx", leaving out the parts that are 0.
    pub fn describe(&self, clients: u32) -> String {
        let mut s = format!("{} of {} client{} have succeeded", group(u64::from(self.succeeded)), group(u64::from(clients)), plural(clients as usize));
        if self.gave_up > 0 {
            s.push_str(&format!(", {} gave up after their last try", group(u64::from(self.gave_up))));
        }
        if self.stopped > 0 {
            s.push_str(&format!(", {} stopped on a 4xx that retrying cannot fix", group(u64::from(self.stopped))));
        }
        s
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
        let cfg = &self.runs[0].config;
        let clients = cfg.clients;
        if self.step == 0 {
            return format!("Before the first call. {} Step forward to watch each slice of {}.", opening(cfg), fmt_time(self.width_us));
        }
        let from = (self.step as u64 - 1) * self.width_us;
        let to = self.step as u64 * self.width_us;
        let serveable = group(u64::from(cfg.capacity) * self.width_us / SECOND);
        let two = self.runs.len() > 1;
        let row = cfg.workload == Workload::Row;
        // With two runs the capacity is said once, and each run only what happened to it.
        let mut parts = vec![if two && !row { format!("{} to {} (the API can serve about {serveable} calls in this time):", fmt_time(from), fmt_time(to)) } else { format!("{} to {}:", fmt_time(from), fmt_time(to)) }];
        for (r, run) in self.runs.iter().enumerate() {
            let s = self.slices[r][self.step - 1];
            let mut line = if row {
                format!("{}: {} write{} reached the row", run.config.strategy.label(), group(u64::from(s.calls())), plural(s.calls() as usize))
            } else {
                format!("{}: {} call{} reached the API", run.config.strategy.label(), group(u64::from(s.calls())), plural(s.calls() as usize))
            };
            if !two && !row {
                line.push_str(&format!(" (it can serve about {serveable} in this time)"));
            }
            let answers = answers(&s);
            if !answers.is_empty() {
                line.push_str(&format!(", answered {answers}"));
            }
            if s.short > 0 {
                line.push_str(&format!("; {} more kept back by the gateway's open circuit breaker", group(u64::from(s.short))));
            }
            if s.calls() == 0 && s.short == 0 {
                line.push_str(&format!(", {}", self.why_quiet(r, to)));
            }
            if run.config.breaker {
                line.push_str(&format!("; breaker {}", run.breaker_at(to).label()));
            }
            line.push_str(&format!(". {}.", self.finished_by_now(r).describe(clients)));
            if let Some(at) = run.safety_stop.filter(|&at| at < to) {
                line.push_str(&format!(" It stopped sending at {}, after {} attempts in all: with no limit on attempts, that is where the simulation draws the line.", fmt_time(at), group(SAFETY_ATTEMPTS as u64)));
            }
            parts.push(line);
        }
        parts.join(" ")
    }
}

impl Replay {
    /// Why no call reached the API in a slice ending at `to`: every client done, or all of
    /// them waiting out a backoff or a Retry-After.
    fn why_quiet(&self, r: usize, to: u64) -> String {
        let run = &self.runs[r];
        let f = self.finished_by_now(r);
        if f.succeeded + f.gave_up + f.stopped >= run.config.clients {
            return "since every client has finished".into();
        }
        let retry_after = run.config.honor_retry_after
            && run.attempts.iter().any(|a| a.arrive_us.is_some_and(|t| t < to) && a.end_us <= to && matches!(a.outcome, Outcome::RateLimited { .. }));
        if retry_after {
            "as the clients still waiting sit out their backoff or the 429's Retry-After".into()
        } else {
            "as the clients still waiting sit out their backoff".into()
        }
    }
}

/// The answers of the calls that arrived in a slice, by kind: "187 with 200 OK, 13 with 503".
fn answers(s: &Slice) -> String {
    let parts: Vec<String> = [
        (s.ok, "with 200 OK"),
        (s.unavailable, "with 503 Service Unavailable"),
        (s.server, "with another 5xx"),
        (s.limited, "with 429 Too Many Requests"),
        (s.client, "with a 4xx"),
        (s.conflict, "with 412 Precondition Failed (the row changed since it was read)"),
        (s.lost, "never (timed out)"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{} {what}", group(u64::from(*n))))
    .collect();
    crate::sim::text::join_and(&parts)
}

/// The scenario in a sentence or two: the clients, the API's capacity, and the trouble.
pub fn opening(cfg: &Config) -> String {
    if cfg.workload == Workload::Row {
        return format!(
            "{} client{} will each update one row once, starting within {}: read its version, then write only if the version is unchanged, or get 412 Precondition Failed and start again. Each message takes about {} on the network. Of the writes that read the same version, one wins.{}",
            group(u64::from(cfg.clients)),
            plural(cfg.clients as usize),
            fmt_time(u64::from(cfg.spread_ms) * MS),
            fmt_time(u64::from(cfg.net_ms) * MS),
            if cfg.max_attempts == 0 { " There is no limit on attempts." } else { "" },
        );
    }
    let mut s = format!(
        "{} client{} will each try to make one call within {}; the API serves {} requests a second.",
        group(u64::from(cfg.clients)),
        plural(cfg.clients as usize),
        fmt_time(u64::from(cfg.spread_ms) * MS),
        group(u64::from(cfg.capacity)),
    );
    let mut trouble = Vec::new();
    if cfg.outage_to_ms > cfg.outage_from_ms {
        trouble.push(format!("it is down, answering 503 to everything, from {} to {}", fmt_time(u64::from(cfg.outage_from_ms) * MS), fmt_time(u64::from(cfg.outage_to_ms) * MS)));
    }
    if cfg.rate_limit > 0 {
        trouble.push(format!(
            "it allows {} requests a second in all and answers 429 with a Retry-After past that{}",
            group(u64::from(cfg.rate_limit)),
            if cfg.honor_retry_after { ", which the clients honour" } else { ", which the clients ignore" }
        ));
    }
    if cfg.error_pct > 0 {
        trouble.push(format!("{} % of requests fail with a 5xx at random", cfg.error_pct));
    }
    if cfg.hang_pct > 0 {
        trouble.push(format!("{} % hang with no answer", cfg.hang_pct));
    }
    if cfg.bad_pct > 0 {
        trouble.push(format!("{} % of clients send a request that is invalid every time", cfg.bad_pct));
    }
    if !trouble.is_empty() {
        s.push_str(&format!(" Trouble: {}.", crate::sim::text::join_and(&trouble)));
    }
    if cfg.breaker {
        s.push_str(" A circuit breaker in a gateway in front of the API, shared by every client, stops calls while the API looks down.");
    }
    s
}
