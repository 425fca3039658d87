//! A small transactional row store: rows under string keys (`accounts/A`, `products/42`),
//! constraints, row locks, multiversion reads at four isolation levels, a write-ahead log,
//! and crash recovery from that log.
//!
//! The model, kept deliberately close to PostgreSQL where the behaviour is visible:
//! - Every write takes the row's lock until commit or rollback, at every level, so dirty
//!   writes never happen. A second writer waits; a cycle of waiters is a deadlock, and the
//!   transaction that would close the cycle is aborted.
//! - Reads see versions: read uncommitted sees the newest version that is not rolled back
//!   (PostgreSQL itself runs this level as read committed); read committed sees the newest
//!   committed version as of each statement; repeatable read and serializable see a
//!   snapshot taken at the transaction's first statement.
//! - At repeatable read and serializable, updating a row that another transaction changed
//!   and committed after the snapshot fails ("could not serialize access due to concurrent
//!   update"): first updater wins.
//! - Serializable is PostgreSQL's Serializable Snapshot Isolation (Cahill et al. 2008; Ports
//!   and Grittner 2012). Serializable transactions record what they read (rows, and key
//!   prefixes for predicate reads); a read that misses a concurrent transaction's write is a
//!   read–write antidependency, reader → writer. Every cycle in a history that snapshot
//!   isolation allows has a *dangerous structure*: a pivot with an antidependency in and one
//!   out, `in → pivot → out`, where `out` committed first of the three (and, when `in` is a
//!   committed read-only transaction, before `in` took its snapshot). When one forms, the
//!   pivot is aborted if it has not committed, else `in`; at the statement that formed it if
//!   that is the victim's own, otherwise at the victim's next statement (or COMMIT). So write
//!   skew fails at the second COMMIT, and the read-only anomaly (Fekete, O'Neil and O'Neil
//!   2004) at the writer's UPDATE, as in PostgreSQL.
//! - The log is durable up to `durable` records. Appending does not flush; `COMMIT` flushes
//!   through its commit record, and writing a data page flushes the log through that page's
//!   last record first (the write-ahead rule). A crash keeps the data file and the durable
//!   log, and loses everything else. Recovery redoes every durable change in log order,
//!   then undoes the changes of transactions with no commit or rollback record, newest
//!   first. Rollbacks log compensation records, so a redo never resurrects them.

pub mod scenarios;

use std::collections::BTreeMap;
use std::fmt;

pub type TxId = u32;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    ReadUncommitted,
    ReadCommitted,
    RepeatableRead,
    Serializable,
}

impl Level {
    pub const ALL: [Level; 4] = [Level::ReadUncommitted, Level::ReadCommitted, Level::RepeatableRead, Level::Serializable];

    pub fn name(self) -> &'static str {
        match self {
            Level::ReadUncommitted => "read uncommitted",
            Level::ReadCommitted => "read committed",
            Level::RepeatableRead => "repeatable read",
            Level::Serializable => "serializable",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Level::ReadUncommitted => "ru",
            Level::ReadCommitted => "rc",
            Level::RepeatableRead => "rr",
            Level::Serializable => "s",
        }
    }

    pub fn from_key(k: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.key() == k)
    }

    fn snapshot(self) -> bool {
        matches!(self, Level::RepeatableRead | Level::Serializable)
    }
}

/// One statement a session runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    Begin,
    /// `SELECT value WHERE key = …`
    Read(String),
    /// `SELECT count(*), sum(value) WHERE key LIKE 'prefix%'`: a predicate read.
    Sum(String),
    /// `SELECT count(*) FROM table WHERE value = v`: a predicate read of the rows under a
    /// prefix. Like PostgreSQL on a table with no index on the column, serializable records
    /// it as a read of the whole table, so any write there conflicts with it.
    CountWhere(String, i64),
    /// `UPDATE … SET value = v` (the application computed v).
    Set(String, i64),
    /// `UPDATE … SET value = value + d` (the database computes it from the row it locks).
    Add(String, i64),
    Insert(String, i64),
    /// `DELETE FROM table WHERE id = …`: a new version that is no row.
    Delete(String),
    Commit,
    Rollback,
}

