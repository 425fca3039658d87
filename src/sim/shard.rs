//! Sharding: which node holds each key, under four placement schemes, and how many keys move
//! when a node joins or leaves.
//!
//! - **Modulo**: node `hash mod N`. Changing N renumbers almost everything: about (N−1)/N of
//!   the keys move when a node is added to N−1.
//! - **Hash ring** with virtual nodes: each node owns many points on a ring of 2⁶⁴ positions,
//!   and a key belongs to the first point at or after its hash. A new node takes about 1/N of
//!   the keys, from its neighbours only.
//! - **Jump consistent hash** (Lamping and Veach, 2014): no table at all; buckets are numbered
//!   0..N, so a node can join or leave only at the end of the numbering.
//! - **Rendezvous** (highest random weight, Thaler and Ravishankar, 1996): every node scores
//!   every key and the highest score wins; removing a node moves only its own keys.
//!
//! Keys are `user:1`, `user:2`, …, hashed with FNV-1a and SplitMix64's finaliser (seeded), so a
//! run is the same on every machine. [`record`] steps through a few sample keys before and after
//! the change, for the widget's timeline; [`Tally`] places every key under every scheme, a slice
//! at a time, for the totals.

use std::fmt::Write;

use super::des::Resumable;
use super::rng::mix;
use super::timeline::{FrameWalk, Narrated};
use super::{group, plural};

/// The most nodes and keys the widget offers.
pub const MAX_NODES: u32 = 32;
pub const MAX_KEYS: u32 = 100_000;
pub const MAX_VNODES: u32 = 200;
/// Keys followed one by one in the timeline.
pub const SAMPLE: u32 = 12;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scheme {
    Modulo,
    Ring,
    Jump,
    Rendezvous,
}

impl Scheme {
    pub const ALL: [Scheme; 4] = [Scheme::Modulo, Scheme::Ring, Scheme::Jump, Scheme::Rendezvous];

    pub fn key(self) -> &'static str {
        match self {
            Scheme::Modulo => "modulo",
            Scheme::Ring => "ring",
            Scheme::Jump => "jump",
            Scheme::Rendezvous => "rendezvous",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Scheme::Modulo => "Modulo N",
            Scheme::Ring => "Hash ring",
            Scheme::Jump => "Jump hash",
            Scheme::Rendezvous => "Rendezvous",
        }
    }

    pub fn from_key(k: &str) -> Option<Scheme> {
        Scheme::ALL.into_iter().find(|s| s.key() == k)
    }
}

/// What happens to the cluster: a node joins at the end, or the node at `position` leaves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    Add,
    Remove(u32),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    pub scheme: Scheme,
    pub nodes: u32,
    /// Points per node on the hash ring.
    pub vnodes: u32,
    pub keys: u32,
    pub change: Change,
    pub seed: u64,
}

impl Default for Config {
    fn default() -> Config {
        Config { scheme: Scheme::Ring, nodes: 4, vnodes: 100, keys: 10_000, change: Change::Add, seed: 1 }
    }
}

impl Config {
    /// Checks the settings together; the message names the setting to fix.
    pub fn validate(&self) -> Result<(), String> {
        if !(1..=MAX_NODES).contains(&self.nodes) {
            return Err(format!("Nodes: choose from 1 to {MAX_NODES}."));
        }
        if !(1..=MAX_VNODES).contains(&self.vnodes) {
            return Err(format!("Points per node: choose from 1 to {MAX_VNODES}."));
        }
        if !(1..=MAX_KEYS).contains(&self.keys) {
            return Err(format!("Keys: choose from 1 to {}.", group(u64::from(MAX_KEYS))));
        }
        match self.change {
            Change::Add if self.nodes >= MAX_NODES => Err(format!("A cluster here has at most {MAX_NODES} nodes, so none can join {MAX_NODES}.")),
            Change::Remove(_) if self.nodes < 2 => Err("The last node cannot leave: keys need somewhere to live.".into()),
            Change::Remove(p) if p >= self.nodes => Err(format!("There is no node {} to remove: the cluster has {}.", node_name(p), self.nodes)),
            _ => Ok(()),
        }
    }

    /// The node names before and after the change.
    pub fn names(&self) -> (Vec<String>, Vec<String>) {
        let before: Vec<String> = (0..self.nodes).map(node_name).collect();
        let mut after = before.clone();
        match self.change {
            Change::Add => after.push(node_name(self.nodes)),
            Change::Remove(p) => {
                after.remove(p as usize);
            }
        }
        (before, after)
    }
}

