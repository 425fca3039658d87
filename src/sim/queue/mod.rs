//! Background jobs: the shop puts a job on a queue for every order ("charge the card, then
//! send the confirmation"), and workers take jobs off it. A seeded discrete-event simulation
//! of a queue with the rules real ones have (Amazon SQS's are the model):
//!
//! - **Arrivals.** Orders arrive as a Poisson process at `rate` a second, `jobs` of them.
//! - **Receiving.** An idle worker takes the oldest visible message. Taking it does not delete
//!   it: it hides it for the *visibility timeout*. The worker deletes it (acknowledges) when
//!   the job succeeds. If the timeout passes first, the message becomes visible again and
//!   another worker can take it, even while the first is still working on it.
//! - **The database.** Every job runs in one transaction and needs a connection from a pool of
//!   `pool`. A worker that cannot get one within `pool_wait_ms` gives the attempt up.
//! - **Failures.** An attempt fails with probability `fail_pct` (a flaky payment provider),
//!   always fails for a *poison* job (`poison_pct` of them: bad data no retry can fix), or
//!   its worker crashes (`crash_pct`) after the card was charged and before the message was
//!   deleted. A failed attempt makes the message visible again after a backoff delay drawn
//!   with the retry engine's formulas ([`Strategy::delay`]); a crash leaves it hidden until
//!   its visibility timeout runs out.
//! - **Dead letters.** A message received more than `max_attempts` times goes to the
//!   dead-letter queue instead (SQS's `maxReceiveCount`).
//! - **Charging twice.** A job that runs again after the card was charged charges it again,
//!   unless the job is *idempotent*: it records the order's charge in the same transaction
//!   and skips the charge when the record is there.
//!
//! Each job draws from a random stream of its own, so a setting that changes who takes a job
//! when leaves the job's own luck alone. [`Sim`] runs a slice of events at a time; [`Replay`]
//! steps through the finished [`Run`]: the first time each kind of thing happens, a snapshot
//! at regular ticks, and the end.

#[cfg(test)]
mod tests;

use std::collections::VecDeque;

use super::des::{exp_draw, fmt_time, stream, unit, Micros, Resumable, Scheduler, MS, SECOND};
use super::lb::fmt_ms;
use super::retry::Strategy;
use super::rng::SplitMix64;
use super::{group, plural};

pub const MAX_JOBS: u32 = 100_000;
pub const MAX_RATE: u32 = 5_000;
pub const MAX_WORKERS: u32 = 64;
pub const MAX_POOL: u32 = 64;
pub const MAX_WORK_MS: u32 = 60_000;
pub const MAX_WAIT_MS: u32 = 600_000;
pub const MAX_ATTEMPTS: u32 = 20;
/// A crashed worker is restarted this long after it died.
pub const RESTART: Micros = 2 * SECOND;
/// Snapshots while orders arrive; draining afterwards adds more, further apart.
pub const TICKS: u32 = 40;

/// Everything a run depends on. Times are in milliseconds, as the reader types them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Orders (jobs) a second.
    pub rate: u32,
    pub jobs: u32,
    pub workers: u32,
    /// The mean time a job takes once it has a connection (exponentially distributed).
    pub work_ms: u32,
    /// Database connections in the pool.
    pub pool: u32,
    /// How long a worker waits for a connection before giving the attempt up.
    pub pool_wait_ms: u32,
    pub visibility_ms: u32,
    /// Percent of attempts that fail and are worth retrying.
    pub fail_pct: u32,
    /// Percent of jobs that fail on every attempt.
    pub poison_pct: u32,
    /// Percent of attempts whose worker crashes after charging, before deleting the message.
    pub crash_pct: u32,
    pub max_attempts: u32,
    pub backoff: Strategy,
    pub base_ms: u32,
    pub cap_ms: u32,
    pub idempotent: bool,
    pub seed: u64,
}

