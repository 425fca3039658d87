//! The queue against closed forms (Little's law on every run, the Erlang C waiting time of an
//! M/M/c queue, the growth rate of an overloaded queue) and against the rules it claims
//! (every job settles once, an idempotent job never charges twice, a poison job is received
//! exactly `max_attempts` times, backoff delays follow the retry engine's formulas).

use super::*;
use crate::sim::des::run_to_end;
use proptest::prelude::{any, prop_assert, prop_assert_eq, proptest, ProptestConfig};
use proptest::strategy::Strategy as _;

fn run(c: &Config) -> Run {
    c.validate().unwrap();
    run_to_end(Sim::new(c))
}

/// Nothing fails and no message reappears: a plain queue with `workers` servers.
fn plain(rate: u32, workers: u32, pool: u32, work_ms: u32, jobs: u32) -> Config {
    Config { rate, jobs, workers, work_ms, pool, pool_wait_ms: MAX_WAIT_MS, visibility_ms: MAX_WAIT_MS, fail_pct: 0, poison_pct: 0, crash_pct: 0, ..Config::default() }
}

/// The Erlang C mean time in an M/M/c system: waiting, C(c, a)/(cμ − λ), plus service, 1/μ.
fn erlang_c_time_in_system(lambda: f64, mu: f64, c: u32) -> f64 {
    let a = lambda / mu;
    let rho = a / f64::from(c);
    let mut term = 1.0;
    let mut sum = 0.0;
    for k in 0..c {
        if k > 0 {
            term *= a / f64::from(k);
        }
        sum += term;
    }
    let top = term * a / f64::from(c);
    let wait_prob = top / ((1.0 - rho) * sum + top);
    wait_prob / (f64::from(c) * mu - lambda) + 1.0 / mu
}

fn mean_s(v: &[u64]) -> f64 {
    v.iter().map(|&x| x as f64).sum::<f64>() / v.len() as f64 / 1e6
}

#[test]
fn erlang_c_is_right_on_known_values() {
    // M/M/1: W = 1/(μ − λ).
    assert!((erlang_c_time_in_system(8.0, 10.0, 1) - 0.5).abs() < 1e-12);
    // a = 2, c = 3: C = (8/6)/((1 − 2/3)(1 + 2 + 2) + 8/6) = 4/9 (a textbook value).
    let w = erlang_c_time_in_system(2.0, 1.0, 3);
    assert!((w - (4.0 / 9.0 / (3.0 - 2.0) + 1.0)).abs() < 1e-12, "{w}");
}

#[test]
fn a_plain_queue_matches_the_m_m_c_closed_form() {
    // Four seeds of 100,000 jobs each: one seed's mean strays a few percent at these loads.
    for (rate, workers, work_ms) in [(6, 1, 100), (30, 4, 100), (55, 8, 100)] {
        let mut w = 0.0;
        for seed in 1..=4 {
            let r = run(&Config { seed, ..plain(rate, workers, MAX_POOL, work_ms, 100_000) });
            assert_eq!(r.totals.done, 100_000);
            w += mean_s(&r.latency_us) / 4.0;
        }
        let closed = erlang_c_time_in_system(f64::from(rate), 1000.0 / f64::from(work_ms), workers);
        assert!((w - closed).abs() / closed < 0.03, "{workers} workers at {rate}/s: mean {w:.4} s, Erlang C {closed:.4} s");
    }
}

/// In an M/M/1 queue the time in the system is exponential with rate μ − λ, so its
/// percentiles have a closed form: the p-th is −ln(1 − p)/(μ − λ); p99 is about 4.6 times
/// the mean. The percentiles the widget reports come out of the run, not from this formula.
#[test]
fn m_m_1_percentiles_match_the_exponential_distribution() {
    let (lambda, mu) = (6.0, 10.0);
    let mut all = Vec::new();
    for seed in 1..=4 {
        all.extend(run(&Config { seed, ..plain(6, 1, MAX_POOL, 100, 100_000) }).latency_us);
    }
    all.sort_unstable();
    for (pm, p) in [(500, 0.5), (900, 0.9), (990, 0.99)] {
        let got = crate::sim::lb::percentile(&all, pm).unwrap() as f64 / 1e6;
        let want = -(1.0f64 - p).ln() / (mu - lambda);
        assert!((got - want).abs() / want < 0.04, "p{}: {got:.4} s, closed form {want:.4} s", pm / 10);
    }
}

#[test]
fn a_small_pool_makes_the_workers_an_m_m_pool_queue() {
    // Eight workers but two connections: the pool is the bottleneck, and the time from order
    // to done is that of an M/M/2 queue.
    let mut w = 0.0;
    let mut r = None;
    for seed in 1..=4 {
        let one = run(&Config { seed, ..plain(15, 8, 2, 100, 100_000) });
        w += mean_s(&one.latency_us) / 4.0;
        r = Some(one);
    }
    let r = r.unwrap();
    let closed = erlang_c_time_in_system(15.0, 10.0, 2);
    assert!((w - closed).abs() / closed < 0.03, "mean {w:.4} s, M/M/2 says {closed:.4} s");
    assert!(!r.pool_wait_us.is_empty());
    // With eight connections it is an M/M/8 queue, much faster.
    let wide = run(&plain(15, 8, 8, 100, 100_000));
    assert!(mean_s(&wide.latency_us) < w / 2.0);
}

