//! The load balancer's engine against references outside itself: queueing theory's closed
//! forms (the M/M/1 queue, the supermarket model of power of two choices), balls into bins,
//! nginx's published smooth weighted round robin sequence, Little's law, and HAProxy-style
//! health checks' timing.

use super::*;
use crate::sim::des::run_to_end;
use crate::sim::timeline::Machine;

fn run(c: &Config) -> Run {
    run_to_end(Sim::new(c))
}

fn cfg(policy: Policy) -> Config {
    Config { policy, ..Config::default() }
}

/// Mean time in the system over the answered requests, in microseconds.
fn mean_us(r: &Run) -> f64 {
    r.sorted_us.iter().map(|&v| v as f64).sum::<f64>() / r.sorted_us.len() as f64
}

#[test]
fn nearest_rank_percentiles() {
    let v = [3, 5, 8, 13, 21, 34, 55, 89, 144, 233];
    assert_eq!(percentile(&v, 500), Some(21), "5 of 10 at or below");
    assert_eq!(percentile(&v, 510), Some(34), "5.1 rounds up to the 6th");
    assert_eq!(percentile(&v, 990), Some(233));
    assert_eq!(percentile(&v, 100), Some(3));
    assert_eq!(percentile(&v, 0), Some(3), "the smallest, never an index of -1");
    assert_eq!(percentile(&[7], 999), Some(7));
    assert_eq!(percentile(&[], 500), None);
    // p99.9 of 1,000 values is the 999th; of 10,000 the 9,990th.
    let thousand: Vec<u64> = (1..=1000).collect();
    assert_eq!(percentile(&thousand, 999), Some(999));
    let ten_k: Vec<u64> = (1..=10_000).collect();
    assert_eq!(percentile(&ten_k, 999), Some(9_990));
}

/// nginx's change that introduced smooth weighted round robin (2012) gives, for weights
/// { a: 5, b: 1, c: 1 }, the sequence a a b a c a a, instead of a a a a a b c.
#[test]
fn smooth_weighted_round_robin_matches_nginx() {
    let mut ch = Chooser::new(Policy::Weighted, vec![5, 1, 1], SplitMix64(0));
    let views = vec![View { active: 0, ewma_us: 1.0 }; 3];
    let seq: String = (0..7).map(|_| server_name(ch.choose(&views, &|_| true).unwrap().server).to_ascii_lowercase()).collect();
    assert_eq!(seq, "aabacaa");
    // And it repeats with the period of the total weight.
    let again: String = (0..7).map(|_| server_name(ch.choose(&views, &|_| true).unwrap().server).to_ascii_lowercase()).collect();
    assert_eq!(again, seq);
}

#[test]
fn round_robin_takes_turns_and_skips_servers_out_of_rotation() {
    let mut ch = Chooser::new(Policy::RoundRobin, vec![1; 4], SplitMix64(0));
    let views = vec![View { active: 0, ewma_us: 1.0 }; 4];
    let picks: Vec<usize> = (0..6).map(|_| ch.choose(&views, &|s| s != 1).unwrap().server).collect();
    assert_eq!(picks, [0, 2, 3, 0, 2, 3]);
    assert_eq!(ch.choose(&views, &|_| false), None);
}

/// Balls into bins: n balls into n bins, one random bin each, leave a fullest bin with about
/// ln n / ln ln n balls; the better of two random bins, about ln ln n / ln 2 (Azar, Broder,
/// Karlin and Upfal, 1994). For n = 65,536 that is about 7 to 8 against 4.
#[test]
fn two_choices_flatten_the_fullest_bin_as_balls_into_bins_predicts() {
    let n = 1 << 16;
    for seed in 1..=3 {
        let mut worst = [0u32; 2];
        for (i, policy) in [Policy::Random, Policy::TwoChoices].into_iter().enumerate() {
            let mut ch = Chooser::new(policy, vec![1; n], SplitMix64(seed));
            let mut views = vec![View { active: 0, ewma_us: 1.0 }; n];
            for _ in 0..n {
                let s = ch.choose(&views, &|_| true).unwrap().server;
                views[s].active += 1;
            }
            worst[i] = views.iter().map(|v| v.active).max().unwrap();
        }
        assert!((6..=11).contains(&worst[0]), "seed {seed}: one choice's fullest bin holds {}", worst[0]);
        assert!((3..=5).contains(&worst[1]), "seed {seed}: two choices' fullest bin holds {}", worst[1]);
    }
}

/// Random assignment splits a Poisson stream into N Poisson streams, so each server is an
/// M/M/1 queue with arrival rate λ/N: the mean time in the system is 1/(μ − λ/N).
#[test]
fn random_balancing_matches_the_mm1_closed_form() {
    for (seed, load) in [(1, 50), (2, 70), (3, 80)] {
        let c = Config { servers: 4, load, service_ms: 10, requests: 200_000, seed, ..cfg(Policy::Random) };
        let r = run(&c);
        let mu = 100.0; // per second per server
        let lam = mu * f64::from(load) / 100.0;
        let closed = 1e6 / (mu - lam);
        let got = mean_us(&r);
        assert!((got - closed).abs() / closed < 0.06, "load {load} %: mean {got:.0} µs, M/M/1 says {closed:.0} µs");
    }
}

