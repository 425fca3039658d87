//! Retries against a struggling API, or against each other: a seeded discrete-event simulation.
//!
//! N clients each want one call to succeed. Two workloads:
//! - **An API** ([`Workload::Api`]) serves requests one after another at a fixed rate, keeps
//!   a short queue, and answers 503 at once when the queue is full. On top of that the reader
//!   can inject an outage window, random 5xx answers, requests that hang, clients whose
//!   requests are invalid (4xx), a rate limit answering 429 with `Retry-After`, and a circuit
//!   breaker in front of the API shared by all clients.
//! - **One row** ([`Workload::Row`]) that every client updates with optimistic concurrency,
//!   the model of AWS's backoff study (Brooker 2015): read the row's version, write only if it
//!   is unchanged (412 Precondition Failed otherwise), back off and start again. Each message
//!   takes a network delay drawn from |N(net, net/5)|, as in that study's simulator. A round
//!   lets one writer through, so with no backoff the work grows with N².
//!
//! Attempt numbering: the first retry is retry 0 and waits up to `base`; AWS's simulator
//! numbers it 1, so its first wait is up to 2·base. Ours with `base` doubled is the same
//! schedule for exponential, full and equal jitter (the tests compare that way).
//!
//! Each failed attempt is retried (or not) by one [`Strategy`]. Time is whole microseconds and
//! every random draw comes from seeded SplitMix64 streams: the clients' own draws (start time,
//! network latency, invalid requests, jitter) come from a stream per client, so two strategies
//! run on the same seed face exactly the same clients.
//!
//! [`Sim`] is resumable, so a browser can run 10,000 clients in slices that never block the
//! page; [`Run`] is its complete record; [`Replay`] steps through a run (or two side by side)
//! for the widget's timeline.

mod replay;
mod sim;
#[cfg(test)]
mod tests;

pub use replay::{step_width, Replay, MAX_STEPS};
pub use sim::{simulate, Sim};

use super::des::{MS, SECOND};
use super::rng::SplitMix64;

/// The simulation stops here; clients still trying are reported as unfinished.
pub const HORIZON_US: u64 = 600 * SECOND;
/// With no limit on attempts, the run stops sending once this many attempts have been made
/// in all (the summary says so): enough to show runaway work, small enough for a phone.
pub const SAFETY_ATTEMPTS: usize = 300_000;
/// The one-row workload's most clients: with no backoff its work grows with N².
pub const MAX_ROW_CLIENTS: u32 = 500;
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

/// What the clients are calling.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Workload {
    /// An API with a fixed capacity, and the failure modes the reader turns on.
    Api,
    /// One row, updated by every client with optimistic concurrency.
    Row,
}

impl Workload {
    pub const ALL: [Workload; 2] = [Workload::Api, Workload::Row];

    pub fn name(self) -> &'static str {
        match self {
            Workload::Api => "api",
            Workload::Row => "row",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Workload::Api => "An API under load",
            Workload::Row => "One row, many writers",
        }
    }

    pub fn from_name(name: &str) -> Option<Workload> {
        Workload::ALL.into_iter().find(|w| w.name() == name)
    }
}

/// Everything a run depends on. Times are in milliseconds, as the reader types them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    pub workload: Workload,
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
    /// Attempts per client, the first one included; 0 for no limit (up to [`SAFETY_ATTEMPTS`]
    /// in all).
    pub max_attempts: u32,
    /// The one-row workload's mean network delay for each message, one way.
    pub net_ms: u32,
    /// How long a client waits for an answer before giving up on that attempt.
    pub timeout_ms: u32,
    pub seed: u64,
}

impl Default for Config {
    /// The guide's opening scenario: a three-second outage just as 1,000 clients arrive.
    fn default() -> Self {
        Config {
            workload: Workload::Api,
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
            net_ms: 10,
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
    "net" => net_ms,
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
        if self.max_attempts > MAX_ATTEMPTS {
            return Err(format!("Attempts: choose from 1 to {MAX_ATTEMPTS}, or 0 for no limit."));
        }
        if self.workload == Workload::Row {
            if self.clients > MAX_ROW_CLIENTS {
                return Err(format!("Clients: on one row, choose from 1 to {MAX_ROW_CLIENTS}; with no backoff the work grows with the square of the clients."));
            }
            if self.net_ms == 0 || self.net_ms > 1_000 {
                return Err("Network delay: choose from 1 to 1,000 ms.".into());
            }
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
    /// 412 Precondition Failed: the row's version changed since this client read it.
    Conflict,
}

impl Outcome {
    /// Timeouts, 429 and 5xx are worth another try; 4xx never are. A short-circuited call
    /// never reached the API, so trying later is fine.
    pub fn retryable(self) -> bool {
        matches!(self, Outcome::Server(_) | Outcome::RateLimited { .. } | Outcome::Timeout | Outcome::ShortCircuit | Outcome::Conflict)
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
            Outcome::Conflict => "412, the row changed".into(),
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
    /// With no limit on attempts: when the run reached [`SAFETY_ATTEMPTS`] and stopped sending.
    pub safety_stop: Option<u64>,
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
    /// Calls that reached the API in this slice (counted where they arrived, though their
    /// answer may come in a later slice), by how they ended.
    pub ok: u32,
    /// Every error answer: the four kinds below together.
    pub failed: u32,
    /// 503 Service Unavailable (the outage, and shed load).
    pub unavailable: u32,
    /// Any other 5xx.
    pub server: u32,
    /// 429 Too Many Requests.
    pub limited: u32,
    /// A 4xx that repeating cannot fix.
    pub client: u32,
    /// 412 on the one-row workload: the version changed since the read.
    pub conflict: u32,
    pub lost: u32,
    /// Attempts the circuit breaker refused.
    pub short: u32,
    /// Clients whose call ended in this slice, by how: a success, out of attempts, or
    /// stopped on an answer not worth retrying.
    pub succeeded: u32,
    pub gave_up: u32,
    pub stopped: u32,
}

impl Slice {
    pub fn calls(&self) -> u32 {
        self.ok + self.failed + self.lost
    }
}

pub use crate::sim::des::fmt_time;

