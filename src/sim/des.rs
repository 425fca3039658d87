//! The discrete-event scheduler every "many actors over time" engine runs on (retries today;
//! rate limiters, caches, load balancers, queues and replicas next). Virtual time is an
//! integer count of microseconds, so runs are exact and identical on every machine. Events
//! at the same instant run in the order they were scheduled (a sequence number breaks ties),
//! which keeps a run deterministic from its seed. Each actor draws from a random stream of
//! its own ([`stream`]), so adding an actor or changing a policy leaves the others' draws
//! alone: two policies on one seed face the same clients.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use super::rng::{mix, SplitMix64};

/// Virtual time, in microseconds.
pub type Micros = u64;
pub const MS: Micros = 1_000;
pub const SECOND: Micros = 1_000_000;

/// One pending event: ordered by time, then by when it was scheduled.
#[derive(Clone, Debug)]
struct Pending<E> {
    at: Micros,
    seq: u64,
    event: E,
}

impl<E> PartialEq for Pending<E> {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}
impl<E> Eq for Pending<E> {}
impl<E> PartialOrd for Pending<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Pending<E> {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.at, self.seq).cmp(&(other.at, other.seq))
    }
}

/// A queue of future events on a virtual clock that stops at a horizon.
#[derive(Clone, Debug)]
pub struct Scheduler<E> {
    heap: BinaryHeap<Reverse<Pending<E>>>,
    seq: u64,
    now: Micros,
    horizon: Micros,
    processed: u64,
}

impl<E> Scheduler<E> {
    /// An empty schedule whose clock stops at `horizon`: later events never run.
    pub fn new(horizon: Micros) -> Self {
        Scheduler { heap: BinaryHeap::new(), seq: 0, now: 0, horizon, processed: 0 }
    }

    /// Schedules `event` at the absolute time `at`.
    pub fn at(&mut self, at: Micros, event: E) {
        self.seq += 1;
        self.heap.push(Reverse(Pending { at, seq: self.seq, event }));
    }

    /// Schedules `event` `delay` after now.
    pub fn after(&mut self, delay: Micros, event: E) {
        self.at(self.now.saturating_add(delay), event);
    }

    /// The time of the event being handled (the last one popped).
    pub fn now(&self) -> Micros {
        self.now
    }

    pub fn horizon(&self) -> Micros {
        self.horizon
    }

    /// True when no event is left before the horizon.
    pub fn is_done(&self) -> bool {
        self.heap.peek().is_none_or(|Reverse(p)| p.at > self.horizon)
    }

    /// The next event, moving the clock to it; `None` once the run is done.
    pub fn pop(&mut self) -> Option<(Micros, E)> {
        if self.is_done() {
            return None;
        }
        let Reverse(p) = self.heap.pop()?;
        self.now = p.at;
        self.processed += 1;
        Some((p.at, p.event))
    }

    /// Events handled so far, a measure of a run's work.
    pub fn processed(&self) -> u64 {
        self.processed
    }

    /// Events waiting, including any past the horizon.
    pub fn pending(&self) -> usize {
        self.heap.len()
    }
}

/// Actor `actor`'s own random stream for a run seeded with `seed`.
pub fn stream(seed: u64, actor: u64) -> SplitMix64 {
    SplitMix64(mix(seed.wrapping_mul(0x9E37_79B9).wrapping_add(actor + 1)))
}

/// Work that runs a bounded slice at a time, so the browser can draw between slices (its
/// runner is `ui::slices`) while a native caller simply runs it to the end.
pub trait Resumable {
    type Output;
    /// Does at most `budget` units of work; returns true when nothing is left.
    fn run_slice(&mut self, budget: usize) -> bool;
    fn is_done(&self) -> bool;
    /// Work done so far, in the same units as `budget`.
    fn done_so_far(&self) -> u64;
    /// The result; runs whatever is left first.
    fn finish(self) -> Self::Output;
}

/// Several pieces of work run one after another as one (two strategies simulated for a
/// side-by-side comparison): each slice goes to the first that is not done.
impl<R: Resumable> Resumable for Vec<R> {
    type Output = Vec<R::Output>;

    fn run_slice(&mut self, budget: usize) -> bool {
        match self.iter_mut().find(|w| !w.is_done()) {
            Some(w) => {
                w.run_slice(budget);
                self.is_done()
            }
            None => true,
        }
    }

    fn is_done(&self) -> bool {
        self.iter().all(R::is_done)
    }

    fn done_so_far(&self) -> u64 {
        self.iter().map(R::done_so_far).sum()
    }

