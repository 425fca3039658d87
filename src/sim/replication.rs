//! Replication: a primary that commits every write to its log, and replicas that replay that
//! log a little behind. Users write their own profile, then read it back a few times; where a
//! read goes decides what they see.
//!
//! - **The log.** Each write the primary commits is the next log entry (its position, the
//!   LSN). Each replica receives the entries in order, each after a lag drawn for it (a
//!   replica never applies entry 9 before entry 8), and a read on a replica sees the entries
//!   it has applied. A replica applies an entry as it receives it; a real one writes, flushes
//!   and then replays it, so its reads trail a little further.
//! - **Commit.** Asynchronous: the primary answers once the entry is in its own log.
//!   Synchronous: it also waits until one replica has it (PostgreSQL's `ANY 1` quorum with
//!   `synchronous_commit = on`); the commit takes longer, and no confirmed write can be lost.
//!   Neither makes a read on a replica see the write: only waiting for the replica to apply
//!   it does (`remote_apply`, or the "wait for the position" routing here).
//! - **Reads** ([`Reads`]): always the primary; any replica; the same replica every time
//!   (sticky); the primary for [`WINDOW`] after the user's own write (what Rails' automatic
//!   role switching does, with its default delay); or a replica that has reached the log
//!   position of the user's last write, waiting up to [`LSN_TIMEOUT`] and then asking the
//!   primary.
//! - **What is counted**: a *stale* read shows an older version than the user's own last
//!   confirmed write (read-your-writes broken); a read that *went back in time* shows an
//!   older version than the user's previous read did (monotonic reads broken). These are two
//!   of the session guarantees of Terry et al. (1994).
//! - **Failover.** The primary can crash halfway through the run. Writes fail until the
//!   replica furthest along is promoted, [`FAILOVER`] later; the entries it never received are
//!   gone, and any of them the primary had confirmed is a *lost write*.
//!
//! Every user draws its pauses from its own random stream and its replica picks from another,
//! and every replica its lags from its own: the five routings on one seed face the same users.
//! [`Sim`] runs a slice of events at a time; [`Replay`] steps through a finished [`Run`].

use super::des::{exp_draw, fmt_time, stream, Micros, Resumable, Scheduler, MS, SECOND};
use super::lb::fmt_ms;
use super::rng::SplitMix64;
use super::{group, plural};

pub const MIN_REPLICAS: u32 = 1;
pub const MAX_REPLICAS: u32 = 5;
pub const MAX_LAG_MS: u32 = 10_000;
pub const MAX_THINK_MS: u32 = 10_000;
pub const MAX_OPS: u32 = 100_000;
/// The users, each writing and reading its own profile.
pub const USERS: u32 = 40;
/// Reads after each write.
pub const READS_PER_WRITE: u32 = 3;
/// The primary's own commit (its log written and flushed).
pub const COMMIT_US: Micros = MS;
/// A read's own time on a node that has what it needs.
pub const READ_US: Micros = MS;
/// How long after a write the "primary after a write" routing keeps reading from the
/// primary: two seconds, the default delay of Rails' automatic role switching.
pub const WINDOW: Micros = 2 * SECOND;
/// How long a read waits for a replica to reach the user's log position before it asks
/// the primary instead.
pub const LSN_TIMEOUT: Micros = SECOND;
/// From the primary's crash to a replica taking over: noticing it is gone, and promoting.
pub const FAILOVER: Micros = 2 * SECOND;
/// The followed user's operations shown one at a time before the timeline moves in ticks.
pub const FIRST_OPS: u32 = 12;
pub const TICKS: u32 = 30;
/// Log entries the picture shows.
pub const TAIL: usize = 10;
/// How often a replica's lag changes when it varies: each second it may fall further
/// behind or catch up (a burst of writes, a long query on the replica, a slow network).
pub const LAG_EPOCH: Micros = SECOND;

/// Where a read goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Reads {
    Primary,
    Any,
    Sticky,
    AfterWrite,
    WaitLsn,
}

impl Reads {
    pub const ALL: [Reads; 5] = [Reads::Any, Reads::Sticky, Reads::AfterWrite, Reads::WaitLsn, Reads::Primary];

    pub fn key(self) -> &'static str {
        match self {
            Reads::Primary => "primary",
            Reads::Any => "any",
            Reads::Sticky => "sticky",
            Reads::AfterWrite => "after-write",
            Reads::WaitLsn => "lsn",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Reads::Primary => "Always the primary",
            Reads::Any => "Any replica",
            Reads::Sticky => "The same replica each time",
            Reads::AfterWrite => "The primary for 2 s after a write",
            Reads::WaitLsn => "A replica that has your write",
        }
    }

    pub fn from_key(k: &str) -> Option<Reads> {
        Reads::ALL.into_iter().find(|r| r.key() == k)
    }
}

/// When the primary answers a write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Commit {
    Async,
    Sync,
}

impl Commit {
    pub const ALL: [Commit; 2] = [Commit::Async, Commit::Sync];