/// A node's name: A to Z, then AA, AB, …
pub fn node_name(position: u32) -> String {
    if position < 26 {
        char::from(b'A' + position as u8).to_string()
    } else {
        format!("A{}", char::from(b'A' + (position - 26) as u8))
    }
}

/// The name of key `i` (from 1).
pub fn key_name(i: u32) -> String {
    format!("user:{i}")
}

/// FNV-1a over the bytes, then SplitMix64's finaliser with the seed mixed in: well spread,
/// and the same everywhere.
pub fn hash(text: &str, seed: u64) -> u64 {
    let h = text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    mix(h ^ seed.wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

/// Jump consistent hash, as the paper gives it: the bucket in `0..buckets` for `key`.
pub fn jump(mut key: u64, buckets: u32) -> u32 {
    let (mut b, mut j) = (-1i64, 0i64);
    while j < i64::from(buckets) {
        b = j;
        key = key.wrapping_mul(2_862_933_555_777_941_757).wrapping_add(1);
        j = ((b + 1) as f64 * ((1u64 << 31) as f64 / ((key >> 33) + 1) as f64)) as i64;
    }
    b.max(0) as u32
}

/// Places keys on a list of nodes under one scheme.
#[derive(Clone, Debug)]
pub struct Placer {
    scheme: Scheme,
    /// Each node's hash, for rendezvous scores.
    node_hashes: Vec<u64>,
    /// The ring: (point, node position), sorted by point.
    ring: Vec<(u64, u32)>,
}

impl Placer {
    pub fn new(scheme: Scheme, names: &[String], vnodes: u32, seed: u64) -> Placer {
        let node_hashes: Vec<u64> = names.iter().map(|n| hash(n, seed)).collect();
        let mut ring = Vec::new();
        if scheme == Scheme::Ring {
            // Point v of a node: its name's hash with v mixed in (no string per point, so
            // 32 nodes × 200 points build in well under a millisecond).
            ring.reserve(node_hashes.len() * vnodes as usize);
            for (p, nh) in node_hashes.iter().enumerate() {
                for v in 0..vnodes {
                    ring.push((mix(nh ^ (u64::from(v) + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15)), p as u32));
                }
            }
            ring.sort_unstable();
        }
        Placer { scheme, node_hashes, ring }
    }

    /// The position, in the node list, of the node that holds a key with hash `h`.
    pub fn place(&self, h: u64) -> u32 {
        let n = self.node_hashes.len() as u64;
        match self.scheme {
            Scheme::Modulo => (h % n.max(1)) as u32,
            Scheme::Jump => jump(h, n as u32),
            Scheme::Ring => {
                let at = self.ring.partition_point(|&(point, _)| point < h);
                self.ring.get(at).or(self.ring.first()).map_or(0, |&(_, p)| p)
            }
            Scheme::Rendezvous => {
                let mut best = (0u64, 0u32);
                for (p, nh) in self.node_hashes.iter().enumerate() {
                    let score = mix(h ^ nh);
                    if p == 0 || score > best.0 {
                        best = (score, p as u32);
                    }
                }
                best.1
            }
        }
    }

    /// The ring point a key with hash `h` lands on, for the narration.
    fn ring_point(&self, h: u64) -> Option<u64> {
        let at = self.ring.partition_point(|&(point, _)| point < h);
        self.ring.get(at).or(self.ring.first()).map(|&(p, _)| p)
    }
}

/// Totals for one scheme: keys per node before and after, and keys that moved.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Totals {
    pub before: Vec<u32>,
    pub after: Vec<u32>,
    pub moved: u32,
}

impl Totals {
    /// The busiest node's keys over the mean, in per cent (100 is perfectly even).
    pub fn peak_over_mean(loads: &[u32]) -> u32 {
        let total: u64 = loads.iter().map(|&l| u64::from(l)).sum();
        let max = loads.iter().copied().max().unwrap_or(0);
        if total == 0 {
            return 100;
        }
        (u64::from(max) * loads.len() as u64 * 100 / total) as u32
    }
}

/// Every key placed under every scheme, before and after the change: resumable, so the
/// browser does 100,000 keys × 4 schemes in slices.
#[derive(Clone, Debug)]
pub struct Tally {
    config: Config,
    /// The node names before and after the change.
    names: (Vec<String>, Vec<String>),
    /// Each scheme's placers, before and after, built one pair a slice: 32 nodes × 200
    /// points make each ring a sort of 6,400 points, too much for the click that starts a
    /// tally.
    placers: Vec<(Placer, Placer)>,
    /// Names after the change, and where each after-position was before (None: a new node).
    moved_from: Vec<Option<u32>>,
    next_key: u32,
    totals: Vec<Totals>,
}

impl Tally {
    pub fn new(config: &Config) -> Tally {
        let (before, after) = config.names();
        let moved_from = after.iter().map(|a| before.iter().position(|b| b == a).map(|p| p as u32)).collect();
        let totals = Scheme::ALL.iter().map(|_| Totals { before: vec![0; before.len()], after: vec![0; after.len()], moved: 0 }).collect();
        Tally { config: config.clone(), names: (before, after), placers: Vec::with_capacity(Scheme::ALL.len()), moved_from, next_key: 1, totals }
    }
}

impl Resumable for Tally {
    type Output = Vec<(Scheme, Totals)>;

    fn run_slice(&mut self, budget: usize) -> bool {
        if let Some(&scheme) = Scheme::ALL.get(self.placers.len()) {
            let (c, (before, after)) = (&self.config, &self.names);
            self.placers.push((Placer::new(scheme, before, c.vnodes, c.seed), Placer::new(scheme, after, c.vnodes, c.seed)));
            return false;
        }
        for _ in 0..budget {
            if self.is_done() {
                break;
            }
            let h = hash(&key_name(self.next_key), self.config.seed);
            for ((b, a), t) in self.placers.iter().zip(self.totals.iter_mut()) {
                let (pb, pa) = (b.place(h), a.place(h));
                t.before[pb as usize] += 1;
                t.after[pa as usize] += 1;
                if self.moved_from[pa as usize] != Some(pb) {
                    t.moved += 1;
                }
            }
            self.next_key += 1;
        }
        self.is_done()
    }

    fn is_done(&self) -> bool {
        self.placers.len() == Scheme::ALL.len() && self.next_key > self.config.keys
    }

    fn done_so_far(&self) -> u64 {
        u64::from(self.next_key - 1)
    }

    fn finish(mut self) -> Vec<(Scheme, Totals)> {
        while !self.run_slice(10_000) {}
        Scheme::ALL.into_iter().zip(self.totals).collect()
    }
}

/// Where one sample key sits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placed {
    pub key: String,
    pub hash: u64,
    pub before: Option<String>,
    pub after: Option<String>,
}

