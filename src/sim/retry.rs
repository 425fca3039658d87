//! Retries against a struggling API: a seeded discrete-event simulation.
//!
//! N clients each want one call to succeed. The API serves requests one after another at a
//! fixed rate, keeps a short queue, and answers 503 at once when the queue is full. On top of
//! that the reader can inject an outage window, random 5xx answers, requests that hang, clients
//! whose requests are invalid (4xx), a rate limit answering 429 with `Retry-After`, and a
//! circuit breaker in front of the API shared by all clients.
//!
//! Each failed attempt is retried (or not) by one [`Strategy`]. Time is whole microseconds and
//! every random draw comes from seeded SplitMix64 streams: the clients' own draws (start time,
//! network latency, invalid requests, jitter) come from a stream per client, so two strategies
//! run on the same seed face exactly the same clients.
//!
//! [`Sim`] is resumable, so a browser can run 10,000 clients in slices that never block the
//! page; [`Run`] is its complete record; [`Replay`] steps through a run (or two side by side)
//! for the widget's timeline.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::sync::Arc;

use super::{group, plural};
use super::rng::{mix, SplitMix64};
use super::timeline::Machine;

const MS: u64 = 1_000;
const SECOND: u64 = 1_000_000;
/// The simulation stops here; clients still trying are reported as unfinished.
pub const HORIZON_US: u64 = 600 * SECOND;
/// The rate limiter counts requests in fixed windows of this length.
pub const RATE_WINDOW_US: u64 = 10 * SECOND;
/// The circuit breaker opens after this many failures in a row...
pub const BREAKER_THRESHOLD: u32 = 10;
/// ...and stays open this long before letting one trial call through.
pub const BREAKER_OPEN_US: u64 = SECOND;
/// The API queues a tenth of a second's work (at least one request) and sheds the rest with
/// 503: a short queue, as services under load are usually configured.
const QUEUE_SECONDS_DIVISOR: u32 = 10;
/// One-way network latency for each client: from 10 ms (near) to 60 ms (far).
const LATENCY_MIN_US: u64 = 10 * MS;
const LATENCY_SPREAD_US: u64 = 50 * MS;

/// How a client waits between attempts. Formulas follow the usual definitions with a base `b`
/// and a cap `c`, for retry number `n` (0 for the first retry):
/// exponential `min(c, b·2ⁿ)`; full jitter `random(0, min(c, b·2ⁿ))`; equal jitter
/// `t/2 + random(0, t/2)` with `t = min(c, b·2ⁿ)`; decorrelated jitter
/// `min(c, random(b, 3·previous))`, the previous wait starting at `b`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Strategy {
    None,
    Immediate,
    Fixed,
    Exponential,
    FullJitter,
    EqualJitter,
    Decorrelated,
}

impl Strategy {
    pub const ALL: [Strategy; 7] = [
        Strategy::None,
        Strategy::Immediate,
        Strategy::Fixed,
        Strategy::Exponential,
        Strategy::FullJitter,
        Strategy::EqualJitter,
        Strategy::Decorrelated,
    ];

    /// The name used in URLs and the catalog.
    pub fn name(self) -> &'static str {
        match self {
            Strategy::None => "none",
            Strategy::Immediate => "immediate",
            Strategy::Fixed => "fixed",
            Strategy::Exponential => "exponential",
            Strategy::FullJitter => "full",
            Strategy::EqualJitter => "equal",
            Strategy::Decorrelated => "decorrelated",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Strategy::None => "No retry",
            Strategy::Immediate => "Immediate retry",
            Strategy::Fixed => "Fixed delay",
            Strategy::Exponential => "Exponential",
            Strategy::FullJitter => "Full jitter",
            Strategy::EqualJitter => "Equal jitter",
            Strategy::Decorrelated => "Decorrelated jitter",
        }
    }

    pub fn from_name(name: &str) -> Option<Strategy> {
        Strategy::ALL.into_iter().find(|s| s.name() == name)
    }

    /// The exponential ceiling `min(cap, base·2ⁿ)`, without overflow.
    pub fn ceiling(retry: u32, base_us: u64, cap_us: u64) -> u64 {
        let doubled = if retry >= 40 { u64::MAX } else { base_us.saturating_mul(1u64 << retry) };
        doubled.min(cap_us)
    }

    /// The wait before retry number `retry` (0 for the first retry). `previous_us` is the
    /// previous wait (decorrelated jitter builds on it; pass `base_us` for the first retry).
    pub fn delay(self, retry: u32, previous_us: u64, base_us: u64, cap_us: u64, rng: &mut SplitMix64) -> u64 {
        let ceiling = Strategy::ceiling(retry, base_us, cap_us);
        match self {
            Strategy::None | Strategy::Immediate => 0,
            Strategy::Fixed => base_us.min(cap_us),
            Strategy::Exponential => ceiling,
            Strategy::FullJitter => rng.below(ceiling + 1),
            Strategy::EqualJitter => ceiling / 2 + rng.below(ceiling / 2 + 1),
            Strategy::Decorrelated => {
                let high = previous_us.saturating_mul(3).max(base_us);
                (base_us + rng.below(high - base_us + 1)).min(cap_us)
            }
        }
    }
}

