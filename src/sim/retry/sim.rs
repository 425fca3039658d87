//! The simulation itself: clients, the API's queue and the breaker as events on the
//! shared scheduler (`sim::des`).

use std::collections::VecDeque;

use super::*;
use crate::sim::des::{self, Resumable, Scheduler};
use crate::sim::rng::mix;

/// What happens to a client or an attempt; the scheduler orders them by time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ev {
    Send(u32),
    Arrive(u32),
    Done(u32),
    Reply(u32, Outcome),
    Timeout(u32),
    /// One-row workload: the read reaches the row, its answer (the version) the client, then
    /// the conditional write reaches the row.
    ReadArrive(u32),
    ReadBack(u32, u64),
    WriteArrive(u32, u64),
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

/// A resumable simulation.
#[derive(Clone, Debug)]
pub struct Sim {
    cfg: Config,
    events: Scheduler<Ev>,
    clients: Vec<Client>,
    queue: VecDeque<u32>,
    busy: bool,
    breaker: Breaker,
    server_rng: SplitMix64,
    window: u64,
    window_count: u64,
    /// One-row workload: the row's version, bumped by each successful write.
    row_version: u64,
    run: Run,
}

impl Sim {
    /// Sets up the clients. Call [`Config::validate`] first; out-of-range values are clamped.
    pub fn new(cfg: &Config) -> Sim {
        let mut cfg = cfg.clone();
        cfg.clients = cfg.clients.clamp(1, MAX_CLIENTS);
        cfg.max_attempts = cfg.max_attempts.min(MAX_ATTEMPTS);
        if cfg.workload == Workload::Row {
            cfg.clients = cfg.clients.min(MAX_ROW_CLIENTS);
            cfg.net_ms = cfg.net_ms.clamp(1, 1_000);
        }
        cfg.capacity = cfg.capacity.max(1);
        cfg.base_ms = cfg.base_ms.max(1);
        cfg.cap_ms = cfg.cap_ms.max(cfg.base_ms);
        let mut sim = Sim {
            events: Scheduler::new(HORIZON_US),
            clients: Vec::with_capacity(cfg.clients as usize),
            queue: VecDeque::new(),
            busy: false,
            breaker: Breaker::new(BREAKER_THRESHOLD, BREAKER_OPEN_US),
            server_rng: SplitMix64(mix(cfg.seed ^ 0x5EED_5E7E)),
            window: 0,
            window_count: 0,
            row_version: 0,
            run: Run {
                config: cfg.clone(),
                attempts: Vec::new(),
                ends: vec![(ClientEnd::Unfinished, HORIZON_US); cfg.clients as usize],
                breaker_log: Vec::new(),
                stale_work: 0,
                events: 0,
                safety_stop: None,
            },
            cfg,
        };
        let spread = u64::from(sim.cfg.spread_ms) * MS;
        for c in 0..sim.cfg.clients {
            let mut rng = des::stream(sim.cfg.seed, u64::from(c));
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
        self.events.at(at, ev);
    }

    pub fn is_done(&self) -> bool {
        self.events.is_done()
    }

    /// Events processed so far.
    pub fn events(&self) -> u64 {
        self.events.processed()
    }

    /// Processes up to `max_events` events. Returns true when the run is complete.
    pub fn run_slice(&mut self, max_events: usize) -> bool {
        for _ in 0..max_events {
            let Some((now, ev)) = self.events.pop() else { return true };
            self.handle(now, ev);
        }
        self.is_done()
    }

    /// Runs to the end and returns the record.
    pub fn finish(mut self) -> Run {
        while !self.run_slice(100_000) {}
        self.run.events = self.events.processed();
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
            Ev::ReadArrive(id) => {
                let at = now + self.hop(id);
                self.push(at, Ev::ReadBack(id, self.row_version));
            }
            Ev::ReadBack(id, version) => {
                let at = now + self.hop(id);
                self.push(at, Ev::WriteArrive(id, version));
            }
            Ev::WriteArrive(id, version) => {
                self.run.attempts[id as usize].arrive_us = Some(now);
                let outcome = if version == self.row_version {
                    self.row_version += 1;
                    Outcome::Ok
                } else {
                    Outcome::Conflict
                };
                let at = now + self.hop(id);
                self.push(at, Ev::Reply(id, outcome));
            }
        }
    }

    /// One-row workload: one message's network delay for attempt `id`'s client, drawn from
    /// |N(net, net/5)| (a normal by Box–Muller from the client's own stream), at least 1 µs.
    fn hop(&mut self, id: u32) -> u64 {
        let c = self.run.attempts[id as usize].client;
        let rng = &mut self.clients[c as usize].rng;
        let (u1, u2) = (des::unit(rng), des::unit(rng));
        let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
        let mean = (u64::from(self.cfg.net_ms) * MS) as f64;
        (mean + mean / 5.0 * z).abs().round().max(1.0) as u64
    }

    fn send(&mut self, now: u64, c: u32) {
        if self.cfg.max_attempts == 0 && self.run.attempts.len() >= SAFETY_ATTEMPTS {
            // No limit was set: stop sending here, and say so, rather than run out of memory.
            self.run.safety_stop.get_or_insert(now);
            return;
        }
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
        if self.cfg.workload == Workload::Row {
            let at = now + self.hop(id);
            self.push(at, Ev::ReadArrive(id));
            return;
        }
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
        if cfg.strategy == Strategy::None || (cfg.max_attempts > 0 && client.attempts >= cfg.max_attempts) {
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

impl Resumable for Sim {
    type Output = Run;

    fn run_slice(&mut self, budget: usize) -> bool {
        Sim::run_slice(self, budget)
    }

    fn is_done(&self) -> bool {
        Sim::is_done(self)
    }

    fn done_so_far(&self) -> u64 {
        self.events()
    }

    fn finish(self) -> Run {
        Sim::finish(self)
    }
}

/// Runs a whole simulation at once (tests, benches and the native examples).
pub fn simulate(cfg: &Config) -> Run {
    des::run_to_end(Sim::new(cfg))
}