impl Placed {
    pub fn moved(&self) -> bool {
        matches!((&self.before, &self.after), (Some(b), Some(a)) if a != b)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Start,
    Before,
    Change,
    After,
    Done,
}

/// One step of the timeline: the sample keys as placed so far, the one in focus.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    pub phase: Phase,
    pub nodes: Vec<String>,
    pub keys: Vec<Placed>,
    pub focus: Option<usize>,
    pub narration: String,
}

impl Frame {
    /// The nodes holding a sample key at this step, in node order (A, B, …, Z, AA, …), each
    /// with the indices of its keys: where a key is drawn in the widget's map. A key sits on
    /// its node after the change once it has been placed again, else on its node before.
    pub fn holding(&self) -> Vec<(String, Vec<usize>)> {
        let mut out: Vec<(String, Vec<usize>)> = Vec::new();
        for (i, k) in self.keys.iter().enumerate() {
            let Some(node) = k.after.as_ref().or(k.before.as_ref()) else { continue };
            match out.iter_mut().find(|(n, _)| n == node) {
                Some((_, keys)) => keys.push(i),
                None => out.push((node.clone(), vec![i])),
            }
        }
        out.sort_by(|a, b| node_order(&a.0, &b.0));
        out
    }
}

/// Node names in cluster order: A … Z, then AA, AB, ….
fn node_order(a: &str, b: &str) -> std::cmp::Ordering {
    (a.len(), a).cmp(&(b.len(), b))
}

