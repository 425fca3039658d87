//! The stories the widget tells with [`Db`]: a transfer or an order, with or without a
//! transaction, crashed at any step and recovered; and two sessions interleaved to show each
//! isolation anomaly. Each run is recorded as frames, one per step, for the stepper.

use std::collections::BTreeMap;

use super::{recover, Db, Level, Op, Outcome, RecoveryStep, Status, TxId};
use crate::sim::timeline::{FrameWalk, Narrated};

/// A row as the frame shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowView {
    pub key: String,
    /// The newest committed value (what a new transaction would read).
    pub committed: Option<i64>,
    /// What each session reads now (isolation runs), in session order.
    pub seen: Vec<Option<i64>>,
    /// An uncommitted value in memory, and its writer.
    pub pending: Option<(Option<i64>, TxId)>,
    /// The value in the data file on disk.
    pub disk: Option<i64>,
    pub locked_by: Option<TxId>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionView {
    pub name: String,
    pub tx: Option<TxId>,
    pub lines: Vec<String>,
    /// The next statement to run, if any.
    pub next: Option<usize>,
    pub state: String,
    /// The result of this session's last statement.
    pub last: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Running,
    Crashed,
    Recovering,
    Done,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    pub narration: String,
    pub phase: Phase,
    pub rows: Vec<RowView>,
    /// Log records as text, and whether each is on disk yet.
    pub log: Vec<(String, bool)>,
    pub sessions: Vec<SessionView>,
    /// The verdict, on the last frame.
    pub verdict: Option<String>,
}

fn rows_of(db: &Db, viewers: &[Option<TxId>]) -> Vec<RowView> {
    let committed = db.committed();
    let pending = db.pending();
    let mut keys: Vec<String> = db.keys().map(str::to_string).collect();
    keys.extend(db.disk.keys().cloned());
    keys.sort();
    keys.dedup();
    let views: Vec<Option<BTreeMap<String, Option<i64>>>> = viewers.iter().map(|t| t.filter(|t| db.status(*t) == Status::Active).map(|t| db.view(t))).collect();
    keys.into_iter()
        .map(|k| RowView {
            committed: committed.get(&k).copied().flatten(),
            seen: views.iter().map(|v| v.as_ref().and_then(|m| m.get(&k).copied().flatten())).collect(),
            pending: pending.iter().rev().find(|(pk, _, _)| *pk == k).map(|(_, v, t)| (*v, *t)),
            disk: db.disk.get(&k).and_then(|(v, _)| *v),
            locked_by: db.lock_holder(&k),
            key: k,
        })
        .collect()
}

fn log_of(db: &Db) -> Vec<(String, bool)> {
    db.log.iter().map(|r| (r.to_string(), r.lsn <= db.durable)).collect()
}

// ---------------------------------------------------------------------------------------
// Crash and recovery

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Story {
    Transfer,
    TransferNoTx,
    Order,
    OrderNoTx,
}

impl Story {
    pub const ALL: [Story; 4] = [Story::Transfer, Story::TransferNoTx, Story::Order, Story::OrderNoTx];

    pub fn key(self) -> &'static str {
        match self {
            Story::Transfer => "transfer",
            Story::TransferNoTx => "transfer-no-tx",
            Story::Order => "order",
            Story::OrderNoTx => "order-no-tx",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Story::Transfer => "Bank transfer, in a transaction",
            Story::TransferNoTx => "Bank transfer, no transaction",
            Story::Order => "Order placement, in a transaction",
            Story::OrderNoTx => "Order placement, no transaction",
        }
    }

    pub fn from_key(k: &str) -> Option<Story> {
        Story::ALL.into_iter().find(|s| s.key() == k)
    }

    fn transfer(self) -> bool {
        matches!(self, Story::Transfer | Story::TransferNoTx)
    }

    fn in_tx(self) -> bool {
        matches!(self, Story::Transfer | Story::Order)
    }
}

/// The crash-and-recovery run's inputs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CrashConfig {
    pub story: Story,
    /// Transfer amount, 1 to 1,000,000.
    pub amount: i64,
    pub from: String,
    pub to: String,
    /// Teapots ordered, 1 to 99 (3 are in stock).
    pub qty: i64,
    /// Crash after this many steps (`None`: no crash).
    pub crash_after: Option<usize>,
}

impl Default for CrashConfig {
    fn default() -> Self {
        CrashConfig { story: Story::Transfer, amount: 100, from: "A".into(), to: "B".into(), qty: 1, crash_after: None }
    }
}

pub const ACCOUNTS: [(&str, i64); 3] = [("accounts/A", 500), ("accounts/B", 200), ("accounts/C", 50)];
pub const STOCK: i64 = 3;