/// Everything a run depends on. Times are in milliseconds, as the reader types them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    pub clients: u32,
    /// Clients start at uniformly random moments in `0..=spread_ms`.
    pub spread_ms: u32,
    /// Requests the API can serve per second.
    pub capacity: u32,
    /// The API answers 503 to everything in `outage_from_ms..outage_to_ms`.
    pub outage_from_ms: u32,
    pub outage_to_ms: u32,
    /// Percent of served requests that fail with a random 500, 502, 503 or 504.
    pub error_pct: u32,
    /// Percent of requests that hang and never get an answer.
    pub hang_pct: u32,
    /// Percent of clients whose request is invalid (400, 401, 403 or 404 every time).
    pub bad_pct: u32,
    /// Requests per second the API accepts before answering 429, counted in 10-second
    /// windows; 0 means no limit.
    pub rate_limit: u32,
    pub honor_retry_after: bool,
    pub breaker: bool,
    pub strategy: Strategy,
    pub base_ms: u32,
    pub cap_ms: u32,
    /// Attempts per client, the first one included.
    pub max_attempts: u32,
    /// How long a client waits for an answer before giving up on that attempt.
    pub timeout_ms: u32,
    pub seed: u64,
}

impl Default for Config {
    /// The guide's opening scenario: a three-second outage just as 1,000 clients arrive.
    fn default() -> Self {
        Config {
            clients: 1_000,
            spread_ms: 1_000,
            capacity: 200,
            outage_from_ms: 0,
            outage_to_ms: 3_000,
            error_pct: 0,
            hang_pct: 0,
            bad_pct: 0,
            rate_limit: 0,
            honor_retry_after: true,
            breaker: false,
            strategy: Strategy::Immediate,
            base_ms: 100,
            cap_ms: 5_000,
            max_attempts: 8,
            timeout_ms: 1_000,
            seed: 1,
        }
    }
}

/// The bounds the engine accepts; the widget's catalog uses the same numbers.
pub const MAX_CLIENTS: u32 = 10_000;
pub const MAX_ATTEMPTS: u32 = 20;

/// Reads and writes one numeric field of a [`Config`] by its setting key.
macro_rules! numeric_fields {
    ($($key:literal => $field:ident),* $(,)?) => {
        impl Config {
            /// The numeric settings' keys, as the widget catalog names them.
            pub const NUMERIC_KEYS: &'static [&'static str] = &[$($key),*];

            pub fn get(&self, key: &str) -> Option<i64> {
                match key {
                    $($key => Some(i64::from(self.$field)),)*
                    "retryafter" => Some(i64::from(self.honor_retry_after)),
                    "breaker" => Some(i64::from(self.breaker)),
                    _ => None,
                }
            }

            /// Sets a numeric setting (flags take 0 or 1). Returns false for an unknown key or a
            /// value outside `0..=u32::MAX`; [`Config::validate`] checks the finer bounds.
            pub fn set(&mut self, key: &str, value: i64) -> bool {
                let Ok(v) = u32::try_from(value) else { return false };
                match key {
                    $($key => self.$field = v,)*
                    "retryafter" => self.honor_retry_after = v != 0,
                    "breaker" => self.breaker = v != 0,
                    _ => return false,
                }
                true
            }
        }
    };
}

numeric_fields! {
    "clients" => clients,
    "spread" => spread_ms,
    "capacity" => capacity,
    "outagefrom" => outage_from_ms,
    "outageto" => outage_to_ms,
    "errors" => error_pct,
    "timeouts" => hang_pct,
    "bad" => bad_pct,
    "ratelimit" => rate_limit,
    "base" => base_ms,
    "cap" => cap_ms,
    "attempts" => max_attempts,
    "timeout" => timeout_ms,
}

impl Config {
    /// Checks the settings together. Each message names the setting and says what to change.
    pub fn validate(&self) -> Result<(), String> {
        if self.clients == 0 || self.clients > MAX_CLIENTS {
            return Err(format!("Clients: choose from 1 to {MAX_CLIENTS}."));
        }
        if self.capacity == 0 {
            return Err("Capacity: the API must serve at least 1 request per second.".into());
        }
        if self.base_ms == 0 {
            return Err("Base delay: it must be at least 1 ms; a zero base never backs off.".into());
        }
        if self.cap_ms < self.base_ms {
            return Err(format!("Cap: {} ms is below the base delay of {} ms; the cap must be at least the base.", self.cap_ms, self.base_ms));
        }
        if self.max_attempts == 0 || self.max_attempts > MAX_ATTEMPTS {
            return Err(format!("Attempts: choose from 1 to {MAX_ATTEMPTS}."));
        }
        if self.timeout_ms == 0 {
            return Err("Timeout: it must be at least 1 ms.".into());
        }
        if self.outage_to_ms < self.outage_from_ms {
            return Err("Outage: it must end after it starts.".into());
        }
        if self.error_pct > 100 || self.hang_pct > 100 || self.bad_pct > 100 {
            return Err("Percentages run from 0 to 100.".into());
        }
        Ok(())
    }