/// Every node that holds a sample key at some step of a timeline (before the change or
/// after it), and the node that joins or leaves, in node order: the map's boxes, the same at every step so that nothing but
/// the keys moves.
pub fn map_nodes(frames: &[Frame]) -> Vec<String> {
    let mut nodes: Vec<String> = frames.iter().flat_map(|f| f.keys.iter().flat_map(|k| [k.before.clone(), k.after.clone()])).flatten().collect();
    // And the node that joins or leaves, even when no sample key lands on it or leaves it.
    if let (Some(first), Some(last)) = (frames.first(), frames.last()) {
        nodes.extend(first.nodes.iter().filter(|n| !last.nodes.contains(n)).cloned());
        nodes.extend(last.nodes.iter().filter(|n| !first.nodes.contains(n)).cloned());
    }
    nodes.sort_by(|a, b| node_order(a, b));
    nodes.dedup();
    nodes
}

impl Narrated for Frame {
    fn narration(&self) -> &str {
        &self.narration
    }
}

pub type ShardWalk = FrameWalk<Frame>;

/// Why a key lands where it does, in one clause.
fn reason(scheme: Scheme, placer: &Placer, h: u64, n: usize, pos: u32) -> String {
    match scheme {
        Scheme::Modulo => format!("{h} mod {n} = {pos}"),
        Scheme::Jump => format!("jump hash with {n} buckets gives bucket {pos}"),
        Scheme::Ring => match placer.ring_point(h) {
            Some(p) if p >= h => format!("the next point on the ring after {h:#018x} is {p:#018x}"),
            Some(p) => format!("no point lies after {h:#018x}, so it wraps round to the first, {p:#018x}"),
            None => "the ring is empty".into(),
        },
        Scheme::Rendezvous => format!("that node scores it highest of {n}"),
    }
}

/// The timeline: the sample keys placed one by one, the change, then each placed again.
pub fn record(config: &Config) -> Vec<Frame> {
    let (before, after) = config.names();
    let (pb, pa) = (Placer::new(config.scheme, &before, config.vnodes, config.seed), Placer::new(config.scheme, &after, config.vnodes, config.seed));
    let sample = config.keys.min(SAMPLE);
    let mut keys: Vec<Placed> = (1..=sample).map(|i| Placed { key: key_name(i), hash: hash(&key_name(i), config.seed), before: None, after: None }).collect();
    let mut frames = vec![Frame {
        phase: Phase::Start,
        nodes: before.clone(),
        keys: keys.clone(),
        focus: None,
        narration: format!(
            "{} keys on {} node{} by {}. Each key's hash alone decides its node; the first {sample} keys are followed here, and the table counts all of them.",
            group(u64::from(config.keys)),
            before.len(),
            plural(before.len()),
            config.scheme.label()
        ),
    }];
    for i in 0..keys.len() {
        let pos = pb.place(keys[i].hash);
        keys[i].before = Some(before[pos as usize].clone());
        frames.push(Frame {
            phase: Phase::Before,
            nodes: before.clone(),
            keys: keys.clone(),
            focus: Some(i),
            narration: format!("{} goes to node {}: {}.", keys[i].key, before[pos as usize], reason(config.scheme, &pb, keys[i].hash, before.len(), pos)),
        });
    }
    let what = match config.change {
        Change::Add => format!("Node {} joins: now {} nodes.", after.last().map_or("", String::as_str), after.len()),
        Change::Remove(p) => format!("Node {} leaves: its keys must go elsewhere, now {} node{}.", before[p as usize], after.len(), plural(after.len())),
    };
    let why = match (config.scheme, config.change) {
        (Scheme::Modulo, _) => " Every key's remainder is taken again with the new count.",
        (Scheme::Jump, Change::Remove(p)) if p + 1 < config.nodes => " Jump hash numbers its buckets, so removing one that is not the last renumbers every node after it.",
        (Scheme::Ring, Change::Add) => " The new node's points cut into the ring; only keys just before them change hands.",
        (Scheme::Ring, Change::Remove(_)) => " Its points leave the ring; each of its keys falls to the next point along.",
        _ => "",
    };
    frames.push(Frame { phase: Phase::Change, nodes: after.clone(), keys: keys.clone(), focus: None, narration: format!("{what}{why}") });
    for i in 0..keys.len() {
        let pos = pa.place(keys[i].hash);
        keys[i].after = Some(after[pos as usize].clone());
        let k = &keys[i];
        let mut line = String::new();
        let _ = match (&k.before, k.moved()) {
            (Some(b), true) => write!(line, "{} moves from node {b} to node {}: {}.", k.key, after[pos as usize], reason(config.scheme, &pa, k.hash, after.len(), pos)),
            _ => write!(line, "{} stays on node {}.", k.key, after[pos as usize]),
        };
        frames.push(Frame { phase: Phase::After, nodes: after.clone(), keys: keys.clone(), focus: Some(i), narration: line });
    }
    let moved = keys.iter().filter(|k| k.moved()).count();
    let ideal = match config.change {
        Change::Add => format!("about 1 in {} (the new node's fair share)", after.len()),
        Change::Remove(_) => format!("about 1 in {} (the leaving node's keys)", before.len()),
    };
    frames.push(Frame {
        phase: Phase::Done,
        nodes: after,
        keys,
        focus: None,
        narration: format!("{moved} of {sample} sample keys moved; the least any scheme can move is {ideal}. The table compares all four schemes on every key."),
    });
    frames
}

