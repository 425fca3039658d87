//! Load balancing: requests arriving by a Poisson process, a load balancer that picks a server
//! for each by one of six policies, and servers that answer one request at a time from a
//! first-in, first-out queue. Every response time is kept, so the percentiles are exact.
//!
//! - **Round robin**: each server in turn.
//! - **Weighted round robin**: in turn, in proportion to each server's speed (nginx's smooth
//!   weighted round robin, which spreads a heavy server's turns out instead of bunching them).
//! - **Random**: any server, uniformly.
//! - **Least connections**: the server with the fewest requests in progress (queued or being
//!   served); ties go to the next in turn.
//! - **Power of two choices** (Mitzenmacher; Azar, Broder, Karlin and Upfal): two servers
//!   drawn at random, and the one with fewer in progress.
//! - **Least response time**: the lowest expected wait, a moving average of each server's
//!   recent response times times one more than its requests in progress (the idea behind
//!   NGINX Plus's `least_time` and Finagle's peak EWMA, simplified).
//!
//! A run can make server A slower than the rest (a noisy neighbour, a bad disk) and make
//! server B crash for the middle third of the run. A crashed server refuses connections, so
//! the balancer tries another server at once; the requests it held are lost. Health checks
//! every second take a server out after [`FALL`] failures in a row and put it back after
//! [`RISE`] passes (HAProxy's defaults), and until then the policies keep choosing it.
//!
//! Two policies run on one seed face the same requests: arrival times and each request's
//! work come from one random stream, the balancer's own draws from another. [`Sim`] runs a
//! policy a slice at a time; [`Replay`] steps through one or two finished [`Run`]s.

use std::collections::VecDeque;

use super::des::{exp_draw, fmt_time, stream, unit, Micros, Resumable, Scheduler, MS, SECOND};
use super::rng::SplitMix64;
use super::{group, plural};

pub const MAX_SERVERS: u32 = 16;
pub const MAX_REQUESTS: u32 = 100_000;
pub const MAX_SLOW: u32 = 10;
pub const MAX_SERVICE_MS: u32 = 1_000;
pub const MIN_LOAD: u32 = 10;
pub const MAX_LOAD: u32 = 98;
/// Arrivals the timeline shows one at a time, with each policy's reasoning.
pub const FIRST_ARRIVALS: u32 = 8;
/// Moments the timeline shows after them, evenly spread over the arrivals.
pub const TICKS: u32 = 40;
/// Request ids drawn per lane; the rest of a queue is a count.
pub const LANE_TOKENS: usize = 8;
/// Health checks: the interval, and the failures (passes) in a row that take a server out (in).
pub const CHECK_EVERY: Micros = SECOND;
pub const FALL: u32 = 3;
pub const RISE: u32 = 2;
/// What one refused connection costs a request before the balancer tries elsewhere.
pub const REFUSED_COST: Micros = MS;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Policy {
    RoundRobin,
    Weighted,
    Random,
    LeastConn,
    TwoChoices,
    LeastTime,
}

impl Policy {
    pub const ALL: [Policy; 6] = [Policy::RoundRobin, Policy::Weighted, Policy::Random, Policy::LeastConn, Policy::TwoChoices, Policy::LeastTime];

    pub fn key(self) -> &'static str {
        match self {
            Policy::RoundRobin => "round-robin",
            Policy::Weighted => "weighted",
            Policy::Random => "random",
            Policy::LeastConn => "least-conn",
            Policy::TwoChoices => "two-choices",
            Policy::LeastTime => "least-time",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Policy::RoundRobin => "Round robin",
            Policy::Weighted => "Weighted round robin",
            Policy::Random => "Random",
            Policy::LeastConn => "Least connections",
            Policy::TwoChoices => "Power of two choices",
            Policy::LeastTime => "Least response time",
        }
    }

    pub fn from_key(k: &str) -> Option<Policy> {
        Policy::ALL.into_iter().find(|p| p.key() == k)
    }
}

/// How long requests take to serve, around the mean.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Service {
    /// Memoryless: most requests short, a few long (the M/M/1 queue's assumption).
    Exponential,
    /// Every request the same.
    Constant,
    /// Nine in ten quick, one in ten ten times as long (a report, a cache miss).
    HeavyTail,
}