    pub fn key(self) -> &'static str {
        match self {
            Commit::Async => "async",
            Commit::Sync => "sync",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Commit::Async => "Asynchronous",
            Commit::Sync => "Synchronous (one replica)",
        }
    }

    pub fn from_key(k: &str) -> Option<Commit> {
        Commit::ALL.into_iter().find(|c| c.key() == k)
    }

    pub fn other(self) -> Commit {
        match self {
            Commit::Async => Commit::Sync,
            Commit::Sync => Commit::Async,
        }
    }
}

/// How a replica's lag behind the primary varies over time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lag {
    /// A new lag each [`LAG_EPOCH`], exponentially distributed: usually short, sometimes
    /// several times the mean. (A fresh draw for every entry would not do: a replica applies
    /// entries in order, so each would wait for the slowest before it, and the lag seen would
    /// be far above the mean drawn.)
    Varies,
    /// Always the mean.
    Constant,
}

impl Lag {
    pub const ALL: [Lag; 2] = [Lag::Varies, Lag::Constant];

    pub fn key(self) -> &'static str {
        match self {
            Lag::Varies => "varies",
            Lag::Constant => "constant",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Lag::Varies => "varies every second",
            Lag::Constant => "constant",
        }
    }

    pub fn from_key(k: &str) -> Option<Lag> {
        Lag::ALL.into_iter().find(|l| l.key() == k)
    }

    fn draw(self, rng: &mut SplitMix64, mean_us: f64) -> Micros {
        match self {
            Lag::Varies => exp_draw(rng, mean_us),
            Lag::Constant => (mean_us.round() as Micros).max(1),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    pub reads: Reads,
    pub commit: Commit,
    pub replicas: u32,
    /// The mean time from the primary's commit to a replica having the entry.
    pub lag_ms: u32,
    pub lag: Lag,
    /// The mean pause between a user's operations.
    pub think_ms: u32,
    /// The primary crashes halfway through, and a replica takes over.
    pub crash: bool,
    /// Operations (writes and reads) across all users.
    pub ops: u32,
    pub seed: u64,
}

impl Default for Config {
    fn default() -> Config {
        Config { reads: Reads::Any, commit: Commit::Async, replicas: 2, lag_ms: 200, lag: Lag::Varies, think_ms: 300, crash: false, ops: 5_000, seed: 1 }
    }
}

impl Config {
    /// Checks the settings together; the message names the setting to fix.
    pub fn validate(&self) -> Result<(), String> {
        if !(MIN_REPLICAS..=MAX_REPLICAS).contains(&self.replicas) {
            return Err(format!("Replicas: choose from {MIN_REPLICAS} to {MAX_REPLICAS}."));
        }
        if self.crash && self.replicas < 2 {
            return Err("A crash needs at least 2 replicas: one to take over, one to read from.".into());
        }
        if !(1..=MAX_LAG_MS).contains(&self.lag_ms) {
            return Err(format!("Replication lag: choose from 1 to {} ms.", group(u64::from(MAX_LAG_MS))));
        }
        if !(1..=MAX_THINK_MS).contains(&self.think_ms) {
            return Err(format!("Pause between operations: choose from 1 to {} ms.", group(u64::from(MAX_THINK_MS))));
        }
        if !(1..=MAX_OPS).contains(&self.ops) {
            return Err(format!("Operations: choose from 1 to {}.", group(u64::from(MAX_OPS))));
        }
        Ok(())
    }

    /// About how long the run takes: the span the timeline's ticks cover.
    pub fn span_us(&self) -> Micros {
        let per_op = u64::from(self.think_ms) * MS + READ_US;
        (u64::from(self.ops) * per_op / u64::from(USERS)).max(1)
    }
}

/// A database node's name: db1 is the first primary, db2 and on its replicas.
pub fn node_name(n: usize) -> String {
    format!("db{}", n + 1)
}

/// What a node is at a moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Primary,
    Replica,
    Down,
}

/// One node at a moment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeSnap {
    pub role: Role,
    /// The last log entry it has applied (the primary: the last it committed).
    pub applied: u32,
    /// The version of the followed user's profile a read here would show (0: none yet).
    pub yours: u32,
}

/// A log entry, for the picture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    pub lsn: u32,
    pub user: u32,
    pub version: u32,
    /// The client was told it is saved.
    pub acked: bool,
}