#[cfg(test)]
mod holding_tests {
    use super::*;

    #[test]
    fn the_map_puts_each_key_on_its_node_before_then_after() {
        let config = Config { scheme: Scheme::Modulo, nodes: 3, vnodes: 1, keys: 12, change: Change::Add, seed: 1 };
        let frames = record(&config);
        assert!(frames.len() > 20, "{} frames", frames.len());
        assert!(frames[0].holding().is_empty(), "nothing placed at the start");
        let last = frames.last().unwrap();
        let map = last.holding();
        assert_eq!(map.iter().map(|(_, k)| k.len()).sum::<usize>(), 12, "every sample key drawn once");
        for (node, keys) in &map {
            for &i in keys {
                assert_eq!(last.keys[i].after.as_deref(), Some(node.as_str()), "{} on {node}", last.keys[i].key);
            }
        }
        let names: Vec<&str> = map.iter().map(|(n, _)| n.as_str()).collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted, "in node order");
        // The map's boxes: every node any key is on, before or after, the joining D included
        // (modulo moves about three keys in four when a fourth node joins).
        let boxes = map_nodes(&frames);
        assert_eq!(boxes, ["A", "B", "C", "D"]);
        // With a ring and many nodes few sample keys move, and for some seeds none lands on
        // the new node: it still has its box.
        let quiet = (1..60)
            .map(|seed| record(&Config { scheme: Scheme::Ring, nodes: 30, vnodes: 100, keys: 12, change: Change::Add, seed }))
            .find(|f| f.last().unwrap().keys.iter().all(|k| k.after.as_deref() != Some(node_name(30).as_str())))
            .expect("a seed where no sample key moves to the new node");
        assert!(map_nodes(&quiet).contains(&node_name(30)), "{:?}", map_nodes(&quiet));
        // Halfway, before the change, each placed key is on its node before.
        let mid = frames.iter().find(|f| f.phase == Phase::Before && f.keys.iter().filter(|k| k.before.is_some()).count() == 6).expect("a frame with 6 keys placed");
        assert_eq!(mid.holding().iter().map(|(_, k)| k.len()).sum::<usize>(), 6);
        // Node order past Z: AA sorts after Z.
        let f = Frame { phase: Phase::Done, nodes: vec![], focus: None, narration: String::new(), keys: ["AA", "B", "Z"].iter().map(|n| Placed { key: "k".into(), hash: 0, before: Some(n.to_string()), after: None }).collect() };
        assert_eq!(f.holding().iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(), ["B", "Z", "AA"]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::des::run_to_end;
    use crate::sim::timeline::{Machine, Timeline, TimelineConfig};

    /// Outputs of independent implementations: ClickHouse's `jumpConsistentHash` (its test
    /// 00580_consistent_hashing_functions) and jmphash-rs.
    #[test]
    fn jump_hash_matches_published_values() {
        for (key, buckets, want) in [(1u64, 1u32, 0u32), (42, 57, 43), (256, 1024, 520), (3_735_883_980, 1, 0), (3_735_883_980, 666, 361), (16_045_690_984_833_335_023, 255, 237), (123_456, 1000, 984)] {
            assert_eq!(jump(key, buckets), want, "jump({key}, {buckets})");
        }
    }

    /// Two independent crates as oracles, fed our own hashes through a hasher that passes a
    /// u64 straight through: `hashring` (successor on a sorted ring, wrapping to the first
    /// point) must pick the same point as our ring for every key, and `jumphash`'s jump
    /// consistent hash the same bucket as ours for every key and bucket count.
    #[test]
    fn the_ring_and_jump_hash_agree_with_the_hashring_and_jumphash_crates() {
        use std::hash::{BuildHasherDefault, Hash, Hasher};
        #[derive(Clone, Default)]
        struct PassThrough(u64);
        impl Hasher for PassThrough {
            fn finish(&self) -> u64 {
                self.0
            }
            fn write(&mut self, _: &[u8]) {
                unreachable!("only u64 values are hashed here");
            }
            fn write_u64(&mut self, v: u64) {
                self.0 = v;
            }
        }
        #[derive(Clone, Debug)]
        struct Point {
            at: u64,
            node: u32,
        }
        impl Hash for Point {
            fn hash<H: Hasher>(&self, h: &mut H) {
                h.write_u64(self.at);
            }
        }
        let jumper = jumphash::CustomJumpHasher::new(PassThrough::default());
        let mut rng = crate::sim::rng::SplitMix64(11);
        for (nodes, vnodes, seed) in [(3u32, 1u32, 1u64), (7, 50, 2), (32, 200, 3)] {
            let names: Vec<String> = (0..nodes).map(node_name).collect();
            let ours = Placer::new(Scheme::Ring, &names, vnodes, seed);
            let mut oracle = hashring::HashRing::with_hasher(BuildHasherDefault::<PassThrough>::default());
            for &(at, node) in &ours.ring {
                oracle.add(Point { at, node });
            }
            // Random keys, and the seams: each point itself, one past it, and both ends.
            let mut keys: Vec<u64> = (0..20_000).map(|_| rng.next_u64()).collect();
            keys.extend(ours.ring.iter().flat_map(|&(at, _)| [at, at.wrapping_add(1)]));
            keys.extend([0, u64::MAX]);
            for h in keys {
                assert_eq!(ours.place(h), oracle.get(&h).unwrap().node, "ring: {nodes} nodes × {vnodes}, key hash {h}");
            }
        }
        for _ in 0..20_000 {
            let h = rng.next_u64();
            for buckets in [1u32, 2, 3, 10, 11, 32, 33, 1000] {
                assert_eq!(jump(h, buckets), jumper.slot(&h, buckets), "jump({h}, {buckets})");
            }
        }
    }

    /// The seed guide's arithmetic: 500000 mod 3 is 2 (500000 = 3 × 166666 + 2).
    #[test]
    fn modulo_is_plain_remainder() {
        let names: Vec<String> = (0..3).map(node_name).collect();
        let p = Placer::new(Scheme::Modulo, &names, 1, 0);
        assert_eq!(p.place(500_000), 2);
    }

    fn moved_fraction(scheme: Scheme, nodes: u32, change: Change, seed: u64) -> f64 {
        let cfg = Config { scheme, nodes, vnodes: 200, keys: 20_000, change, seed };
        let t = run_to_end(Tally::new(&cfg));
        f64::from(t[Scheme::ALL.iter().position(|s| *s == scheme).unwrap()].1.moved) / f64::from(cfg.keys)
    }

    /// Adding a tenth node: modulo moves about nine tenths of the keys, the consistent
    /// schemes about a tenth (the least possible), on several key sets.
    #[test]
    fn movement_fractions_on_adding_a_node() {
        for seed in [1, 2, 3] {
            let m = moved_fraction(Scheme::Modulo, 9, Change::Add, seed);
            assert!((m - 0.9).abs() < 0.02, "modulo moved {m}");
            for s in [Scheme::Ring, Scheme::Jump, Scheme::Rendezvous] {
                let f = moved_fraction(s, 9, Change::Add, seed);
                assert!((f - 0.1).abs() < 0.02, "{s:?} moved {f}");
            }
        }
    }

    /// Removing a middle node: rendezvous and the ring move only its keys (about 1/N); jump
    /// renumbers the nodes after it, so it moves far more.
    #[test]
    fn removing_a_middle_node() {
        for s in [Scheme::Ring, Scheme::Rendezvous] {
            let f = moved_fraction(s, 8, Change::Remove(2), 5);
            assert!((f - 0.125).abs() < 0.03, "{s:?} moved {f}");
        }
        assert!(moved_fraction(Scheme::Jump, 8, Change::Remove(2), 5) > 0.4);
        let last = moved_fraction(Scheme::Jump, 8, Change::Remove(7), 5);
        assert!((last - 0.125).abs() < 0.02, "jump removing its last bucket moved {last}");
    }

    /// A key moves only to the new node when one is added (consistent schemes), and only off
    /// the leaving node when one leaves (ring and rendezvous): checked key by key.
    #[test]
    fn consistent_schemes_move_keys_only_where_they_must() {
        let seed = 9;
        for scheme in [Scheme::Ring, Scheme::Jump, Scheme::Rendezvous] {
            let cfg = Config { scheme, nodes: 6, vnodes: 64, keys: 3_000, change: Change::Add, seed };
            let (b, a) = cfg.names();
            let (pb, pa) = (Placer::new(scheme, &b, 64, seed), Placer::new(scheme, &a, 64, seed));
            for i in 1..=cfg.keys {
                let h = hash(&key_name(i), seed);
                let (x, y) = (&b[pb.place(h) as usize], &a[pa.place(h) as usize]);
                assert!(x == y || y == "G", "{scheme:?}: user:{i} moved {x} → {y}, not to the new node");
            }
        }
        for scheme in [Scheme::Ring, Scheme::Rendezvous] {
            let cfg = Config { scheme, nodes: 6, vnodes: 64, keys: 3_000, change: Change::Remove(1), seed };
            let (b, a) = cfg.names();
            let (pb, pa) = (Placer::new(scheme, &b, 64, seed), Placer::new(scheme, &a, 64, seed));
            for i in 1..=cfg.keys {
                let h = hash(&key_name(i), seed);
                let (x, y) = (&b[pb.place(h) as usize], &a[pa.place(h) as usize]);
                assert!(x == y || x == "B", "{scheme:?}: user:{i} moved {x} → {y} though {x} stayed");
            }
        }
    }

    /// More points per node spread the load more evenly on the ring.
    #[test]
    fn virtual_nodes_even_out_the_ring() {
        let peak = |vnodes| {
            let t = run_to_end(Tally::new(&Config { scheme: Scheme::Ring, nodes: 8, vnodes, keys: 40_000, change: Change::Add, seed: 4 }));
            Totals::peak_over_mean(&t[1].1.before)
        };
        let (one, many) = (peak(1), peak(200));
        assert!(one > 150, "one point per node is lopsided: {one} %");
        assert!(many < 115, "200 points per node are close to even: {many} %");
    }

    #[test]
    fn the_timeline_follows_the_sample_keys_and_adds_up() {
        let cfg = Config::default();
        let frames = record(&cfg);
        assert_eq!(frames.len(), 1 + SAMPLE as usize + 1 + SAMPLE as usize + 1);
        let last = frames.last().unwrap().clone();
        assert!(last.keys.iter().all(|k| k.before.is_some() && k.after.is_some()));
        let mut t = Timeline::new(ShardWalk::new(frames), TimelineConfig::default());
        assert!(t.narration().contains("10,000 keys on 4 nodes by Hash ring"));
        t.seek(usize::MAX);
        assert!(t.current().narrate().contains("sample keys moved"));
        // The sample agrees with the full tally for the same keys.
        let tally = run_to_end(Tally::new(&Config { keys: SAMPLE, ..cfg.clone() }));
        assert_eq!(tally[1].1.moved as usize, last.keys.iter().filter(|k| k.moved()).count());
    }

    #[test]
    fn bad_settings_are_refused_with_the_setting_named() {
        let bad = |c: Config| c.validate().unwrap_err();
        assert!(bad(Config { nodes: 0, ..Config::default() }).starts_with("Nodes"));
        assert!(bad(Config { nodes: 32, change: Change::Add, ..Config::default() }).contains("at most 32"));
        assert!(bad(Config { nodes: 1, change: Change::Remove(0), ..Config::default() }).contains("last node"));
        assert!(bad(Config { nodes: 4, change: Change::Remove(4), ..Config::default() }).contains("no node E"));
        assert!(Config::default().validate().is_ok());
    }

    #[test]
    fn names_and_hashes_are_stable() {
        assert_eq!((node_name(0), node_name(25), node_name(26), node_name(31)), ("A".into(), "Z".into(), "AA".into(), "AF".into()));
        assert_eq!(hash("user:1", 1), hash("user:1", 1));
        assert_ne!(hash("user:1", 1), hash("user:1", 2));
        assert_ne!(hash("user:1", 1), hash("user:2", 1));
    }
}