impl CrashConfig {
    /// Checks the reader's inputs, with a message naming the field. A transfer to an account
    /// that does not exist is not refused here: it runs, and the database's answer decides.
    pub fn validate(&self) -> Result<(), String> {
        if self.story.transfer() {
            if !(1..=1_000_000).contains(&self.amount) {
                return Err(format!("Amount: {} is not allowed; transfer a whole amount from 1 to 1,000,000.", self.amount));
            }
            for (name, acct) in [("From", &self.from), ("To", &self.to)] {
                if acct.len() != 1 || !acct.chars().all(|c| c.is_ascii_uppercase()) {
                    return Err(format!("{name}: an account is one capital letter, such as A, B or C."));
                }
            }
            if self.from == self.to {
                return Err(format!("From and To are both {}: a transfer needs two different accounts.", self.from));
            }
        } else if !(1..=99).contains(&self.qty) {
            return Err(format!("Quantity: {} is not allowed; order from 1 to 99 teapots.", self.qty));
        }
        if let Some(c) = self.crash_after {
            let n = self.steps().len();
            if c > n {
                return Err(format!("Crash: there are {n} steps; crash after step 0 to {n}, or not at all."));
            }
        }
        Ok(())
    }

    fn initial(&self) -> Vec<(&'static str, i64)> {
        if self.story.transfer() {
            ACCOUNTS.to_vec()
        } else {
            vec![("users/7", 1), ("products/42", STOCK)]
        }
    }

    /// The steps of the story, as the application would run them.
    pub fn steps(&self) -> Vec<Step> {
        let mut s = Vec::new();
        let tx = self.story.in_tx();
        let stmt = |op: Op| if tx { Step::Sql(op) } else { Step::Auto(op) };
        if self.story.transfer() {
            let (from, to) = (format!("accounts/{}", self.from), format!("accounts/{}", self.to));
            if tx {
                s.push(Step::Sql(Op::Begin));
            }
            s.push(stmt(Op::Add(from.clone(), -self.amount)));
            s.push(Step::WritePage(from));
            s.push(stmt(Op::Add(to, self.amount)));
        } else {
            if tx {
                s.push(Step::Sql(Op::Begin));
            }
            s.push(stmt(Op::Insert("orders/1042".into(), 7)));
            s.push(stmt(Op::Insert(format!("items/1042:42"), self.qty)));
            s.push(Step::WritePage("orders/1042".into()));
            s.push(stmt(Op::Add("products/42".into(), -self.qty)));
        }
        if tx {
            s.push(Step::CommitRecord);
            s.push(Step::CommitFlush);
        }
        s
    }
}

/// One step of a crash story.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// A statement inside the open transaction.
    Sql(Op),
    /// A statement on its own: it commits by itself (autocommit).
    Auto(Op),
    /// The background writer saves a row's page to the data file.
    WritePage(String),
    /// COMMIT, first half: the commit record enters the log buffer.
    CommitRecord,
    /// COMMIT, second half: the log is flushed to disk, and COMMIT returns.
    CommitFlush,
}

impl Step {
    pub fn label(&self) -> String {
        match self {
            Step::Sql(op) => op.to_string(),
            Step::Auto(op) => format!("{op} (commits on its own)"),
            Step::WritePage(k) => format!("background writer saves the page of {k} to disk"),
            Step::CommitRecord => "COMMIT: the commit record enters the log buffer".into(),
            Step::CommitFlush => "COMMIT: the log reaches the disk; COMMIT returns".into(),
        }
    }
}