/// The one value column each table of the stories has, as the SQL and the errors name it.
pub fn column(table: &str) -> &'static str {
    match table {
        "accounts" => "balance",
        "products" => "stock",
        "orders" => "user_id",
        "items" => "quantity",
        "oncall" => "on_call",
        "checking" | "savings" => "balance",
        _ => "value",
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let split = |k: &str| k.split_once('/').map(|(t, id)| (t.to_string(), id.to_string())).unwrap_or((k.to_string(), String::new()));
        match self {
            Op::Begin => write!(f, "BEGIN"),
            Op::Read(k) => {
                let (t, id) = split(k);
                write!(f, "SELECT {} FROM {t} WHERE id = '{id}'", column(&t))
            }
            Op::Sum(p) => {
                let (t, _) = split(p);
                write!(f, "SELECT count(*), sum({}) FROM {t}", column(&t))
            }
            Op::Set(k, v) => {
                let (t, id) = split(k);
                write!(f, "UPDATE {t} SET {c} = {v} WHERE id = '{id}'", c = column(&t))
            }
            Op::Add(k, d) => {
                let (t, id) = split(k);
                let c = column(&t);
                if *d < 0 {
                    write!(f, "UPDATE {t} SET {c} = {c} - {} WHERE id = '{id}'", -d)
                } else {
                    write!(f, "UPDATE {t} SET {c} = {c} + {d} WHERE id = '{id}'")
                }
            }
            Op::Insert(k, v) => {
                let (t, id) = split(k);
                write!(f, "INSERT INTO {t} (id, {}) VALUES ('{id}', {v})", column(&t))
            }
            Op::CountWhere(p, v) => {
                let (t, _) = split(p);
                write!(f, "SELECT count(*) FROM {t} WHERE {} = {v}", column(&t))
            }
            Op::Delete(k) => {
                let (t, id) = split(k);
                write!(f, "DELETE FROM {t} WHERE id = '{id}'")
            }
            Op::Commit => write!(f, "COMMIT"),
            Op::Rollback => write!(f, "ROLLBACK"),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Active,
    Committed(u32),
    Aborted,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Version {
    value: Option<i64>,
    by: TxId,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LogKind {
    Begin,
    /// A change: the row's value before and after (`None`: no row).
    Update { key: String, before: Option<i64>, after: Option<i64> },
    /// Written while rolling back: restores `before` of record `undoes`.
    Compensate { key: String, value: Option<i64>, undoes: usize },
    Commit,
    Abort,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogRecord {
    pub lsn: usize,
    pub tx: TxId,
    pub kind: LogKind,
}

impl fmt::Display for LogRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = |x: &Option<i64>| x.map_or("none".to_string(), |n| n.to_string());
        match &self.kind {
            LogKind::Begin => write!(f, "{} T{} BEGIN", self.lsn, self.tx),
            LogKind::Update { key, before, after } => write!(f, "{} T{} {key}: {} → {}", self.lsn, self.tx, v(before), v(after)),
            LogKind::Compensate { key, value, undoes } => write!(f, "{} T{} undo {undoes}: {key} ← {}", self.lsn, self.tx, v(value)),
            LogKind::Commit => write!(f, "{} T{} COMMIT", self.lsn, self.tx),
            LogKind::Abort => write!(f, "{} T{} ROLLBACK", self.lsn, self.tx),
        }
    }
}

/// What a statement did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Done(String),
    /// The statement could not run yet: the row is locked by this transaction.
    Waits(TxId),
    /// The statement failed and the transaction was rolled back, with the database's reason.
    Aborted(String),
    /// An UPDATE matched no row (PostgreSQL reports `UPDATE 0`): nothing changed, and the
    /// transaction goes on. Checking the row count is the application's job.
    NoRow(String),
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Tx {
    level: Option<Level>,
    status: Option<Status>,
    snapshot: Option<u32>,
    /// Rows read, and key prefixes read as predicates (`true`), for the serializable check.
    reads: Vec<(String, bool)>,
    /// Rows written, each once (a transaction writes a handful).
    writes: Vec<String>,
    waits_for: Option<TxId>,
    /// Chosen as the victim of a dangerous structure another transaction's statement formed:
    /// the error its next statement gets.
    doomed: Option<String>,
}

/// The database: versions in memory, the data file on disk, and the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Db {
    rows: BTreeMap<String, Vec<Version>>,
    txs: Vec<Tx>,
    locks: BTreeMap<String, TxId>,
    /// Read–write antidependencies between serializable transactions, `(reader, writer)`:
    /// the reader did not see the writer's change.
    conflicts: Vec<(TxId, TxId)>,
    commits: u32,
    pub log: Vec<LogRecord>,
    /// How many log records are on disk.
    pub durable: usize,
    /// The data file: each row's value as last written out, and the last log record
    /// reflected in it.
    pub disk: BTreeMap<String, (Option<i64>, usize)>,
    pub crashed: bool,
}

/// Transaction 0 loaded the initial rows and committed before anything else.
pub const SETUP: TxId = 0;

impl Db {
    /// A database holding `rows`, committed and written to disk.
    pub fn new(rows: &[(&str, i64)]) -> Db {
        let mut db = Db { rows: BTreeMap::new(), txs: vec![Tx { status: Some(Status::Committed(0)), ..Tx::default() }], locks: BTreeMap::new(), conflicts: Vec::new(), commits: 0, log: Vec::new(), durable: 0, disk: BTreeMap::new(), crashed: false };
        for (k, v) in rows {
            db.rows.insert(k.to_string(), vec![Version { value: Some(*v), by: SETUP }]);
            db.disk.insert(k.to_string(), (Some(*v), 0));
        }
        db
    }

    /// Starts a transaction and returns its id.
    pub fn begin(&mut self, level: Level) -> TxId {
        let id = self.txs.len() as TxId;
        self.txs.push(Tx { level: Some(level), status: Some(Status::Active), ..Tx::default() });
        self.append(id, LogKind::Begin);
        id
    }

    pub fn status(&self, tx: TxId) -> Status {
        self.txs.get(tx as usize).and_then(|t| t.status).unwrap_or(Status::Aborted)
    }

    pub fn waiting(&self, tx: TxId) -> Option<TxId> {
        self.txs.get(tx as usize).and_then(|t| t.waits_for)
    }

    pub fn level(&self, tx: TxId) -> Level {
        self.txs.get(tx as usize).and_then(|t| t.level).unwrap_or(Level::ReadCommitted)
    }

    pub fn lock_holder(&self, key: &str) -> Option<TxId> {
        self.locks.get(key).copied()
    }

    pub fn locks(&self) -> impl Iterator<Item = (&str, TxId)> {
        self.locks.iter().map(|(k, t)| (k.as_str(), *t))
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.rows.keys().map(String::as_str)
    }

    fn append(&mut self, tx: TxId, kind: LogKind) -> usize {
        let lsn = self.log.len() + 1;
        self.log.push(LogRecord { lsn, tx, kind });
        lsn
    }

    /// Flushes the log through record `lsn`.
    pub fn flush_log(&mut self, lsn: usize) {
        self.durable = self.durable.max(lsn.min(self.log.len()));
    }

    fn committed_seq(&self, tx: TxId) -> Option<u32> {
        match self.status(tx) {
            Status::Committed(s) => Some(s),
            _ => None,
        }
    }

    /// The version of `key` that `tx` sees now, if any: `(value, writer)`.
    fn visible(&self, tx: TxId, key: &str) -> Option<(Option<i64>, TxId)> {
        let versions = self.rows.get(key)?;
        let level = self.level(tx);
        let snap = self.txs[tx as usize].snapshot;
        versions
            .iter()
            .rev()
            .find(|v| {
                if v.by == tx {
                    return true;
                }
                match level {
                    Level::ReadUncommitted => self.status(v.by) != Status::Aborted,
                    Level::ReadCommitted => self.committed_seq(v.by).is_some(),
                    _ => self.committed_seq(v.by).is_some_and(|s| Some(s) <= snap),
                }
            })
            .map(|v| (v.value, v.by))
    }

    /// What `tx` would read for every row, for display: `None` for rows it cannot see.
    pub fn view(&self, tx: TxId) -> BTreeMap<String, Option<i64>> {
        self.rows.keys().map(|k| (k.clone(), self.visible(tx, k).and_then(|(v, _)| v))).collect()
    }

    /// The newest committed value of every row: what a new transaction would see.
    pub fn committed(&self) -> BTreeMap<String, Option<i64>> {
        self.rows.keys().filter_map(|k| self.committed_value(k).map(|v| (k.clone(), Some(v)))).collect()
    }

    /// The newest committed value of one row, if it exists.
    pub fn committed_value(&self, key: &str) -> Option<i64> {
        self.rows.get(key)?.iter().rev().find(|v| self.committed_seq(v.by).is_some())?.value
    }

    /// The newest version not rolled back: what sits in the row's page in memory.
    fn page_value(&self, key: &str) -> Option<i64> {
        self.rows.get(key).and_then(|vs| vs.iter().rev().find(|v| self.status(v.by) != Status::Aborted)).and_then(|v| v.value)
    }

    /// The uncommitted versions in memory, as `(key, value, writer)`.
    pub fn pending(&self) -> Vec<(String, Option<i64>, TxId)> {
        let mut out = Vec::new();
        for (k, vs) in &self.rows {
            for v in vs {
                if self.status(v.by) == Status::Active {
                    out.push((k.clone(), v.value, v.by));
                }
            }
        }
        out
    }

    fn touch(&mut self, tx: TxId) {
        let level = self.level(tx);
        let commits = self.commits;
        let t = &mut self.txs[tx as usize];
        if level.snapshot() && t.snapshot.is_none() {
            t.snapshot = Some(commits);
        }
    }

    fn abort(&mut self, tx: TxId, reason: String) -> Outcome {
        self.rollback_inner(tx);
        Outcome::Aborted(reason)
    }

    /// Runs one statement for `tx`.
    pub fn run(&mut self, tx: TxId, op: &Op) -> Outcome {
        if self.crashed {
            return Outcome::Aborted("the server has crashed".into());
        }
        if self.status(tx) != Status::Active {
            return Outcome::Aborted("current transaction is aborted, commands ignored until end of transaction block".into());
        }
        self.txs[tx as usize].waits_for = None;
        if let Some(why) = self.txs[tx as usize].doomed.clone() {
            return self.abort(tx, why);
        }
        match op {
            Op::Begin => Outcome::Done("BEGIN".into()),
            Op::Read(key) => {
                self.touch(tx);
                let seen = self.visible(tx, key);
                self.txs[tx as usize].reads.push((key.clone(), false));
                if let Some(out) = self.read_conflicts(tx, &[key.clone()]) {
                    return out;
                }
                match seen.and_then(|(v, _)| v) {
                    Some(v) => Outcome::Done(format!("{key} = {v}")),
                    None => Outcome::Done(format!("{key}: no row")),
                }
            }
            Op::Sum(prefix) => {
                self.touch(tx);
                let keys: Vec<String> = self.rows.keys().filter(|k| k.starts_with(prefix.as_str())).cloned().collect();
                let vals: Vec<i64> = keys.iter().filter_map(|k| self.visible(tx, k).and_then(|(v, _)| v)).collect();
                self.txs[tx as usize].reads.push((prefix.clone(), true));
                if let Some(out) = self.read_conflicts(tx, &keys) {
                    return out;
                }
                Outcome::Done(format!("{} rows, total {}", vals.len(), vals.iter().sum::<i64>()))
            }
            Op::CountWhere(prefix, want) => {
                self.touch(tx);
                let keys: Vec<String> = self.rows.keys().filter(|k| k.starts_with(prefix.as_str())).cloned().collect();
                let n = keys.iter().filter(|k| self.visible(tx, k).and_then(|(v, _)| v) == Some(*want)).count();
                self.txs[tx as usize].reads.push((prefix.clone(), true));
                if let Some(out) = self.read_conflicts(tx, &keys) {
                    return out;
                }
                Outcome::Done(format!("count = {n}"))
            }
            Op::Delete(key) => self.write(tx, key, Write::Delete),
            Op::Set(key, v) => self.write(tx, key, Write::Set(*v)),
            Op::Add(key, d) => self.write(tx, key, Write::Add(*d)),
            Op::Insert(key, v) => self.write(tx, key, Write::Insert(*v)),
            Op::Commit => self.commit(tx),
            Op::Rollback => {
                self.rollback_inner(tx);
                Outcome::Done("ROLLBACK".into())
            }
        }
    }

    fn write(&mut self, tx: TxId, key: &str, w: Write) -> Outcome {
        self.touch(tx);
        if let Some(holder) = self.lock_holder(key).filter(|h| *h != tx) {
            // Waiting on a transaction that waits (directly or not) for us is a deadlock.
            let mut at = holder;
            for _ in 0..self.txs.len() {
                match self.waiting(at) {
                    Some(next) if next == tx => {
                        return self.abort(tx, format!("deadlock detected: T{tx} waits for T{holder}, which waits for T{tx}"));
                    }
                    Some(next) => at = next,
                    None => break,
                }
            }
            self.txs[tx as usize].waits_for = Some(holder);
            return Outcome::Waits(holder);
        }
        let level = self.level(tx);
        let newest_committed = self.rows.get(key).and_then(|vs| vs.iter().rev().find(|v| self.committed_seq(v.by).is_some()).cloned());
        if level.snapshot() {
            if let Some(v) = &newest_committed {
                let seq = self.committed_seq(v.by).unwrap_or(0);
                if v.by != tx && Some(seq) > self.txs[tx as usize].snapshot {
                    let what = if v.value.is_none() { "delete" } else { "update" };
                    return self.abort(tx, format!("could not serialize access due to concurrent {what}"));
                }
            }
        }
        let before = self.visible(tx, key).and_then(|(v, _)| v);
        // Read committed re-reads the row it locked, as PostgreSQL does for UPDATE.
        let current = if level.snapshot() { before } else { self.rows.get(key).and_then(|vs| vs.iter().rev().find(|v| v.by == tx || self.committed_seq(v.by).is_some())).and_then(|v| v.value) };
        let (table, id) = key.split_once('/').unwrap_or((key, ""));
        let after = match w {
            Write::Set(_) | Write::Add(_) if current.is_none() => return Outcome::NoRow(format!("UPDATE 0: {table} has no row {id}")),
            Write::Delete if current.is_none() => return Outcome::NoRow(format!("DELETE 0: {table} has no row {id}")),
            Write::Set(v) => Some(v),
            Write::Add(d) => Some(current.unwrap_or(0).saturating_add(d)),
            Write::Delete => None,
            Write::Insert(v) => {
                if current.is_some() {
                    return self.abort(tx, format!("duplicate key value violates unique constraint \"{table}_pkey\": Key (id)=({id}) already exists"));
                }
                Some(v)
            }
        };
        let broken = match after {
            Some(v) => self.violates(tx, key, v),
            None => self.still_referenced(tx, key),
        };
        if let Some(reason) = broken {
            return self.abort(tx, reason);
        }
        let old_page = self.page_value(key);
        self.append(tx, LogKind::Update { key: key.to_string(), before: old_page, after });
        self.rows.entry(key.to_string()).or_default().push(Version { value: after, by: tx });
        self.locks.insert(key.to_string(), tx);
        if !self.txs[tx as usize].writes.iter().any(|w| w == key) {
            self.txs[tx as usize].writes.push(key.to_string());
        }
        if let Some(out) = self.write_conflicts(tx, key) {
            return out;
        }
        Outcome::Done(match (w, after) {
            (Write::Insert(_), Some(v)) => format!("INSERT 1: {key} = {v}"),
            (_, Some(v)) => format!("UPDATE 1: {key} = {v}"),
            (_, None) => format!("DELETE 1: {key}"),
        })
    }

    /// The foreign key a delete of `key` would break: a user with orders, an order or a
    /// product with items (no ON DELETE action, so PostgreSQL refuses).
    fn still_referenced(&self, tx: TxId, key: &str) -> Option<String> {
        let (table, id) = key.split_once('/')?;
        let live = |k: &String| self.visible(tx, k).and_then(|(v, _)| v);
        let (child, fk, col) = match table {
            "users" => ("orders", "orders_user_id_fkey", "user_id"),
            "orders" => ("items", "items_order_id_fkey", "order_id"),
            "products" => ("items", "items_product_id_fkey", "product_id"),
            _ => return None,
        };
        let refers = self.rows.keys().filter(|k| k.starts_with(&format!("{child}/"))).filter(|k| live(k).is_some()).any(|k| {
            let cid = &k[child.len() + 1..];
            match table {
                "users" => live(k).map(|v| v.to_string()) == Some(id.to_string()),
                "orders" => cid.split_once(':').is_some_and(|(o, _)| o == id),
                _ => cid.split_once(':').is_some_and(|(_, p)| p == id),
            }
        });
        refers.then(|| format!("update or delete on table \"{table}\" violates foreign key constraint \"{fk}\" on table \"{child}\": Key ({col})=({id}) is still referenced from table \"{child}\""))
    }

    /// The constraint a write of `value` to `key` would break, worded as PostgreSQL words it.
    /// Its column is the one the statements name (`column`).
    fn violates(&self, tx: TxId, key: &str, value: i64) -> Option<String> {
        let (table, _) = key.split_once('/')?;
        let exists = |k: &str| self.visible(tx, k).and_then(|(v, _)| v).is_some();
        match table {
            "accounts" | "products" if value < 0 => {
                let col = column(table);
                Some(format!("new row for relation \"{table}\" violates check constraint \"{table}_{col}_check\" ({col} would be {value})"))
            }
            "orders" if !exists(&format!("users/{value}")) => Some(format!("insert or update on table \"orders\" violates foreign key constraint \"orders_user_id_fkey\": Key (user_id)=({value}) is not present in table \"users\"")),
            "items" => {
                let id = key.split_once('/').map(|(_, i)| i).unwrap_or("");
                let (order, product) = id.split_once(':').unwrap_or((id, ""));
                if !exists(&format!("orders/{order}")) {
                    Some(format!("insert or update on table \"items\" violates foreign key constraint \"items_order_id_fkey\": Key (order_id)=({order}) is not present in table \"orders\""))
                } else if !exists(&format!("products/{product}")) {
                    Some(format!("insert or update on table \"items\" violates foreign key constraint \"items_product_id_fkey\": Key (product_id)=({product}) is not present in table \"products\""))
                } else if value <= 0 {
                    Some("new row for relation \"items\" violates check constraint \"items_quantity_check\"".to_string())
                } else {
                    None
                }
            }
            _ => None,
        }
    }

    /// The commit record is appended; `flush_commit` then makes it durable.
    fn commit(&mut self, tx: TxId) -> Outcome {
        // A pivot whose `out` has committed cannot commit (PostgreSQL: "during commit attempt").
        if let Some(out) = self.check_dangerous(tx) {
            return out;
        }
        let lsn = self.commit_record(tx);
        self.commit_durable(tx, lsn);
        // Committing first may complete structures in which this transaction is `out`.
        self.check_dangerous(tx);
        Outcome::Done("COMMIT".into())
    }

    /// Commits in two visible halves for the crash demo: the record enters the log buffer...
    pub fn commit_record(&mut self, tx: TxId) -> usize {
        self.append(tx, LogKind::Commit)
    }

    /// ...then reaches the disk, and only then is the transaction committed.
    pub fn commit_durable(&mut self, tx: TxId, lsn: usize) {
        self.flush_log(lsn);
        self.commits += 1;
        self.txs[tx as usize].status = Some(Status::Committed(self.commits));
        self.release(tx);
    }

    fn release(&mut self, tx: TxId) {
        self.locks.retain(|_, t| *t != tx);
        for t in self.txs.iter_mut() {
            if t.waits_for == Some(tx) {
                t.waits_for = None;
            }
        }
    }

    fn serializable(&self, tx: TxId) -> bool {
        self.level(tx) == Level::Serializable && self.status(tx) != Status::Aborted
    }

    /// Did `a` commit before `b` took its snapshot? Then `a` came first and they did not overlap.
    fn before_snapshot(&self, a: TxId, b: TxId) -> bool {
        match (self.committed_seq(a), self.txs[b as usize].snapshot) {
            (Some(seq), Some(snap)) => seq <= snap,
            _ => false,
        }
    }

    fn concurrent(&self, a: TxId, b: TxId) -> bool {
        !self.before_snapshot(a, b) && !self.before_snapshot(b, a)
    }

    /// `tx` (serializable) read `keys`: each newer version it could not see, by a concurrent
    /// serializable transaction, is an antidependency tx → writer.
    fn read_conflicts(&mut self, tx: TxId, keys: &[String]) -> Option<Outcome> {
        if !self.serializable(tx) {
            return None;
        }
        let mut found = Vec::new();
        for k in keys {
            let seen = self.visible(tx, k).map(|(_, by)| by);
            for v in self.rows.get(k).into_iter().flatten() {
                if v.by != tx && Some(v.by) != seen && self.serializable(v.by) && self.concurrent(tx, v.by) {
                    found.push((tx, v.by));
                }
            }
        }
        self.add_conflicts(found);
        self.check_dangerous(tx)
    }

    /// Records antidependencies, each once (a short list: a few transactions at a time).
    fn add_conflicts(&mut self, found: Vec<(TxId, TxId)>) {
        for c in found {
            if !self.conflicts.contains(&c) {
                self.conflicts.push(c);
            }
        }
    }

    /// `tx` (serializable) wrote `key`: each concurrent serializable transaction that read it
    /// (or a prefix covering it) without seeing this change has an antidependency reader → tx.
    fn write_conflicts(&mut self, tx: TxId, key: &str) -> Option<Outcome> {
        if !self.serializable(tx) {
            return None;
        }
        let found: Vec<(TxId, TxId)> = (0..self.txs.len() as TxId)
            .filter(|&r| r != tx && r != SETUP && self.serializable(r) && self.concurrent(r, tx))
            .filter(|&r| self.txs[r as usize].reads.iter().any(|(k, pred)| if *pred { key.starts_with(k.as_str()) } else { k == key }))
            .map(|r| (r, tx))
            .collect();
        self.add_conflicts(found);
        self.check_dangerous(tx)
    }

    /// Every dangerous structure `(in, pivot, out)` among transactions not rolled back.
    fn dangerous(&self) -> Vec<(TxId, TxId, TxId)> {
        let live = |t: TxId| self.status(t) != Status::Aborted;
        let mut out = Vec::new();
        for &(i, p) in &self.conflicts {
            for &(_, o) in self.conflicts.iter().filter(|(p2, _)| *p2 == p) {
                let Some(o_seq) = self.committed_seq(o) else { continue };
                let after_out = |t: TxId| self.committed_seq(t).is_none_or(|s| s > o_seq);
                if !(live(i) && live(p) && after_out(p) && (i == o || after_out(i))) {
                    continue;
                }
                // A committed read-only `in` is only in danger if `out` committed before
                // its snapshot (PostgreSQL's read-only optimisation).
                let read_only_in = i != o && self.committed_seq(i).is_some() && self.txs[i as usize].writes.is_empty();
                if read_only_in && !self.before_snapshot(o, i) {
                    continue;
                }
                out.push((i, p, o));
            }
        }
        out
    }

    /// Finds the dangerous structures now present and picks each one's victim: the pivot if it
    /// has not committed, else `in`. If that is `tx`, its statement fails now (the outcome is
    /// returned); any other victim fails at its next statement.
    fn check_dangerous(&mut self, tx: TxId) -> Option<Outcome> {
        for (i, p, o) in self.dangerous() {
            let Some(victim) = [p, i].into_iter().find(|&t| self.status(t) == Status::Active) else { continue };
            // Two transactions (in = out), or three: the same sentence names each arrow.
            let three = if i == o { "" } else { ": no order of the three fits what each saw" };
            let why = format!("could not serialize access due to read/write dependencies among transactions (T{i} read a row T{p} changed, T{p} read a row T{o} changed, neither saw the change, and T{o} committed first{three})");
            if victim == tx {
                return Some(self.abort(tx, why));
            }
            let t = &mut self.txs[victim as usize];
            if t.doomed.is_none() {
                t.doomed = Some(why);
            }
        }
        None
    }

    fn rollback_inner(&mut self, tx: TxId) {
        // Compensation records restore each change, newest first.
        let undo: Vec<(usize, String, Option<i64>)> = self
            .log
            .iter()
            .rev()
            .filter(|r| r.tx == tx)
            .filter_map(|r| match &r.kind {
                LogKind::Update { key, before, .. } => Some((r.lsn, key.clone(), *before)),
                _ => None,
            })
            .collect();
        self.txs[tx as usize].status = Some(Status::Aborted);
        self.conflicts.retain(|&(r, w)| r != tx && w != tx);
        for (lsn, key, value) in undo {
            self.append(tx, LogKind::Compensate { key, value, undoes: lsn });
        }
        self.append(tx, LogKind::Abort);
        self.release(tx);
    }

    /// Writes one row's page to the data file, flushing the log through its last change
    /// first (the write-ahead rule).
    pub fn write_page(&mut self, key: &str) {
        let last = self.log.iter().rev().find(|r| matches!(&r.kind, LogKind::Update { key: k, .. } | LogKind::Compensate { key: k, .. } if k == key)).map_or(0, |r| r.lsn);
        self.flush_log(last);
        let v = self.page_value(key);
        self.disk.insert(key.to_string(), (v, last));
    }

    /// Power fails: memory is gone; the data file and the durable log remain.
    pub fn crash(&mut self) {
        self.crashed = true;
        self.log.truncate(self.durable);
    }
}

#[derive(Clone, Copy)]
enum Write {
    Set(i64),
    Add(i64),
    Insert(i64),
    Delete,
}

/// One step of recovery, for narration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecoveryStep {
    Analysis { winners: Vec<TxId>, losers: Vec<TxId> },
    Redo { lsn: usize, key: String, value: Option<i64> },
    Undo { lsn: usize, key: String, value: Option<i64>, tx: TxId },
    Done,
}