#[test]
fn an_overloaded_queue_grows_at_the_difference_of_the_rates() {
    // 50 a second in, at most 40 a second out: by the last order, about 10·T are waiting.
    let c = plain(50, 4, 4, 100, 40_000);
    let r = run(&c);
    let last = r.snaps.iter().find(|s| s.moment == Moment::LastArrival).unwrap();
    let expect = (50.0 - 40.0) * last.at as f64 / 1e6;
    let depth = f64::from(last.depth());
    assert!((depth - expect).abs() / expect < 0.1, "depth {depth}, (λ − cμ)·T = {expect}");
    // And it only drains after the orders stop.
    assert!(r.max_depth as f64 >= depth);
    // Draining them at 40 a second takes about depth/40 seconds.
    let drain = (r.end_us - last.at) as f64 / 1e6;
    assert!((drain - depth / 40.0).abs() / (depth / 40.0) < 0.1, "drained in {drain} s");
}

#[test]
fn poison_jobs_are_received_max_attempts_times_then_dead_lettered() {
    let c = Config { poison_pct: 100, fail_pct: 0, crash_pct: 0, jobs: 50, max_attempts: 4, backoff: Strategy::Fixed, base_ms: 500, ..Config::default() };
    let r = run(&c);
    assert_eq!((r.totals.dead, r.totals.done), (50, 0));
    assert_eq!(r.totals.attempts, 50 * 4, "each received exactly max_attempts times");
    assert_eq!(r.totals.charges, 0);
    // A fixed backoff hands each failed message back after exactly the base.
    let first = r.snaps.iter().find_map(|s| match s.moment {
        Moment::Retry { delay, why: Failure::Poison, .. } => Some(delay),
        _ => None,
    });
    assert_eq!(first, Some(500 * MS));
    assert!(r.snaps.iter().any(|s| matches!(s.moment, Moment::Dead { attempts: 4, .. })));
}

#[test]
fn backoff_delays_follow_the_retry_engine() {
    // Exponential with base 100 ms: attempt n's failure waits 100·2^(n−1) ms.
    let c = Config { poison_pct: 100, fail_pct: 0, crash_pct: 0, jobs: 1, workers: 1, max_attempts: 5, backoff: Strategy::Exponential, base_ms: 100, cap_ms: 60_000, ..Config::default() };
    let mut sim = Sim::new(&c);
    while sim.step() {}
    let job = &sim.jobs[0];
    assert_eq!(job.receives, 6, "five attempts, then the receive that dead-letters it");
    assert_eq!(job.last_delay, 1_600 * MS, "the fifth failure waited 100·2⁴ ms");
}

#[test]
fn a_crash_after_charging_charges_twice_unless_the_job_is_idempotent() {
    let c = Config { crash_pct: 10, fail_pct: 0, jobs: 2_000, visibility_ms: 5_000, ..Config::default() };
    let r = run(&c);
    assert!(r.totals.crashes > 100);
    assert!(r.totals.double_charges() > 100, "{:?}", r.totals);
    assert!(r.snaps.iter().any(|s| matches!(s.moment, Moment::Duplicate { charged_again: true, .. })));
    let safe = run(&Config { idempotent: true, ..c });
    assert_eq!(safe.totals.double_charges(), 0);
    assert_eq!(safe.totals.skipped, r.totals.duplicates, "same jobs, same luck: the check skips exactly those");
    assert_eq!(safe.latency_us, r.latency_us, "idempotency changes what is charged, not when");
}

#[test]
fn a_visibility_timeout_shorter_than_the_work_runs_jobs_twice_at_once() {
    let c = Config { rate: 5, jobs: 1_000, work_ms: 800, visibility_ms: 1_000, fail_pct: 0, crash_pct: 0, ..Config::default() };
    let r = run(&c);
    assert!(r.totals.reappeared > 100, "{:?}", r.totals);
    assert!(r.totals.late_deletes > 0);
    assert!(r.snaps.iter().any(|s| matches!(s.moment, Moment::Reappeared { still_working: true, .. })));
    let long = run(&Config { visibility_ms: MAX_WAIT_MS, ..c });
    assert_eq!((long.totals.reappeared, long.totals.duplicates), (0, 0));
}

#[test]
fn a_tight_pool_wait_gives_attempts_up() {
    let c = Config { workers: 16, pool: 2, pool_wait_ms: 50, rate: 18, jobs: 2_000, fail_pct: 0, crash_pct: 0, ..Config::default() };
    let r = run(&c);
    assert!(r.totals.pool_timeouts > 0);
    assert!(r.snaps.iter().any(|s| matches!(s.moment, Moment::Retry { why: Failure::NoConnection, .. })));
}