impl Default for Config {
    /// The shop on an ordinary day: 30 orders a second for 100 seconds, 8 workers that
    /// manage about 40 a second between them, a flaky payment provider, a rare crash.
    fn default() -> Config {
        Config {
            rate: 30,
            jobs: 3_000,
            workers: 8,
            work_ms: 200,
            pool: 10,
            pool_wait_ms: 1_000,
            visibility_ms: 30_000,
            fail_pct: 5,
            poison_pct: 0,
            crash_pct: 1,
            max_attempts: 5,
            backoff: Strategy::FullJitter,
            base_ms: 1_000,
            cap_ms: 30_000,
            idempotent: false,
            seed: 1,
        }
    }
}

impl Config {
    /// Checks the settings together; the message names the setting to fix.
    pub fn validate(&self) -> Result<(), String> {
        let range = |v: u32, lo: u32, hi: u32, what: &str| if (lo..=hi).contains(&v) { Ok(()) } else { Err(format!("{what}: choose from {} to {}.", group(u64::from(lo)), group(u64::from(hi)))) };
        range(self.rate, 1, MAX_RATE, "Orders a second")?;
        range(self.jobs, 1, MAX_JOBS, "Jobs")?;
        range(self.workers, 1, MAX_WORKERS, "Workers")?;
        range(self.work_ms, 1, MAX_WORK_MS, "Mean work time")?;
        range(self.pool, 1, MAX_POOL, "Connections in the pool")?;
        range(self.pool_wait_ms, 1, MAX_WAIT_MS, "Wait for a connection")?;
        range(self.visibility_ms, 1, MAX_WAIT_MS, "Visibility timeout")?;
        range(self.fail_pct, 0, 100, "Failing attempts (%)")?;
        range(self.poison_pct, 0, 100, "Poison jobs (%)")?;
        range(self.crash_pct, 0, 100, "Crashing workers (%)")?;
        range(self.max_attempts, 1, MAX_ATTEMPTS, "Attempts before the dead-letter queue")?;
        range(self.base_ms, 1, MAX_WAIT_MS, "Backoff base")?;
        range(self.cap_ms, 1, MAX_WAIT_MS, "Backoff cap")?;
        if self.fail_pct + self.crash_pct > 100 {
            return Err("Failing and crashing attempts together: at most 100 %.".into());
        }
        Ok(())
    }

    /// How long the orders take to arrive, on average.
    pub fn arrivals_us(&self) -> Micros {
        (u64::from(self.jobs) * SECOND / u64::from(self.rate)).max(1)
    }

    /// Jobs a second the workers (or the pool, if it is smaller) can finish when nothing fails.
    pub fn capacity_per_s(&self) -> f64 {
        f64::from(self.workers.min(self.pool)) * 1000.0 / f64::from(self.work_ms)
    }
}

/// What a worker is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WorkerState {
    Idle,
    /// Holding a message, waiting for a database connection.
    Waiting,
    Working,
    /// Crashed; restarting.
    Down,
}

/// How an attempt went wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The payment provider failed this time.
    Flaky,
    /// The job's data is bad: it fails every time.
    Poison,
    /// No connection came free in time.
    NoConnection,
}

/// A moment the replay stops at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Moment {
    Start,
    /// The first job done: received, charged, deleted.
    FirstDone { job: u32, took: Micros },
    /// An attempt failed; the message comes back after `delay`.
    Retry { job: u32, attempt: u32, why: Failure, delay: Micros },
    /// A worker crashed after charging for `job`, before deleting its message.
    Crash { job: u32, worker: u32 },
    /// `job`'s visibility timeout ran out: visible again, `still_working` if a worker has it.
    Reappeared { job: u32, still_working: bool },
    /// `job` ran again after its card was charged: charged a second time, or skipped.
    Duplicate { job: u32, charged_again: bool },
    /// A worker's delete came after the message had been handed to another worker.
    LateDelete { job: u32 },
    /// `job` went to the dead-letter queue after `attempts` receives.
    Dead { job: u32, attempts: u32 },
    /// A worker waited for a connection at least `waited`.
    PoolWait { job: u32, waited: Micros },
    /// The last order arrived.
    LastArrival,
    Tick,
    End,
}