impl Service {
    pub const ALL: [Service; 3] = [Service::Exponential, Service::Constant, Service::HeavyTail];

    pub fn key(self) -> &'static str {
        match self {
            Service::Exponential => "exp",
            Service::Constant => "const",
            Service::HeavyTail => "heavy",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Service::Exponential => "exponential",
            Service::Constant => "all the same",
            Service::HeavyTail => "one in ten slow",
        }
    }

    pub fn from_key(k: &str) -> Option<Service> {
        Service::ALL.into_iter().find(|s| s.key() == k)
    }

    /// A request's work in microseconds at normal speed, for mean `mean_us`.
    fn draw(self, rng: &mut SplitMix64, mean_us: f64) -> Micros {
        match self {
            Service::Exponential => exp_draw(rng, mean_us),
            Service::Constant => (mean_us.round() as Micros).max(1),
            // 0.9 × 0.55 + 0.1 × 5.05 = 1: the mean stays the mean.
            Service::HeavyTail => {
                let slow = unit(rng) <= 0.1;
                exp_draw(rng, mean_us * if slow { 5.05 } else { 0.55 })
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    pub policy: Policy,
    pub servers: u32,
    /// Arrivals as a percentage of what the servers can serve together.
    pub load: u32,
    /// A request's mean service time on a normal server.
    pub service_ms: u32,
    pub service: Service,
    /// How many times slower server A is (1: as fast as the rest).
    pub slow: u32,
    /// Server B crashes for the middle third of the run.
    pub fail: bool,
    pub requests: u32,
    pub seed: u64,
}

impl Default for Config {
    fn default() -> Config {
        Config { policy: Policy::Random, servers: 8, load: 90, service_ms: 20, service: Service::Exponential, slow: 1, fail: false, requests: 5_000, seed: 1 }
    }
}

impl Config {
    /// Checks the settings together; the message names the setting to fix.
    pub fn validate(&self) -> Result<(), String> {
        if !(2..=MAX_SERVERS).contains(&self.servers) {
            return Err(format!("Servers: choose from 2 to {MAX_SERVERS}."));
        }
        if !(MIN_LOAD..=MAX_LOAD).contains(&self.load) {
            return Err(format!("Load: choose from {MIN_LOAD} to {MAX_LOAD} per cent of capacity."));
        }
        if !(1..=MAX_SERVICE_MS).contains(&self.service_ms) {
            return Err(format!("Service time: choose from 1 to {} ms.", group(u64::from(MAX_SERVICE_MS))));
        }
        if !(1..=MAX_SLOW).contains(&self.slow) {
            return Err(format!("Server A's slowdown: choose from 1 (none) to {MAX_SLOW} times."));
        }
        if !(1..=MAX_REQUESTS).contains(&self.requests) {
            return Err(format!("Requests: choose from 1 to {}.", group(u64::from(MAX_REQUESTS))));
        }
        Ok(())
    }

    /// How many times slower than normal server `s` is.
    pub fn factor(&self, s: usize) -> u32 {
        if s == 0 {
            self.slow.max(1)
        } else {
            1
        }
    }

    /// Requests per second the servers can serve together.
    pub fn capacity_per_s(&self) -> f64 {
        (0..self.servers as usize).map(|s| 1e6 / (f64::from(self.service_ms) * 1e3 * f64::from(self.factor(s)))).sum()
    }

    /// The mean time between arrivals.
    pub fn gap_us(&self) -> f64 {
        1e6 / (self.capacity_per_s() * f64::from(self.load) / 100.0)
    }

    /// When the last request is expected to arrive: the span the timeline's moments cover.
    pub fn span_us(&self) -> Micros {
        ((f64::from(self.requests) * self.gap_us()).round() as Micros).max(1)
    }

    /// Server B's crash and return, if it crashes: the middle third of the span.
    pub fn outage(&self) -> Option<(Micros, Micros)> {
        self.fail.then(|| (self.span_us() / 3, self.span_us() * 2 / 3))
    }

    /// A weight per server for weighted round robin: in proportion to its speed.
    pub fn weights(&self) -> Vec<u32> {
        (0..self.servers as usize).map(|s| if self.factor(s) > 1 { 1 } else { self.slow.max(1) }).collect()
    }
}

/// A server's name: A, B, C, …
pub fn server_name(s: usize) -> char {
    char::from(b'A' + (s % 26) as u8)
}

/// A response time for people, from microseconds: "0.4 ms", "8.5 ms", "42 ms", "1.25 s".
/// Integer arithmetic only (the browser build carries no float formatting).
pub fn fmt_ms(us: u64) -> String {
    if us < 10 * MS {
        let tenths = (us + 50) / 100;
        format!("{}.{} ms", tenths / 10, tenths % 10)
    } else {
        fmt_time(us)
    }
}

/// The nearest-rank percentile of sorted values, in thousandths (`990` is p99, `999` is
/// p99.9): the smallest value with at least that share of the values at or below it.
pub fn percentile(sorted: &[u64], per_mille: u32) -> Option<u64> {
    if sorted.is_empty() {
        return None;
    }
    let n = sorted.len() as u64;
    let rank = (u64::from(per_mille) * n).div_ceil(1000).clamp(1, n);
    Some(sorted[rank as usize - 1])
}

/// The percentiles the widget reports, in thousandths, with their names.
pub const PERCENTILES: [(u32, &str); 4] = [(500, "p50"), (950, "p95"), (990, "p99"), (999, "p99.9")];

/// What the balancer knows of a server when it chooses.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct View {
    /// Requests queued or being served.
    pub active: u32,
    /// The moving average of its response times, in microseconds.
    pub ewma_us: f64,
}

/// A policy's state between choices, and its choice.
#[derive(Clone, Debug)]
pub struct Chooser {
    pub policy: Policy,
    next: usize,
    weights: Vec<u32>,
    current: Vec<i64>,
    rng: SplitMix64,
}

/// Why a server was chosen, for the narration.
#[derive(Clone, Debug, PartialEq)]
pub struct Choice {
    pub server: usize,
    /// The servers compared (two for two choices; every eligible one for the least-of policies).
    pub sampled: Vec<usize>,
}

impl Chooser {
    pub fn new(policy: Policy, weights: Vec<u32>, rng: SplitMix64) -> Chooser {
        let n = weights.len();
        Chooser { policy, next: 0, weights, current: vec![0; n], rng }
    }

    /// Picks one of the servers `eligible` allows, from what the balancer sees of each. `None`
    /// when none is eligible.
    pub fn choose(&mut self, views: &[View], eligible: &dyn Fn(usize) -> bool) -> Option<Choice> {
        let n = views.len();
        let first = (0..n).find(|&s| eligible(s))?;
        // The least of a cost, ties going to the first at or after the rotating start.
        let least = |start: usize, cost: &dyn Fn(usize) -> f64| -> usize {
            let mut best: Option<usize> = None;
            for i in 0..n {
                let s = (start + i) % n;
                if eligible(s) && best.is_none_or(|b| cost(s) < cost(b)) {
                    best = Some(s);
                }
            }
            best.unwrap_or(first)
        };
        let server = match self.policy {
            Policy::RoundRobin => {
                let s = (0..n).map(|i| (self.next + i) % n).find(|&s| eligible(s)).unwrap_or(first);
                self.next = (s + 1) % n;
                return Some(Choice { server: s, sampled: Vec::new() });
            }
            Policy::Weighted => {
                // nginx's smooth weighted round robin: every eligible server gains its weight,
                // the richest is chosen and pays back the total.
                let mut total = 0i64;
                let mut best = first;
                for s in (0..n).filter(|&s| eligible(s)) {
                    self.current[s] += i64::from(self.weights[s]);
                    total += i64::from(self.weights[s]);
                    if self.current[s] > self.current[best] {
                        best = s;
                    }
                }
                self.current[best] -= total;
                return Some(Choice { server: best, sampled: Vec::new() });
            }
            Policy::Random => {
                let s = self.uniform(n, eligible, None).unwrap_or(first);
                return Some(Choice { server: s, sampled: Vec::new() });
            }
            Policy::TwoChoices => {
                let a = self.uniform(n, eligible, None).unwrap_or(first);
                let Some(b) = self.uniform(n, eligible, Some(a)) else {
                    return Some(Choice { server: a, sampled: vec![a] });
                };
                let s = if views[b].active < views[a].active { b } else { a };
                return Some(Choice { server: s, sampled: vec![a, b] });
            }
            Policy::LeastConn => least(self.next, &|s| f64::from(views[s].active)),
            Policy::LeastTime => least(self.next, &|s| views[s].ewma_us * f64::from(views[s].active + 1)),
        };
        self.next = (server + 1) % n;
        Some(Choice { server, sampled: (0..n).filter(|&s| eligible(s)).collect() })
    }

    /// A server drawn uniformly from those `eligible` allows, other than `not`. Draws until
    /// one fits (almost always the first draw: at most one server is ever out), then falls
    /// back to counting them, so a large pool costs no more than a small one.
    fn uniform(&mut self, n: usize, eligible: &dyn Fn(usize) -> bool, not: Option<usize>) -> Option<usize> {
        let fits = |s: usize| eligible(s) && Some(s) != not;
        for _ in 0..8 {
            let s = self.rng.below(n as u64) as usize;
            if fits(s) {
                return Some(s);
            }
        }
        let ok: Vec<usize> = (0..n).filter(|&s| fits(s)).collect();
        (!ok.is_empty()).then(|| ok[self.rng.below(ok.len() as u64) as usize])
    }
}

/// One lane of the picture: a server's queue at a moment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lane {
    /// Requests queued or in service.
    pub active: u32,
    /// The first few request numbers (from 1), the one in service first.
    pub tokens: Vec<u32>,
    /// Running (false while crashed).
    pub up: bool,
    /// In rotation (false once health checks have taken it out).
    pub in_rotation: bool,
}