/// Recovery after a crash, from the data file and the durable log: analysis, redo of every
/// change in log order, undo of the losers' changes newest first.
pub fn recover(disk: &BTreeMap<String, (Option<i64>, usize)>, log: &[LogRecord]) -> (BTreeMap<String, Option<i64>>, Vec<RecoveryStep>) {
    let mut data: BTreeMap<String, (Option<i64>, usize)> = disk.clone();
    let mut steps = Vec::new();
    let ended: Vec<TxId> = log.iter().filter(|r| matches!(r.kind, LogKind::Commit | LogKind::Abort)).map(|r| r.tx).collect();
    let winners: Vec<TxId> = log.iter().filter(|r| r.kind == LogKind::Commit).map(|r| r.tx).collect();
    let mut losers: Vec<TxId> = log.iter().filter(|r| r.kind == LogKind::Begin && !ended.contains(&r.tx)).map(|r| r.tx).collect();
    losers.dedup();
    steps.push(RecoveryStep::Analysis { winners, losers: losers.clone() });
    for r in log {
        let (key, value) = match &r.kind {
            LogKind::Update { key, after, .. } => (key, *after),
            LogKind::Compensate { key, value, .. } => (key, *value),
            _ => continue,
        };
        // A page already holding this change (its last record is this one or later) skips it.
        if data.get(key).is_some_and(|(_, page_lsn)| *page_lsn >= r.lsn) {
            continue;
        }
        data.insert(key.clone(), (value, r.lsn));
        steps.push(RecoveryStep::Redo { lsn: r.lsn, key: key.clone(), value });
    }
    let mut compensated: Vec<usize> = Vec::new();
    for r in log.iter().rev().filter(|r| losers.contains(&r.tx)) {
        match &r.kind {
            LogKind::Compensate { undoes, .. } => {
                compensated.push(*undoes);
            }
            LogKind::Update { key, before, .. } if !compensated.contains(&r.lsn) => {
                data.insert(key.clone(), (*before, r.lsn));
                steps.push(RecoveryStep::Undo { lsn: r.lsn, key: key.clone(), value: *before, tx: r.tx });
            }
            _ => {}
        }
    }
    steps.push(RecoveryStep::Done);
    (data.into_iter().filter(|(_, (v, _))| v.is_some()).map(|(k, (v, _))| (k, v)).collect(), steps)
}

#[cfg(test)]
mod tests;