/// Counts so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub arrived: u32,
    pub done: u32,
    pub dead: u32,
    /// Attempts started (messages received, not counting those sent to the dead letters).
    pub attempts: u32,
    pub failed: u32,
    pub crashes: u32,
    pub pool_timeouts: u32,
    /// Messages that became visible again because their timeout ran out.
    pub reappeared: u32,
    /// Cards charged, in all.
    pub charges: u32,
    /// Jobs that ran again after their card was charged.
    pub duplicates: u32,
    /// Of those, the charges an idempotent job skipped.
    pub skipped: u32,
    pub late_deletes: u32,
}

impl Totals {
    /// Cards charged more than once for one order.
    pub fn double_charges(&self) -> u32 {
        self.duplicates - self.skipped
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snap {
    pub at: Micros,
    pub moment: Moment,
    /// Messages visible and waiting for a worker.
    pub ready: u32,
    /// Messages waiting out a backoff delay before they are visible again.
    pub delayed: u32,
    /// Messages a worker has taken and not yet deleted.
    pub in_flight: u32,
    pub workers: Vec<WorkerState>,
    pub pool_in_use: u32,
    pub totals: Totals,
}

impl Snap {
    /// Messages on the queue, visible or not: what a queue's "depth" metric counts.
    pub fn depth(&self) -> u32 {
        self.ready + self.delayed + self.in_flight
    }
}

/// A finished run.
#[derive(Clone, Debug, PartialEq)]
pub struct Run {
    pub config: Config,
    pub snaps: Vec<Snap>,
    pub totals: Totals,
    /// Each finished job's time from its order to its message being deleted, sorted.
    pub latency_us: Vec<u64>,
    /// Each connection wait that ended with a connection, sorted.
    pub pool_wait_us: Vec<u64>,
    /// The time-average number of jobs in the system (arrived, not yet done or dead).
    pub mean_in_system: f64,
    /// The sum of every job's time in the system, over the run.
    pub total_in_system_us: u128,
    pub max_depth: u32,
    pub end_us: Micros,
}

impl Run {
    /// Jobs finished (done or dead) a second, over the run.
    pub fn throughput_per_s(&self) -> f64 {
        f64::from(self.totals.done + self.totals.dead) * 1e6 / self.end_us.max(1) as f64
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Where {
    Ready,
    Delayed,
    InFlight,
    Done,
    Dead,
}

struct Job {
    arrived: Micros,
    receives: u32,
    /// The receipt of the latest receive: a delete or a retry with an older one is void.
    receipt: u32,
    at: Where,
    charged: u32,
    poison: bool,
    rng: SplitMix64,
    /// The last backoff delay (decorrelated jitter builds on it).
    last_delay: Micros,
}

#[derive(Clone, Copy)]
enum Worker {
    Idle,
    Waiting { job: u32, receipt: u32, since: Micros, token: u32 },
    Working { job: u32, receipt: u32, outcome: Outcome },
    Down,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Success,
    Fail(Failure),
    Crash,
}

#[derive(Clone, Copy, Debug)]
enum Ev {
    Arrive,
    /// A delayed message becomes visible: job, receipt.
    Visible(u32, u32),
    /// A visibility timeout runs out: job, receipt.
    Expire(u32, u32),
    /// A worker finishes its attempt.
    Finish(u32),
    /// A waiting worker gives up on a connection: worker, token.
    GiveUp(u32, u32),
    Restart(u32),
    Tick,
}

/// One run, a slice of events at a time.
pub struct Sim {
    c: Config,
    sched: Scheduler<Ev>,
    arrivals: SplitMix64,
    jobs: Vec<Job>,
    workers: Vec<Worker>,
    ready: VecDeque<u32>,
    delayed: u32,
    in_flight: u32,
    pool_free: u32,
    waiters: VecDeque<u32>,
    token: u32,
    totals: Totals,
    snaps: Vec<Snap>,
    latency_us: Vec<u64>,
    pool_wait_us: Vec<u64>,
    /// ∫ jobs in the system dt, in job-microseconds, and when it was last brought up to date.
    area: u128,
    area_at: Micros,
    total_in_system_us: u128,
    max_depth: u32,
    tick_every: Micros,
    ticks: u32,
    /// Which firsts have been recorded, by [`Moment`] kind.
    seen: u32,
    finished: bool,
}

impl Sim {
    /// A run of `config` (assumed valid; `validate` first for reader input).
    pub fn new(config: &Config) -> Sim {
        let c = config.clone();
        let mut sched = Scheduler::new(Micros::MAX);
        let mut arrivals = stream(c.seed, 0);
        sched.at(exp_draw(&mut arrivals, 1e6 / f64::from(c.rate)), Ev::Arrive);
        let tick_every = (c.arrivals_us() / u64::from(TICKS)).max(1);
        sched.at(tick_every, Ev::Tick);
        let mut s = Sim {
            workers: vec![Worker::Idle; c.workers as usize],
            pool_free: c.pool,
            jobs: Vec::with_capacity(c.jobs as usize),
            c,
            sched,
            arrivals,
            ready: VecDeque::new(),
            delayed: 0,
            in_flight: 0,
            waiters: VecDeque::new(),
            token: 0,
            totals: Totals::default(),
            snaps: Vec::new(),
            latency_us: Vec::new(),
            pool_wait_us: Vec::new(),
            area: 0,
            area_at: 0,
            total_in_system_us: 0,
            max_depth: 0,
            tick_every,
            ticks: 0,
            seen: 0,
            finished: false,
        };
        s.snap(0, Moment::Start);
        s
    }

    fn in_system(&self) -> u32 {
        self.totals.arrived - self.totals.done - self.totals.dead
    }

    fn snap(&mut self, at: Micros, moment: Moment) {
        let workers = self
            .workers
            .iter()
            .map(|w| match w {
                Worker::Idle => WorkerState::Idle,
                Worker::Waiting { .. } => WorkerState::Waiting,
                Worker::Working { .. } => WorkerState::Working,
                Worker::Down => WorkerState::Down,
            })
            .collect();
        self.snaps.push(Snap { at, moment, ready: self.ready.len() as u32, delayed: self.delayed, in_flight: self.in_flight, workers, pool_in_use: self.c.pool - self.pool_free, totals: self.totals });
    }

    /// Records a moment the first time its kind happens.
    fn first(&mut self, kind: u32, at: Micros, moment: Moment) {
        if self.seen & (1 << kind) == 0 {
            self.seen |= 1 << kind;
            self.snap(at, moment);
        }
    }

    /// One event; false once the run is over.
    fn step(&mut self) -> bool {
        if self.finished {
            return false;
        }
        let Some((now, ev)) = self.sched.pop() else {
            self.end();
            return false;
        };
        // Jobs in the system only change at events, so the area grows by a rectangle.
        self.area += u128::from(self.in_system()) * u128::from(now - self.area_at);
        self.area_at = now;
        match ev {
            Ev::Arrive => {
                let id = self.jobs.len() as u32;
                let mut rng = stream(self.c.seed, 1_000 + u64::from(id));
                let poison = unit(&mut rng) * 100.0 < f64::from(self.c.poison_pct);
                self.jobs.push(Job { arrived: now, receives: 0, receipt: 0, at: Where::Ready, charged: 0, poison, rng, last_delay: u64::from(self.c.base_ms) * MS });
                self.ready.push_back(id);
                self.totals.arrived += 1;
                if self.totals.arrived < self.c.jobs {
                    let gap = exp_draw(&mut self.arrivals, 1e6 / f64::from(self.c.rate));
                    self.sched.after(gap, Ev::Arrive);
                } else {
                    self.snap(now, Moment::LastArrival);
                }
            }
            Ev::Visible(job, receipt) => {
                let j = &mut self.jobs[job as usize];
                if j.receipt == receipt && j.at == Where::Delayed {
                    j.at = Where::Ready;
                    self.delayed -= 1;
                    self.ready.push_back(job);
                }
            }
            Ev::Expire(job, receipt) => {
                let j = &self.jobs[job as usize];
                if j.receipt == receipt && j.at == Where::InFlight {
                    let still_working = self.workers.iter().any(|w| matches!(w, Worker::Working { job: x, .. } | Worker::Waiting { job: x, .. } if *x == job));
                    self.jobs[job as usize].at = Where::Ready;
                    self.in_flight -= 1;
                    self.ready.push_back(job);
                    self.totals.reappeared += 1;
                    self.first(0, now, Moment::Reappeared { job: job + 1, still_working });
                }
            }
            Ev::Finish(w) => self.finish_attempt(now, w),
            Ev::GiveUp(w, token) => {
                if let Worker::Waiting { job, receipt, token: t, .. } = self.workers[w as usize] {
                    if t == token {
                        self.waiters.retain(|&x| x != w);
                        self.workers[w as usize] = Worker::Idle;
                        self.totals.pool_timeouts += 1;
                        self.fail(now, job, receipt, Failure::NoConnection);
                    }
                }
            }
            Ev::Restart(w) => self.workers[w as usize] = Worker::Idle,
            Ev::Tick => {
                self.ticks += 1;
                self.snap(now, Moment::Tick);
                // While orders arrive, a tick every fortieth of their span; while the queue
                // drains, further and further apart, so a long drain stays a few steps.
                if self.ticks >= TICKS && self.ticks % TICKS == 0 {
                    self.tick_every *= 2;
                }
                if self.totals.arrived < self.c.jobs || self.in_system() > 0 {
                    self.sched.after(self.tick_every, Ev::Tick);
                }
            }
        }
        self.dispatch(now);
        let depth = self.ready.len() as u32 + self.delayed + self.in_flight;
        self.max_depth = self.max_depth.max(depth);
        if self.totals.arrived == self.c.jobs && self.in_system() == 0 && !self.busy() && !self.finished {
            self.end();
        }
        true
    }

    /// A worker still holds a job (a copy whose message was settled by another worker can
    /// still charge the card when it finishes).
    fn busy(&self) -> bool {
        self.workers.iter().any(|w| matches!(w, Worker::Working { .. } | Worker::Waiting { .. }))
    }

    fn end(&mut self) {
        if self.finished {
            return;
        }
        self.finished = true;
        let at = self.sched.now().max(self.snaps.last().map_or(0, |s| s.at));
        self.snap(at, Moment::End);
    }

    /// Idle workers take visible messages, oldest first.
    fn dispatch(&mut self, now: Micros) {
        while let Some(w) = self.workers.iter().position(|w| matches!(w, Worker::Idle)) {
            let Some(job) = self.ready.pop_front() else { return };
            let max = self.c.max_attempts;
            let j = &mut self.jobs[job as usize];
            if j.at != Where::Ready {
                continue;
            }
            j.receives += 1;
            if j.receives > max {
                // Received once too often: the queue moves it to the dead letters instead.
                j.at = Where::Dead;
                let attempts = j.receives - 1;
                self.totals.dead += 1;
                self.total_in_system_us += u128::from(now - self.jobs[job as usize].arrived);
                self.first(1, now, Moment::Dead { job: job + 1, attempts });
                continue;
            }
            j.receipt += 1;
            j.at = Where::InFlight;
            let receipt = j.receipt;
            self.in_flight += 1;
            self.totals.attempts += 1;
            self.sched.after(u64::from(self.c.visibility_ms) * MS, Ev::Expire(job, receipt));
            if self.pool_free > 0 {
                self.pool_free -= 1;
                self.start(now, w as u32, job, receipt);
            } else {
                self.token += 1;
                self.workers[w] = Worker::Waiting { job, receipt, since: now, token: self.token };
                self.waiters.push_back(w as u32);
                self.sched.after(u64::from(self.c.pool_wait_ms) * MS, Ev::GiveUp(w as u32, self.token));
            }
        }
    }

    /// Worker `w` has a connection: the attempt's luck is drawn from the job's own stream.
    fn start(&mut self, now: Micros, w: u32, job: u32, receipt: u32) {
        let c = &self.c;
        let j = &mut self.jobs[job as usize];
        let work = exp_draw(&mut j.rng, f64::from(c.work_ms) * 1e3);
        let u = unit(&mut j.rng) * 100.0;
        let outcome = if j.poison {
            Outcome::Fail(Failure::Poison)
        } else if u <= f64::from(c.crash_pct) {
            Outcome::Crash
        } else if u <= f64::from(c.crash_pct + c.fail_pct) {
            Outcome::Fail(Failure::Flaky)
        } else {
            Outcome::Success
        };
        self.workers[w as usize] = Worker::Working { job, receipt, outcome };
        self.sched.at(now + work, Ev::Finish(w));
    }

    fn finish_attempt(&mut self, now: Micros, w: u32) {
        let Worker::Working { job, receipt, outcome } = self.workers[w as usize] else { return };
        // The connection goes back to the pool, or straight to the longest waiter.
        match self.waiters.pop_front() {
            Some(next) => {
                if let Worker::Waiting { job: nj, receipt: nr, since, .. } = self.workers[next as usize] {
                    let waited = now - since;
                    self.pool_wait_us.push(waited);
                    if waited >= 100 * MS {
                        self.first(2, now, Moment::PoolWait { job: nj + 1, waited });
                    }
                    self.start(now, next, nj, nr);
                }
            }
            None => self.pool_free += 1,
        }
        self.workers[w as usize] = Worker::Idle;
        match outcome {
            Outcome::Success | Outcome::Crash => {
                // The card is charged, in the job's transaction.
                let j = &mut self.jobs[job as usize];
                if j.charged > 0 {
                    self.totals.duplicates += 1;
                    let charged_again = !self.c.idempotent;
                    if charged_again {
                        self.totals.charges += 1;
                        j.charged += 1;
                    } else {
                        self.totals.skipped += 1;
                    }
                    self.first(3, now, Moment::Duplicate { job: job + 1, charged_again });
                } else {
                    j.charged = 1;
                    self.totals.charges += 1;
                }
                if outcome == Outcome::Crash {
                    self.totals.crashes += 1;
                    self.workers[w as usize] = Worker::Down;
                    self.sched.after(RESTART, Ev::Restart(w));
                    self.first(4, now, Moment::Crash { job: job + 1, worker: w + 1 });
                    return;
                }
                let j = &mut self.jobs[job as usize];
                if j.receipt != receipt || !matches!(j.at, Where::InFlight | Where::Ready) {
                    // Its timeout ran out and another receive replaced this receipt.
                    self.totals.late_deletes += 1;
                    self.first(5, now, Moment::LateDelete { job: job + 1 });
                    return;
                }
                // A receipt that is still the latest deletes the message, even if its timeout
                // ran out and it is visible again, as long as nobody has received it since.
                let visible_again = j.at == Where::Ready;
                j.at = Where::Done;
                let took = now - j.arrived;
                if visible_again {
                    self.ready.retain(|&x| x != job);
                } else {
                    self.in_flight -= 1;
                }
                self.totals.done += 1;
                self.latency_us.push(took);
                self.total_in_system_us += u128::from(took);
                self.first(6, now, Moment::FirstDone { job: job + 1, took });
            }
            Outcome::Fail(why) => {
                self.totals.failed += 1;
                self.fail(now, job, receipt, why);
            }
        }
    }

    /// A failed attempt: the message comes back after a backoff delay.
    fn fail(&mut self, now: Micros, job: u32, receipt: u32, why: Failure) {
        let (base, cap) = (u64::from(self.c.base_ms) * MS, u64::from(self.c.cap_ms) * MS);
        let j = &mut self.jobs[job as usize];
        if j.receipt != receipt || j.at != Where::InFlight {
            return;
        }
        let delay = self.c.backoff.delay(j.receives - 1, j.last_delay, base, cap, &mut j.rng);
        j.last_delay = delay.max(1);
        j.at = Where::Delayed;
        let attempt = j.receives;
        self.in_flight -= 1;
        self.delayed += 1;
        self.sched.after(delay, Ev::Visible(job, receipt));
        let kind = match why {
            Failure::Flaky => 7,
            Failure::Poison => 8,
            Failure::NoConnection => 9,
        };
        self.first(kind, now, Moment::Retry { job: job + 1, attempt, why, delay });
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
        u64::from(self.totals.done + self.totals.dead)
    }

    fn finish(mut self) -> Run {
        while self.step() {}
        self.latency_us.sort_unstable();
        self.pool_wait_us.sort_unstable();
        let end = self.sched.now();
        Run {
            mean_in_system: if end == 0 { 0.0 } else { self.area as f64 / end as f64 },
            total_in_system_us: self.total_in_system_us,
            config: self.c,
            snaps: self.snaps,
            totals: self.totals,
            latency_us: self.latency_us,
            pool_wait_us: self.pool_wait_us,
            max_depth: self.max_depth,
            end_us: end,
        }
    }
}

/// Steps through a finished run's moments.
pub type Replay = super::timeline::Replay<Run>;

impl Replay {
    pub fn new(run: Run) -> Replay {
        let narration = (0..run.snaps.len()).map(|k| narrate(&run, k)).collect();
        Replay::recorded(vec![run], narration)
    }

    pub fn run(&self) -> Option<&Run> {
        self.runs().first()
    }

    pub fn snap(&self) -> Option<&Snap> {
        self.run().and_then(|r| r.snaps.get(self.step()))
    }
}

fn ms(v: u32) -> String {
    fmt_ms(u64::from(v) * MS)
}

/// "3 working, 1 waiting for a connection, 4 idle".
pub fn workers_line(s: &Snap) -> String {
    let count = |k: WorkerState| s.workers.iter().filter(|&&w| w == k).count();
    let mut parts = vec![format!("{} working", count(WorkerState::Working))];
    for (k, label) in [(WorkerState::Waiting, "waiting for a connection"), (WorkerState::Down, "restarting"), (WorkerState::Idle, "idle")] {
        if count(k) > 0 {
            parts.push(format!("{} {label}", count(k)));
        }
    }
    parts.join(", ")
}

fn narrate(run: &Run, k: usize) -> String {
    let c = &run.config;
    let s = &run.snaps[k];
    let t = &s.totals;
    match &s.moment {
        Moment::Start => {
            let pool = if c.pool < c.workers { format!(", though only {} database connections for them to share", c.pool) } else { String::new() };
            format!(
                "Orders arrive at about {} a second, {} in all, and each puts a job on the queue: charge the card, then send the confirmation. {} worker{} take{} jobs off it, each taking about {} a job{pool}, so together they can finish about {} a second.",
                group(u64::from(c.rate)),
                group(u64::from(c.jobs)),
                c.workers,
                plural(c.workers as usize),
                if c.workers == 1 { "s" } else { "" },
                ms(c.work_ms),
                group(c.capacity_per_s().round() as u64),
            )
        }
        Moment::FirstDone { job, took } => format!("Job {job} is done {} after its order: a worker received its message, charged the card, and deleted the message. Until that delete, the queue still had it.", fmt_ms(*took)),
        Moment::Retry { job, attempt, why, delay } => {
            let cause = match why {
                Failure::Flaky => "the payment provider answered with an error".to_string(),
                Failure::Poison => "its order has bad data, and it will fail like this every time".to_string(),
                Failure::NoConnection => format!("its worker waited {} for a database connection and got none", ms(c.pool_wait_ms)),
            };
            format!("Job {job} fails on attempt {attempt}: {cause}. The worker hands the message back, hidden for a backoff of {} ({}); then any worker may take it again.", fmt_ms(*delay), c.backoff.label().to_lowercase())
        }
        Moment::Crash { job, worker } => format!(
            "Worker {worker} crashes while finishing job {job}: the card was charged, but the message was never deleted. The queue cannot tell a dead worker from a slow one, so the message stays hidden until its visibility timeout ({}) runs out. The worker restarts {} later.",
            ms(c.visibility_ms),
            fmt_ms(RESTART)
        ),
        Moment::Reappeared { job, still_working: true } => format!("Job {job}'s visibility timeout ({}) runs out while a worker is still on it, so its message is visible again and a second worker can take it: the job will run twice at once. A timeout shorter than the slowest jobs does this.", ms(c.visibility_ms)),
        Moment::Reappeared { job, .. } => format!("Job {job}'s visibility timeout ({}) runs out with no worker on it, so its message is visible again, and the next idle worker takes it. This is at-least-once delivery: nothing was lost, and the job may run twice.", ms(c.visibility_ms)),
        Moment::Duplicate { job, charged_again: true } => format!("Job {job} runs again after its card was charged, and charges it again: the customer pays twice. The job is not idempotent. Turn on the idempotency check and run it again."),
        Moment::Duplicate { job, .. } => format!("Job {job} runs again after its card was charged. It finds the charge recorded for its order and skips it: because the job is idempotent, the second run changes nothing."),
        Moment::LateDelete { job } => format!("A worker finishes job {job} and tries to delete its message, but the timeout had already handed it to another worker with a new receipt; the old receipt no longer deletes it."),
        Moment::Dead { job, attempts } => format!("Job {job} has been received {attempts} time{} and failed each time, so the queue moves it to the dead-letter queue instead of handing it out again. There it waits for a person to look at it, fix the cause and send it back.", plural(*attempts as usize)),
        Moment::PoolWait { job, waited } => format!("Job {job}'s worker waited {} for a database connection: all {} were in use. More workers than connections only makes them queue at the pool instead.", fmt_ms(*waited), c.pool),
        Moment::LastArrival => format!("The last of the {} orders arrives at {}. {} jobs are on the queue ({} waiting for a worker).", group(u64::from(c.jobs)), fmt_time(s.at), group(u64::from(s.depth())), group(u64::from(s.ready))),
        Moment::Tick => format!(
            "At {}: {} on the queue ({} waiting, {} held back by a backoff, {} being worked on); {} done, {} in the dead-letter queue. Workers: {}.",
            fmt_time(s.at),
            group(u64::from(s.depth())),
            group(u64::from(s.ready)),
            group(u64::from(s.delayed)),
            group(u64::from(s.in_flight)),
            group(u64::from(t.done)),
            group(u64::from(t.dead)),
            workers_line(s)
        ),
        Moment::End => {
            let p = |pm| super::lb::percentile(&run.latency_us, pm).map_or("none".to_string(), fmt_ms);
            format!(
                "All {} jobs are settled at {}: {} done, {} in the dead-letter queue. From order to done: median {}, p99 {}. {} card{} charged twice{}.",
                group(u64::from(c.jobs)),
                fmt_time(s.at),
                group(u64::from(t.done)),
                group(u64::from(t.dead)),
                p(500),
                p(990),
                group(u64::from(t.double_charges())),
                plural(t.double_charges() as usize),
                if t.skipped > 0 { format!("; the idempotency check skipped {} repeat charge{}", group(u64::from(t.skipped)), plural(t.skipped as usize)) } else { String::new() }
            )
        }
    }
}