/// How one of the followed user's operations went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Saved and confirmed, after `took`, when `replicas_had` replicas had it already.
    Saved { took: Micros, replicas_had: u32 },
    /// The primary was down, or crashed before confirming.
    Failed,
    /// Saw its latest confirmed version (`waited` for the replica first, if it had to).
    Fresh { waited: Micros },
    /// Saw an older version than its latest confirmed write.
    Stale { wanted: u32 },
    /// Saw an older version than its previous read did.
    BackInTime { before: u32 },
    /// The replica was still behind after [`LSN_TIMEOUT`]; the primary answered.
    FellBack,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Moment {
    /// Before anything happens.
    Start,
    /// The followed user wrote (`lsn` its entry) or read on `node`, seeing `version`.
    Op { write: bool, node: usize, version: u32, lsn: u32, outcome: Outcome },
    /// The followed user's entry `lsn` reached replica `node`, `after` its commit.
    Reached { node: usize, lsn: u32, after: Micros },
    Tick,
    /// The primary crashed; `unshipped` of its entries had reached no replica.
    Crash { unshipped: u32 },
    /// `node` became the primary at log position `at_lsn`; `lost` confirmed writes and
    /// `dropped` unconfirmed ones were gone.
    Promoted { node: usize, at_lsn: u32, lost: u32, dropped: u32 },
    End,
}

/// Counts so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub writes: u32,
    pub saved: u32,
    pub failed_writes: u32,
    pub reads: u32,
    pub failed_reads: u32,
    pub stale: u32,
    pub back_in_time: u32,
    /// Reads that waited for a replica to reach the user's position.
    pub waited: u32,
    /// Reads the primary answered because a replica stayed behind too long.
    pub fell_back: u32,
    /// Reads answered by the primary.
    pub on_primary: u32,
    /// Confirmed writes gone after a failover.
    pub lost: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snap {
    pub at: Micros,
    pub moment: Moment,
    pub nodes: Vec<NodeSnap>,
    /// The last [`TAIL`] entries of the primary's log (of the crashed primary's, until a
    /// replica takes over).
    pub tail: Vec<Entry>,
    /// The followed user's latest confirmed version, and the newest it has read.
    pub your_saved: u32,
    pub your_seen: u32,
    pub totals: Totals,
}

/// The failover, when there was one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Failover {
    pub crashed: Micros,
    pub promoted: Micros,
    pub node: usize,
    pub at_lsn: u32,
    /// The crashed primary's last entry.
    pub last_lsn: u32,
    pub lost: u32,
    pub dropped: u32,
}

/// One routing's finished run.
#[derive(Clone, Debug, PartialEq)]
pub struct Run {
    pub config: Config,
    pub snaps: Vec<Snap>,
    pub totals: Totals,
    /// Every confirmed write's commit time, sorted.
    pub write_us: Vec<u64>,
    /// Every answered read's time (waits included), sorted.
    pub read_us: Vec<u64>,
    /// Reads each node answered.
    pub reads_by_node: Vec<u32>,
    pub failover: Option<Failover>,
    pub end_us: Micros,
}

impl Run {
    /// Stale reads in thousandths of the answered reads.
    pub fn stale_per_mille(&self) -> u32 {
        let answered = self.totals.reads - self.totals.failed_reads;
        if answered == 0 {
            0
        } else {
            (u64::from(self.totals.stale) * 1000 / u64::from(answered)) as u32
        }
    }
}