/// What a moment of the timeline shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Moment {
    /// Request `n` (from 1) has just been placed, on `server` after `refused`, having compared
    /// `sampled`.
    Arrival { n: u32, work_us: Micros, server: usize, sampled: Vec<(usize, u32)>, refused: Vec<usize> },
    /// An evenly spaced moment.
    Tick,
    /// Every request answered or lost.
    End,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snap {
    pub at: Micros,
    pub moment: Moment,
    pub lanes: Vec<Lane>,
    pub arrived: u32,
    pub answered: u32,
    pub lost: u32,
    pub refused: u32,
    /// Sum of the answered requests' response times, for the mean so far.
    pub sum_us: u128,
}

impl Snap {
    pub fn mean_us(&self) -> Option<u64> {
        (self.answered > 0).then(|| (self.sum_us / u128::from(self.answered)) as u64)
    }

    /// The lane with the most requests in progress (the first such).
    pub fn longest(&self) -> (usize, u32) {
        self.lanes.iter().enumerate().map(|(s, l)| (s, l.active)).fold((0, 0), |b, x| if x.1 > b.1 { x } else { b })
    }
}

/// A server's health over the run, as the balancer saw it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Health {
    pub crashed: Option<Micros>,
    pub taken_out: Option<Micros>,
    pub back: Option<Micros>,
    pub put_back: Option<Micros>,
    /// Requests it held when it crashed.
    pub lost: u32,
}