    fn in_outage(&self, t: u64) -> bool {
        t >= u64::from(self.outage_from_ms) * MS && t < u64::from(self.outage_to_ms) * MS
    }

    /// Time the API spends serving one request.
    pub fn service_us(&self) -> u64 {
        (SECOND / u64::from(self.capacity.max(1))).max(1)
    }

    fn queue_limit(&self) -> usize {
        ((self.capacity / QUEUE_SECONDS_DIVISOR) as usize).max(1)
    }
}

/// How one attempt ended, as the client saw it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Outcome {
    /// Still waiting (only while the simulation runs).
    Pending,
    Ok,
    /// A 5xx answer (500, 502, 503 or 504).
    Server(u16),
    /// 429 Too Many Requests, with its Retry-After in whole seconds.
    RateLimited { retry_after_s: u32 },
    /// A 4xx answer that repeating cannot fix (400, 401, 403 or 404).
    Client(u16),
    /// No answer within the client's timeout.
    Timeout,
    /// The circuit breaker refused the call; it never left the client.
    ShortCircuit,
}

impl Outcome {
    /// Timeouts, 429 and 5xx are worth another try; 4xx never are. A short-circuited call
    /// never reached the API, so trying later is fine.
    pub fn retryable(self) -> bool {
        matches!(self, Outcome::Server(_) | Outcome::RateLimited { .. } | Outcome::Timeout | Outcome::ShortCircuit)
    }

    /// Counts against the API's health, for the circuit breaker.
    fn is_failure(self) -> bool {
        matches!(self, Outcome::Server(_) | Outcome::RateLimited { .. } | Outcome::Timeout)
    }

    pub fn describe(self) -> String {
        match self {
            Outcome::Pending => "waiting".into(),
            Outcome::Ok => "200 OK".into(),
            Outcome::Server(code) | Outcome::Client(code) => code.to_string(),
            Outcome::RateLimited { retry_after_s } => format!("429, Retry-After: {retry_after_s}"),
            Outcome::Timeout => "timed out".into(),
            Outcome::ShortCircuit => "refused by the open circuit breaker".into(),
        }
    }
}

/// One attempt by one client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Attempt {
    pub client: u32,
    /// 0 for the first attempt.
    pub n: u32,
    /// What the strategy asked to wait before this attempt (0 for the first).
    pub backoff_us: u64,
    /// What the client actually waited: the backoff, or longer when honouring Retry-After.
    pub waited_us: u64,
    pub sent_us: u64,
    /// When it reached the API; `None` when the circuit breaker kept it home.
    pub arrive_us: Option<u64>,
    /// When the client learned the outcome.
    pub end_us: u64,
    pub outcome: Outcome,
}

/// How a client's call ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientEnd {
    Succeeded,
    /// Used up its attempts, or had no retries to use.
    GaveUp,
    /// Got an answer that retrying cannot fix.
    NotRetryable,
    /// Still trying when the simulation stopped.
    Unfinished,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BreakerState {
    Closed,
    Open,
    HalfOpen,
}

impl BreakerState {
    pub fn label(self) -> &'static str {
        match self {
            BreakerState::Closed => "closed",
            BreakerState::Open => "open",
            BreakerState::HalfOpen => "half-open",
        }
    }
}

/// A circuit breaker: closed (calls pass, failures in a row are counted); open after
/// `threshold` failures in a row (calls fail at once); half-open after `open_for_us` (one trial
/// call passes: success closes it, failure opens it again).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Breaker {
    pub state: BreakerState,
    threshold: u32,
    open_for_us: u64,
    failures: u32,
    opened_at: u64,
    /// The attempt allowed through while half-open.
    trial: Option<u32>,
    /// Every change of state, with its time.
    pub log: Vec<(u64, BreakerState)>,
}

impl Breaker {
    pub fn new(threshold: u32, open_for_us: u64) -> Breaker {
        Breaker { state: BreakerState::Closed, threshold: threshold.max(1), open_for_us, failures: 0, opened_at: 0, trial: None, log: Vec::new() }
    }

    fn go(&mut self, now: u64, to: BreakerState) {
        self.state = to;
        self.log.push((now, to));
    }

    /// Whether attempt `id` may call the API at `now`.
    pub fn allow(&mut self, now: u64, id: u32) -> bool {
        match self.state {
            BreakerState::Closed => true,
            BreakerState::Open if now >= self.opened_at + self.open_for_us => {
                self.go(now, BreakerState::HalfOpen);
                self.trial = Some(id);
                true
            }
            BreakerState::Open => false,
            BreakerState::HalfOpen => false,
        }
    }