/// The supermarket model (Mitzenmacher, 2001; Vvedenskaya, Dobrushin and Karpelevich, 1996):
/// with many servers, Poisson arrivals at λ per server and exponential service at rate 1,
/// joining the shorter of two random queues gives a mean time in the system of
/// Σ_{i≥1} λ^(2^i − 2), about 2.61 at λ = 0.9, against 1/(1 − λ) = 10 for one random queue.
#[test]
fn power_of_two_choices_matches_the_supermarket_model() {
    let lam: f64 = 0.9;
    let closed: f64 = (1..8).map(|i| lam.powi((1 << i) - 2)).sum();
    assert!((closed - 2.6146).abs() < 0.001);
    let c = Config { servers: 100, load: 90, service_ms: 1, requests: 300_000, seed: 5, ..cfg(Policy::TwoChoices) };
    let got = mean_us(&run(&c)) / 1e3;
    // A hundred servers is not infinitely many: the finite system sits a little above.
    assert!(got > closed * 0.97 && got < closed * 1.10, "two choices: mean {got:.3} service times, the limit is {closed:.3}");
    let random = mean_us(&run(&Config { policy: Policy::Random, ..c })) / 1e3;
    assert!(random > 8.0 && random < 12.0, "one random choice: {random:.2}, M/M/1 says 10");
}

/// L = λW: the time-average number of requests in the system, from the engine's own count,
/// equals the arrival rate times the mean time each spent there. Exactly, on any run that
/// ends empty, whatever the policy, the crash, or the slow server.
#[test]
fn littles_law_holds_exactly_on_every_policy() {
    for p in Policy::ALL {
        for (slow, fail) in [(1, false), (4, true)] {
            let c = Config { servers: 5, load: 85, slow, fail, requests: 3_000, seed: 9, ..cfg(p) };
            let r = run(&c);
            assert_eq!(r.area, r.sum_in_system_us, "{p:?} slow {slow} fail {fail}");
            assert_eq!(r.answered() + r.lost, c.requests);
            assert!(r.area > 0);
        }
    }
}

#[test]
fn health_checks_take_a_crashed_server_out_and_put_it_back_on_time() {
    for p in Policy::ALL {
        let c = Config { servers: 4, load: 60, fail: true, requests: 4_000, ..cfg(p) };
        let r = run(&c);
        let (crash, back) = c.outage().unwrap();
        let h = r.health;
        assert_eq!((h.crashed, h.back), (Some(crash), Some(back)));
        let out = h.taken_out.expect("taken out");
        assert!(out > crash + (u64::from(FALL) - 1) * CHECK_EVERY && out <= crash + u64::from(FALL) * CHECK_EVERY, "{p:?}: out at {out}, crash at {crash}");
        assert_eq!(out % CHECK_EVERY, 0, "checks run on the second");
        let put = h.put_back.expect("put back");
        assert!(put > back + (u64::from(RISE) - 1) * CHECK_EVERY && put <= back + u64::from(RISE) * CHECK_EVERY);
        assert_eq!(r.lost, h.lost, "only what B held is lost: the balancer retries refused connections");
        // Until it was taken out, the policies kept choosing B; each refusal was retried.
        assert!(r.refused > 0, "{p:?} never tried the crashed server");
        // Nothing is sent to B while it is out of rotation: its answered requests all
        // arrived before the crash or after it was put back (their response times fit).
        let down_snaps = r.snaps.iter().filter(|s| s.at > out && s.at < put);
        for s in down_snaps {
            assert_eq!(s.lanes[1].active, 0, "{p:?}: B holds work while out of rotation at {}", s.at);
            assert!(!s.lanes[1].in_rotation);
        }
    }
}

/// Least connections sends fewer requests to a server stuck with a backlog; it sends the
/// crashed server, with no connections at all, far more than its share until it is taken out.
#[test]
fn least_connections_shuns_a_slow_server_and_flocks_to_a_dead_one() {
    let slow = Config { servers: 4, load: 80, slow: 5, requests: 20_000, ..Config::default() };
    let rr = run(&Config { policy: Policy::RoundRobin, ..slow.clone() });
    let lc = run(&Config { policy: Policy::LeastConn, ..slow.clone() });
    let wrr = run(&Config { policy: Policy::Weighted, ..slow.clone() });
    // Round robin gives A a quarter of the requests at a fifth of the speed: its queue grows
    // without bound while the others idle.
    assert!(rr.percentile(990).unwrap() > 10 * lc.percentile(990).unwrap(), "rr p99 {} vs lc {}", rr.percentile(990).unwrap(), lc.percentile(990).unwrap());
    let share = |r: &Run| r.per_server[0].len() as f64 / r.answered() as f64;
    assert!((share(&rr) - 0.25).abs() < 0.01);
    // Weighted: A's weight 1 against 5 for the rest, 1/16 of the turns.
    assert!((share(&wrr) - 1.0 / 16.0).abs() < 0.002, "wrr share {}", share(&wrr));
    assert!(share(&lc) < 0.1);
    let crash = Config { servers: 4, load: 90, fail: true, requests: 4_000, ..Config::default() };
    let refused = |p| run(&Config { policy: p, ..crash.clone() }).refused;
    // Round robin tries B on its turn, one request in four; least connections on most.
    assert!(refused(Policy::LeastConn) > 2 * refused(Policy::RoundRobin), "least connections {} vs round robin {}", refused(Policy::LeastConn), refused(Policy::RoundRobin));
}