/// One policy's finished run.
#[derive(Clone, Debug, PartialEq)]
pub struct Run {
    pub config: Config,
    pub snaps: Vec<Snap>,
    /// Every answered request's response time, sorted.
    pub sorted_us: Vec<u64>,
    /// Per server: its answered requests' response times, sorted.
    pub per_server: Vec<Vec<u64>>,
    pub lost: u32,
    pub refused: u32,
    pub health: Health,
    /// ∫ (requests in the system) dt, in request-microseconds, and the sum of every request's
    /// time in the system (lost ones until they were lost): equal by Little's law.
    pub area: u128,
    pub sum_in_system_us: u128,
    pub end_us: Micros,
}

impl Run {
    pub fn percentile(&self, per_mille: u32) -> Option<u64> {
        percentile(&self.sorted_us, per_mille)
    }

    pub fn answered(&self) -> u32 {
        self.sorted_us.len() as u32
    }

    /// Response times in `bins` equal bins from 0 to `upper`; the last bin also holds
    /// everything above.
    pub fn histogram(&self, upper_us: u64, bins: usize) -> Vec<u32> {
        let mut h = vec![0u32; bins.max(1)];
        let width = (upper_us / bins.max(1) as u64).max(1);
        for &v in &self.sorted_us {
            let b = ((v / width) as usize).min(h.len() - 1);
            h[b] += 1;
        }
        h
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ev {
    Arrive,
    /// Server, and its life (a crash starts a new one, so an old completion is void).
    Done(usize, u32),
    Crash(usize),
    Return(usize),
    Check,
    Tick,
}

struct Server {
    /// (request index, arrival at the balancer, its work at normal speed); the front is in service.
    queue: VecDeque<(u32, Micros, Micros)>,
    /// When the request in service reached this server.
    reached: VecDeque<Micros>,
    up: bool,
    in_rotation: bool,
    fails: u32,
    passes: u32,
    ewma_us: f64,
    life: u32,
}

/// One policy's simulation, run a slice of events at a time.
pub struct Sim {
    config: Config,
    sched: Scheduler<Ev>,
    arrivals: SplitMix64,
    chooser: Chooser,
    servers: Vec<Server>,
    arrived: u32,
    answered: u32,
    lost: u32,
    refused: u32,
    ticks_left: u32,
    latencies: Vec<u64>,
    per_server: Vec<Vec<u64>>,
    snaps: Vec<Snap>,
    health: Health,
    sum_us: u128,
    area: u128,
    in_system: u64,
    sum_in_system_us: u128,
    last_event: Micros,
    finished: bool,
}

/// The moving average's weight on the newest response time.
const EWMA_NEW: f64 = 0.3;

impl Sim {
    /// A run of `config` (assumed valid; `validate` first for reader input).
    pub fn new(config: &Config) -> Sim {
        let c = config.clone();
        let n = c.servers.max(1) as usize;
        let span = c.span_us();
        // Ticks are scheduled first, so a tick at the same microsecond as an arrival comes
        // before it in every policy's run.
        let mut sched = Scheduler::new(Micros::MAX);
        for k in 1..=TICKS {
            sched.at(span * u64::from(k) / u64::from(TICKS), Ev::Tick);
        }
        if let Some((crash, back)) = c.outage() {
            sched.at(crash, Ev::Crash(1));
            sched.at(back, Ev::Return(1));
        }
        sched.at(CHECK_EVERY, Ev::Check);
        let mut arrivals = stream(c.seed, 0);
        sched.at(exp_draw(&mut arrivals, c.gap_us()), Ev::Arrive);
        let mean = f64::from(c.service_ms) * 1e3;
        let servers = (0..n).map(|_| Server { queue: VecDeque::new(), reached: VecDeque::new(), up: true, in_rotation: true, fails: 0, passes: 0, ewma_us: mean, life: 0 }).collect();
        Sim {
            chooser: Chooser::new(c.policy, c.weights(), stream(c.seed, 1)),
            sched,
            arrivals,
            servers,
            arrived: 0,
            answered: 0,
            lost: 0,
            refused: 0,
            ticks_left: TICKS,
            latencies: Vec::with_capacity(c.requests as usize),
            per_server: vec![Vec::new(); n],
            snaps: Vec::new(),
            health: Health::default(),
            sum_us: 0,
            area: 0,
            in_system: 0,
            sum_in_system_us: 0,
            last_event: 0,
            finished: false,
            config: c,
        }
    }

    fn views(&self) -> Vec<View> {
        self.servers.iter().map(|s| View { active: s.queue.len() as u32, ewma_us: s.ewma_us }).collect()
    }

    fn snap(&mut self, at: Micros, moment: Moment) {
        let lanes = self
            .servers
            .iter()
            .map(|s| Lane { active: s.queue.len() as u32, tokens: s.queue.iter().take(LANE_TOKENS).map(|q| q.0 + 1).collect(), up: s.up, in_rotation: s.in_rotation })
            .collect();
        self.snaps.push(Snap { at, moment, lanes, arrived: self.arrived, answered: self.answered, lost: self.lost, refused: self.refused, sum_us: self.sum_us });
    }

    /// Starts serving the request at the front of `s`'s queue, no earlier than it reached the
    /// server (a refused connection first costs it a moment).
    fn start_service(&mut self, s: usize, now: Micros) {
        let server = &self.servers[s];
        if let (Some(&(_, _, work)), Some(&reached)) = (server.queue.front(), server.reached.front()) {
            let factor = u64::from(self.config.factor(s));
            self.sched.at(now.max(reached) + work * factor, Ev::Done(s, server.life));
        }
    }

    fn arrive(&mut self, now: Micros) {
        let i = self.arrived;
        self.arrived += 1;
        self.in_system += 1;
        let work = self.config.service.draw(&mut self.arrivals, f64::from(self.config.service_ms) * 1e3);
        if self.arrived < self.config.requests {
            self.sched.at(now + exp_draw(&mut self.arrivals, self.config.gap_us()), Ev::Arrive);
        }
        // The policy chooses among the servers in rotation; a crashed one refuses, costing a
        // connection attempt, and the balancer chooses again without it.
        let views = self.views();
        let in_rotation: Vec<bool> = self.servers.iter().map(|s| s.in_rotation).collect();
        let mut refused: Vec<usize> = Vec::new();
        let mut sampled = Vec::new();
        let mut cost = 0;
        let server = loop {
            let choice = {
                let r = &refused;
                self.chooser.choose(&views, &|s| in_rotation[s] && !r.contains(&s)).or_else(|| self.chooser.choose(&views, &|s| !r.contains(&s)))
            };
            let Some(choice) = choice else { break None };
            if sampled.is_empty() {
                sampled = choice.sampled.iter().map(|&s| (s, views[s].active)).collect();
            }
            if self.servers[choice.server].up {
                break Some(choice.server);
            }
            refused.push(choice.server);
            self.refused += 1;
            cost += REFUSED_COST;
        };
        let Some(s) = server else {
            // Nowhere to go (cannot happen with one crashed server of two or more).
            self.lost += 1;
            self.in_system -= 1;
            return;
        };
        self.servers[s].queue.push_back((i, now, work));
        self.servers[s].reached.push_back(now + cost);
        if self.servers[s].queue.len() == 1 {
            self.start_service(s, now);
        }
        if i < FIRST_ARRIVALS {
            self.snap(now, Moment::Arrival { n: i + 1, work_us: work, server: s, sampled, refused });
        }
    }

    fn done(&mut self, s: usize, now: Micros) {
        let server = &mut self.servers[s];
        let Some((_, came, _)) = server.queue.pop_front() else { return };
        let reached = server.reached.pop_front().unwrap_or(came);
        let latency = now - came;
        server.ewma_us = (1.0 - EWMA_NEW) * server.ewma_us + EWMA_NEW * (now - reached) as f64;
        self.latencies.push(latency);
        self.per_server[s].push(latency);
        self.sum_us += u128::from(latency);
        self.sum_in_system_us += u128::from(latency);
        self.answered += 1;
        self.in_system -= 1;
        self.start_service(s, now);
    }

    fn crash(&mut self, s: usize, now: Micros) {
        let server = &mut self.servers[s];
        server.up = false;
        server.life += 1;
        let held = server.queue.len() as u32;
        for (_, came, _) in server.queue.drain(..) {
            self.sum_in_system_us += u128::from(now - came);
        }
        server.reached.clear();
        self.lost += held;
        self.in_system -= u64::from(held);
        self.health.crashed = Some(now);
        self.health.lost = held;
    }

    fn check(&mut self, now: Micros) {
        for server in &mut self.servers {
            if server.up {
                server.fails = 0;
                server.passes += 1;
                if !server.in_rotation && server.passes >= RISE {
                    server.in_rotation = true;
                    self.health.put_back = Some(now);
                }
            } else {
                server.passes = 0;
                server.fails += 1;
                if server.in_rotation && server.fails >= FALL {
                    server.in_rotation = false;
                    self.health.taken_out = Some(now);
                }
            }
        }
    }

    fn all_answered(&self) -> bool {
        self.answered + self.lost >= self.config.requests
    }

    fn step(&mut self) -> bool {
        if self.finished {
            return false;
        }
        if self.all_answered() && self.ticks_left == 0 {
            self.finish_up();
            return false;
        }
        let Some((now, ev)) = self.sched.pop() else {
            self.finish_up();
            return false;
        };
        self.area += u128::from(self.in_system) * u128::from(now - self.last_event);
        self.last_event = now;
        match ev {
            Ev::Arrive => self.arrive(now),
            Ev::Done(s, life) if life == self.servers[s].life => self.done(s, now),
            Ev::Done(..) => {}
            Ev::Crash(s) => self.crash(s, now),
            Ev::Return(s) => {
                self.servers[s].up = true;
                self.health.back = Some(now);
            }
            Ev::Check => {
                self.check(now);
                if !self.all_answered() || self.ticks_left > 0 {
                    self.sched.at(now + CHECK_EVERY, Ev::Check);
                }
            }
            Ev::Tick => {
                self.ticks_left -= 1;
                self.snap(now, Moment::Tick);
            }
        }
        true
    }

    fn finish_up(&mut self) {
        if !self.finished {
            self.finished = true;
            let end = self.last_event;
            self.snap(end, Moment::End);
        }
    }
}

impl Resumable for Sim {
    type Output = Run;

    fn run_slice(&mut self, budget: usize) -> bool {
        for _ in 0..budget {
            if !self.step() {
                break;
            }
        }
        self.finished
    }

    fn is_done(&self) -> bool {
        self.finished
    }

    fn done_so_far(&self) -> u64 {
        u64::from(self.answered + self.lost)
    }

    fn finish(mut self) -> Run {
        while self.step() {}
        let mut sorted = self.latencies;
        sorted.sort_unstable();
        for v in &mut self.per_server {
            v.sort_unstable();
        }
        Run {
            end_us: self.last_event,
            config: self.config,
            snaps: self.snaps,
            sorted_us: sorted,
            per_server: self.per_server,
            lost: self.lost,
            refused: self.refused,
            health: self.health,
            area: self.area,
            sum_in_system_us: self.sum_in_system_us,
        }
    }
}

/// The runs to compare: `config`'s policy, then `compare`'s on the same requests.
pub fn sims(config: &Config, compare: Option<Policy>) -> Vec<Sim> {
    let mut v = vec![Sim::new(config)];
    if let Some(p) = compare.filter(|&p| p != config.policy) {
        v.push(Sim::new(&Config { policy: p, ..config.clone() }));
    }
    v
}

/// Steps through finished runs moment by moment; every run has the same moments (the same
/// arrivals and ticks), so step `k` of each is the same instant.
pub type Replay = super::timeline::Replay<Run>;

impl Replay {
    pub fn new(runs: Vec<Run>) -> Replay {
        let narration = narrate_all(&runs);
        Replay::recorded(runs, narration)
    }

    /// Each run's snapshot at the current step.
    pub fn snaps(&self) -> Vec<&Snap> {
        self.runs().iter().filter_map(|r| r.snaps.get(self.step())).collect()
    }
}

/// How a policy placed one arriving request, in words.
fn reason(policy: Policy, server: usize, sampled: &[(usize, u32)]) -> String {
    let name = server_name(server);
    match policy {
        Policy::RoundRobin => format!("sends it to {name}, next in turn"),
        Policy::Weighted => format!("sends it to {name}, next in turn by weight"),
        Policy::Random => format!("picks {name} at random"),
        Policy::TwoChoices if sampled.len() == 2 => {
            format!("draws {} ({} in progress) and {} ({}) and sends it to {name}", server_name(sampled[0].0), sampled[0].1, server_name(sampled[1].0), sampled[1].1)
        }
        Policy::TwoChoices => format!("sends it to {name}, the only server left"),
        Policy::LeastConn => {
            let n = sampled.iter().find(|s| s.0 == server).map_or(0, |s| s.1);
            format!("sends it to {name}, which has the fewest in progress ({n})")
        }
        Policy::LeastTime => format!("sends it to {name}, the shortest expected wait"),
    }
}

fn narrate_all(runs: &[Run]) -> Vec<String> {
    if runs.is_empty() {
        return vec!["Nothing to show.".into()];
    }
    let steps = runs.iter().map(|r| r.snaps.len()).min().unwrap_or(0);
    (0..steps).map(|k| narrate(runs, k, k.checked_sub(1))).collect()
}

fn first_line(r: &Run) -> String {
    let c = &r.config;
    format!("{} requests reach {} servers at {} % of their capacity.", group(u64::from(c.requests)), c.servers, c.load)
}

/// The narration of step `k`, given the step before it.
fn narrate(runs: &[Run], k: usize, before: Option<usize>) -> String {
    let snap0 = &runs[0].snaps[k];
    let c = &runs[0].config;
    let mut out = String::new();
    if k == 0 {
        out.push_str(&first_line(&runs[0]));
        out.push(' ');
    }
    match &snap0.moment {
        Moment::Arrival { n, work_us, .. } => {
            let mean = u64::from(c.service_ms) * MS;
            let size = if *work_us * 2 < mean {
                "a quick one"
            } else if *work_us > mean * 2 {
                "a long one"
            } else {
                "about average"
            };
            out.push_str(&format!("Request {n} arrives at {} ({size}: {} of work). ", fmt_ms(snap0.at), fmt_ms(*work_us)));
            let parts: Vec<String> = runs
                .iter()
                .map(|r| {
                    let Moment::Arrival { server, sampled, refused, .. } = &r.snaps[k].moment else { return String::new() };
                    let mut s = format!("{} {}", r.config.policy.label(), reason(r.config.policy, *server, sampled));
                    if !refused.is_empty() {
                        let names: Vec<String> = refused.iter().map(|&x| server_name(x).to_string()).collect();
                        s.push_str(&format!(" after {} refused the connection", names.join(" and ")));
                    }
                    s
                })
                .collect();
            out.push_str(&parts.join("; "));
            out.push('.');
        }
        Moment::Tick | Moment::End => {
            let end = matches!(snap0.moment, Moment::End);
            if end {
                out.push_str(&format!("All {} requests are done by {}. ", group(u64::from(c.requests)), fmt_time(runs.iter().map(|r| r.end_us).max().unwrap_or(0))));
            } else {
                out.push_str(&format!("At {}: {} of {} requests have arrived. ", fmt_time(snap0.at), group(u64::from(snap0.arrived)), group(u64::from(c.requests))));
            }
            // What happened to server B since the step before.
            let from = before.map_or(0, |b| runs[0].snaps[b].at);
            let h = runs[0].health;
            let within = |t: Option<Micros>| t.filter(|&t| t > from && t <= snap0.at);
            if let Some(t) = within(h.crashed) {
                let lost: Vec<String> = runs.iter().map(|r| r.health.lost.to_string()).collect();
                out.push_str(&format!("Server B crashed at {}, losing the {} request{} it held; until health checks notice, the balancer still sends it requests, which it refuses. ", fmt_time(t), lost.join(" and "), plural(runs[0].health.lost as usize)));
            }
            if let Some(t) = within(h.taken_out) {
                out.push_str(&format!("At {} B had failed {FALL} health checks in a row and was taken out of rotation. ", fmt_time(t)));
            }
            if let Some(t) = within(h.back) {
                out.push_str(&format!("B came back at {}, but stays out until it passes {RISE} checks. ", fmt_time(t)));
            }
            if let Some(t) = within(h.put_back) {
                out.push_str(&format!("At {} B had passed {RISE} checks in a row and is back in rotation. ", fmt_time(t)));
            }
            let parts: Vec<String> = runs
                .iter()
                .map(|r| {
                    let s = &r.snaps[k];
                    let p = r.config.policy.label();
                    if end {
                        let pct: Vec<String> = [500, 990, 999].iter().zip(["p50", "p99", "p99.9"]).filter_map(|(&m, name)| r.percentile(m).map(|v| format!("{name} {}", fmt_ms(v)))).collect();
                        let mut t = format!("{p}: {}", pct.join(", "));
                        if r.lost > 0 {
                            t.push_str(&format!(", {} lost", group(u64::from(r.lost))));
                        }
                        t
                    } else {
                        let (at, most) = s.longest();
                        let mean = s.mean_us().map_or("none answered yet".into(), |m| format!("mean response so far {}", fmt_ms(m)));
                        if most == 0 {
                            format!("{p}: every server idle, {mean}")
                        } else {
                            format!("{p}: longest queue {most} at {}, {mean}", server_name(at))
                        }
                    }
                })
                .collect();
            out.push_str(&parts.join("; "));
            out.push('.');
        }
    }
    out
}

#[cfg(test)]
mod tests;
