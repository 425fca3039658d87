//! The replication engine against references outside itself: the Erlang distribution (how
//! often a read lands before a constant lag has passed), the minimum of exponentials (what a
//! synchronous commit waits for), the count of writes in flight when the primary dies
//! (Little's law), and the session guarantees' definitions as invariants over random
//! settings.

use super::*;
use crate::sim::des::run_to_end;
use crate::sim::timeline::Machine;
use crate::sim::lb::percentile;
use proptest::prelude::*;

fn run(c: &Config) -> Run {
    run_to_end(Sim::new(c))
}

/// P(Erlang(k, mean) ≤ x): the chance that k exponential pauses, each of mean `mean`, add up
/// to at most x.
fn erlang_cdf(k: u32, mean: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    let r = x / mean;
    let (mut term, mut sum) = (1.0, 0.0);
    for i in 0..k {
        if i > 0 {
            term *= r / f64::from(i);
        }
        sum += term;
    }
    1.0 - (-r).exp() * sum
}

#[test]
fn erlang_cdf_known_values() {
    // One pause: the exponential's 1 − e^(−x/mean).
    assert!((erlang_cdf(1, 1.0, 1.0) - (1.0 - (-1.0f64).exp())).abs() < 1e-12);
    // Two: 1 − e^(−1)(1 + 1) = 0.26424…
    assert!((erlang_cdf(2, 1.0, 1.0) - 0.264_241_117_657_115_4).abs() < 1e-12);
    assert_eq!(erlang_cdf(3, 1.0, 0.0), 0.0);
}

/// With a constant lag L, the j-th read after a write is stale exactly when it comes before
/// the entry reaches the replica: when the j pauses since the write (each exponential, mean
/// T) plus the j milliseconds of commit and reads come to less than L. So the share of stale
/// reads is the mean of P(Erlang(j, T) < L − j ms) over j = 1, 2, 3.
#[test]
fn stale_reads_with_a_constant_lag_follow_the_erlang_distribution() {
    for (lag_ms, think_ms) in [(300, 300), (200, 500), (1_000, 250)] {
        let c = Config { reads: Reads::Any, lag: Lag::Constant, lag_ms, think_ms, ops: 60_000, ..Config::default() };
        let r = run(&c);
        let (l, t) = (f64::from(lag_ms) * 1e3, f64::from(think_ms) * 1e3);
        let expected = (1..=READS_PER_WRITE).map(|j| erlang_cdf(j, t, l - f64::from(j) * 1e3)).sum::<f64>() / f64::from(READS_PER_WRITE);
        let seen = f64::from(r.totals.stale) / f64::from(r.totals.reads);
        assert!((seen - expected).abs() < 0.01, "lag {lag_ms} ms, pauses {think_ms} ms: {seen:.4} stale, Erlang says {expected:.4}");
        // With one lag for every entry and every replica, no read can see less than an
        // earlier one did unless both were stale… and a replica never un-applies: a later
        // read can only go back in time by landing on a replica that is behind the one before.
        // Constant lags keep every replica at the same position, so nothing goes back.
        assert_eq!(r.totals.back_in_time, 0);
    }
}

/// A synchronous commit waits for the first of R replicas to have the entry: the minimum of
/// R exponential lags of mean m is exponential with mean m/R, and the commit takes
/// max(1 ms, that). E[max(c, Y)] = c + μ·e^(−c/μ) for Y exponential of mean μ. Writes are
/// rare here (one a second), so a replica is almost never still busy with the entry before.
#[test]
fn a_synchronous_commit_waits_for_the_fastest_replica() {
    for replicas in [1, 2, 4] {
        let c = Config { commit: Commit::Sync, replicas, lag_ms: 20, think_ms: 10_000, ops: 40_000, ..Config::default() };
        let r = run(&c);
        let mean = r.write_us.iter().sum::<u64>() as f64 / r.write_us.len() as f64;
        let mu = 20_000.0 / f64::from(replicas);
        let c0 = COMMIT_US as f64;
        let expected = c0 + mu * (-c0 / mu).exp();
        assert!((mean / expected - 1.0).abs() < 0.05, "{replicas} replicas: mean commit {mean:.0} µs, expected {expected:.0} µs");
        // And asynchronous commits never wait for a replica.
        let a = run(&Config { commit: Commit::Async, ..c });
        assert!(a.write_us.iter().all(|&w| w == COMMIT_US));
    }
}

