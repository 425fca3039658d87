use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;

use super::scenarios::*;
use super::*;

/// PostgreSQL's behaviour (read uncommitted as the SQL standard allows it), as (anomaly,
/// [ru, rc, rr, s]): true where the anomaly can happen.
const REFERENCE: [(Anomaly, [bool; 4]); 9] = [
    (Anomaly::DirtyWrite, [false, false, false, false]),
    (Anomaly::DirtyRead, [true, false, false, false]),
    (Anomaly::NonRepeatableRead, [true, true, false, false]),
    (Anomaly::Phantom, [true, true, false, false]),
    (Anomaly::LostUpdate, [true, true, false, false]),
    (Anomaly::ReadSkew, [true, true, false, false]),
    (Anomaly::WriteSkew, [true, true, true, false]),
    // Snapshot isolation lets the report see the deposit and not the withdrawal; PostgreSQL's
    // serializable refuses the withdrawal's UPDATE.
    (Anomaly::ReadOnly, [true, true, true, false]),
    // A deadlock is detected, and one transaction aborted, at every level.
    (Anomaly::Deadlock, [true, true, true, true]),
];

fn run(a: Anomaly, level: Level) -> (Vec<Frame>, Observed) {
    record_isolation(&IsoConfig { anomaly: a, level, interleaving: None })
}

#[test]
fn anomaly_by_level_matches_the_postgresql_reference() {
    let mut table = String::new();
    for (a, expected) in REFERENCE {
        for (level, want) in Level::ALL.into_iter().zip(expected) {
            let (frames, obs) = run(a, level);
            let got = obs.occurred(a);
            table.push_str(&format!("{:>20} {:>17}: {}\n", a.label(), level.name(), if got { "occurs" } else { "prevented" }));
            assert_eq!(got, want, "{} at {}: {:#?}\n{}", a.label(), level.name(), obs, frames.iter().map(|f| f.narration.clone()).collect::<Vec<_>>().join("\n"));
            assert!(frames.last().unwrap().verdict.is_some());
        }
    }
    println!("{table}");
}

/// Where PostgreSQL's SSI raises the error: write skew at the second COMMIT (the pivot is
/// doomed when the first commits); the read-only anomaly at the withdrawal's UPDATE, since the
/// report that closes the cycle has already committed.
#[test]
fn serializable_fails_at_the_statement_postgresql_fails() {
    let failed_at = |a| {
        let (frames, _) = run(a, Level::Serializable);
        let f = frames.iter().find(|f| f.narration.contains("ERROR: could not serialize access due to read/write dependencies")).expect("an error");
        f.narration.clone()
    };
    let skew = failed_at(Anomaly::WriteSkew);
    assert!(skew.starts_with("Session 2: ERROR"), "{skew}");
    let (frames, _) = run(Anomaly::WriteSkew, Level::Serializable);
    let i = frames.iter().position(|f| f.narration.starts_with("Session 2: ERROR")).unwrap();
    let next = frames[i - 1].sessions[1].next.unwrap();
    assert_eq!(frames[i - 1].sessions[1].lines[next], "COMMIT", "write skew is refused at the second COMMIT");
    let (frames, o) = run(Anomaly::ReadOnly, Level::Serializable);
    let i = frames.iter().position(|f| f.narration.starts_with("Session 1: ERROR")).unwrap_or_else(|| panic!("{:#?}", frames.iter().map(|f| &f.narration).collect::<Vec<_>>()));
    // Session 1 had run BEGIN and two reads; its fourth statement, the UPDATE, is the one refused.
    assert_eq!(frames[i - 1].sessions[0].next, Some(3), "refused at the UPDATE, before COMMIT");
    assert!(o.reasons[0].as_deref().unwrap().contains("(T3 read a row T1 changed, T1 read a row T2 changed, neither saw the change, and T2 committed first: no order of the three fits what each saw)"), "{:?}", o.reasons[0]);
    assert!(matches!(o.outcome[1], Some(Status::Committed(_))), "the deposit and the report commit");
    // At repeatable read (snapshot isolation) all three commit and the fee is charged.
    let (_, o) = run(Anomaly::ReadOnly, Level::RepeatableRead);
    assert_eq!(o.final_rows.get("checking/ann"), Some(&Some(-11)));
    assert_eq!(o.final_rows.get("savings/ann"), Some(&Some(20)));
}