#[test]
fn two_policies_face_the_same_requests() {
    let c = Config { fail: true, slow: 3, ..Config::default() };
    let runs = run_to_end(sims(&c, Some(Policy::LeastTime)));
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0].snaps.len(), runs[1].snaps.len());
    assert_eq!(runs[0].snaps.len() as u32, FIRST_ARRIVALS + TICKS + 1);
    for (a, b) in runs[0].snaps.iter().zip(&runs[1].snaps) {
        if a.moment == Moment::End {
            assert_eq!(b.moment, Moment::End, "both end last");
            continue;
        }
        assert_eq!(a.at, b.at);
        assert_eq!(a.arrived, b.arrived);
        match (&a.moment, &b.moment) {
            (Moment::Arrival { n, work_us, .. }, Moment::Arrival { n: m, work_us: w, .. }) => assert_eq!((n, work_us), (m, w)),
            (x, y) => assert_eq!(std::mem::discriminant(x), std::mem::discriminant(y)),
        }
    }
    assert_eq!(run_to_end(sims(&c, Some(c.policy))).len(), 1, "a policy beside itself runs once");
    // Deterministic from the seed.
    assert_eq!(run(&c), run(&c));
    assert_ne!(run(&c).sorted_us, run(&Config { seed: 2, ..c }).sorted_us);
}

#[test]
fn every_service_shape_keeps_its_mean() {
    for s in Service::ALL {
        let mut rng = SplitMix64(3);
        let n = 200_000;
        let mean = (0..n).map(|_| s.draw(&mut rng, 20_000.0) as f64).sum::<f64>() / f64::from(n);
        assert!((mean - 20_000.0).abs() < 300.0, "{s:?}: mean {mean}");
    }
}

#[test]
fn the_replay_narrates_every_moment_and_steps_back_exactly() {
    let c = Config { fail: true, ..Config::default() };
    let runs = run_to_end(sims(&c, Some(Policy::TwoChoices)));
    let mut t = crate::sim::timeline::Timeline::new(Replay::new(runs.clone()), Default::default());
    assert_eq!(t.last() as u32, FIRST_ARRIVALS + TICKS);
    let all = t.transcript();
    assert!(all[0].starts_with("5,000 requests reach 8 servers at 90 % of their capacity. Request 1 arrives at "), "{}", all[0]);
    assert!(all[0].contains("; Power of two choices draws "), "{}", all[0]);
    assert!(all.iter().any(|l| l.contains("Server B crashed at ")));
    assert!(all.iter().any(|l| l.contains("taken out of rotation")));
    assert!(all.iter().any(|l| l.contains("back in rotation")));
    let last = all.last().unwrap();
    assert!(last.starts_with("All 5,000 requests are done by ") && last.contains("Random: p50 ") && last.contains("; Power of two choices: p50 "), "{last}");
    // Any step reached by going back is the one a fresh replay reaches going forward.
    t.seek(usize::MAX);
    for k in (0..=t.last()).rev().step_by(7) {
        t.seek(k);
        let mut fresh = Replay::new(runs.clone());
        for _ in 0..k {
            fresh.advance();
        }
        assert_eq!(t.current().snaps(), fresh.snaps());
        assert_eq!(t.narration(), fresh.narrate());
    }
}

#[test]
fn tiny_runs_and_bad_settings() {
    let c = Config { requests: 1, servers: 2, ..Config::default() };
    let r = run(&c);
    assert_eq!(r.answered(), 1);
    let replay = Replay::new(vec![r]);
    assert!(replay.steps() >= 2);
    for bad in [Config { servers: 1, ..c.clone() }, Config { load: 99, ..c.clone() }, Config { slow: 0, ..c.clone() }, Config { requests: 0, ..c.clone() }, Config { service_ms: 1001, ..c.clone() }] {
        assert!(bad.validate().is_err(), "{bad:?}");
    }
    assert_eq!(fmt_ms(430), "0.4 ms");
    assert_eq!(fmt_ms(8_460), "8.5 ms");
    assert_eq!(fmt_ms(42_000), "42 ms");
    assert_eq!(fmt_ms(1_250_000), "1.25 s");
}