/// Runs a crash story to frames.
pub fn record_crash(cfg: &CrashConfig) -> Vec<Frame> {
    let mut db = Db::new(&cfg.initial());
    let steps = cfg.steps();
    let lines: Vec<String> = steps.iter().map(Step::label).collect();
    let mut frames = Vec::new();
    let mut tx: Option<TxId> = None;
    let mut ended = false;
    let mut last = String::from("–");
    let session = |tx: Option<TxId>, next: Option<usize>, state: &str, last: &str| SessionView { name: "App".into(), tx, lines: lines.clone(), next, state: state.into(), last: last.into() };
    let snap = |db: &Db, narration: String, phase: Phase, s: SessionView, verdict: Option<String>| Frame { narration, phase, rows: rows_of(db, &[]), log: log_of(db), sessions: vec![s], verdict };
    frames.push(snap(&db, format!("Ready: {}. The data file and the log are on disk; rows change in memory first.", cfg.story.label().to_lowercase()), Phase::Running, session(None, Some(0), "not started", "–"), None));
    let mut commit_lsn = 0;
    for (i, step) in steps.iter().enumerate() {
        if ended {
            break;
        }
        if cfg.crash_after == Some(i) {
            break;
        }
        let narration = match step {
            Step::Sql(op) => {
                let t = *tx.get_or_insert_with(|| db.begin(Level::ReadCommitted));
                match db.run(t, op) {
                    Outcome::NoRow(msg) => {
                        // The application checks the row count and gives up.
                        db.run(t, &Op::Rollback);
                        ended = true;
                        last = msg.clone();
                        format!("{msg}. The application sees that no row changed, so it sends ROLLBACK: nothing of the transfer remains.")
                    }
                    Outcome::Done(msg) => {
                        last = msg.clone();
                        match op {
                            Op::Begin => format!("T{t} begins. Its changes will stay provisional until COMMIT."),
                            _ => format!("{msg}, in memory only. The log buffer gets a record with the value before and after."),
                        }
                    }
                    Outcome::Aborted(why) => {
                        ended = true;
                        last = format!("ERROR: {why}");
                        format!("ERROR: {why}. The transaction cannot go on: the database refuses its later statements, so the application sends ROLLBACK, and every change since BEGIN is undone.")
                    }
                    Outcome::Waits(_) => unreachable!("one session never waits"),
                }
            }
            Step::Auto(op) => {
                let t = db.begin(Level::ReadCommitted);
                tx = Some(t);
                let outcome = db.run(t, op);
                let no_row = matches!(outcome, Outcome::NoRow(_));
                match outcome {
                    Outcome::Done(msg) | Outcome::NoRow(msg) => {
                        let lsn = db.commit_record(t);
                        db.commit_durable(t, lsn);
                        last = msg.clone();
                        if no_row {
                            format!("{msg}: no such row, and with no transaction there is nothing to roll back. Whatever ran before stays.")
                        } else {
                            format!("{msg}, committed on its own (T{t}): its commit record is on disk already.")
                        }
                    }
                    Outcome::Aborted(why) => {
                        last = format!("ERROR: {why}");
                        format!("ERROR: {why}. Only this statement is undone; the statements before it were committed on their own and stay.")
                    }
                    Outcome::Waits(_) => unreachable!("one session never waits"),
                }
            }
            Step::WritePage(key) => {
                let before = db.disk.get(key).and_then(|(v, _)| *v);
                db.write_page(key);
                let written = db.disk.get(key).and_then(|(v, _)| *v);
                let committed = db.committed_value(key);
                let v = written.map_or("no row".into(), |v| v.to_string());
                let what = if written != committed {
                    "The data file now holds a change that is not committed yet."
                } else if written != before {
                    "That change is committed already, so the data file is simply up to date."
                } else {
                    "Nothing in that page had changed, so the data file is as it was."
                };
                format!("The background writer saves {key} ({v}) to the data file, flushing the log through that row's last record first: the write-ahead rule. {what}")
            }
            Step::CommitRecord => {
                let t = tx.unwrap_or(0);
                commit_lsn = db.commit_record(t);
                "COMMIT: the commit record is in the log buffer, in memory. Until it reaches the disk, the transaction is not committed.".into()
            }
            Step::CommitFlush => {
                let t = tx.unwrap_or(0);
                db.commit_durable(t, commit_lsn);
                last = "COMMIT".into();
                ended = true;
                format!("The log is flushed through the commit record, and COMMIT returns: T{t} is durable, though some of its rows are still only in memory.")
            }
        };
        let next = if ended || i + 1 >= steps.len() { None } else { Some(i + 1) };
        let state = match tx.map(|t| db.status(t)) {
            Some(Status::Active) => "in a transaction",
            Some(Status::Committed(_)) => "committed",
            Some(Status::Aborted) => "rolled back",
            None => "not started",
        };
        frames.push(snap(&db, narration, Phase::Running, session(tx, next, state, &last), None));
    }

    // A crash point past the story's end crashes after its last step.
    let final_state: BTreeMap<String, Option<i64>> = if cfg.crash_after.is_some() {
        db.crash();
        let durable = db.log.len();
        frames.push(snap(&db, format!("Power fails. Memory is gone: every row not yet written to the data file, and the log buffer. On disk remain the data file and {durable} log record{}.", crate::sim::plural(durable)), Phase::Crashed, session(tx, None, "crashed", &last), None));
        let (data, rsteps) = recover(&db.disk, &db.log);
        let mut shown: BTreeMap<String, (Option<i64>, usize)> = db.disk.clone();
        let mut undone = false;
        for rs in rsteps {
            let narration = match &rs {
                RecoveryStep::Analysis { winners, losers } => format!(
                    "Recovery starts by reading the log. Committed: {}. Never finished: {}.",
                    names(winners),
                    names(losers)
                ),
                RecoveryStep::Redo { lsn, key, value } => {
                    shown.insert(key.clone(), (*value, *lsn));
                    format!("Redo record {lsn}: {key} = {}. The data file's copy of {key} is older than this record, so the change is applied again; a record whose change the page already holds is skipped.", show(*value))
                }
                RecoveryStep::Undo { lsn, key, value, tx } => {
                    shown.insert(key.clone(), (*value, *lsn));
                    // The first undo says whose recovery this is; later ones only what they do.
                    let aries = if std::mem::replace(&mut undone, true) { "" } else { " Undoing from the log is how ARIES-style recovery works (InnoDB, SQL Server); PostgreSQL's log is redo only, because its old row versions stay in the table and an uncommitted version is simply never visible." };
                    format!("Undo record {lsn}: T{tx} never committed, so {key} goes back to {}.{aries}", show(*value))
                }
                RecoveryStep::Done => "Recovery is done: the data file holds exactly the committed transactions.".into(),
            };
            db.disk = shown.clone();
            let mut f = snap(&db, narration, Phase::Recovering, session(tx, None, "recovering", &last), None);
            f.rows.retain(|r| r.disk.is_some() || shown.contains_key(&r.key));
            for r in f.rows.iter_mut() {
                r.committed = None;
                r.pending = None;
                r.locked_by = None;
            }
            frames.push(f);
        }
        data
    } else {
        db.committed()
    };
    let verdict = verdict(cfg, &final_state);
    if let Some(last) = frames.last_mut() {
        last.phase = Phase::Done;
        last.verdict = Some(verdict);
    }
    frames
}