/// A share in thousandths as a percentage with one decimal: 57 → "5.7 %".
pub fn fmt_per_mille(pm: u32) -> String {
    format!("{}.{} %", pm / 10, pm % 10)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ev {
    /// A user's next operation.
    Act(u32),
    /// A write's confirmation is due: user, entry, and the primary's life when it was sent.
    Ack(u32, u32, u32),
    /// A read waiting on a replica checks again: user, node, when it gives up.
    Serve(u32, usize, Micros),
    /// The followed user's entry reaches a replica: node, entry, its life.
    Reach(usize, u32, u32),
    Crash,
    Promote,
    Tick,
}

struct User {
    think: SplitMix64,
    route: SplitMix64,
    /// The next operation: 0 writes, 1..=READS_PER_WRITE read.
    next: u32,
    /// Its entries that exist, as (lsn, version), in order.
    writes: Vec<(u32, u32)>,
    /// Versions written (confirmed or not).
    version: u32,
    /// The latest confirmed version, and its entry.
    saved: u32,
    token: u32,
    /// The newest version it has read.
    seen: u32,
    last_saved_at: Option<Micros>,
    /// When the current read started.
    read_started: Micros,
    /// The entry of a write waiting for its confirmation.
    pending: Option<u32>,
}

impl User {
    /// The version of this user's profile in the first `applied` entries of the log.
    fn visible(&self, applied: u32) -> u32 {
        let k = self.writes.partition_point(|&(lsn, _)| lsn <= applied);
        if k == 0 {
            0
        } else {
            self.writes[k - 1].1
        }
    }
}

struct Node {
    role: Role,
    /// A replica's arrival time of each entry it has or will have, in order.
    recv: Vec<Micros>,
    /// The seed of its lags: each [`LAG_EPOCH`]'s lag is drawn from a stream of its own, so it
    /// is the same whichever writes happen in it (and in every routing's run).
    lags: u64,
    /// The lag of the current epoch: its number, and the lag.
    epoch: Option<(Micros, Micros)>,
    /// Bumped when the node's stream is cut, so the followed user's old arrivals are void.
    life: u32,
}

impl Node {
    /// When an entry committed at `at` arrives: after this epoch's lag, and never before the
    /// entry ahead of it.
    fn arrival(&mut self, at: Micros, lag: Lag, mean_us: f64) -> Micros {
        let epoch = at / LAG_EPOCH;
        let l = match self.epoch {
            Some((e, l)) if e == epoch => l,
            _ => {
                let l = lag.draw(&mut stream(self.lags, epoch), mean_us);
                self.epoch = Some((epoch, l));
                l
            }
        };
        (at + l).max(self.recv.last().copied().unwrap_or(0))
    }

    fn applied(&self, now: Micros, log_len: u32) -> u32 {
        match self.role {
            Role::Primary => log_len,
            _ => self.recv.partition_point(|&r| r <= now) as u32,
        }
    }
}

/// One routing's simulation, run a slice of events at a time.
pub struct Sim {
    config: Config,
    sched: Scheduler<Ev>,
    users: Vec<User>,
    nodes: Vec<Node>,
    primary: usize,
    /// Bumped at a crash, so confirmations the crashed primary never sent are void.
    life: u32,
    /// The log; each entry's commit time beside it.
    log: Vec<(Entry, Micros)>,
    started: u32,
    followed: u32,
    totals: Totals,
    write_us: Vec<u64>,
    read_us: Vec<u64>,
    reads_by_node: Vec<u32>,
    snaps: Vec<Snap>,
    failover: Option<Failover>,
    last_event: Micros,
    finished: bool,
}

impl Sim {
    /// A run of `config` (assumed valid; `validate` first for reader input).
    pub fn new(config: &Config) -> Sim {
        let c = config.clone();
        let n = c.replicas as usize + 1;
        let mut sched = Scheduler::new(Micros::MAX);
        let span = c.span_us();
        for k in 1..=TICKS {
            sched.at(span * u64::from(k) / u64::from(TICKS), Ev::Tick);
        }
        let users: Vec<User> = (0..USERS)
            .map(|u| User {
                think: stream(c.seed, 1_000 + u64::from(u)),
                route: stream(c.seed, 100_000 + u64::from(u)),
                next: 0,
                writes: Vec::new(),
                version: 0,
                saved: 0,
                token: 0,
                seen: 0,
                last_saved_at: None,
                read_started: 0,
                pending: None,
            })
            .collect();
        let nodes = (0..n).map(|k| Node { role: if k == 0 { Role::Primary } else { Role::Replica }, recv: Vec::new(), lags: stream(c.seed, 10 + k as u64).next_u64(), epoch: None, life: 0 }).collect();
        let mut sim = Sim {
            config: c,
            sched,
            users,
            nodes,
            primary: 0,
            life: 0,
            log: Vec::new(),
            started: 0,
            followed: 0,
            totals: Totals::default(),
            write_us: Vec::new(),
            read_us: Vec::new(),
            reads_by_node: vec![0; n],
            snaps: Vec::new(),
            failover: None,
            last_event: 0,
            finished: false,
        };
        // Each user starts after a pause of its own.
        for u in 0..USERS {
            let d = sim.think(u);
            sim.sched.at(d, Ev::Act(u));
        }
        sim.snap(0, Moment::Start);
        sim
    }

    fn think(&mut self, u: u32) -> Micros {
        let mean = f64::from(self.config.think_ms) * 1e3;
        exp_draw(&mut self.users[u as usize].think, mean)
    }

    fn replicas(&self) -> Vec<usize> {
        (0..self.nodes.len()).filter(|&k| self.nodes[k].role == Role::Replica).collect()
    }

    fn primary_up(&self) -> bool {
        self.nodes[self.primary].role == Role::Primary
    }

    fn log_len(&self) -> u32 {
        self.log.len() as u32
    }

    fn follows(&self, u: u32) -> bool {
        u == 0 && self.followed < FIRST_OPS
    }

    fn snap(&mut self, at: Micros, moment: Moment) {
        let len = self.log_len();
        let you = &self.users[0];
        let nodes = self
            .nodes
            .iter()
            .map(|n| {
                let applied = match n.role {
                    Role::Down => n.recv.len() as u32,
                    _ => n.applied(at, len),
                };
                NodeSnap { role: n.role, applied, yours: you.visible(applied) }
            })
            .collect();
        let from = self.log.len().saturating_sub(TAIL);
        let tail = self.log[from..].iter().map(|&(e, _)| e).collect();
        self.snaps.push(Snap { at, moment, nodes, tail, your_saved: you.saved, your_seen: you.seen, totals: self.totals });
    }

    /// Schedules user `u`'s next operation after a pause, unless every operation has started.
    fn next_act(&mut self, u: u32, from: Micros) {
        let d = self.think(u);
        self.sched.at(from + d, Ev::Act(u));
    }

    fn act(&mut self, now: Micros, u: u32) {
        if self.started >= self.config.ops {
            return;
        }
        self.started += 1;
        if self.config.crash && self.started == self.config.ops / 2 + 1 && self.failover.is_none() && self.primary_up() {
            self.sched.at(now, Ev::Crash);
        }
        let user = &mut self.users[u as usize];
        let write = user.next == 0;
        user.next = (user.next + 1) % (READS_PER_WRITE + 1);
        if write {
            self.write(now, u);
        } else {
            self.users[u as usize].read_started = now;
            self.read(now, u);
        }
    }

    fn write(&mut self, now: Micros, u: u32) {
        self.totals.writes += 1;
        self.users[u as usize].version += 1;
        let version = self.users[u as usize].version;
        if !self.primary_up() {
            self.totals.failed_writes += 1;
            if self.follows(u) {
                self.followed += 1;
                self.snap(now, Moment::Op { write: true, node: self.primary, version, lsn: 0, outcome: Outcome::Failed });
            }
            self.next_act(u, now);
            return;
        }
        let lsn = self.log_len() + 1;
        self.log.push((Entry { lsn, user: u, version, acked: false }, now));
        self.users[u as usize].writes.push((lsn, version));
        self.users[u as usize].pending = Some(lsn);
        let mean = f64::from(self.config.lag_ms) * 1e3;
        let lag = self.config.lag;
        let mut first = Micros::MAX;
        for k in self.replicas() {
            let node = &mut self.nodes[k];
            let at = node.arrival(now, lag, mean);
            node.recv.push(at);
            first = first.min(at);
            if self.follows(u) {
                let life = self.nodes[k].life;
                self.sched.at(at, Ev::Reach(k, lsn, life));
            }
        }
        let ack = match self.config.commit {
            Commit::Async => now + COMMIT_US,
            Commit::Sync => (now + COMMIT_US).max(first),
        };
        self.sched.at(ack, Ev::Ack(u, lsn, self.life));
    }

    fn ack(&mut self, now: Micros, u: u32, lsn: u32, life: u32) {
        // Already failed at the crash.
        if self.users[u as usize].pending != Some(lsn) {
            return;
        }
        self.users[u as usize].pending = None;
        let version = self.users[u as usize].version;
        let ok = life == self.life && (lsn as usize) <= self.log.len();
        let started = self.log.get(lsn as usize - 1).map_or(now, |e| e.1);
        let outcome = if ok {
            self.log[lsn as usize - 1].0.acked = true;
            self.totals.saved += 1;
            self.write_us.push(now - started);
            let had = self.replicas().iter().filter(|&&k| self.nodes[k].recv.get(lsn as usize - 1).is_some_and(|&t| t <= now)).count() as u32;
            let user = &mut self.users[u as usize];
            user.saved = version;
            user.token = lsn;
            user.last_saved_at = Some(now);
            Outcome::Saved { took: now - started, replicas_had: had }
        } else {
            self.totals.failed_writes += 1;
            Outcome::Failed
        };
        if self.follows(u) {
            self.followed += 1;
            self.snap(now, Moment::Op { write: true, node: self.primary, version, lsn, outcome });
        }
        self.next_act(u, now);
    }

    fn pick_replica(&mut self, u: u32) -> Option<usize> {
        let replicas = self.replicas();
        if replicas.is_empty() {
            return None;
        }
        let k = match self.config.reads {
            Reads::Sticky => u as usize % replicas.len(),
            _ => self.users[u as usize].route.below(replicas.len() as u64) as usize,
        };
        Some(replicas[k])
    }

    fn read(&mut self, now: Micros, u: u32) {
        self.totals.reads += 1;
        let recent = self.users[u as usize].last_saved_at.is_some_and(|t| now < t + WINDOW);
        let node = match self.config.reads {
            Reads::Primary => None,
            Reads::AfterWrite if recent => None,
            _ => self.pick_replica(u),
        };
        let Some(node) = node else {
            return self.serve(now, u, self.primary, false);
        };
        if self.config.reads == Reads::WaitLsn {
            let deadline = now + LSN_TIMEOUT;
            return self.wait(now, u, node, deadline);
        }
        self.serve(now, u, node, false)
    }

    /// A read that needs `node` to reach the user's position: served now if it has, at the
    /// entry's arrival if that comes before `deadline`, else by the primary.
    fn wait(&mut self, now: Micros, u: u32, node: usize, deadline: Micros) {
        let token = self.users[u as usize].token;
        let n = &self.nodes[node];
        if n.role == Role::Down {
            return self.serve(now, u, self.primary, true);
        }
        if n.applied(now, self.log_len()) >= token {
            if now > self.users[u as usize].read_started {
                self.totals.waited += 1;
            }
            return self.serve(now, u, node, false);
        }
        if now >= deadline {
            return self.serve(now, u, self.primary, true);
        }
        // Not there yet, so its arrival is later than now (a replica's stream is in order).
        let arrives = n.recv.get(token as usize - 1).copied().unwrap_or(Micros::MAX).max(now + 1);
        self.sched.at(arrives.min(deadline), Ev::Serve(u, node, deadline));
    }

    fn serve(&mut self, now: Micros, u: u32, node: usize, fell_back: bool) {
        let len = self.log_len();
        let n = &self.nodes[node];
        let started = self.users[u as usize].read_started;
        let follow = self.follows(u);
        if n.role == Role::Down {
            self.totals.failed_reads += 1;
            if follow {
                self.followed += 1;
                self.snap(now, Moment::Op { write: false, node, version: 0, lsn: 0, outcome: Outcome::Failed });
            }
            return self.next_act(u, now);
        }
        let applied = n.applied(now, len);
        if n.role == Role::Primary {
            self.totals.on_primary += 1;
            if fell_back {
                self.totals.fell_back += 1;
            }
        }
        self.reads_by_node[node] += 1;
        let user = &mut self.users[u as usize];
        let version = user.visible(applied);
        let outcome = if version < user.saved {
            self.totals.stale += 1;
            if version < user.seen {
                self.totals.back_in_time += 1;
            }
            Outcome::Stale { wanted: user.saved }
        } else if version < user.seen {
            self.totals.back_in_time += 1;
            Outcome::BackInTime { before: user.seen }
        } else if fell_back {
            Outcome::FellBack
        } else {
            Outcome::Fresh { waited: now - started }
        };
        user.seen = user.seen.max(version);
        let done = now + READ_US;
        self.read_us.push(done - started);
        if follow {
            self.followed += 1;
            self.snap(now, Moment::Op { write: false, node, version, lsn: applied, outcome });
        }
        self.next_act(u, done);
    }

    fn crash(&mut self, now: Micros) {
        let p = self.primary;
        self.nodes[p].role = Role::Down;
        self.nodes[p].recv = vec![0; self.log.len()];
        let old_life = self.life;
        self.life += 1;
        // Clients waiting for a confirmation see their connection break now.
        for u in 0..USERS {
            if let Some(lsn) = self.users[u as usize].pending {
                self.sched.at(now, Ev::Ack(u, lsn, old_life));
            }
        }
        // The replicas receive nothing more from it: what has not arrived never will.
        let len = self.log_len();
        let mut furthest = 0;
        for k in self.replicas() {
            let n = &mut self.nodes[k];
            let a = n.applied(now, len);
            n.recv.truncate(a as usize);
            n.life += 1;
            furthest = furthest.max(a);
        }
        self.failover = Some(Failover { crashed: now, promoted: now + FAILOVER, node: p, at_lsn: furthest, last_lsn: len, lost: 0, dropped: 0 });
        self.snap(now, Moment::Crash { unshipped: len - furthest });
        self.sched.at(now + FAILOVER, Ev::Promote);
    }

    fn promote(&mut self, now: Micros) {
        let replicas = self.replicas();
        // The replica furthest along; the first of them on a tie.
        let Some(&new) = replicas.iter().max_by_key(|&&k| (self.nodes[k].recv.len(), std::cmp::Reverse(k))) else { return };
        let at_lsn = self.nodes[new].recv.len() as u32;
        let (mut lost, mut dropped) = (0, 0);
        for (e, _) in self.log.drain(at_lsn as usize..) {
            if e.acked {
                lost += 1;
            } else {
                dropped += 1;
            }
        }
        self.totals.lost += lost;
        for user in &mut self.users {
            user.writes.retain(|&(lsn, _)| lsn <= at_lsn);
            // What it was told was saved, and what it saw, as far as the surviving log goes.
            let keep = user.writes.iter().rev().find(|&&(lsn, _)| self.log[lsn as usize - 1].0.acked).copied();
            user.saved = keep.map_or(0, |w| w.1).min(user.saved);
            user.token = keep.map_or(0, |w| w.0);
            user.seen = user.seen.min(user.writes.last().map_or(0, |w| w.1));
        }
        // The crashed primary's entries past the new primary's position are gone from the
        // history; the numbers are reused by the writes that follow.
        for n in self.nodes.iter_mut().filter(|n| n.role == Role::Down) {
            n.recv.truncate(at_lsn as usize);
        }
        self.nodes[new].role = Role::Primary;
        self.nodes[new].recv.clear();
        self.primary = new;
        // The other replicas fetch what they lack from the new primary.
        let mean = f64::from(self.config.lag_ms) * 1e3;
        let lag = self.config.lag;
        for k in self.replicas() {
            let n = &mut self.nodes[k];
            for _ in n.recv.len()..at_lsn as usize {
                let at = n.arrival(now, lag, mean);
                n.recv.push(at);
            }
        }
        if let Some(f) = &mut self.failover {
            f.promoted = now;
            f.node = new;
            f.at_lsn = at_lsn;
            f.lost = lost;
            f.dropped = dropped;
        }
        self.snap(now, Moment::Promoted { node: new, at_lsn, lost, dropped });
    }

    /// Runs the next event; false once the run is over.
    fn step(&mut self) -> bool {
        if self.finished {
            return false;
        }
        let Some((now, ev)) = self.sched.pop() else {
            self.finished = true;
            // The end is drawn after the last snapshot, which may be a tick past the last
            // operation (a proptest found the order broken when it was not).
            let end = self.last_event.max(self.snaps.last().map_or(self.last_event, |s| s.at));
            self.snap(end, Moment::End);
            return false;
        };
        if !matches!(ev, Ev::Tick) {
            self.last_event = now;
        }
        match ev {
            Ev::Act(u) => self.act(now, u),
            Ev::Ack(u, lsn, life) => self.ack(now, u, lsn, life),
            Ev::Serve(u, node, deadline) => self.wait(now, u, node, deadline),
            Ev::Reach(node, lsn, life) => {
                let n = &self.nodes[node];
                if n.life == life && n.role == Role::Replica && self.log.get(lsn as usize - 1).is_some_and(|e| e.1 <= now) {
                    let after = now - self.log[lsn as usize - 1].1;
                    self.snap(now, Moment::Reached { node, lsn, after });
                }
            }
            Ev::Crash => self.crash(now),
            Ev::Promote => self.promote(now),
            Ev::Tick => self.snap(now, Moment::Tick),
        }
        true
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
        u64::from(self.started)
    }

    fn finish(mut self) -> Run {
        while self.step() {}
        self.write_us.sort_unstable();
        self.read_us.sort_unstable();
        Run {
            config: self.config,
            snaps: self.snaps,
            totals: self.totals,
            write_us: self.write_us,
            read_us: self.read_us,
            reads_by_node: self.reads_by_node,
            failover: self.failover,
            end_us: self.last_event,
        }
    }
}

/// The runs the widget shows: `config` first, then every other routing with the same commit,
/// then `config`'s routing with the other commit.
pub fn sims(config: &Config) -> Vec<Sim> {
    let mut v = vec![Sim::new(config)];
    for r in Reads::ALL.into_iter().filter(|&r| r != config.reads) {
        v.push(Sim::new(&Config { reads: r, ..config.clone() }));
    }
    v.push(Sim::new(&Config { commit: config.commit.other(), ..config.clone() }));
    v
}

/// Steps through the first run's moments; the others are there for comparison.
pub type Replay = super::timeline::Replay<Run>;

impl Replay {
    pub fn new(runs: Vec<Run>) -> Replay {
        let narration = runs.first().map_or_else(Vec::new, |r| (0..r.snaps.len()).map(|k| narrate(r, &runs, k)).collect());
        Replay::recorded(runs, narration)
    }

    /// The first run's snapshot at the current step.
    pub fn snap(&self) -> Option<&Snap> {
        self.runs().first().and_then(|r| r.snaps.get(self.step()))
    }
}

/// "db2 (a replica)", "db1 (the primary)".
fn named(n: usize, snap: &Snap) -> String {
    let role = match snap.nodes[n].role {
        Role::Primary => "the primary",
        Role::Replica => "a replica",
        Role::Down => "down",
    };
    format!("{} ({role})", node_name(n))
}

fn narrate(run: &Run, runs: &[Run], k: usize) -> String {
    let c = &run.config;
    let s = &run.snaps[k];
    match s.moment {
        Moment::Start => {
            let lag = match c.lag {
                Lag::Varies => format!("about {} behind (it changes every second)", fmt_ms(u64::from(c.lag_ms) * MS)),
                Lag::Constant => format!("{} behind", fmt_ms(u64::from(c.lag_ms) * MS)),
            };
            let commit = match c.commit {
                Commit::Async => "confirms a write as soon as it is in its own log",
                Commit::Sync => "confirms a write once a replica has it too",
            };
            let replicas = if c.replicas == 1 { "its replica, db2, replays".to_string() } else { format!("its {} replicas replay", c.replicas) };
            format!(
                "{USERS} users make {} operation{} between them: each saves their profile, then reads it back {READS_PER_WRITE} times, pausing about {} between operations. Writes go to the primary, db1, which {commit}; {replicas} its log {lag}. Reads go to: {}. You are user 1.",
                group(u64::from(c.ops)),
                plural(c.ops as usize),
                fmt_ms(u64::from(c.think_ms) * MS),
                c.reads.label().to_lowercase()
            )
        }
        Moment::Op { write: true, node, version, lsn, outcome } => match outcome {
            Outcome::Saved { took, replicas_had } => {
                let how = match (c.commit, replicas_had) {
                    (Commit::Async, 0) => format!("confirms it after {}, before any replica has it", fmt_ms(took)),
                    (Commit::Async, k) => format!("confirms it after {}; the lag is so short that {k} replica{} already {} it", fmt_ms(took), plural(k as usize), if k == 1 { "has" } else { "have" }),
                    (Commit::Sync, _) => format!("confirms it after {}, once a replica has it", fmt_ms(took)),
                };
                format!("You save version {version} of your profile. The primary, {}, writes it as log entry {lsn} and {how}.", node_name(node))
            }
            _ if lsn == 0 => format!("You save version {version} of your profile, but the primary is down: the write fails, and you are told so."),
            _ => format!("You save version {version} of your profile (log entry {lsn}), but the primary crashes before confirming it: you are told it failed."),
        },
        Moment::Op { write: false, node, version, lsn, outcome } => {
            let at = named(node, s);
            match outcome {
                Outcome::Failed | Outcome::Saved { .. } => format!("You read your profile from {}, which is down: the read fails.", node_name(node)),
                Outcome::Fresh { waited } if waited > 0 => format!("You read your profile from {at}. It was behind, so it waited {} until it had applied your last write; now at entry {lsn}, it shows version {version}, your latest.", fmt_ms(waited)),
                Outcome::Fresh { .. } if version == 0 => format!("You read your profile from {at}: nothing saved yet, and nothing shown."),
                Outcome::Fresh { .. } => format!("You read your profile from {at}, which has applied the log up to entry {lsn}: you see version {version}, your latest."),
                Outcome::FellBack => format!("You read your profile: the replica was still behind after {}, so the primary answered: version {version}.", fmt_ms(LSN_TIMEOUT)),
                Outcome::Stale { wanted } => format!(
                    "You read your profile from {at}, which has only applied the log up to entry {lsn}: you see {}, not the version {wanted} you were told was saved. A stale read: read-your-writes is broken.",
                    if version == 0 { "no profile at all".to_string() } else { format!("version {version}") }
                ),
                Outcome::BackInTime { before } => format!(
                    "You read your profile from {at} (log up to entry {lsn}) and see version {version}, older than the version {before} you saw a moment ago: your view went back in time (monotonic reads are broken)."
                ),
            }
        }
        Moment::Reached { node, lsn, after } => format!("Your log entry {lsn} reaches {}, {} after the primary committed it.", node_name(node), fmt_ms(after)),
        Moment::Tick => {
            let t = s.totals;
            let head = s.nodes.iter().find(|p| p.role == Role::Primary).map(|p| p.applied);
            let replicas: Vec<(usize, &NodeSnap)> = s.nodes.iter().enumerate().filter(|(_, n)| n.role == Role::Replica).collect();
            let place = match head {
                Some(h) => format!(
                    "Entries each replica is behind: {}.",
                    replicas.iter().map(|(i, n)| format!("{} {}", node_name(*i), h.saturating_sub(n.applied))).collect::<Vec<_>>().join(", ")
                ),
                None => "No database is the primary yet, so every write fails.".to_string(),
            };
            format!(
                "At {}: {} read{}, {} stale, {} back in time; {} write{} confirmed. {place}",
                fmt_time(s.at),
                group(u64::from(t.reads)),
                plural(t.reads as usize),
                group(u64::from(t.stale)),
                group(u64::from(t.back_in_time)),
                group(u64::from(t.saved)),
                plural(t.saved as usize),
            )
        }
        Moment::Crash { unshipped } => format!(
            "The primary, db1, crashes at {}. {} of its log entries had reached no replica yet. Until a replica is promoted, every write fails.",
            fmt_time(s.at),
            if unshipped == 0 { "None".to_string() } else { group(u64::from(unshipped)) }
        ),
        Moment::Promoted { node, at_lsn, lost, dropped } => {
            let mut out = format!("{} later, {}, the replica furthest along (entry {}), becomes the primary. ", fmt_ms(FAILOVER), node_name(node), group(u64::from(at_lsn)));
            if lost + dropped == 0 {
                out.push_str("It had every entry the old primary committed: nothing is lost.");
            } else {
                out.push_str(&format!(
                    "The {} entr{} it never received {} gone: {} had been confirmed to their users (lost writes), {} had not.",
                    lost + dropped,
                    if lost + dropped == 1 { "y" } else { "ies" },
                    if lost + dropped == 1 { "is" } else { "are" },
                    lost,
                    dropped
                ));
            }
            out
        }
        Moment::End => {
            let others: Vec<String> = runs.iter().skip(1).filter(|r| r.config.commit == c.commit).map(|r| format!("{} {}", r.config.reads.label().to_lowercase(), fmt_per_mille(r.stale_per_mille()))).collect();
            let mut out = format!(
                "Done at {}: {} read{}, {} of them stale ({}), {} back in time. Stale reads with the other routings on the same users: {}.",
                fmt_time(s.at),
                group(u64::from(run.totals.reads)),
                plural(run.totals.reads as usize),
                group(u64::from(run.totals.stale)),
                fmt_per_mille(run.stale_per_mille()),
                group(u64::from(run.totals.back_in_time)),
                others.join("; ")
            );
            if let Some(f) = run.failover {
                out.push_str(&format!(" The failover lost {} confirmed write{}.", f.lost, plural(f.lost as usize)));
            }
            out
        }
    }
}

#[cfg(test)]
mod tests;