#[test]
fn prevented_anomalies_fail_with_the_reason_postgresql_gives() {
    let (_, o) = run(Anomaly::LostUpdate, Level::RepeatableRead);
    assert_eq!(o.reasons[1].as_deref(), Some("could not serialize access due to concurrent update"));
    let (_, o) = run(Anomaly::WriteSkew, Level::Serializable);
    assert!(o.reasons[1].as_deref().unwrap().starts_with("could not serialize access due to read/write dependencies among transactions"));
    // Each read a row the other then changed (an rw-antidependency both ways), not each other's changes.
    assert!(o.reasons[1].as_deref().unwrap().ends_with("(T1 read a row T2 changed, T2 read a row T1 changed, neither saw the change, and T1 committed first)"), "{:?}", o.reasons[1]);
    assert!(matches!(o.outcome[0], Some(Status::Committed(_))), "the first to commit wins");
    let (frames, o) = run(Anomaly::DirtyWrite, Level::ReadCommitted);
    assert!(frames.iter().any(|f| f.sessions[1].state == "waiting for T1's lock"), "the second writer waits");
    assert_eq!(o.final_rows.get("accounts/A"), Some(&Some(50)), "then writes after T1 commits");
    let (_, o) = run(Anomaly::DirtyWrite, Level::RepeatableRead);
    assert_eq!(o.reasons[1].as_deref(), Some("could not serialize access due to concurrent update"));
}

#[test]
fn deadlocks_are_detected_and_the_survivor_finishes() {
    for level in Level::ALL {
        let (_, o) = run(Anomaly::Deadlock, level);
        assert!(o.reasons[1].as_deref().unwrap().starts_with("deadlock detected: T2 waits for T1, which waits for T2"), "{level:?}: {o:?}");
        assert!(matches!(o.outcome[0], Some(Status::Committed(_))));
        assert_eq!(o.final_rows.values().flatten().sum::<i64>(), 1000, "the survivor's transfer keeps the total");
    }
    // Three transactions in a cycle are caught too.
    let mut db = Db::new(&[("k/a", 1), ("k/b", 1), ("k/c", 1)]);
    let (t1, t2, t3) = (db.begin(Level::ReadCommitted), db.begin(Level::ReadCommitted), db.begin(Level::ReadCommitted));
    for (t, k) in [(t1, "k/a"), (t2, "k/b"), (t3, "k/c")] {
        assert!(matches!(db.run(t, &Op::Set(k.into(), 2)), Outcome::Done(_)));
    }
    assert_eq!(db.run(t1, &Op::Set("k/b".into(), 3)), Outcome::Waits(t2));
    assert_eq!(db.run(t2, &Op::Set("k/c".into(), 3)), Outcome::Waits(t3));
    assert!(matches!(db.run(t3, &Op::Set("k/a".into(), 3)), Outcome::Aborted(r) if r.starts_with("deadlock")));
}

#[test]
fn an_update_of_a_missing_row_changes_nothing_and_the_transaction_goes_on() {
    let mut db = Db::new(&[("accounts/A", 100)]);
    let t = db.begin(Level::ReadCommitted);
    assert_eq!(db.run(t, &Op::Add("accounts/Z".into(), 5)), Outcome::NoRow("UPDATE 0: accounts has no row Z".into()));
    assert!(matches!(db.run(t, &Op::Add("accounts/A".into(), 5)), Outcome::Done(_)), "a row count of 0 is not an error");
    assert_eq!(db.run(t, &Op::Commit), Outcome::Done("COMMIT".into()));
    let reader = db.begin(Level::ReadCommitted);
    assert_eq!(db.view(reader).get("accounts/A").copied().flatten(), Some(105));
    assert_eq!(db.view(reader).get("accounts/Z"), None);
}