    /// Records how attempt `id` ended. While half-open only the trial's result counts; while
    /// open, late answers to calls made before it opened are ignored.
    pub fn record(&mut self, now: u64, id: u32, failed: bool) {
        match self.state {
            BreakerState::Closed if failed => {
                self.failures += 1;
                if self.failures >= self.threshold {
                    self.opened_at = now;
                    self.go(now, BreakerState::Open);
                }
            }
            BreakerState::Closed => self.failures = 0,
            BreakerState::HalfOpen if self.trial == Some(id) => {
                self.trial = None;
                self.failures = 0;
                if failed {
                    self.opened_at = now;
                    self.go(now, BreakerState::Open);
                } else {
                    self.go(now, BreakerState::Closed);
                }
            }
            BreakerState::HalfOpen | BreakerState::Open => {}
        }
    }
}

/// Events, ordered by time and then by the order they were scheduled in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Ev {
    Send(u32),
    Arrive(u32),
    Done(u32),
    Reply(u32, Outcome),
    Timeout(u32),
}

#[derive(Clone, Debug)]
struct Client {
    latency_us: u64,
    /// The 4xx code of an invalid request, if this client sends one.
    bad: Option<u16>,
    rng: SplitMix64,
    attempts: u32,
    previous_wait_us: u64,
    next_backoff_us: u64,
    next_wait_us: u64,
}

/// The whole record of one run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Run {
    pub config: Config,
    /// Every attempt, in the order they were made.
    pub attempts: Vec<Attempt>,
    /// How and when each client finished.
    pub ends: Vec<(ClientEnd, u64)>,
    pub breaker_log: Vec<(u64, BreakerState)>,
    /// Requests the API served for a client that had already stopped waiting.
    pub stale_work: u32,
    /// Events processed, a measure of the simulation's work.
    pub events: u64,
}

/// The run's totals, for the summary table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Summary {
    /// Attempts that reached the API.
    pub calls: u32,
    pub succeeded: u32,
    /// Calls that did not produce a success: everything the API handled in vain.
    pub wasted: u32,
    pub gave_up: u32,
    pub not_retryable: u32,
    pub unfinished: u32,
    pub short_circuited: u32,
    /// When the last client finished or gave up.
    pub finish_us: u64,
    /// The most calls that reached the API within one 100 ms slice, per second.
    pub peak_per_s: u32,
}

/// One time slice of a run, for the load chart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Slice {
    /// Calls that reached the API in this slice, by how they ended.
    pub ok: u32,
    pub failed: u32,
    pub lost: u32,
    /// Attempts the circuit breaker refused.
    pub short: u32,
    /// Clients whose call ended in this slice, by how.
    pub succeeded: u32,
    pub gave_up: u32,
}

impl Slice {
    pub fn calls(&self) -> u32 {
        self.ok + self.failed + self.lost
    }
}

/// A resumable simulation.
#[derive(Clone, Debug)]
pub struct Sim {
    cfg: Config,
    heap: BinaryHeap<Reverse<(u64, u64, Ev)>>,
    seq: u64,
    clients: Vec<Client>,
    queue: VecDeque<u32>,
    busy: bool,
    breaker: Breaker,
    server_rng: SplitMix64,
    window: u64,
    window_count: u64,
    run: Run,
}

impl Sim {
    /// Sets up the clients. Call [`Config::validate`] first; out-of-range values are clamped.
    pub fn new(cfg: &Config) -> Sim {
        let mut cfg = cfg.clone();
        cfg.clients = cfg.clients.clamp(1, MAX_CLIENTS);
        cfg.max_attempts = cfg.max_attempts.clamp(1, MAX_ATTEMPTS);
        cfg.capacity = cfg.capacity.max(1);
        cfg.base_ms = cfg.base_ms.max(1);
        cfg.cap_ms = cfg.cap_ms.max(cfg.base_ms);
        let mut sim = Sim {
            heap: BinaryHeap::new(),
            seq: 0,
            clients: Vec::with_capacity(cfg.clients as usize),
            queue: VecDeque::new(),
            busy: false,
            breaker: Breaker::new(BREAKER_THRESHOLD, BREAKER_OPEN_US),
            server_rng: SplitMix64(mix(cfg.seed ^ 0x5EED_5E7E)),
            window: 0,
            window_count: 0,
            run: Run {
                config: cfg.clone(),
                attempts: Vec::new(),
                ends: vec![(ClientEnd::Unfinished, HORIZON_US); cfg.clients as usize],
                breaker_log: Vec::new(),
                stale_work: 0,
                events: 0,
            },
            cfg,
        };
        let spread = u64::from(sim.cfg.spread_ms) * MS;
        for c in 0..sim.cfg.clients {
            let mut rng = SplitMix64(mix(sim.cfg.seed.wrapping_mul(0x9E37_79B9).wrapping_add(u64::from(c) + 1)));
            let start = rng.below(spread + 1);
            let latency_us = LATENCY_MIN_US + rng.below(LATENCY_SPREAD_US + 1);
            let bad = (rng.below(100) < u64::from(sim.cfg.bad_pct)).then(|| [400, 401, 403, 404][rng.below(4) as usize]);
            let base = u64::from(sim.cfg.base_ms) * MS;
            sim.clients.push(Client { latency_us, bad, rng, attempts: 0, previous_wait_us: base, next_backoff_us: 0, next_wait_us: 0 });
            sim.push(start, Ev::Send(c));
        }
        sim
    }

