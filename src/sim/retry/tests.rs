//! The retry engine's tests: determinism, strategies, the breaker, replay.

use super::*;
use proptest::prelude::*;
use crate::sim::timeline::Machine;
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
    let f = r.finished_by_now(0);
    let s = runs[0].summary();
    assert_eq!((f.succeeded, f.gave_up, f.stopped), (s.succeeded, s.gave_up, s.not_retryable));
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

/// The narration names the trouble at the start, each kind of answer, and why a slice is quiet;
/// with two runs side by side it says the capacity once.
#[test]
fn narration_names_the_trouble_and_each_answer() {
    let mut r = Replay::new(vec![simulate(&cfg(Strategy::Immediate))]);
    let first = r.narrate();
    assert!(first.contains("Trouble: it is down, answering 503 to everything, from 0 ms to 3 s."), "{first}");
    let mut lines = Vec::new();
    while r.advance() {
        lines.push(r.narrate());
    }
    assert!(lines.iter().any(|l| l.contains("with 503 Service Unavailable")), "{lines:#?}");
    assert!(lines.iter().all(|l| l.contains("(it can serve about")));
    assert!(lines.last().unwrap().contains("client"), "{lines:#?}");
    // The calls counted in a slice are those that arrived in it; the clients' tally is separate.
    assert!(!lines.iter().any(|l| l.split(" clients have").next().unwrap().contains("succeeded")), "no slice count is called succeeded: {lines:#?}");

    let limited = Config { rate_limit: 50, outage_to_ms: 0, bad_pct: 5, ..cfg(Strategy::FullJitter) };
    let mut r = Replay::new(vec![simulate(&limited)]);
    assert!(r.narrate().contains("answers 429 with a Retry-After past that, which the clients honour"), "{}", r.narrate());
    let mut lines = Vec::new();
    while r.advance() {
        lines.push(r.narrate());
    }
    assert!(lines.iter().any(|l| l.contains("with 429 Too Many Requests")), "{lines:#?}");
    assert!(lines.iter().any(|l| l.contains("stopped on a 4xx that retrying cannot fix")), "{lines:#?}");
    assert!(lines.iter().any(|l| l.starts_with("1.50 s to 2 s") && l.contains("as the clients still waiting sit out their backoff or the 429's Retry-After")), "{lines:#?}");

    let mut two = Replay::new(vec![simulate(&cfg(Strategy::Immediate)), simulate(&cfg(Strategy::FullJitter))]);
    two.advance();
    let said = two.narrate();
    assert_eq!(said.matches("can serve about").count(), 1, "{said}");
}

/// AWS's backoff study (Brooker 2015) in our terms: its base of 5 ms with the first retry
/// numbered 1 is our base of 10 ms with the first numbered 0; cap 2 s; messages take
/// |N(10 ms, 2 ms)|; every client starts at once and retries with no limit.
fn aws(strategy: Strategy, clients: u32, seed: u64) -> Config {
    Config { workload: Workload::Row, clients, spread_ms: 0, strategy, base_ms: 10, cap_ms: 2_000, max_attempts: 0, net_ms: 10, seed, ..Config::default() }
}

/// Mean write calls and mean completion time (ms) over `seeds` runs.
fn aws_mean(strategy: Strategy, clients: u32, seeds: u64) -> (f64, f64) {
    let (mut work, mut time) = (0.0, 0.0);
    for seed in 1..=seeds {
        let run = simulate(&aws(strategy, clients, seed));
        let s = run.summary();
        assert_eq!(s.succeeded, clients, "{strategy:?} with {clients} clients, seed {seed}: every client gets its write in");
        work += f64::from(s.calls);
        time += s.finish_us as f64 / 1_000.0;
    }
    (work / seeds as f64, time / seeds as f64)
}

/// The study's findings, over ten seeds: with jitter the clients do far less work and finish
/// far sooner than with plain exponential backoff, which does about as much work as not
/// backing off at all; and with no backoff the work grows roughly with the square of the
/// clients (one writer wins a round that all of them paid for).
#[test]
fn the_aws_backoff_study_reproduces_on_the_one_row_workload() {
    for n in [20, 40] {
        let (none, none_t) = aws_mean(Strategy::Immediate, n, 10);
        let (expo, expo_t) = aws_mean(Strategy::Exponential, n, 10);
        let (full, full_t) = aws_mean(Strategy::FullJitter, n, 10);
        let (equal, _) = aws_mean(Strategy::EqualJitter, n, 10);
        let (decorr, _) = aws_mean(Strategy::Decorrelated, n, 10);
        assert!(expo > 1.3 * full, "{n} clients: exponential {expo} vs full jitter {full} writes");
        assert!(none > 1.3 * full, "{n} clients: no backoff {none} vs full jitter {full} writes");
        assert!(expo > 0.8 * none, "{n} clients: exponential without jitter stays in lockstep, working about as hard as no backoff ({expo} vs {none})");
        assert!(expo_t > 5.0 * full_t, "{n} clients: exponential takes {expo_t} ms, full jitter {full_t} ms");
        assert!(full_t > none_t, "{n} clients: backing off costs time ({full_t} vs {none_t} ms)");
        for (name, w) in [("equal", equal), ("decorrelated", decorr)] {
            assert!(expo > 1.2 * w, "{n} clients: {name} jitter {w} vs exponential {expo}");
        }
    }
    // Doubling the clients roughly quadruples the work with no backoff; jitter grows less.
    let none: Vec<f64> = [20, 40, 80].iter().map(|&n| aws_mean(Strategy::Immediate, n, 10).0).collect();
    let full: Vec<f64> = [20, 40, 80].iter().map(|&n| aws_mean(Strategy::FullJitter, n, 10).0).collect();
    for i in 0..2 {
        assert!(none[i + 1] / none[i] > 2.8, "no backoff: {} to {} writes when the clients double", none[i], none[i + 1]);
        assert!(full[i + 1] / full[i] < none[i + 1] / none[i], "full jitter grows slower: {full:?} vs {none:?}");
    }
}

/// With no limit on attempts, a run that would never end stops at the safety limit, and the
/// narration says so; the one-row workload narrates writes and 412s.
#[test]
fn no_limit_runs_to_the_safety_stop_and_the_row_is_narrated() {
    let endless = Config { clients: 2_000, outage_to_ms: 600_000, max_attempts: 0, ..cfg(Strategy::Immediate) };
    let run = simulate(&endless);
    assert_eq!(run.attempts.len(), SAFETY_ATTEMPTS);
    assert!(run.safety_stop.is_some());
    let mut r = Replay::new(vec![run]);
    while r.advance() {}
    assert!(r.narrate().contains("after 300,000 attempts in all"), "{}", r.narrate());

    let row = aws(Strategy::FullJitter, 20, 1);
    assert!(row.validate().is_ok());
    assert!(Config { clients: MAX_ROW_CLIENTS + 1, ..row.clone() }.validate().unwrap_err().contains("square"));
    let mut r = Replay::new(vec![simulate(&row)]);
    assert!(r.narrate().contains("read its version, then write only if the version is unchanged"), "{}", r.narrate());
    assert!(r.narrate().contains("There is no limit on attempts."));
    let mut lines = Vec::new();
    while r.advance() {
        lines.push(r.narrate());
    }
    assert!(lines.iter().any(|l| l.contains("with 412 Precondition Failed (the row changed since it was read)")), "{lines:#?}");
    assert!(lines.iter().all(|l| !l.contains("reached the API") && !l.contains("can serve")), "{lines:#?}");
    assert!(lines.last().unwrap().contains("20 of 20 clients have succeeded"), "{lines:#?}");
}