#[test]
fn free_interleavings_are_checked_and_run() {
    assert!(IsoConfig { anomaly: Anomaly::LostUpdate, level: Level::ReadCommitted, interleaving: Some("12a".into()) }.validate().is_err());
    assert!(IsoConfig { anomaly: Anomaly::LostUpdate, level: Level::ReadCommitted, interleaving: Some(String::new()) }.validate().is_err());
    // Run serially, the lost update cannot happen at any level.
    for level in Level::ALL {
        let (_, o) = record_isolation(&IsoConfig { anomaly: Anomaly::LostUpdate, level, interleaving: Some("11112222".into()) });
        assert_eq!(o.final_rows.get("products/42"), Some(&Some(8)), "{level:?}");
        let (_, o) = record_isolation(&IsoConfig { anomaly: Anomaly::WriteSkew, level, interleaving: Some("11111".into()) });
        assert_eq!(o.final_rows.values().flatten().sum::<i64>(), 1, "{level:?}: the second doctor sees one on call and stays");
    }
}

fn crash(story: Story, crash_after: Option<usize>) -> Vec<Frame> {
    let cfg = CrashConfig { story, crash_after, ..CrashConfig::default() };
    cfg.validate().unwrap();
    record_crash(&cfg)
}

#[test]
fn a_transfer_crashed_at_any_step_keeps_the_money() {
    let n = CrashConfig::default().steps().len();
    for c in 0..=n {
        let frames = crash(Story::Transfer, Some(c));
        let v = frames.last().unwrap().verdict.clone().unwrap();
        assert!(v.starts_with("Money is conserved"), "crash after {c}: {v}");
        let full = v.contains("happened in full");
        assert_eq!(full, c == n, "crash after {c}: only a durable commit survives: {v}");
        assert!(frames.iter().any(|f| f.phase == Phase::Crashed));
    }
    // Between the debit and the credit without a transaction, money vanishes.
    let frames = crash(Story::TransferNoTx, Some(2));
    assert!(frames.last().unwrap().verdict.as_deref().unwrap().contains("100 has vanished"));
}

/// The step that carries each anomaly's lesson says why, not only what it did.
#[test]
fn the_lesson_steps_say_why() {
    let said = |a, level| run(a, level).0.iter().map(|f| f.narration.clone()).collect::<Vec<_>>();
    let has = |lines: &[String], text: &str| lines.iter().any(|l| l.contains(text));
    let dirty = said(Anomaly::DirtyRead, Level::ReadUncommitted);
    assert!(has(&dirty, "That is T1's change, which T1 has not committed: a dirty read."), "{dirty:#?}");
    assert!(!has(&said(Anomaly::DirtyRead, Level::ReadCommitted), "dirty read."));
    let lost = said(Anomaly::LostUpdate, Level::ReadCommitted);
    assert!(has(&lost, "It computed that from the 10 it read earlier, but T1 has since committed 9: this write overwrites T1's sale, which is lost."), "{lost:#?}");
    let skew = said(Anomaly::ReadSkew, Level::RepeatableRead);
    assert!(has(&skew, "It reads from its snapshot, taken at its first statement: T2 has since committed 600, which this transaction does not see."), "{skew:#?}");
    let skew = said(Anomaly::ReadSkew, Level::ReadCommitted);
    assert!(has(&skew, "That includes T2's committed change, but the 500 it read from A came from before that change"), "{skew:#?}");
    let nrr = said(Anomaly::NonRepeatableRead, Level::ReadCommitted);
    assert!(has(&nrr, "committed a change in between, so the same question got a different answer."), "{nrr:#?}");
}