fn names(txs: &[TxId]) -> String {
    if txs.is_empty() {
        "none".into()
    } else {
        txs.iter().map(|t| format!("T{t}")).collect::<Vec<_>>().join(", ")
    }
}

fn show(v: Option<i64>) -> String {
    v.map_or("no row".into(), |v| v.to_string())
}

/// What the data says at the end: money conserved, or an order whole.
fn verdict(cfg: &CrashConfig, state: &BTreeMap<String, Option<i64>>) -> String {
    let v = |k: &str| state.get(k).copied().flatten();
    if cfg.story.transfer() {
        let before: i64 = ACCOUNTS.iter().map(|(_, v)| v).sum();
        let after: i64 = state.iter().filter(|(k, _)| k.starts_with("accounts/")).filter_map(|(_, v)| *v).sum();
        if after == before {
            let moved = v(&format!("accounts/{}", cfg.from)) != ACCOUNTS.iter().find(|(k, _)| *k == format!("accounts/{}", cfg.from)).map(|(_, v)| *v);
            format!("Money is conserved: the accounts hold {after} in all, as before. The transfer {}.", if moved { "happened in full" } else { "left no trace" })
        } else {
            if after < before {
            format!("Money is not conserved: the accounts held {before} and now hold {after}. {} has vanished.", before - after)
        } else {
            format!("Money is not conserved: the accounts held {before} and now hold {after}. {} has appeared from nowhere.", after - before)
        }
        }
    } else {
        let order = v("orders/1042").is_some();
        let items = v("items/1042:42").is_some();
        let stock = v("products/42").unwrap_or(STOCK);
        let taken = STOCK - stock;
        match (order, items, taken) {
            (true, true, t) if t == cfg.qty => format!("The order is whole: order 1042, its item, and {t} teapot{} taken from stock.", crate::sim::plural(t as usize)),
            (false, false, 0) => "Nothing of the order remains, and the stock is untouched: all or nothing.".into(),
            _ => format!("The data contradicts itself: order {}, item {}, and {taken} teapot{} taken from stock for an order of {}.", if order { "present" } else { "missing" }, if items { "present" } else { "missing" }, crate::sim::plural(taken.max(0) as usize), cfg.qty),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Isolation: two sessions

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Anomaly {
    DirtyWrite,
    DirtyRead,
    NonRepeatableRead,
    Phantom,
    LostUpdate,
    ReadSkew,
    WriteSkew,
    /// Fekete, O'Neil and O'Neil (2004): two writers and a read-only report whose reads close
    /// the cycle. Session 2 runs two transactions: a deposit, then the report.
    ReadOnly,
    Deadlock,
}

impl Anomaly {
    pub const ALL: [Anomaly; 9] = [Anomaly::DirtyWrite, Anomaly::DirtyRead, Anomaly::NonRepeatableRead, Anomaly::Phantom, Anomaly::LostUpdate, Anomaly::ReadSkew, Anomaly::WriteSkew, Anomaly::ReadOnly, Anomaly::Deadlock];

    pub fn key(self) -> &'static str {
        match self {
            Anomaly::DirtyWrite => "dirty-write",
            Anomaly::DirtyRead => "dirty-read",
            Anomaly::NonRepeatableRead => "non-repeatable-read",
            Anomaly::Phantom => "phantom",
            Anomaly::LostUpdate => "lost-update",
            Anomaly::ReadSkew => "read-skew",
            Anomaly::WriteSkew => "write-skew",
            Anomaly::ReadOnly => "read-only",
            Anomaly::Deadlock => "deadlock",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Anomaly::DirtyWrite => "Dirty write",
            Anomaly::DirtyRead => "Dirty read",
            Anomaly::NonRepeatableRead => "Non-repeatable read",
            Anomaly::Phantom => "Phantom",
            Anomaly::LostUpdate => "Lost update",
            Anomaly::ReadSkew => "Read skew",
            Anomaly::WriteSkew => "Write skew",
            Anomaly::ReadOnly => "Read-only anomaly",
            Anomaly::Deadlock => "Deadlock",
        }
    }

    pub fn from_key(k: &str) -> Option<Anomaly> {
        Anomaly::ALL.into_iter().find(|a| a.key() == k)
    }

    fn rows(self) -> Vec<(&'static str, i64)> {
        match self {
            Anomaly::DirtyWrite | Anomaly::DirtyRead | Anomaly::NonRepeatableRead => vec![("accounts/A", 100)],
            Anomaly::Phantom => vec![("users/7", 1), ("orders/1", 7), ("orders/2", 7)],
            Anomaly::LostUpdate => vec![("products/42", 10)],
            Anomaly::ReadSkew | Anomaly::Deadlock => vec![("accounts/A", 500), ("accounts/B", 500)],
            Anomaly::WriteSkew => vec![("oncall/alice", 1), ("oncall/bob", 1)],
            Anomaly::ReadOnly => vec![("checking/ann", 0), ("savings/ann", 0)],
        }
    }

    /// The two sessions' statements.
    pub fn scripts(self) -> [Vec<SOp>; 2] {
        use SOp::*;
        let sql = |op: Op| Sql(op);
        let a = || "accounts/A".to_string();
        let b = || "accounts/B".to_string();
        match self {
            Anomaly::DirtyWrite => [vec![sql(Op::Begin), sql(Op::Set(a(), 150)), sql(Op::Commit)], vec![sql(Op::Begin), sql(Op::Set(a(), 50)), sql(Op::Commit)]],
            Anomaly::DirtyRead => [vec![sql(Op::Begin), sql(Op::Read(a())), sql(Op::Commit)], vec![sql(Op::Begin), sql(Op::Set(a(), 0)), sql(Op::Rollback)]],
            Anomaly::NonRepeatableRead => [vec![sql(Op::Begin), sql(Op::Read(a())), sql(Op::Read(a())), sql(Op::Commit)], vec![sql(Op::Begin), sql(Op::Add(a(), -20)), sql(Op::Commit)]],
            Anomaly::Phantom => [vec![sql(Op::Begin), sql(Op::Sum("orders/".into())), sql(Op::Sum("orders/".into())), sql(Op::Commit)], vec![sql(Op::Begin), sql(Op::Insert("orders/3".into(), 7)), sql(Op::Commit)]],
            Anomaly::LostUpdate => {
                let s = || vec![sql(Op::Begin), sql(Op::Read("products/42".into())), SetRead("products/42".into(), -1), sql(Op::Commit)];
                [s(), s()]
            }
            Anomaly::ReadSkew => [vec![sql(Op::Begin), sql(Op::Read(a())), sql(Op::Read(b())), sql(Op::Commit)], vec![sql(Op::Begin), sql(Op::Add(a(), -100)), sql(Op::Add(b(), 100)), sql(Op::Commit)]],
            Anomaly::WriteSkew => {
                let s = |who: &str| vec![sql(Op::Begin), sql(Op::Sum("oncall/".into())), Guard(2), sql(Op::Set(format!("oncall/{who}"), 0)), sql(Op::Commit)];
                [s("alice"), s("bob")]
            }
            Anomaly::ReadOnly => {
                let (c, sv) = (|| "checking/ann".to_string(), || "savings/ann".to_string());
                [
                    vec![sql(Op::Begin), sql(Op::Read(c())), sql(Op::Read(sv())), Withdraw { from: c(), amount: 10, fee: 1 }, sql(Op::Commit)],
                    vec![sql(Op::Begin), sql(Op::Add(sv(), 20)), sql(Op::Commit), sql(Op::Begin), sql(Op::Read(c())), sql(Op::Read(sv())), sql(Op::Commit)],
                ]
            }
            Anomaly::Deadlock => [vec![sql(Op::Begin), sql(Op::Add(a(), -10)), sql(Op::Add(b(), 10)), sql(Op::Commit)], vec![sql(Op::Begin), sql(Op::Add(b(), -10)), sql(Op::Add(a(), 10)), sql(Op::Commit)]],
        }
    }

    /// The interleaving that shows the anomaly: which session runs each step.
    pub fn interleaving(self) -> &'static str {
        match self {
            Anomaly::DirtyWrite => "1122121",
            Anomaly::DirtyRead => "221112",
            Anomaly::NonRepeatableRead => "1122211",
            Anomaly::Phantom => "1122211",
            Anomaly::LostUpdate => "11221122",
            Anomaly::ReadSkew => "11222211",
            Anomaly::WriteSkew => "1122112211",
            Anomaly::ReadOnly => "111222222211",
            Anomaly::Deadlock => "1122121212",
        }
    }
}

/// A session's statement: plain SQL, or application logic around it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SOp {
    Sql(Op),
    /// The application writes back what it read, changed by `delta`.
    SetRead(String, i64),
    /// The application goes on only if its last sum was at least this; otherwise it rolls back.
    Guard(i64),
    /// The application withdraws `amount` from `from`, and charges `fee` more if the balances
    /// it read added up to less than `amount` (an overdraft).
    Withdraw { from: String, amount: i64, fee: i64 },
}