    fn finish(self) -> Vec<R::Output> {
        self.into_iter().map(R::finish).collect()
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

/// An exponential draw with the given mean, in whole microseconds (at least 1), from a uniform
/// in (0, 1]: the time between Poisson arrivals, or a memoryless service time.
pub fn exp_draw(rng: &mut SplitMix64, mean_us: f64) -> Micros {
    (-unit(rng).ln() * mean_us).round().max(1.0) as Micros
}

/// A uniform draw in (0, 1], never 0 (so its logarithm is finite).
pub fn unit(rng: &mut SplitMix64) -> f64 {
    ((rng.next_u64() >> 11) as f64 + 1.0) / (1u64 << 53) as f64
}

/// Runs `work` to its end in one go.
pub fn run_to_end<R: Resumable>(mut work: R) -> R::Output {
    while !work.run_slice(100_000) {}
    work.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_run_in_time_order_and_ties_in_scheduling_order() {
        let mut s = Scheduler::new(100);
        s.at(30, "c");
        s.at(10, "a");
        s.at(30, "d");
        s.at(20, "b");
        s.at(101, "late");
        let mut seen = Vec::new();
        while let Some((t, e)) = s.pop() {
            assert_eq!(s.now(), t);
            seen.push((t, e));
            if e == "a" {
                s.after(5, "a+5");
            }
        }
        assert_eq!(seen, [(10, "a"), (15, "a+5"), (20, "b"), (30, "c"), (30, "d")]);
        assert_eq!(s.processed(), 5);
        assert!(s.is_done());
        assert_eq!(s.pending(), 1, "the event past the horizon never runs");
    }

    /// Counts to a target, a unit of work per step.
    struct Count(u64, u64);
    impl Resumable for Count {
        type Output = u64;
        fn run_slice(&mut self, budget: usize) -> bool {
            self.0 = (self.0 + budget as u64).min(self.1);
            self.is_done()
        }
        fn is_done(&self) -> bool {
            self.0 >= self.1
        }
        fn done_so_far(&self) -> u64 {
            self.0
        }
        fn finish(mut self) -> u64 {
            while !self.run_slice(7) {}
            self.0
        }
    }

    #[test]
    fn several_pieces_of_work_run_in_turn() {
        let mut v = vec![Count(0, 10), Count(0, 5)];
        assert!(!v.run_slice(8));
        assert_eq!(v.done_so_far(), 8);
        assert!(!v.run_slice(8), "the first finishes, the second has not started");
        assert_eq!((v[0].0, v[1].0), (10, 0));
        assert!(v.run_slice(8));
        assert_eq!(run_to_end(vec![Count(0, 3), Count(0, 4)]), [3, 4]);
    }

    #[test]
    fn streams_are_per_actor_and_repeatable() {
        let a: Vec<u64> = (0..3).map(|i| stream(7, i).next_u64()).collect();
        let b: Vec<u64> = (0..3).map(|i| stream(7, i).next_u64()).collect();
        assert_eq!(a, b);
        assert_ne!(a[0], a[1]);
        assert_ne!(stream(7, 0).next_u64(), stream(8, 0).next_u64());
    }

    /// Little's law, L = λW, holds exactly on any run of a single queue: the time-average
    /// number in the system equals the arrival rate times the mean time in the system. Checked
    /// here on an M/M/1 queue driven by the scheduler, whose mean time in the system also
    /// approaches the closed form 1/(μ−λ).
    #[test]
    fn an_mm1_queue_on_the_scheduler_obeys_littles_law_and_its_closed_form() {
        #[derive(Clone, Copy, Debug)]
        enum Ev {
            Arrive,
            Depart,
        }
        // Exponential draws with integer microseconds from a uniform in (0, 1].
        let exp = exp_draw;
        let (lambda, mu) = (800.0, 1000.0); // per second
        let horizon = 2_000 * SECOND;
        let mut s = Scheduler::new(horizon);
        let mut arrivals = stream(42, 0);
        let mut service = stream(42, 1);
        let mut queue: std::collections::VecDeque<Micros> = Default::default();
        let (mut area, mut last, mut total_time, mut served) = (0.0f64, 0u64, 0u128, 0u64);
        s.at(exp(&mut arrivals, 1e6 / lambda), Ev::Arrive);
        while let Some((now, ev)) = s.pop() {
            area += queue.len() as f64 * (now - last) as f64;
            last = now;
            match ev {
                Ev::Arrive => {
                    queue.push_back(now);
                    if queue.len() == 1 {
                        s.after(exp(&mut service, 1e6 / mu), Ev::Depart);
                    }
                    s.after(exp(&mut arrivals, 1e6 / lambda), Ev::Arrive);
                }
                Ev::Depart => {
                    let came = queue.pop_front().expect("a departure has a customer");
                    total_time += u128::from(now - came);
                    served += 1;
                    if !queue.is_empty() {
                        s.after(exp(&mut service, 1e6 / mu), Ev::Depart);
                    }
                }
            }
        }
        // Little's law over the customers who have left, with those still inside counted
        // up to the end: L·T = Σ time in system.
        let inside: u128 = queue.iter().map(|c| u128::from(last - c)).sum();
        let l = area / last as f64;
        let sum_w = (total_time + inside) as f64;
        assert!((l * last as f64 - sum_w).abs() / sum_w < 1e-9, "L·T = ΣW exactly");
        let w_mean = total_time as f64 / served as f64 / 1e6;
        let closed = 1.0 / (mu - lambda);
        assert!((w_mean - closed).abs() / closed < 0.05, "mean time in system {w_mean} s, M/M/1 says {closed} s");
    }
}