#[test]
fn recovery_redoes_committed_work_and_undoes_the_rest() {
    // Crash after COMMIT: B's credit was never written to the data file, so redo restores it.
    let n = CrashConfig::default().steps().len();
    let frames = crash(Story::Transfer, Some(n));
    assert!(frames.iter().any(|f| f.narration.starts_with("Redo record") && f.narration.contains("accounts/B = 300")));
    // Crash before the commit record is on disk: the debit the writer saved is undone.
    let frames = crash(Story::Transfer, Some(n - 1));
    assert!(frames.iter().any(|f| f.narration.starts_with("Undo record") && f.narration.contains("accounts/A goes back to 500")), "{:#?}", frames.iter().map(|f| &f.narration).collect::<Vec<_>>());
    // Whose recovery this is, said once.
    assert_eq!(frames.iter().filter(|f| f.narration.contains("ARIES-style recovery")).count(), 1);
}

#[test]
fn constraints_roll_back_and_bad_input_is_refused() {
    let v = |cfg: CrashConfig| record_crash(&cfg).last().unwrap().verdict.clone().unwrap();
    let over = CrashConfig { amount: 600, ..CrashConfig::default() };
    let frames = record_crash(&over);
    assert!(frames.iter().any(|f| f.narration.contains("violates check constraint \"accounts_balance_check\"")));
    assert!(v(over).ends_with("left no trace."));
    assert!(v(CrashConfig { to: "Z".into(), ..CrashConfig::default() }).ends_with("left no trace."), "a missing account changes no row, and the app rolls back");
    assert!(v(CrashConfig { story: Story::TransferNoTx, to: "Z".into(), ..CrashConfig::default() }).contains("has vanished"));
    assert!(v(CrashConfig { story: Story::Order, qty: 5, ..CrashConfig::default() }).starts_with("Nothing of the order remains"));
    assert!(v(CrashConfig { story: Story::OrderNoTx, qty: 5, ..CrashConfig::default() }).starts_with("The data contradicts itself"));
    assert!(v(CrashConfig { story: Story::Order, qty: 2, ..CrashConfig::default() }).starts_with("The order is whole"));
    for bad in [
        CrashConfig { amount: -5, ..CrashConfig::default() },
        CrashConfig { amount: 0, ..CrashConfig::default() },
        CrashConfig { to: "A".into(), ..CrashConfig::default() },
        CrashConfig { from: "<b>".into(), ..CrashConfig::default() },
        CrashConfig { story: Story::Order, qty: 0, ..CrashConfig::default() },
        CrashConfig { crash_after: Some(99), ..CrashConfig::default() },
    ] {
        assert!(bad.validate().is_err(), "{bad:?}");
    }
}

/// A random workload of transfers, page writes, rollbacks and a crash at an arbitrary point.
#[derive(Clone, Debug)]
enum Act {
    Transfer { from: usize, to: usize, amount: i64, rollback: bool },
    WritePage(usize),
}

fn act() -> impl Strategy<Value = Act> {
    prop_oneof![
        (0usize..4, 0usize..4, 1i64..400, any::<bool>()).prop_map(|(from, to, amount, r)| Act::Transfer { from, to, amount, rollback: r && amount % 3 == 0 }),
        (0usize..4).prop_map(Act::WritePage),
    ]
}