    fn push(&mut self, at: u64, ev: Ev) {
        self.seq += 1;
        self.heap.push(Reverse((at, self.seq, ev)));
    }

    pub fn is_done(&self) -> bool {
        self.heap.peek().is_none_or(|Reverse((t, _, _))| *t > HORIZON_US)
    }

    /// Events processed so far.
    pub fn events(&self) -> u64 {
        self.run.events
    }

    /// Processes up to `max_events` events. Returns true when the run is complete.
    pub fn run_slice(&mut self, max_events: usize) -> bool {
        for _ in 0..max_events {
            if self.is_done() {
                return true;
            }
            let Some(Reverse((now, _, ev))) = self.heap.pop() else { return true };
            self.run.events += 1;
            self.handle(now, ev);
        }
        self.is_done()
    }

    /// Runs to the end and returns the record.
    pub fn finish(mut self) -> Run {
        while !self.run_slice(100_000) {}
        self.run.breaker_log = std::mem::take(&mut self.breaker.log);
        self.run
    }

    fn handle(&mut self, now: u64, ev: Ev) {
        match ev {
            Ev::Send(c) => self.send(now, c),
            Ev::Arrive(id) => self.arrive(now, id),
            Ev::Done(id) => self.done(now, id),
            Ev::Reply(id, outcome) => {
                if self.run.attempts[id as usize].outcome == Outcome::Pending {
                    self.conclude(now, id, outcome);
                }
            }
            Ev::Timeout(id) => {
                if self.run.attempts[id as usize].outcome == Outcome::Pending {
                    self.conclude(now, id, Outcome::Timeout);
                }
            }
        }
    }

    fn send(&mut self, now: u64, c: u32) {
        let id = self.run.attempts.len() as u32;
        let client = &mut self.clients[c as usize];
        let n = client.attempts;
        client.attempts += 1;
        let latency = client.latency_us;
        self.run.attempts.push(Attempt {
            client: c,
            n,
            backoff_us: client.next_backoff_us,
            waited_us: client.next_wait_us,
            sent_us: now,
            arrive_us: None,
            end_us: now,
            outcome: Outcome::Pending,
        });
        if self.cfg.breaker && !self.breaker.allow(now, id) {
            self.conclude(now, id, Outcome::ShortCircuit);
            return;
        }
        self.push(now + latency, Ev::Arrive(id));
        self.push(now + u64::from(self.cfg.timeout_ms) * MS, Ev::Timeout(id));
    }

    fn reply(&mut self, now: u64, id: u32, outcome: Outcome) {
        let c = self.run.attempts[id as usize].client;
        let latency = self.clients[c as usize].latency_us;
        self.push(now + latency, Ev::Reply(id, outcome));
    }

    fn arrive(&mut self, now: u64, id: u32) {
        self.run.attempts[id as usize].arrive_us = Some(now);
        if self.cfg.in_outage(now) {
            return self.reply(now, id, Outcome::Server(503));
        }
        if self.cfg.rate_limit > 0 {
            let window = now / RATE_WINDOW_US;
            if window != self.window {
                self.window = window;
                self.window_count = 0;
            }
            if self.window_count >= u64::from(self.cfg.rate_limit) * (RATE_WINDOW_US / SECOND) {
                let left = (window + 1) * RATE_WINDOW_US - now;
                let retry_after_s = left.div_ceil(SECOND).max(1) as u32;
                return self.reply(now, id, Outcome::RateLimited { retry_after_s });
            }
            self.window_count += 1;
        }
        if self.server_rng.below(100) < u64::from(self.cfg.hang_pct) {
            return; // Stuck on something downstream: no answer ever comes.
        }
        if !self.busy {
            self.busy = true;
            self.push(now + self.cfg.service_us(), Ev::Done(id));
        } else if self.queue.len() < self.cfg.queue_limit() {
            self.queue.push_back(id);
        } else {
            self.reply(now, id, Outcome::Server(503));
        }
    }

    fn done(&mut self, now: u64, id: u32) {
        let c = self.run.attempts[id as usize].client;
        if self.run.attempts[id as usize].outcome != Outcome::Pending {
            self.run.stale_work += 1;
        }
        let outcome = if self.cfg.in_outage(now) {
            Outcome::Server(503)
        } else if let Some(code) = self.clients[c as usize].bad {
            Outcome::Client(code)
        } else if self.server_rng.below(100) < u64::from(self.cfg.error_pct) {
            Outcome::Server([500, 502, 503, 504][self.server_rng.below(4) as usize])
        } else {
            Outcome::Ok
        };
        self.reply(now, id, outcome);
        match self.queue.pop_front() {
            Some(next) => self.push(now + self.cfg.service_us(), Ev::Done(next)),
            None => self.busy = false,
        }
    }