/// With a constant lag L, the entries no replica has when the primary dies are exactly
/// those committed in the last L; the confirmed ones among them (all but the last
/// millisecond's) are lost. Users write at λ = 40 / (4 × (T + 1 ms)) a second (a write and
/// three reads per round, each after a pause), so a crash loses λ × (L − 1 ms) confirmed
/// writes on average (Little's law). Synchronous commits lose none, on every seed.
#[test]
fn an_asynchronous_failover_loses_the_writes_in_flight() {
    let (lag_ms, think_ms) = (200u32, 300u32);
    let seeds = 200;
    let (mut lost, mut sync_dropped) = (0u64, 0u64);
    for seed in 1..=seeds {
        let c = Config { crash: true, lag: Lag::Constant, lag_ms, think_ms, ops: 2_000, seed, ..Config::default() };
        let a = run(&c);
        let f = a.failover.expect("the primary crashed");
        assert_eq!(a.totals.lost, f.lost);
        assert_eq!(f.lost + f.dropped, f.last_lsn - f.at_lsn, "everything past the new primary's position is gone");
        lost += u64::from(f.lost);
        let s = run(&Config { commit: Commit::Sync, ..c });
        let f = s.failover.unwrap();
        assert_eq!(f.lost, 0, "seed {seed}: a synchronous commit never loses a confirmed write");
        sync_dropped += u64::from(f.dropped);
    }
    let rate = f64::from(USERS) / (f64::from(READS_PER_WRITE + 1) * (f64::from(think_ms) * 1e-3 + 1e-3));
    let expected = rate * (f64::from(lag_ms) - 1.0) * 1e-3;
    let mean = lost as f64 / f64::from(seeds as u32);
    assert!((mean / expected - 1.0).abs() < 0.12, "lost {mean:.2} per crash, Little's law says {expected:.2}");
    assert!(sync_dropped > 0, "synchronous commits still drop what was never confirmed");
}

#[test]
fn the_failover_promotes_the_replica_furthest_along_and_keeps_going() {
    let c = Config { crash: true, replicas: 3, ops: 4_000, ..Config::default() };
    let r = run(&c);
    let f = r.failover.unwrap();
    assert!(f.promoted == f.crashed + FAILOVER);
    assert_ne!(f.node, 0);
    let crash = r.snaps.iter().position(|s| matches!(s.moment, Moment::Crash { .. })).unwrap();
    let before = &r.snaps[crash];
    let furthest = before.nodes[1..].iter().map(|n| n.applied).max().unwrap();
    assert_eq!(f.at_lsn, furthest);
    assert_eq!(before.nodes[f.node].applied, furthest, "the promoted replica is one furthest along");
    assert!(before.nodes[1..f.node].iter().all(|n| n.applied < furthest), "and the first of them");
    // Writes fail while nothing is primary, and succeed again after.
    assert!(r.totals.failed_writes > 0);
    let end = r.snaps.last().unwrap();
    assert_eq!(end.nodes[0].role, Role::Down);
    assert_eq!(end.nodes[f.node].role, Role::Primary);
    assert!(end.nodes[f.node].applied > f.at_lsn, "the new primary took writes");
    assert_eq!(r.totals.writes + r.totals.reads, c.ops);
    // A moment inside the failover says there is no primary, not that the replicas are 0 behind.
    let mut replay = Replay::new(vec![r]);
    let mut said = vec![replay.narrate()];
    while replay.advance() {
        said.push(replay.narrate());
    }
    let during = said.iter().find(|s| s.ends_with("No database is the primary yet, so every write fails.")).expect("a tick between the crash and the promotion");
    assert!(!during.contains("behind"), "{during}");
}

/// On one seed every routing faces the same users: the routings that never make a read wait
/// give exactly the same writes at the same moments (synchronous here, so each commit's wait
/// depends on the lags too).
#[test]
fn the_routings_face_the_same_users() {
    let c = Config { ops: 3_000, commit: Commit::Sync, ..Config::default() };
    let any = run(&c);
    for reads in [Reads::Primary, Reads::Sticky, Reads::AfterWrite] {
        let other = run(&Config { reads, ..c.clone() });
        assert_eq!(other.write_us, any.write_us, "{reads:?}");
        assert_eq!(other.end_us, any.end_us, "{reads:?}");
    }
    assert!(any.write_us.first() != any.write_us.last(), "the commits' waits vary");
    // And a run is its seed's: the same again, and another seed differs.
    assert_eq!(run(&c), any);
    assert_ne!(run(&Config { seed: 2, ..c }).totals, any.totals);
}