/// Nothing fails, a connection is never waited for in vain and no timeout runs out: every
/// job is done on its first attempt, however tight the pool, and none is dead-lettered.
#[test]
fn with_nothing_failing_and_long_timeouts_no_job_is_retried() {
    for seed in 1..=4 {
        let r = run(&Config { seed, max_attempts: 1, ..plain(30, 16, 2, 20, 1_000) });
        let t = r.totals;
        assert_eq!((t.done, t.dead, t.attempts, t.pool_timeouts, t.reappeared), (1_000, 0, 1_000, 0, 0), "seed {seed}");
    }
}

/// SQS deletes a message by the receipt of its latest receive, even after the visibility
/// timeout ran out, as long as no other worker received it since.
#[test]
fn a_late_delete_still_works_if_nobody_received_the_message_again() {
    let c = Config { workers: 1, jobs: 1, work_ms: 5_000, visibility_ms: 1, fail_pct: 0, crash_pct: 0, ..Config::default() };
    let r = run(&c);
    let t = r.totals;
    assert_eq!((t.reappeared, t.late_deletes, t.attempts, t.done, t.charges), (1, 0, 1, 1, 1), "{t:?}");
}

/// A worker still running a copy of a job that another worker settled charges the card when
/// it finishes; the run lasts until it has.
#[test]
fn the_run_ends_only_when_every_worker_is_free() {
    let c = Config { rate: 5, jobs: 300, work_ms: 800, visibility_ms: 400, fail_pct: 0, crash_pct: 0, ..Config::default() };
    let r = run(&c);
    let end = r.snaps.last().unwrap();
    assert!(end.workers.iter().all(|w| *w == WorkerState::Idle), "{:?}", end.workers);
    assert_eq!(r.totals.done + r.totals.dead, 300);
    assert!(r.totals.double_charges() > 0);
    assert!(r.totals.charges > r.totals.done);
}

#[test]
fn every_moment_is_narrated_and_the_end_comes_last() {
    let r = run(&Config::default());
    let replay = Replay::new(r.clone());
    assert_eq!(replay.steps(), r.snaps.len());
    assert_eq!(r.snaps.last().unwrap().moment, Moment::End);
    assert!(r.snaps.windows(2).all(|w| w[0].at <= w[1].at), "snapshots in time order");
    for k in 0..r.snaps.len() {
        assert!(!narrate(&r, k).is_empty());
    }
    assert!(r.snaps.len() < 200, "{} steps", r.snaps.len());
}

fn config() -> impl proptest::strategy::Strategy<Value = Config> {
    ((1u32..200, 1u32..400, 1u32..10, 1u32..500, 1u32..10, 1u32..3_000), (1u32..5_000, 0u32..40, 0u32..20, 0u32..20, 1u32..6, any::<bool>(), any::<u64>()))
        .prop_map(|((rate, jobs, workers, work_ms, pool, pool_wait_ms), (visibility_ms, fail_pct, poison_pct, crash_pct, max_attempts, idempotent, seed))| Config {
            rate,
            jobs,
            workers,
            work_ms,
            pool,
            pool_wait_ms,
            visibility_ms,
            fail_pct,
            poison_pct,
            crash_pct,
            max_attempts,
            backoff: Strategy::FullJitter,
            base_ms: 100,
            cap_ms: 5_000,
            idempotent,
            seed,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Little's law, exactly: the time-average number of jobs in the system times the run's
    /// length is the sum of every job's time in it.
    #[test]
    fn littles_law_holds_on_every_run(c in config()) {
        let r = run(&c);
        let l_t = r.mean_in_system * r.end_us as f64;
        let sum_w = r.total_in_system_us as f64;
        prop_assert!((l_t - sum_w).abs() <= 1e-6 * sum_w.max(1.0), "L·T {} vs ΣW {}", l_t, sum_w);
    }

    /// Every job settles exactly once; charges add up; idempotent jobs never charge twice.
    #[test]
    fn every_job_settles_once_and_charges_add_up(c in config()) {
        let r = run(&c);
        let t = r.totals;
        prop_assert_eq!(t.arrived, c.jobs);
        prop_assert_eq!(t.done + t.dead, c.jobs);
        prop_assert_eq!(r.latency_us.len() as u32, t.done);
        prop_assert!(t.charges >= t.done);
        // A job is charged once, and again only when a crash or a timeout ran it twice.
        prop_assert!(t.charges - t.double_charges() <= t.done + t.dead);
        if c.idempotent {
            prop_assert_eq!(t.double_charges(), 0);
        } else {
            prop_assert_eq!(t.skipped, 0);
        }
        // No worker still holds a job when the run ends.
        let end = r.snaps.last().unwrap();
        prop_assert!(end.workers.iter().all(|w| matches!(w, WorkerState::Idle | WorkerState::Down)), "{:?}", end.workers);
        prop_assert_eq!(end.depth(), 0);
        prop_assert_eq!(end.moment.clone(), Moment::End);
        // The same inputs give the same run.
        prop_assert_eq!(run(&c).snaps, r.snaps);
    }
}