    /// The client learns how attempt `id` ended, and decides what to do next.
    fn conclude(&mut self, now: u64, id: u32, outcome: Outcome) {
        let a = &mut self.run.attempts[id as usize];
        a.outcome = outcome;
        a.end_us = now;
        let c = a.client;
        if outcome != Outcome::ShortCircuit && self.cfg.breaker {
            self.breaker.record(now, id, outcome.is_failure());
        }
        let end = &mut self.run.ends[c as usize];
        if outcome == Outcome::Ok {
            *end = (ClientEnd::Succeeded, now);
            return;
        }
        if !outcome.retryable() {
            *end = (ClientEnd::NotRetryable, now);
            return;
        }
        let cfg = &self.cfg;
        let client = &mut self.clients[c as usize];
        if cfg.strategy == Strategy::None || client.attempts >= cfg.max_attempts {
            *end = (ClientEnd::GaveUp, now);
            return;
        }
        let (base, cap) = (u64::from(cfg.base_ms) * MS, u64::from(cfg.cap_ms) * MS);
        let backoff = cfg.strategy.delay(client.attempts - 1, client.previous_wait_us, base, cap, &mut client.rng);
        client.previous_wait_us = backoff;
        let wait = match outcome {
            Outcome::RateLimited { retry_after_s } if cfg.honor_retry_after => backoff.max(u64::from(retry_after_s) * SECOND),
            _ => backoff,
        };
        client.next_backoff_us = backoff;
        client.next_wait_us = wait;
        self.push(now + wait, Ev::Send(c));
    }
}

/// Runs a whole simulation at once (tests, benches and the native examples).
pub fn simulate(cfg: &Config) -> Run {
    Sim::new(cfg).finish()
}

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