#[test]
fn each_routing_does_what_it_promises_on_the_default_users() {
    let c = Config { ops: 20_000, ..Config::default() };
    let runs: Vec<Run> = sims(&c).into_iter().map(run_to_end).collect();
    let by = |r: Reads| runs.iter().find(|x| x.config.reads == r && x.config.commit == c.commit).unwrap();
    let any = by(Reads::Any);
    assert!(any.stale_per_mille() > 50, "200 ms of lag and 300 ms pauses: many stale reads ({})", any.stale_per_mille());
    assert!(any.totals.back_in_time > 0, "two replicas at different places: reads go back in time");
    let sticky = by(Reads::Sticky);
    assert!(sticky.totals.stale > 0);
    assert_eq!(sticky.totals.back_in_time, 0, "one replica per user: never backwards");
    let after = by(Reads::AfterWrite);
    assert!(after.totals.stale * 20 < any.totals.stale, "2 s covers nearly every lag of mean 200 ms");
    assert!(after.totals.on_primary > after.totals.reads / 2);
    let lsn = by(Reads::WaitLsn);
    assert_eq!(lsn.totals.stale, 0);
    assert!(lsn.totals.waited > 0);
    assert!(lsn.totals.on_primary < lsn.totals.reads / 100, "a replica almost always catches up within 1 s");
    let primary = by(Reads::Primary);
    assert_eq!((primary.totals.stale, primary.totals.on_primary), (0, primary.totals.reads));
    assert!(percentile(&lsn.read_us, 990) > percentile(&any.read_us, 990), "waiting costs time at the tail");
    // The sixth run is the other commit mode.
    assert_eq!(runs.len(), 6);
    assert_eq!(runs[5].config.commit, Commit::Sync);
    assert!(percentile(&runs[5].write_us, 500).unwrap() > 50 * MS);
}

#[test]
fn the_replay_follows_you_then_ticks_then_ends() {
    let runs: Vec<Run> = sims(&Config::default()).into_iter().map(run_to_end).collect();
    let snaps = runs[0].snaps.clone();
    let mut r = Replay::new(runs);
    assert_eq!(r.steps(), snaps.len());
    assert!(matches!(snaps[0].moment, Moment::Start));
    assert!(matches!(snaps.last().unwrap().moment, Moment::End));
    let ops = snaps.iter().filter(|s| matches!(s.moment, Moment::Op { .. })).count();
    assert_eq!(ops, FIRST_OPS as usize);
    assert_eq!(snaps.iter().filter(|s| matches!(s.moment, Moment::Tick)).count(), TICKS as usize);
    assert!(snaps.windows(2).all(|w| w[0].at <= w[1].at), "in time order");
    let mut said = vec![r.narrate()];
    while r.advance() {
        said.push(r.narrate());
    }
    assert!(said[0].starts_with("40 users make 5,000 operations between them: each saves their profile"), "{}", said[0]);
    // Seed 1's first steps show the whole story: a write, its arrival, a stale read.
    assert!(said.iter().any(|s| s.starts_with("You save version 1 of your profile. The primary, db1, writes it as log entry")), "{said:#?}");
    assert!(said.iter().any(|s| s.contains("A stale read: read-your-writes is broken.")), "{said:#?}");
    assert!(said.iter().any(|s| s.starts_with("Your log entry ") && s.contains(" reaches db")), "{said:#?}");
    assert!(said.last().unwrap().starts_with("Done at "));
    assert!(said.iter().all(|s| !s.contains("  ") && !s.contains("..")), "{said:#?}");
}

/// A replica's lag in an epoch is the epoch's, not the order of the writes that happen to fall
/// in it: a routing that shifts the writes (by making reads wait) still faces the same lags.
#[test]
fn an_epochs_lag_does_not_depend_on_the_writes_before_it() {
    let mk = || Node { role: Role::Replica, recv: Vec::new(), lags: 42, epoch: None, life: 0 };
    let (mut a, mut b) = (mk(), mk());
    let mean = 200_000.0;
    a.arrival(100 * MS, Lag::Varies, mean);
    a.arrival(3 * SECOND + 5 * MS, Lag::Varies, mean);
    let at_a = a.arrival(7 * SECOND + 900 * MS, Lag::Varies, mean);
    let at_b = b.arrival(7 * SECOND + 900 * MS, Lag::Varies, mean);
    assert_eq!(at_a, at_b);
    // Two epochs draw different lags.
    let mut c = mk();
    let one = c.arrival(SECOND, Lag::Varies, mean) - SECOND;
    let two = c.arrival(20 * SECOND, Lag::Varies, mean) - 20 * SECOND;
    assert_ne!(one, two);
}