const KEYS: [&str; 4] = ["accounts/A", "accounts/B", "accounts/C", "accounts/Z"];

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn after_any_crash_recovery_keeps_exactly_the_committed_work(acts in prop::collection::vec(act(), 1..14), crash_at in 0usize..60) {
        let mut db = Db::new(&ACCOUNTS);
        let mut oracle: BTreeMap<String, i64> = ACCOUNTS.iter().map(|(k, v)| (k.to_string(), *v)).collect();
        let mut point = 0usize;
        let mut tick = |db: &mut Db| { point += 1; point > crash_at && { db.crash(); true } };
        'work: for a in &acts {
            match a {
                Act::WritePage(k) => {
                    db.write_page(KEYS[*k]);
                    if tick(&mut db) { break 'work; }
                }
                Act::Transfer { from, to, amount, rollback } => {
                    let t = db.begin(Level::ReadCommitted);
                    let mut ok = true;
                    for (k, d) in [(KEYS[*from], -amount), (KEYS[*to], *amount)] {
                        match db.run(t, &Op::Add(k.into(), d)) {
                            Outcome::NoRow(_) => { db.run(t, &Op::Rollback); ok = false; }
                            Outcome::Done(_) => {}
                            Outcome::Aborted(_) => ok = false,
                            Outcome::Waits(_) => unreachable!(),
                        }
                        if tick(&mut db) { break 'work; }
                        if !ok { break; }
                    }
                    if !ok { continue; }
                    if *rollback {
                        db.run(t, &Op::Rollback);
                        if tick(&mut db) { break 'work; }
                        continue;
                    }
                    let lsn = db.commit_record(t);
                    if tick(&mut db) { break 'work; }
                    db.commit_durable(t, lsn);
                    for (k, d) in [(KEYS[*from], -amount), (KEYS[*to], *amount)] {
                        *oracle.entry(k.to_string()).or_insert(0) += d;
                    }
                    if tick(&mut db) { break 'work; }
                }
            }
        }
        if !db.crashed { db.crash(); }
        let (state, _) = recover(&db.disk, &db.log);
        let got: BTreeMap<String, i64> = state.into_iter().filter_map(|(k, v)| v.map(|v| (k, v))).collect();
        prop_assert_eq!(&got, &oracle, "recovered state differs from the committed work");
        prop_assert_eq!(got.values().sum::<i64>(), 750, "money is conserved");
        prop_assert!(got.values().all(|v| *v >= 0));
    }

    #[test]
    fn every_crash_point_of_every_story_recovers_to_a_consistent_state(story in 0usize..4, amount in 1i64..800, qty in 1i64..6, c in 0usize..9) {
        let story = Story::ALL[story];
        let base = CrashConfig { story, amount, qty, ..CrashConfig::default() };
        let n = base.steps().len();
        let cfg = CrashConfig { crash_after: Some(c.min(n)), ..base };
        let frames = record_crash(&cfg);
        let v = frames.last().unwrap().verdict.clone().unwrap();
        if matches!(story, Story::Transfer | Story::Order) {
            prop_assert!(v.starts_with("Money is conserved") || v.starts_with("Nothing of the order") || v.starts_with("The order is whole"), "{}", v);
        }
    }
}

#[test]
fn the_narration_says_what_the_data_file_and_the_money_really_did() {
    let said = |cfg: &CrashConfig| record_crash(cfg).into_iter().map(|f| f.narration).collect::<Vec<_>>();
    let writer = |lines: &[String]| lines.iter().find(|l| l.starts_with("The background writer")).cloned().unwrap_or_else(|| panic!("no writer step in {lines:#?}"));
    // Inside a transaction, before COMMIT, the saved page holds an uncommitted change.
    assert!(writer(&said(&CrashConfig::default())).ends_with("not committed yet."));
    // Without a transaction each statement committed on its own: the page is just up to date.
    for story in [Story::TransferNoTx, Story::OrderNoTx] {
        let w = writer(&said(&CrashConfig { story, ..CrashConfig::default() }));
        assert!(w.ends_with("committed already, so the data file is simply up to date."), "{story:?}: {w}");
    }
    // A debit from a missing account changed nothing: the page is written as it was.
    let w = writer(&said(&CrashConfig { story: Story::TransferNoTx, from: "Z".into(), ..CrashConfig::default() }));
    assert!(w.ends_with("the data file is as it was."), "{w}");
    // Crediting B from a missing account with no transaction makes money, not loses it.
    let v = record_crash(&CrashConfig { story: Story::TransferNoTx, from: "Z".into(), ..CrashConfig::default() }).last().unwrap().verdict.clone().unwrap();
    assert!(v.ends_with("100 has appeared from nowhere."), "{v}");
    // An error inside a transaction: the database refuses what follows; the application rolls back.
    let lines = said(&CrashConfig { amount: 600, ..CrashConfig::default() });
    assert!(lines.iter().any(|l| l.starts_with("ERROR") && l.contains("the application sends ROLLBACK")), "{lines:#?}");
    // Redo applies only what the page lacks, and says so.
    let n = CrashConfig::default().steps().len();
    let lines = said(&CrashConfig { crash_after: Some(n), ..CrashConfig::default() });
    let redo: Vec<_> = lines.iter().filter(|l| l.starts_with("Redo record")).collect();
    assert!(!redo.is_empty() && redo.iter().all(|l| l.contains("is older than this record")), "{redo:#?}");
}

#[test]
fn statements_and_errors_name_the_same_column() {
    assert_eq!(Op::Add("accounts/A".into(), -100).to_string(), "UPDATE accounts SET balance = balance - 100 WHERE id = 'A'");
    assert_eq!(Op::Add("products/42".into(), -1).to_string(), "UPDATE products SET stock = stock - 1 WHERE id = '42'");
    assert_eq!(Op::Insert("orders/1042".into(), 7).to_string(), "INSERT INTO orders (id, user_id) VALUES ('1042', 7)");
    assert_eq!(Op::Sum("oncall/".into()).to_string(), "SELECT count(*), sum(on_call) FROM oncall");
    let frames = record_crash(&CrashConfig { amount: 600, ..CrashConfig::default() });
    let error = frames.iter().map(|f| &f.narration).find(|n| n.starts_with("ERROR")).unwrap();
    assert!(error.contains("\"accounts_balance_check\" (balance would be -100)"), "{error}");
}

/// One random history: three transactions of up to four reads and increments over three rows,
/// interleaved in a random order (a waiting statement is tried again on a later turn).
fn random_history(seed: u64, level: Level) -> (Db, Vec<TxId>, Vec<(TxId, String, TxId)>) {
    let mut x = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407) | 1;
    let mut next = |n: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % n
    };
    let keys = ["t/x", "t/y", "t/z"];
    let mut db = Db::new(&[("t/x", 0), ("t/y", 0), ("t/z", 0)]);
    let progs: Vec<Vec<Op>> = (0..3)
        .map(|_| {
            let mut p: Vec<Op> = (0..1 + next(4)).map(|_| {
                let k = keys[next(3) as usize].to_string();
                if next(2) == 0 { Op::Read(k) } else { Op::Add(k, 1) }
            }).collect();
            p.push(Op::Commit);
            p
        })
        .collect();
    let txs: Vec<TxId> = (0..3).map(|_| db.begin(level)).collect();
    let mut pc = [0usize; 3];
    let mut reads = Vec::new();
    for _ in 0..200 {
        let live: Vec<usize> = (0..3).filter(|&i| pc[i] < progs[i].len() && db.status(txs[i]) == Status::Active).collect();
        if live.is_empty() {
            break;
        }
        let i = live[next(live.len() as u64) as usize];
        let op = progs[i][pc[i]].clone();
        match db.run(txs[i], &op) {
            Outcome::Waits(_) => {}
            Outcome::Done(_) | Outcome::NoRow(_) => {
                if let Op::Read(k) = &op {
                    let (_, by) = db.visible(txs[i], k).unwrap();
                    reads.push((txs[i], k.clone(), by));
                }
                pc[i] += 1;
            }
            Outcome::Aborted(_) => pc[i] = progs[i].len(),
        }
    }
    (db, txs, reads)
}

/// A cycle in the committed transactions' dependency graph (write–read, write–write and
/// read–write edges, from the versions each read saw): the definition of a history that no
/// serial order explains.
fn has_cycle(db: &Db, txs: &[TxId], reads: &[(TxId, String, TxId)]) -> bool {
    let committed = |t: TxId| matches!(db.status(t), Status::Committed(_));
    let mut edges = BTreeSet::new();
    for (k, versions) in &db.rows {
        let writers: Vec<TxId> = versions.iter().map(|v| v.by).filter(|&b| b != SETUP && committed(b)).collect();
        for w in writers.windows(2) {
            if w[0] != w[1] {
                edges.insert((w[0], w[1]));
            }
        }
        for (r, rk, seen) in reads.iter().filter(|(r, rk, _)| rk == k && committed(*r)) {
            let _ = rk;
            if *seen != SETUP && *seen != *r {
                edges.insert((*seen, *r));
            }
            // Every committed writer of a version after the one read: the reader came first.
            let pos = versions.iter().rposition(|v| v.by == *seen).unwrap_or(0);
            for v in &versions[pos + 1..] {
                if v.by != *r && committed(v.by) {
                    edges.insert((*r, v.by));
                }
            }
        }
    }
    // Three nodes: a cycle is a pair of opposite edges or a triangle.
    let e = |a: TxId, b: TxId| edges.contains(&(a, b));
    txs.iter().any(|&a| txs.iter().any(|&b| a != b && e(a, b) && (e(b, a) || txs.iter().any(|&c| c != a && c != b && e(b, c) && e(c, a)))))
}

/// Serializable means what it says: over thousands of random three-transaction histories, the
/// transactions that commit never form a dependency cycle. The same histories at repeatable
/// read (snapshot isolation) do form cycles, so the check can fail.
#[test]
fn serializable_commits_only_histories_with_no_dependency_cycle() {
    let mut at_rr = 0;
    for seed in 0..4000 {
        let (db, txs, reads) = random_history(seed, Level::Serializable);
        assert!(!has_cycle(&db, &txs, &reads), "seed {seed}: a cycle committed at serializable: {:?}", db.log.iter().map(|r| r.to_string()).collect::<Vec<_>>());
        let (db, txs, reads) = random_history(seed, Level::RepeatableRead);
        at_rr += usize::from(has_cycle(&db, &txs, &reads));
    }
    assert!(at_rr > 20, "snapshot isolation lets some cycles commit ({at_rr} of 4000)");
}

/// DELETE and predicate reads behave as PostgreSQL's do: a delete is a version that is no row,
/// invisible to others until it commits; writers that lose to it hear "concurrent delete"; a
/// referenced row cannot go; and a predicate read conflicts at serializable with any write
/// to its table, which catches write skew done with DELETE.
#[test]
fn deletes_and_predicate_reads_behave_as_postgresql() {
    let ok = |o: Outcome| match o {
        Outcome::Done(m) => m,
        other => panic!("{other:?}"),
    };
    // Visible to others only once committed; a second DELETE finds no row; the key can be reused.
    let mut db = Db::new(&[("accounts/A", 100)]);
    let (t1, t2) = (db.begin(Level::ReadCommitted), db.begin(Level::ReadCommitted));
    assert_eq!(ok(db.run(t1, &Op::Delete("accounts/A".into()))), "DELETE 1: accounts/A");
    assert_eq!(ok(db.run(t2, &Op::Read("accounts/A".into()))), "accounts/A = 100", "not yet committed");
    assert_eq!(ok(db.run(t1, &Op::Read("accounts/A".into()))), "accounts/A: no row", "its own delete");
    assert_eq!(db.run(t1, &Op::Delete("accounts/A".into())), Outcome::NoRow("DELETE 0: accounts has no row A".into()));
    ok(db.run(t1, &Op::Commit));
    assert_eq!(ok(db.run(t2, &Op::Read("accounts/A".into()))), "accounts/A: no row");
    assert_eq!(ok(db.run(t2, &Op::Insert("accounts/A".into(), 5))), "INSERT 1: accounts/A = 5");
    assert_eq!(Op::Delete("accounts/A".into()).to_string(), "DELETE FROM accounts WHERE id = 'A'");
    assert_eq!(Op::CountWhere("oncall/".into(), 1).to_string(), "SELECT count(*) FROM oncall WHERE on_call = 1");

    // At repeatable read, updating a row deleted since the snapshot fails as in PostgreSQL.
    let mut db = Db::new(&[("accounts/A", 100)]);
    let (t1, t2) = (db.begin(Level::RepeatableRead), db.begin(Level::RepeatableRead));
    ok(db.run(t2, &Op::Read("accounts/A".into())));
    ok(db.run(t1, &Op::Delete("accounts/A".into())));
    ok(db.run(t1, &Op::Commit));
    assert_eq!(db.run(t2, &Op::Add("accounts/A".into(), 1)), Outcome::Aborted("could not serialize access due to concurrent delete".into()));

    // A user with orders cannot be deleted (no ON DELETE action).
    let mut db = Db::new(&[("users/7", 1), ("orders/1", 7)]);
    let t = db.begin(Level::ReadCommitted);
    let Outcome::Aborted(why) = db.run(t, &Op::Delete("users/7".into())) else { panic!() };
    assert_eq!(why, "update or delete on table \"users\" violates foreign key constraint \"orders_user_id_fkey\" on table \"orders\": Key (user_id)=(7) is still referenced from table \"orders\"");

    // Write skew with a predicate read and DELETE: each doctor counts who is on call, sees 2,
    // and deletes their own row. Snapshot isolation lets both go; serializable refuses one.
    for (level, both) in [(Level::RepeatableRead, true), (Level::Serializable, false)] {
        let mut db = Db::new(&[("oncall/alice", 1), ("oncall/bob", 1)]);
        let (a, b) = (db.begin(level), db.begin(level));
        assert_eq!(ok(db.run(a, &Op::CountWhere("oncall/".into(), 1))), "count = 2");
        assert_eq!(ok(db.run(b, &Op::CountWhere("oncall/".into(), 1))), "count = 2");
        ok(db.run(a, &Op::Delete("oncall/alice".into())));
        ok(db.run(b, &Op::Delete("oncall/bob".into())));
        ok(db.run(a, &Op::Commit));
        let second = db.run(b, &Op::Commit);
        assert_eq!(matches!(second, Outcome::Done(_)), both, "{level:?}: {second:?}");
        assert_eq!(db.committed().len(), if both { 0 } else { 1 }, "{level:?}");
    }

    // A predicate read at read committed sees a committed insert (a phantom); at repeatable
    // read its snapshot does not.
    for (level, seen) in [(Level::ReadCommitted, 3), (Level::RepeatableRead, 2)] {
        let mut db = Db::new(&[("users/7", 1), ("orders/1", 7), ("orders/2", 7)]);
        let (r, w) = (db.begin(level), db.begin(level));
        assert_eq!(ok(db.run(r, &Op::CountWhere("orders/".into(), 7))), "count = 2");
        ok(db.run(w, &Op::Insert("orders/3".into(), 7)));
        ok(db.run(w, &Op::Commit));
        assert_eq!(ok(db.run(r, &Op::CountWhere("orders/".into(), 7))), format!("count = {seen}"), "{level:?}");
    }

    // Recovery after a crash keeps a committed delete and undoes an uncommitted one.
    let mut db = Db::new(&[("accounts/A", 100), ("accounts/B", 50)]);
    let (t1, t2) = (db.begin(Level::ReadCommitted), db.begin(Level::ReadCommitted));
    ok(db.run(t1, &Op::Delete("accounts/A".into())));
    ok(db.run(t1, &Op::Commit));
    ok(db.run(t2, &Op::Delete("accounts/B".into())));
    db.write_page("accounts/B");
    db.crash();
    let (rows, _) = recover(&db.disk, &db.log);
    assert_eq!(rows.get("accounts/A").copied().flatten(), None, "the committed delete is redone");
    assert_eq!(rows.get("accounts/B").copied().flatten(), Some(50), "the uncommitted delete is undone");
}