/// A duration for people: "0 ms", "340 ms", "1.25 s", "12.5 s", "3 min 20 s". Integer
/// arithmetic only, so the browser build needs no float formatting.
pub fn fmt_time(us: u64) -> String {
    let ms = us / MS;
    if ms < 1_000 {
        format!("{ms} ms")
    } else if ms < 10_000 {
        let hundredths = ms / 10;
        format!("{}.{:02} s", hundredths / 100, hundredths % 100).replace(".00 s", " s")
    } else if ms < 120_000 {
        let tenths = ms / 100;
        format!("{}.{} s", tenths / 10, tenths % 10).replace(".0 s", " s")
    } else {
        format!("{} min {} s", ms / 60_000, (ms % 60_000) / 1_000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use super::Strategy;

    fn cfg(strategy: Strategy) -> Config {
        Config { strategy, ..Config::default() }
    }

    fn attempts_of(run: &Run, c: u32) -> Vec<Attempt> {
        run.attempts.iter().filter(|a| a.client == c).copied().collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn every_delay_lies_within_its_formula(seed in any::<u64>(), base in 1u64..5_000_000, extra in 0u64..60_000_000, retries in 1u32..25) {
            let cap = base + extra;
            for s in Strategy::ALL {
                let mut rng = SplitMix64(seed);
                let mut previous = base;
                for n in 0..retries {
                    let d = s.delay(n, previous, base, cap, &mut rng);
                    let ceiling = Strategy::ceiling(n, base, cap);
                    let (lo, hi) = match s {
                        Strategy::None | Strategy::Immediate => (0, 0),
                        Strategy::Fixed => (base, base),
                        Strategy::Exponential => (ceiling, ceiling),
                        Strategy::FullJitter => (0, ceiling),
                        Strategy::EqualJitter => (ceiling / 2, ceiling),
                        Strategy::Decorrelated => (base.min(cap), (previous * 3).max(base).min(cap)),
                    };
                    prop_assert!(lo <= d && d <= hi, "{s:?} retry {n}: {d} not in {lo}..={hi}");
                    previous = d;
                }
            }
        }

        #[test]
        fn every_run_conserves_clients_and_respects_its_limits(seed in any::<u64>(), s in 0usize..7, clients in 1u32..120, attempts in 1u32..6, errors in 0u32..60, bad in 0u32..30, breaker in any::<bool>()) {
            let c = Config { clients, seed, strategy: Strategy::ALL[s], max_attempts: attempts, error_pct: errors, bad_pct: bad, breaker, hang_pct: 5, ..Config::default() };
            let run = simulate(&c);
            prop_assert_eq!(run.ends.len(), clients as usize);
            let sum = run.summary();
            prop_assert_eq!(sum.succeeded + sum.gave_up + sum.not_retryable + sum.unfinished, clients);
            for client in 0..clients {
                let mine = attempts_of(&run, client);
                prop_assert!(!mine.is_empty() && mine.len() as u32 <= attempts);
                for (i, a) in mine.iter().enumerate() {
                    prop_assert_eq!(a.n as usize, i);
                    prop_assert!(a.outcome != Outcome::Pending || run.ends[client as usize].0 == ClientEnd::Unfinished);
                    // Nothing follows a success or an answer that retrying cannot fix.
                    if a.outcome == Outcome::Ok || !a.outcome.retryable() {
                        prop_assert_eq!(i + 1, mine.len());
                    }
                    if i > 0 {
                        prop_assert_eq!(a.sent_us, mine[i - 1].end_us + a.waited_us);
                    }
                }
            }
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_run_and_another_seed_does_not() {
        let a = simulate(&cfg(Strategy::FullJitter));
        let b = simulate(&cfg(Strategy::FullJitter));
        assert_eq!(a, b);
        let c = simulate(&Config { seed: 2, ..cfg(Strategy::FullJitter) });
        assert_ne!(a.attempts, c.attempts);
    }

    #[test]
    fn a_sliced_run_equals_a_run_in_one_go() {
        let c = cfg(Strategy::Decorrelated);
        let mut sim = Sim::new(&c);
        while !sim.run_slice(777) {}
        assert_eq!(sim.finish(), simulate(&c));
    }

    #[test]
    fn strategies_face_the_same_clients() {
        let a = simulate(&cfg(Strategy::Immediate));
        let b = simulate(&cfg(Strategy::FullJitter));
        for c in 0..a.config.clients {
            assert_eq!(attempts_of(&a, c)[0].sent_us, attempts_of(&b, c)[0].sent_us);
        }
    }

    /// A burst of clients far beyond the API's capacity, retrying until they succeed.
    fn contention(strategy: Strategy, seed: u64) -> Summary {
        simulate(&Config { clients: 1_000, spread_ms: 100, outage_to_ms: 0, max_attempts: 20, cap_ms: 20_000, seed, ..cfg(strategy) }).summary()
    }

    #[test]
    fn under_contention_jitter_calls_less_than_exponential_which_calls_less_than_immediate() {
        for seed in 1..=5 {
            let imm = contention(Strategy::Immediate, seed);
            let exp = contention(Strategy::Exponential, seed);
            assert!(exp.calls < imm.calls, "seed {seed}: exponential {} vs immediate {}", exp.calls, imm.calls);
            for j in [Strategy::FullJitter, Strategy::EqualJitter, Strategy::Decorrelated] {
                let jit = contention(j, seed);
                assert!(jit.calls < exp.calls, "seed {seed}: {j:?} {} vs exponential {}", jit.calls, exp.calls);
                assert!(jit.finish_us < exp.finish_us, "seed {seed}: {j:?} finishes later than exponential");
            }
        }
    }

    #[test]
    fn jitter_finishes_more_clients_than_immediate_retry_in_an_outage() {
        let imm = simulate(&cfg(Strategy::Immediate)).summary();
        let full = simulate(&cfg(Strategy::FullJitter)).summary();
        assert!(imm.gave_up > full.gave_up);
        assert!(full.succeeded > imm.succeeded);
    }

    #[test]
    fn no_retry_means_one_attempt_each() {
        let run = simulate(&cfg(Strategy::None));
        assert_eq!(run.attempts.len(), run.config.clients as usize);
    }

    #[test]
    fn invalid_requests_are_never_retried() {
        let run = simulate(&Config { bad_pct: 100, outage_to_ms: 0, capacity: 100_000, ..cfg(Strategy::Immediate) });
        assert_eq!(run.attempts.len(), run.config.clients as usize);
        assert!(run.attempts.iter().all(|a| matches!(a.outcome, Outcome::Client(400 | 401 | 403 | 404))));
        assert_eq!(run.summary().not_retryable, run.config.clients);
    }

    #[test]
    fn server_errors_and_timeouts_are_retried() {
        let run = simulate(&Config { error_pct: 50, hang_pct: 20, outage_to_ms: 0, clients: 200, ..cfg(Strategy::Immediate) });
        let retried = |pred: fn(Outcome) -> bool| {
            run.attempts.iter().any(|a| pred(a.outcome) && run.attempts.iter().any(|b| b.client == a.client && b.n == a.n + 1))
        };
        assert!(retried(|o| matches!(o, Outcome::Server(_))));
        assert!(retried(|o| o == Outcome::Timeout));
    }

    fn limited(honor: bool) -> Run {
        simulate(&Config { rate_limit: 20, outage_to_ms: 0, clients: 400, honor_retry_after: honor, ..cfg(Strategy::Exponential) })
    }

    #[test]
    fn retry_after_is_respected_when_honoured() {
        let run = limited(true);
        let mut checked = 0;
        for a in &run.attempts {
            if let Outcome::RateLimited { retry_after_s } = a.outcome {
                assert!((1..=10).contains(&retry_after_s));
                if let Some(next) = run.attempts.iter().find(|b| b.client == a.client && b.n == a.n + 1) {
                    assert!(next.sent_us >= a.end_us + u64::from(retry_after_s) * SECOND);
                    checked += 1;
                }
            }
        }
        assert!(checked > 100, "the scenario must produce 429s to check ({checked})");
        // The same scenario ignoring the header retries too early, so the check above can fail.
        let rude = limited(false);
        assert!(rude.attempts.iter().any(|a| match a.outcome {
            Outcome::RateLimited { retry_after_s } => rude
                .attempts
                .iter()
                .any(|b| b.client == a.client && b.n == a.n + 1 && b.sent_us < a.end_us + u64::from(retry_after_s) * SECOND),
            _ => false,
        }));
        assert!(limited(true).summary().calls < rude.summary().calls);
    }

    #[test]
    fn breaker_moves_through_its_states() {
        let mut b = Breaker::new(3, 1_000);
        assert!(b.allow(0, 1));
        b.record(10, 1, true);
        b.record(11, 2, true);
        b.record(12, 3, false); // a success resets the count
        assert_eq!(b.state, BreakerState::Closed);
        for id in 4..7 {
            b.record(20, id, true);
        }
        assert_eq!(b.state, BreakerState::Open);
        assert!(!b.allow(500, 7), "open: fail fast");
        assert!(b.allow(1_020, 8), "after the open period one trial passes");
        assert_eq!(b.state, BreakerState::HalfOpen);
        assert!(!b.allow(1_021, 9), "only one trial at a time");
        b.record(1_030, 5, true); // a late answer from before is not the trial's
        assert_eq!(b.state, BreakerState::HalfOpen);
        b.record(1_040, 8, true);
        assert_eq!(b.state, BreakerState::Open, "a failed trial opens it again");
        assert!(b.allow(2_040, 10));
        b.record(2_050, 10, false);
        assert_eq!(b.state, BreakerState::Closed, "a good trial closes it");
        let states: Vec<_> = b.log.iter().map(|&(_, s)| s).collect();
        use BreakerState::*;
        assert_eq!(states, [Open, HalfOpen, Open, HalfOpen, Closed]);
    }

    #[test]
    fn an_open_breaker_keeps_calls_off_the_api() {
        let run = simulate(&Config { breaker: true, ..cfg(Strategy::FullJitter) });
        let sum = run.summary();
        assert!(sum.short_circuited > 0);
        assert!(run.breaker_log.iter().any(|&(_, s)| s == BreakerState::Open));
        assert_eq!(run.breaker_log.last().map(|&(_, s)| s), Some(BreakerState::Closed));
        for a in &run.attempts {
            if a.outcome == Outcome::ShortCircuit {
                assert_eq!(a.arrive_us, None);
                assert_ne!(run.breaker_at(a.sent_us), BreakerState::Closed, "a closed breaker lets every call through");
            }
        }
        assert!(sum.calls < simulate(&cfg(Strategy::FullJitter)).summary().calls);
    }

    #[test]
    fn validation_names_the_setting() {
        let bad = |c: Config| c.validate().unwrap_err();
        assert!(bad(Config { base_ms: 0, ..Config::default() }).starts_with("Base delay"));
        assert!(bad(Config { cap_ms: 50, ..Config::default() }).starts_with("Cap"));
        assert!(bad(Config { clients: 10_001, ..Config::default() }).starts_with("Clients"));
        assert!(bad(Config { outage_from_ms: 5, outage_to_ms: 1, ..Config::default() }).starts_with("Outage"));
        assert!(Config::default().validate().is_ok());
    }

    #[test]
    fn replay_steps_cover_the_run_and_slices_add_up() {
        let runs = vec![simulate(&cfg(Strategy::Immediate)), simulate(&cfg(Strategy::FullJitter))];
        let mut r = Replay::new(runs.clone());
        assert!(r.steps() <= MAX_STEPS && r.steps() > 0);
        for (i, run) in runs.iter().enumerate() {
            let total: u32 = r.slices(i).iter().map(Slice::calls).sum();
            assert_eq!(total, run.summary().calls);
            let dens: u32 = run.density(r.width_us(), r.steps(), 20).iter().flatten().sum();
            assert_eq!(dens as usize, run.attempts.len());
        }
        assert!(r.narrate().starts_with("Before the first call"));
        while r.advance() {}
        let (done, gave_up) = r.finished_by_now(0);
        let s = runs[0].summary();
        assert_eq!((done, gave_up), (s.succeeded, s.gave_up + s.not_retryable));
        assert!(r.narrate().contains("Full jitter"));
    }

    #[test]
    fn ten_thousand_clients_finish_within_the_horizon() {
        let run = simulate(&Config { clients: 10_000, capacity: 2_000, ..cfg(Strategy::FullJitter) });
        let s = run.summary();
        assert_eq!(s.unfinished, 0);
        assert!(s.succeeded > 8_000, "{s:?}");
    }

    #[test]
    fn times_read_naturally() {
        assert_eq!(fmt_time(0), "0 ms");
        assert_eq!(fmt_time(340_000), "340 ms");
        assert_eq!(fmt_time(1_250_000), "1.25 s");
        assert_eq!(fmt_time(2_000_000), "2 s");
        assert_eq!(fmt_time(12_500_000), "12.5 s");
        assert_eq!(fmt_time(200_000_000), "3 min 20 s");
    }
}