/// The narration's numbers agree with their nouns, and it never claims what did not happen.
#[test]
fn the_narration_says_what_happened_in_every_case() {
    let said = |c: &Config| {
        let mut r = Replay::new(sims(c).into_iter().map(run_to_end).collect());
        let mut v = vec![r.narrate()];
        while r.advance() {
            v.push(r.narrate());
        }
        v
    };
    let one = said(&Config { ops: 1, ..Config::default() });
    assert!(one[0].starts_with("40 users make 1 operation between them:"), "{}", one[0]);
    assert!(one.iter().all(|s| !s.contains(" 1 reads") && !s.contains(" 1 writes") && !s.contains(" 1 operations")), "{one:#?}");
    // A lag of 1 ms: the replicas have each entry by the time the primary confirms it.
    let quick = said(&Config { lag_ms: 1, lag: Lag::Constant, ops: 300, ..Config::default() });
    assert!(quick.iter().any(|s| s.contains("the lag is so short that 2 replicas already have it")), "{quick:#?}");
    assert!(quick.iter().all(|s| !s.contains("before any replica has it")));
    // The first stale read of a profile never saved on that replica shows nothing, not "version 0".
    let all: Vec<String> = (1..=6).flat_map(|seed| said(&Config { seed, ops: 600, lag_ms: 2_000, ..Config::default() })).collect();
    assert!(all.iter().all(|s| !s.contains("version 0")));
    assert!(all.iter().any(|s| s.contains("you see no profile at all, not the version 1")), "a first read before the first write arrives");
}

#[test]
fn settings_are_checked() {
    assert!(Config::default().validate().is_ok());
    assert!(Config { replicas: 0, ..Config::default() }.validate().unwrap_err().starts_with("Replicas"));
    assert!(Config { replicas: 1, crash: true, ..Config::default() }.validate().unwrap_err().starts_with("A crash needs"));
    assert!(Config { lag_ms: 0, ..Config::default() }.validate().is_err());
    assert!(Config { ops: MAX_OPS + 1, ..Config::default() }.validate().is_err());
    for r in Reads::ALL {
        assert_eq!(Reads::from_key(r.key()), Some(r));
    }
}

fn any_config() -> impl Strategy<Value = Config> {
    (0..5usize, any::<bool>(), 1..=MAX_REPLICAS, 1..2_000u32, any::<bool>(), 1..2_000u32, any::<bool>(), 1..3_000u32, any::<u64>()).prop_map(|(reads, sync, replicas, lag_ms, constant, think_ms, crash, ops, seed)| Config {
        reads: Reads::ALL[reads],
        commit: if sync { Commit::Sync } else { Commit::Async },
        replicas: if crash { replicas.max(2) } else { replicas },
        lag_ms,
        lag: if constant { Lag::Constant } else { Lag::Varies },
        think_ms,
        crash,
        ops,
        seed,
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// The guarantees each setting gives by definition, on any users.
    #[test]
    fn the_guarantees_hold_on_any_settings(c in any_config()) {
        let r = run(&c);
        let t = r.totals;
        prop_assert_eq!(t.writes + t.reads, c.ops);
        prop_assert_eq!(r.write_us.len() as u32, t.saved);
        prop_assert_eq!(t.saved + t.failed_writes, t.writes);
        prop_assert_eq!(r.read_us.len() as u32, t.reads - t.failed_reads);
        prop_assert_eq!(r.reads_by_node.iter().sum::<u32>(), t.reads - t.failed_reads);
        if matches!(c.reads, Reads::Primary | Reads::WaitLsn) {
            prop_assert_eq!(t.stale, 0, "reading the primary, or a replica that has your write, is never stale");
        }
        if c.reads == Reads::Primary {
            prop_assert_eq!(t.back_in_time, 0);
        }
        if c.reads == Reads::Sticky && !c.crash {
            prop_assert_eq!(t.back_in_time, 0, "one replica per user never goes backwards");
        }
        if c.commit == Commit::Sync {
            prop_assert_eq!(t.lost, 0);
        }
        if !c.crash {
            prop_assert_eq!((t.lost, t.failed_writes, t.failed_reads), (0, 0, 0));
        }
        prop_assert!(r.snaps.windows(2).all(|w| w[0].at <= w[1].at));
        // No database, the crashed primary included, is ever ahead of the primary.
        for s in &r.snaps {
            if let Some(p) = s.nodes.iter().find(|n| n.role == Role::Primary) {
                prop_assert!(s.nodes.iter().all(|n| n.applied <= p.applied), "{:?}", s.nodes);
            }
        }
        // A read falls back only from waiting for a replica, and only to a working primary.
        prop_assert!(t.fell_back <= t.on_primary);
        if c.reads != Reads::WaitLsn {
            prop_assert_eq!(t.fell_back, 0);
        }
    }
}