impl SOp {
    pub fn label(&self) -> String {
        match self {
            SOp::Sql(op) => op.to_string(),
            SOp::SetRead(k, d) => {
                let (t, id) = k.split_once('/').unwrap_or((k, ""));
                format!("UPDATE {t} SET {} = ⟨what I read {} {}⟩ WHERE id = '{id}'", crate::sim::txn::column(t), if *d < 0 { "−" } else { "+" }, d.abs())
            }
            SOp::Guard(min) => format!("app: go on only if the total is at least {min}"),
            SOp::Withdraw { from, amount, fee } => {
                let (t, id) = from.split_once('/').unwrap_or((from, ""));
                format!("UPDATE {t} SET {c} = ⟨what I read − {amount}, and − {fee} more if my balances came to under {amount}⟩ WHERE id = '{id}'", c = crate::sim::txn::column(t))
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IsoConfig {
    pub anomaly: Anomaly,
    pub level: Level,
    /// Which session runs each step, as a string of 1s and 2s; `None` for the preset's.
    pub interleaving: Option<String>,
}

impl IsoConfig {
    pub fn validate(&self) -> Result<(), String> {
        if let Some(s) = &self.interleaving {
            if s.is_empty() || s.len() > 60 || !s.chars().all(|c| c == '1' || c == '2') {
                return Err("Interleaving: write which session runs each step as 1s and 2s, up to 60 steps, like 1122.".into());
            }
        }
        Ok(())
    }
}

/// What the sessions observed, for deciding whether the anomaly happened.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Observed {
    /// Each session's read results, in order: (key or prefix, value or total, count).
    pub reads: [Vec<(String, Option<i64>, usize)>; 2],
    pub outcome: [Option<Status>; 2],
    pub reasons: [Option<String>; 2],
    /// Whether session 2 wrote while session 1's transaction was still open on the same row.
    pub wrote_while_locked: bool,
    pub final_rows: BTreeMap<String, Option<i64>>,
}

impl Observed {
    /// Did the anomaly happen in this run?
    pub fn occurred(&self, a: Anomaly) -> bool {
        let r = |s: usize| &self.reads[s];
        let both_committed = self.outcome.iter().all(|o| matches!(o, Some(Status::Committed(_))));
        match a {
            Anomaly::DirtyWrite => self.wrote_while_locked,
            Anomaly::DirtyRead => r(0).iter().any(|(k, v, _)| k == "accounts/A" && *v == Some(0)),
            Anomaly::NonRepeatableRead => r(0).len() >= 2 && r(0)[0].1 != r(0)[1].1,
            Anomaly::Phantom => r(0).len() >= 2 && r(0)[0].2 != r(0)[1].2,
            Anomaly::LostUpdate => both_committed && self.final_rows.get("products/42").copied().flatten() == Some(9),
            Anomaly::ReadSkew => r(0).len() >= 2 && r(0)[0].1.unwrap_or(0) + r(0)[1].1.unwrap_or(0) != 1000,
            Anomaly::WriteSkew => both_committed && self.final_rows.iter().filter(|(k, _)| k.starts_with("oncall/")).all(|(_, v)| *v == Some(0)),
            // The report showed the deposit with checking untouched, yet the withdrawal was
            // charged the fee as if the deposit had not happened: no serial order gives both.
            Anomaly::ReadOnly => {
                both_committed
                    && self.final_rows.get("checking/ann").copied().flatten() == Some(-11)
                    && r(1).iter().any(|(k, v, _)| k == "savings/ann" && *v == Some(20))
                    && r(1).iter().any(|(k, v, _)| k == "checking/ann" && *v == Some(0))
            }
            Anomaly::Deadlock => self.reasons.iter().flatten().any(|r| r.starts_with("deadlock")),
        }
    }
}

/// What one session's transaction has read, by row, in the order first read: a handful of
/// rows, so a list (a map type of its own would cost the page more code than it saves).
#[derive(Default)]
struct Reads(Vec<(String, i64)>);

impl Reads {
    fn get(&self, key: &str) -> Option<&i64> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    fn insert(&mut self, key: String, value: i64) {
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => *v = value,
            None => self.0.push((key, value)),
        }
    }

    fn clear(&mut self) {
        self.0.clear();
    }

    fn values(&self) -> impl Iterator<Item = &i64> {
        self.0.iter().map(|(_, v)| v)
    }

    fn iter(&self) -> impl Iterator<Item = (&String, &i64)> {
        self.0.iter().map(|(k, v)| (k, v))
    }
}

/// Runs two sessions to frames, and reports what they observed.
pub fn record_isolation(cfg: &IsoConfig) -> (Vec<Frame>, Observed) {
    let a = cfg.anomaly;
    let mut db = Db::new(&a.rows());
    let scripts = a.scripts();
    let labels: Vec<Vec<String>> = scripts.iter().map(|s| s.iter().map(SOp::label).collect()).collect();
    let mut pc = [0usize; 2];
    let mut tx: [Option<TxId>; 2] = [None, None];
    let mut last = [String::from("–"), String::from("–")];
    let mut done = [false; 2];
    let mut obs = Observed::default();
    let mut last_sum: [Option<i64>; 2] = [None, None];
    let mut read_vals: [Reads; 2] = [Reads::default(), Reads::default()];
    let order: Vec<usize> = cfg.interleaving.as_deref().unwrap_or(a.interleaving()).chars().map(|c| if c == '2' { 1 } else { 0 }).collect();

    let frame = |db: &Db, pc: &[usize; 2], tx: &[Option<TxId>; 2], last: &[String; 2], done: &[bool; 2], narration: String| {
        let sessions = (0..2)
            .map(|s| {
                let state = match tx[s].map(|t| (db.status(t), db.waiting(t))) {
                    None => "not started".to_string(),
                    Some((Status::Active, Some(h))) => format!("waiting for T{h}'s lock"),
                    Some((Status::Active, None)) => "in a transaction".into(),
                    Some((Status::Committed(_), _)) => "committed".into(),
                    Some((Status::Aborted, _)) => "rolled back".into(),
                };
                SessionView { name: format!("Session {}", s + 1), tx: tx[s], lines: labels[s].clone(), next: (!done[s] && pc[s] < labels[s].len()).then_some(pc[s]), state, last: last[s].clone() }
            })
            .collect();
        Frame { narration, phase: Phase::Running, rows: rows_of(db, tx), log: log_of(db), sessions, verdict: None }
    };
    let mut frames = vec![frame(&db, &pc, &tx, &last, &done, format!("{}: two sessions at {}. Step them in the order below, or write your own.", a.label(), cfg.level.name()))];

    let queue: Vec<usize> = order;
    let mut i = 0;
    let mut fallback = 0usize;
    while !(done[0] && done[1]) && frames.len() < 120 {
        let s = if i < queue.len() {
            queue[i]
        } else {
            // After the given order, the sessions take turns until both finish.
            fallback += 1;
            if done[fallback % 2] {
                (fallback + 1) % 2
            } else {
                fallback % 2
            }
        };
        i += 1;
        if done[s] {
            continue;
        }
        let name = format!("Session {}", s + 1);
        let step = scripts[s][pc[s]].clone();
        // A session's BEGIN after its transaction ended starts its next one.
        if matches!(step, SOp::Sql(Op::Begin)) && tx[s].is_some_and(|t| db.status(t) != Status::Active) {
            tx[s] = None;
            read_vals[s].clear();
        }
        let t = *tx[s].get_or_insert_with(|| db.begin(cfg.level));
        let op = match &step {
            SOp::Sql(op) => Some(op.clone()),
            SOp::SetRead(k, d) => Some(Op::Set(k.clone(), read_vals[s].get(k).copied().unwrap_or(0) + d)),
            SOp::Withdraw { from, amount, fee } => {
                let read = read_vals[s].get(from).copied().unwrap_or(0);
                let total: i64 = read_vals[s].values().sum();
                Some(Op::Set(from.clone(), read - amount - if total < *amount { *fee } else { 0 }))
            }
            SOp::Guard(min) => {
                if last_sum[s].unwrap_or(0) >= *min {
                    None
                } else {
                    Some(Op::Rollback)
                }
            }
        };
        let narration = match op {
            None => {
                pc[s] += 1;
                last[s] = "check passed".into();
                format!("{name} checks its total ({}) and goes on.", last_sum[s].unwrap_or(0))
            }
            Some(op) => {
                let other = tx[1 - s];
                let other_open = other.is_some_and(|o| db.status(o) == Status::Active);
                // Would this write land on a row the other session changed and has not committed?
                let dirty = match &op {
                    Op::Set(k, _) | Op::Add(k, _) | Op::Insert(k, _) | Op::Delete(k) => other_open && db.pending().iter().any(|(pk, _, by)| pk == k && Some(*by) == other),
                    _ => false,
                };
                // A write computed from an earlier read: what is committed now, to say whether it
                // overwrites a change the other session committed since (a lost update).
                let overwrites = match (&step, &op) {
                    (SOp::SetRead(k, _), Op::Set(..)) => read_vals[s].get(k).copied().zip(db.committed_value(k)).filter(|(read, now)| read != now),
                    _ => None,
                };
                let outcome = db.run(t, &op);
                // Why a read or a write is the lesson of its step, not only what it did.
                let mut why = String::new();
                match outcome {
                    Outcome::Done(msg) | Outcome::NoRow(msg) => {
                        obs.wrote_while_locked |= dirty;
                        let o = other.map_or(0, |o| o);
                        match &op {
                            Op::Read(k) => {
                                let v = db.view(t).get(k).copied().flatten();
                                let own = db.pending().iter().any(|(pk, _, by)| pk == k && *by == t);
                                let uncommitted = other_open && db.pending().iter().any(|(pk, pv, by)| pk == k && Some(*by) == other && *pv == v);
                                let newest = db.committed_value(k);
                                why = if uncommitted {
                                    format!(" That is T{o}'s change, which T{o} has not committed: a dirty read. If T{o} rolls back, {name} has read a value that never existed.")
                                } else if !own && v != newest && v.is_some() {
                                    format!(" It reads from its snapshot, taken at its first statement: T{o} has since committed {}, which this transaction does not see.", newest.map_or("a delete".into(), |n| n.to_string()))
                                } else {
                                    let moved = read_vals[s].iter().find(|(k2, &was)| *k2 != k && db.committed_value(k2) != Some(was) && !db.pending().iter().any(|(pk, _, by)| pk == *k2 && *by == t));
                                    match (read_vals[s].get(k), moved) {
                                        (Some(&before), _) if Some(before) != v && !own => format!(" It read {before} before: T{o} committed a change in between, so the same question got a different answer."),
                                        (_, Some((k2, was))) if !own => format!(" That includes T{o}'s committed change, but the {was} it read from {} came from before that change: its two reads see two different moments.", k2.split_once('/').map_or(k2.as_str(), |(_, id)| id)),
                                        _ => String::new(),
                                    }
                                };
                                if let Some(v) = v {
                                    read_vals[s].insert(k.clone(), v);
                                }
                                obs.reads[s].push((k.clone(), v, 1));
                            }
                            Op::Set(_, _) if matches!(step, SOp::Withdraw { .. }) => {
                                let total: i64 = read_vals[s].values().sum();
                                let missed = read_vals[s].iter().find(|(k2, &was)| db.committed_value(k2).is_some_and(|now| now != was));
                                let fee = if let SOp::Withdraw { amount, fee, .. } = &step { (total < *amount).then_some(*fee) } else { None };
                                why = match (fee, missed) {
                                    (Some(fee), Some((k2, was))) => format!(
                                        " Its balances came to {total} when it read them, so it charges the {fee} fee. But {} has since committed {} where it read {was}: a transaction that saw that change and this one's old balance cannot both fit one order.",
                                        k2.split_once('/').map_or(k2.as_str(), |(t, _)| t),
                                        db.committed_value(k2).unwrap_or(0)
                                    ),
                                    (Some(fee), None) => format!(" Its balances came to {total}, so it charges the {fee} fee."),
                                    _ => String::new(),
                                };
                            }
                            Op::Set(k, _) if overwrites.is_some() => {
                                let (read, now) = overwrites.unwrap_or_default();
                                let what = if k.starts_with("products/") { "sale" } else { "change" };
                                why = format!(" It computed that from the {read} it read earlier, but T{o} has since committed {now}: this write overwrites T{o}'s {what}, which is lost.");
                            }
                            Op::Sum(p) => {
                                let vals: Vec<i64> = db.view(t).iter().filter(|(k, _)| k.starts_with(p.as_str())).filter_map(|(_, v)| *v).collect();
                                let total: i64 = vals.iter().sum();
                                last_sum[s] = Some(total);
                                obs.reads[s].push((p.clone(), Some(total), vals.len()));
                            }
                            _ => {}
                        }
                        pc[s] += 1;
                        if pc[s] >= scripts[s].len() {
                            done[s] = true;
                        }
                        if matches!(step, SOp::Guard(_)) {
                            done[s] = true;
                        }
                        last[s] = msg.clone();
                        match op {
                            Op::Begin => format!("{name} begins T{t} at {}.", cfg.level.name()),
                            Op::Commit => format!("{name} commits T{t}."),
                            Op::Rollback if matches!(step, SOp::Guard(_)) => format!("{name} sees a total of {}, below what it needs, so it rolls back.", last_sum[s].unwrap_or(0)),
                            Op::Rollback => format!("{name} rolls T{t} back: its changes vanish."),
                            _ => format!("{name}: {msg}.{why}"),
                        }
                    }
                    Outcome::Waits(h) => {
                        last[s] = format!("waiting for T{h}");
                        format!("{name} wants a row that T{h} has changed and not committed, so it waits for T{h}'s lock.")
                    }
                    Outcome::Aborted(why) => {
                        done[s] = true;
                        last[s] = format!("ERROR: {why}");
                        obs.reasons[s] = Some(why.clone());
                        format!("{name}: ERROR: {why}. T{t} has failed and can never commit: its changes are discarded, the database refuses its further statements until the application sends ROLLBACK, and the application should then retry it.")
                    }
                }
            }
        };
        frames.push(frame(&db, &pc, &tx, &last, &done, narration));
    }
    for s in 0..2 {
        obs.outcome[s] = tx[s].map(|t| db.status(t));
    }
    obs.final_rows = db.committed();
    let verdict = if obs.occurred(a) {
        match a {
            Anomaly::Deadlock => format!("Deadlock detected at {}: one transaction was aborted so the other could finish.", cfg.level.name()),
            _ => format!("{} happened at {}.", a.label(), cfg.level.name()),
        }
    } else {
        format!("No {} at {} with this interleaving.", a.label().to_lowercase(), cfg.level.name())
    };
    if let Some(f) = frames.last_mut() {
        f.phase = Phase::Done;
        f.verdict = Some(verdict);
    }
    (frames, obs)
}

/// The stepper over recorded frames.
pub type TxnWalk = FrameWalk<Frame>;

impl Narrated for Frame {
    fn narration(&self) -> &str {
        &self.narration
    }
}
