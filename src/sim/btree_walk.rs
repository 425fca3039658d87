//! The B-tree stepper: runs a list of index operations on a real [`BPlusTree`] and records
//! every event as a frame the widget can show, with the tree as it stood at that moment and
//! one sentence of narration. Also lays the tree out for drawing, so the view only paints.

use std::fmt::Display;
use std::sync::Arc;

use super::btree::{BPlusTree, Event, NodeId, Tracer};
use super::plural;
use super::timeline::{FrameWalk, Narrated};

/// One operation on the index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op<K> {
    Insert(K),
    Delete(K),
    Search(K),
    Range(K, K),
}

impl<K: Display> Display for Op<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Op::Insert(k) => write!(f, "insert {k}"),
            Op::Delete(k) => write!(f, "delete {k}"),
            Op::Search(k) => write!(f, "search {k}"),
            Op::Range(a, b) => write!(f, "range {a} to {b}"),
        }
    }
}

/// What the widget highlights in a frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Focus {
    pub node: NodeId,
    /// The key slot in that node, when the event is about one key.
    pub slot: Option<usize>,
}

#[derive(Clone, Debug)]
pub struct Frame<K> {
    pub tree: Arc<BPlusTree<K, ()>>,
    pub focus: Option<Focus>,
    pub narration: String,
    /// Which operation this frame belongs to (`None` for the opening frame).
    pub op: Option<usize>,
    /// Comparisons and pages read so far in the current operation.
    pub comparisons: u64,
    pub visits: u64,
}

struct Recorder<'a, K> {
    frames: &'a mut Vec<Frame<K>>,
    key: String,
    op: usize,
    comparisons: u64,
    visits: u64,
}

fn keys_text<K: Display>(keys: &[K]) -> String {
    let shown: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
    format!("[{}]", shown.join(", "))
}

impl<K: Ord + Clone + Display> Tracer<K, ()> for Recorder<'_, K> {
    fn event(&mut self, tree: &BPlusTree<K, ()>, e: Event<K>) {
        let structural = matches!(
            e,
            Event::Insert { .. } | Event::SplitLeaf { .. } | Event::SplitInternal { .. } | Event::NewRoot { .. }
                | Event::Remove { .. } | Event::Borrow { .. } | Event::Merge { .. } | Event::RootCollapse { .. }
        );
        let snapshot = match self.frames.last() {
            Some(last) if !structural => last.tree.clone(),
            _ => Arc::new(tree.clone()),
        };
        let key = &self.key;
        let max = tree.max_keys();
        let (focus, narration) = match &e {
            Event::Visit { node } => {
                self.visits += 1;
                let n = tree.node(*node);
                let what = if n.is_leaf() { "a leaf" } else { "an inner page" };
                (Focus { node: *node, slot: None }, format!("Read page {node}, {what} holding {}.", keys_text(&n.keys)))
            }
            Event::Compare { node, index, ordering } => {
                self.comparisons += 1;
                let k = &tree.node(*node).keys[*index];
                let verdict = match ordering {
                    std::cmp::Ordering::Less => format!("{key} is larger, so it belongs to the right of {k}"),
                    std::cmp::Ordering::Greater => format!("{key} is smaller, so it belongs to the left of {k}"),
                    std::cmp::Ordering::Equal => format!("they are equal"),
                };
                (Focus { node: *node, slot: Some(*index) }, format!("Compare {key} with {k}: {verdict}."))
            }
            Event::Descend { from, to, child } => (
                Focus { node: *to, slot: None },
                format!("Follow child pointer {} of page {from} down to page {to}.", child + 1),
            ),
            Event::Insert { node, slot } => (
                Focus { node: *node, slot: Some(*slot) },
                {
                    let n = tree.node(*node).keys.len();
                    let held = if n > max { format!("{n} keys, one more than a page may hold ({max}), so it must split") } else { format!("{n} of at most {max} keys") };
                    format!("Insert {key} into leaf {node} at position {}; it now holds {held}.", slot + 1)
                },
            ),
            Event::SplitLeaf { left, right, separator } => (
                Focus { node: *right, slot: None },
                format!("Leaf {left} is over its limit of {max} keys, so it splits: the upper half moves to new leaf {right}, and a copy of {separator} goes up to the parent as a separator."),
            ),
            Event::SplitInternal { left, right, separator } => (
                Focus { node: *right, slot: None },
                format!("Inner page {left} is over its limit of {max} keys, so it splits into {left} and {right}; the middle key {separator} moves up to the parent."),
            ),
            Event::NewRoot { root } => (
                Focus { node: *root, slot: None },
                format!("The old root split, so page {root} becomes the new root: the tree is now {} levels tall.", tree.height()),
            ),
            Event::Remove { node, slot } => (
                Focus { node: *node, slot: None },
                {
                    let (n, min) = (tree.node(*node).keys.len(), tree.min_keys());
                    let then = if *node == tree.root() {
                        ". It is the root, which has no minimum, so nothing more happens".to_string()
                    } else if n < min {
                        format!(", below the minimum of {min}, so it must borrow or merge")
                    } else {
                        format!(", and the minimum is {min}, so nothing more happens")
                    };
                    format!("Remove {key} from leaf {node} (position {}); it holds {n} key{} now{then}.", slot + 1, plural(n))
                },
            ),
            Event::Borrow { node, from } if tree.node(*node).is_leaf() => (
                Focus { node: *node, slot: None },
                format!("Leaf {node} is below the minimum, and its neighbour {from} has a key to spare: borrow one, and update the separator between them."),
            ),
            Event::Borrow { node, from } => (
                Focus { node: *node, slot: None },
                format!("Inner page {node} is below the minimum, and its neighbour {from} has a key to spare: the separator between them comes down from the parent into {node}, {from}'s nearest key goes up to take its place, and the child pointer beside that key moves across to {node}."),
            ),
            Event::Merge { left, right, short } => {
                let other = if short == left { right } else { left };
                let how = if tree.node(*left).is_leaf() {
                    format!("so the two leaves become one, page {left}, and their separator leaves the parent")
                } else {
                    format!("so the two inner pages become one, page {left}, and their separator comes down from the parent between their keys")
                };
                (Focus { node: *left, slot: None }, format!("Page {short} is below the minimum and its neighbour {other} cannot spare a key, {how}."))
            }
            Event::RootCollapse { root } => (
                Focus { node: *root, slot: None },
                format!("The root has a single child left, so page {root} becomes the root: the tree is now {} level{} tall.", tree.height(), plural(tree.height())),
            ),
            Event::FollowLink { from, to } => (
                Focus { node: *to, slot: None },
                format!("Leaf {from} is finished; follow its link sideways to leaf {to} instead of climbing back up the tree."),
            ),
            Event::Found { node, slot } => (
                Focus { node: *node, slot: Some(*slot) },
                format!("Found {key} in leaf {node}: {} comparisons, {} page{} read.", self.comparisons, self.visits, plural(self.visits as usize)),
            ),
            Event::NotFound { node, .. } => (
                Focus { node: *node, slot: None },
                format!("{key} is not in leaf {node}, so it is not in the index: {} comparisons, {} page{} read.", self.comparisons, self.visits, plural(self.visits as usize)),
            ),
            Event::Duplicate { node, slot } => (
                Focus { node: *node, slot: Some(*slot) },
                format!("Refused: {key} is already in this unique index (a database reports a duplicate key error)."),
            ),
        };
        self.frames.push(Frame { tree: snapshot, focus: Some(focus), narration, op: Some(self.op), comparisons: self.comparisons, visits: self.visits });
    }
}


/// Every frame of a run: the opening tree, then each event of each operation in turn.
pub fn record<K: Ord + Clone + Display>(order: usize, initial: &[K], ops: &[Op<K>]) -> Vec<Frame<K>> {
    record_with(order, initial, ops, |_| None)
}

/// Records a run of a non-unique index: each key is stored with its row number, so equal
/// keys are separate entries; a search or delete finds every row with the key by scanning
/// the range from `key#0` to `key#MAX`.
pub fn record_non_unique(order: usize, initial: &[IndexKey], ops: &[Op<IndexKey>]) -> Vec<Frame<IndexKey>> {
    let row = |k: &IndexKey, r: u32| IndexKey::Row(Box::new(k.clone()), r);
    let initial: Vec<IndexKey> = initial.iter().enumerate().map(|(i, k)| row(k, i as u32)).collect();
    let mut next_row = initial.len() as u32;
    let ops: Vec<Op<IndexKey>> = ops
        .iter()
        .map(|op| match op {
            Op::Insert(k) => {
                next_row += 1;
                Op::Insert(row(k, next_row - 1))
            }
            Op::Delete(k) => Op::Delete(k.clone()),
            Op::Search(k) => Op::Range(row(k, 0), row(k, u32::MAX)),
            Op::Range(a, b) => Op::Range(row(a, 0), row(b, u32::MAX)),
        })
        .collect();
    // A delete removes the first row holding the key, found when the run reaches it.
    record_with(order, &initial, &ops, move |tree: &BPlusTree<IndexKey, ()>| {
        Some(Box::new(move |k: &IndexKey| {
            tree.range(&row(k, 0), &row(k, u32::MAX)).first().map(|(e, _)| e.clone()).unwrap_or_else(|| row(k, 0))
        }) as Box<dyn Fn(&IndexKey) -> IndexKey + '_>)
    })
}

/// `resolve` maps a delete's key to the entry to remove, for indexes whose entries are not
/// the bare key; `None` removes the key itself.
fn record_with<K: Ord + Clone + Display>(
    order: usize,
    initial: &[K],
    ops: &[Op<K>],
    resolve: impl for<'t> Fn(&'t BPlusTree<K, ()>) -> Option<Box<dyn Fn(&K) -> K + 't>>,
) -> Vec<Frame<K>> {
    let mut tree = BPlusTree::new(order);
    for k in initial {
        let _ = tree.insert(k.clone(), ());
    }
    let mut frames = vec![Frame {
        tree: Arc::new(tree.clone()),
        focus: None,
        narration: format!(
            "An index of {} key{}, with at most {} keys per page: {} level{} tall.",
            tree.len(),
            plural(tree.len()),
            tree.max_keys(),
            tree.height(),
            plural(tree.height())
        ),
        op: None,
        comparisons: 0,
        visits: 0,
    }];
    for (i, op) in ops.iter().enumerate() {
        // A delete in a non-unique index compares and removes an entry (`20#2`), not the bare
        // key, so its steps name the entry.
        let target = match op {
            Op::Delete(k) => Some(resolve(&tree).map(|f| f(k)).unwrap_or_else(|| k.clone())),
            _ => None,
        };
        let key = match (op, &target) {
            (Op::Delete(_), Some(t)) => t.to_string(),
            (Op::Insert(k) | Op::Delete(k) | Op::Search(k), _) => k.to_string(),
            (Op::Range(a, _), _) => a.to_string(),
        };
        let start = frames.len();
        let mut r = Recorder { frames: &mut frames, key, op: i, comparisons: 0, visits: 0 };
        match op {
            Op::Insert(k) => {
                let _ = tree.insert_traced(k.clone(), (), &mut r);
            }
            Op::Delete(k) => {
                let _ = tree.remove_traced(target.as_ref().unwrap_or(k), &mut r);
            }
            Op::Search(k) => {
                let _ = tree.get_traced(k, &mut r);
            }
            Op::Range(a, b) => {
                let found = tree.range_traced(a, b, &mut r);
                let (c, v) = (r.comparisons, r.visits);
                let last = frames.last().map(|f| f.tree.clone()).unwrap_or_else(|| Arc::new(tree.clone()));
                let keys: Vec<String> = found.iter().map(|(k, _)| k.to_string()).collect();
                frames.push(Frame {
                    tree: last,
                    focus: None,
                    narration: format!("The range {a} to {b} holds {} key{}: {}. {c} comparisons, {v} pages read.", found.len(), plural(found.len()), if keys.is_empty() { "none".to_string() } else { keys.join(", ") }),
                    op: Some(i),
                    comparisons: c,
                    visits: v,
                });
            }
        }
        if let Some(first) = frames.get_mut(start) {
            first.narration = format!("Next: {op}. {}", first.narration);
        }
    }
    frames
}

/// The stepper over recorded frames.
pub type BTreeWalk<K> = FrameWalk<Frame<K>>;

impl<K> Narrated for Frame<K> {
    fn narration(&self) -> &str {
        &self.narration
    }
}

/// A node placed for drawing, in abstract units: one unit per key cell.
#[derive(Clone, Debug, PartialEq)]
pub struct Placed {
    pub id: NodeId,
    pub level: usize,
    /// Left edge and width, in key cells; nodes on a level never overlap.
    pub x: f64,
    pub width: f64,
    pub keys: Vec<String>,
    pub children: Vec<NodeId>,
    pub leaf: bool,
}

/// Lays the tree out: leaves side by side with a gap, each parent centred over its children.
pub fn layout<K: Ord + Clone + Display>(tree: &BPlusTree<K, ()>) -> Vec<Placed> {
    const GAP: f64 = 0.6;
    let mut out = Vec::new();
    let mut cursor = 0.0;
    place(tree, tree.root(), 0, &mut cursor, GAP, &mut out);
    out
}

fn place<K: Ord + Clone + Display>(tree: &BPlusTree<K, ()>, id: NodeId, level: usize, cursor: &mut f64, gap: f64, out: &mut Vec<Placed>) -> (f64, f64) {
    let n = tree.node(id);
    let width = n.keys.len().max(1) as f64;
    let keys: Vec<String> = n.keys.iter().map(|k| k.to_string()).collect();
    let x = if n.is_leaf() {
        let x = *cursor;
        *cursor += width + gap;
        x
    } else {
        let spans: Vec<(f64, f64)> = n.children().iter().map(|&c| place(tree, c, level + 1, cursor, gap, out)).collect();
        let (lo, hi) = (spans.first().map(|s| s.0).unwrap_or(0.0), spans.last().map(|s| s.1).unwrap_or(0.0));
        (lo + hi - width) / 2.0
    };
    out.push(Placed { id, level, x, width, keys, children: n.children().to_vec(), leaf: n.is_leaf() });
    (x, x + width)
}

/// The most keys the stepper draws, and the most operations it replays: enough to see
/// several levels form, few enough to read every page.
pub const MAX_KEYS: usize = 64;
pub const MAX_OPS: usize = 24;
/// The longest text key.
pub const MAX_TEXT_KEY: usize = 24;

/// A key in the stepper's index: all integers, all short strings (such as emails), or all
/// pairs, as in a composite index on (user_id, created_at).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IndexKey {
    Int(i64),
    Text(String),
    /// Ordered by the first number, then the second: `7/3` sorts before `7/10` and `8/1`.
    Pair(i64, i64),
    /// An entry of a non-unique index: the key and the row it points to, written `key#row`.
    /// Pairing each key with its row makes every entry distinct, as databases do.
    Row(Box<IndexKey>, u32),
}

impl Display for IndexKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            IndexKey::Int(n) => write!(f, "{n}"),
            IndexKey::Text(s) => write!(f, "{s}"),
            IndexKey::Pair(a, b) => write!(f, "{a}/{b}"),
            IndexKey::Row(k, u32::MAX) => write!(f, "{k}#end"),
            IndexKey::Row(k, row) => write!(f, "{k}#{row}"),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyType {
    Int,
    Text,
    Pair,
}

impl KeyType {
    pub fn from_name(name: &str) -> KeyType {
        match name {
            "text" => KeyType::Text,
            "pair" => KeyType::Pair,
            _ => KeyType::Int,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            KeyType::Int => "int",
            KeyType::Text => "text",
            KeyType::Pair => "pair",
        }
    }
}

/// Reads one key typed by the reader, with a message a reader can act on when it is wrong.
pub fn parse_key(raw: &str, kind: KeyType) -> Result<IndexKey, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err("Type a key first.".into());
    }
    match kind {
        KeyType::Int => raw.parse::<i64>().map(IndexKey::Int).map_err(|_| {
            let shown: String = raw.chars().filter(|c| !c.is_control()).take(20).collect();
            format!("“{shown}” is not a whole number, and this index holds whole numbers.")
        }),
        KeyType::Pair => {
            let bad = || {
                let shown: String = raw.chars().filter(|c| !c.is_control()).take(20).collect();
                format!("“{shown}” is not a pair: write user_id/created_at, such as 7/3.")
            };
            let (a, b) = raw.split_once('/').ok_or_else(bad)?;
            match (a.trim().parse(), b.trim().parse()) {
                (Ok(a), Ok(b)) => Ok(IndexKey::Pair(a, b)),
                _ => Err(bad()),
            }
        }
        KeyType::Text => {
            let n = raw.chars().count();
            if n > MAX_TEXT_KEY {
                Err(format!("That key is {n} characters long; keys here are at most {MAX_TEXT_KEY}."))
            } else if raw.chars().any(|c| c.is_control() || c == ',' || c == ';' || c.is_whitespace()) {
                Err("Text keys cannot contain spaces, commas, semicolons or control characters.".into())
            } else {
                Ok(IndexKey::Text(raw.to_string()))
            }
        }
    }
}

/// Reads a comma-separated list of keys. Repeats are kept once.
pub fn parse_keys(raw: &str, kind: KeyType) -> Result<Vec<IndexKey>, String> {
    let mut out: Vec<IndexKey> = Vec::new();
    for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let k = parse_key(part, kind)?;
        if !out.contains(&k) {
            out.push(k);
        }
        if out.len() > MAX_KEYS {
            return Err(format!("The stepper draws at most {MAX_KEYS} keys; use fewer."));
        }
    }
    Ok(out)
}

/// Reads operations written as `insert:25;delete:40;search:70;range:20..60`.
pub fn parse_ops(raw: &str, kind: KeyType) -> Result<Vec<Op<IndexKey>>, String> {
    let mut out = Vec::new();
    for part in raw.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let (verb, arg) = part.split_once(':').ok_or_else(|| format!("“{}” should look like insert:25.", part.chars().take(20).collect::<String>()))?;
        let op = match verb {
            "insert" => Op::Insert(parse_key(arg, kind)?),
            "delete" => Op::Delete(parse_key(arg, kind)?),
            "search" => Op::Search(parse_key(arg, kind)?),
            "range" => {
                let (a, b) = arg.split_once("..").ok_or("A range looks like 20..60.")?;
                let (a, b) = (parse_key(a, kind)?, parse_key(b, kind)?);
                if a > b {
                    return Err(format!("The range {a}..{b} is empty: its start is after its end."));
                }
                Op::Range(a, b)
            }
            _ => return Err(format!("“{}” is not an operation: use insert, delete, search or range.", verb.chars().take(20).collect::<String>())),
        };
        out.push(op);
        if out.len() > MAX_OPS {
            return Err(format!("The stepper replays at most {MAX_OPS} operations; reset to start afresh."));
        }
    }
    Ok(out)
}

/// Writes operations in the form `parse_ops` reads.
pub fn ops_to_string(ops: &[Op<IndexKey>]) -> String {
    let parts: Vec<String> = ops
        .iter()
        .map(|op| match op {
            Op::Insert(k) => format!("insert:{k}"),
            Op::Delete(k) => format!("delete:{k}"),
            Op::Search(k) => format!("search:{k}"),
            Op::Range(a, b) => format!("range:{a}..{b}"),
        })
        .collect();
    parts.join(";")
}

/// `n` distinct keys drawn from `seed`: integers below 1,000, or email-like strings.
pub fn random_keys(seed: u64, n: usize, kind: KeyType) -> Vec<IndexKey> {
    const NAMES: &[&str] = &["ada", "alan", "barbara", "dennis", "edsger", "frances", "grace", "hedy", "ken", "linus", "margaret", "radia", "tim", "vint"];
    let mut rng = super::rng::SplitMix64(seed);
    let mut out = Vec::new();
    let mut tries = 0;
    while out.len() < n.min(MAX_KEYS) && tries < 10_000 {
        tries += 1;
        let r = rng.next_u64();
        let k = match kind {
            KeyType::Int => IndexKey::Int((r % 1000) as i64),
            KeyType::Text => IndexKey::Text(format!("{}{}@x.io", NAMES[(r % NAMES.len() as u64) as usize], (r >> 32) % 100)),
            KeyType::Pair => IndexKey::Pair((r % 6 + 1) as i64, ((r >> 32) % 30 + 1) as i64),
        };
        if !out.contains(&k) {
            out.push(k);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::timeline::{Timeline, TimelineConfig};

    #[test]
    fn a_split_is_narrated_step_by_step_and_steps_back_exactly() {
        let mut t = Timeline::new(BTreeWalk::new(record(3, &[10, 20, 30], &[Op::Insert(25)])), TimelineConfig::default());
        let lines = t.transcript();
        assert!(lines[0].starts_with("An index of 3 keys, with at most 3 keys per page"));
        assert!(lines[1].starts_with("Next: insert 25. Read page 0"));
        assert!(lines.iter().any(|l| l.contains("Compare 25 with 20: 25 is larger")));
        assert!(lines.iter().any(|l| l.contains("splits") && l.contains("copy of 25")), "{lines:#?}");
        assert!(lines.last().unwrap().contains("now 2 levels tall"));
        t.seek(t.last());
        let end = t.current().frame().tree.clone();
        t.back();
        t.forward();
        assert!(Arc::ptr_eq(&t.current().frame().tree, &end));
    }

    #[test]
    fn structural_steps_name_the_right_page_and_say_what_really_moves() {
        let lines = |order, keys: &[i64], ops: &[Op<i64>]| record(order, keys, ops).into_iter().map(|f| f.narration).collect::<Vec<_>>();
        // One key too many: say so, rather than "4 of at most 3".
        let l = lines(3, &[10, 20, 30], &[Op::Insert(25)]);
        assert!(l.iter().any(|l| l.contains("it now holds 4 keys, one more than a page may hold (3), so it must split")), "{l:#?}");
        // A root that is also the only leaf has no minimum.
        let l = lines(4, &[10, 20], &[Op::Delete(10)]);
        assert!(l.iter().any(|l| l.contains("It is the root, which has no minimum")), "{l:#?}");
        // The leftmost leaf runs short and merges with its right neighbour: name the short one.
        let l = lines(4, &[1, 2, 3, 4, 5], &[Op::Delete(3), Op::Delete(1)]);
        let removed = l.iter().find(|l| l.starts_with("Remove 1 from leaf ")).expect("remove narrated");
        let leaf: String = removed["Remove 1 from leaf ".len()..].chars().take_while(char::is_ascii_digit).collect();
        let merge = l.iter().find(|l| l.contains("cannot spare a key")).expect("a merge");
        assert!(merge.starts_with(&format!("Page {leaf} is below the minimum")), "{merge}");
        assert!(merge.contains("the two leaves become one"), "{merge}");
        // Deleting a three-level tree down: inner pages borrow and merge through the parent.
        let keys: Vec<i64> = (1..=40).collect();
        let ops: Vec<Op<i64>> = (1..=40).map(Op::Delete).collect();
        let l = lines(3, &keys, &ops);
        assert!(l.iter().any(|l| l.starts_with("Inner page") && l.contains("separator between them comes down from the parent")), "an internal borrow");
        assert!(l.iter().any(|l| l.contains("the two inner pages become one")), "an internal merge");
        // One name for a page above the leaves, as the chapter and glossary use: an inner page.
        let built = lines(3, &[], &(1..=40).map(Op::Insert).collect::<Vec<_>>());
        assert!(built.iter().chain(&l).all(|l| !l.to_lowercase().contains("internal")), "{built:#?}");
        assert!(built.iter().any(|l| l.starts_with("Inner page") && l.contains("splits")), "{built:#?}");
    }

    #[test]
    fn searches_count_comparisons_and_pages() {
        let keys: Vec<i64> = (1..=50).collect();
        let walk = BTreeWalk::new(record(4, &keys, &[Op::Search(37), Op::Search(99)]));
        let t = Timeline::new(walk, TimelineConfig::default());
        let lines = t.transcript();
        let found = lines.iter().find(|l| l.starts_with("Found 37")).expect("found");
        assert!(found.contains("pages read"), "{found}");
        assert!(lines.iter().any(|l| l.starts_with("99 is not in leaf")));
    }

    #[test]
    fn duplicates_and_ranges_are_narrated() {
        let t = Timeline::new(BTreeWalk::new(record(3, &[1, 2, 3, 4, 5, 6, 7, 8], &[Op::Insert(5), Op::Range(3, 6)])), TimelineConfig::default());
        let lines = t.transcript();
        assert!(lines.iter().any(|l| l.starts_with("Refused: 5 is already")));
        assert!(lines.iter().any(|l| l.contains("follow its link sideways")));
        assert!(lines.last().unwrap().starts_with("The range 3 to 6 holds 4 keys: 3, 4, 5, 6."));
    }

    #[test]
    fn strings_work_as_keys() {
        let t = Timeline::new(BTreeWalk::new(record(3, &["ada", "bob", "cy"].map(String::from), &[Op::Insert("ann".to_string())])), TimelineConfig::default());
        assert!(t.transcript().iter().any(|l| l.contains("Compare ann with bob: ann is smaller")));
    }

    #[test]
    fn reader_input_is_parsed_with_clear_messages() {
        assert_eq!(parse_keys("3, 1,3 ,2", KeyType::Int).unwrap(), vec![IndexKey::Int(3), IndexKey::Int(1), IndexKey::Int(2)]);
        assert!(parse_key("abc", KeyType::Int).unwrap_err().contains("not a whole number"));
        assert!(parse_key("  ", KeyType::Int).unwrap_err().contains("Type a key"));
        assert!(parse_key("99999999999999999999", KeyType::Int).is_err());
        assert!(parse_key(&"x".repeat(25), KeyType::Text).unwrap_err().contains("at most 24"));
        assert!(parse_key("a b", KeyType::Text).is_err());
        assert!(parse_key("<script>", KeyType::Text).is_ok(), "any printable text is a key; the view shows it as text");
        let many: Vec<String> = (0..65).map(|i| i.to_string()).collect();
        assert!(parse_keys(&many.join(","), KeyType::Int).unwrap_err().contains("at most 64"));
        let ops = parse_ops("insert:25;delete:40;search:70;range:20..60", KeyType::Int).unwrap();
        assert_eq!(ops_to_string(&ops), "insert:25;delete:40;search:70;range:20..60");
        assert!(parse_ops("range:60..20", KeyType::Int).unwrap_err().contains("empty"));
        assert!(parse_ops("drop:1", KeyType::Int).unwrap_err().contains("not an operation"));
        assert!(parse_ops("insert", KeyType::Int).is_err());
    }

    #[test]
    fn a_composite_index_answers_one_users_rows_in_date_order_with_one_range_scan() {
        let keys = parse_keys("7/9,3/1,7/2,8/1,7/5,2/4,7/30", KeyType::Pair).unwrap();
        let ops = parse_ops("range:7/0..7/999999", KeyType::Pair).unwrap();
        let t = Timeline::new(BTreeWalk::new(record(3, &keys, &ops)), TimelineConfig::default());
        let last = t.transcript().pop().unwrap();
        assert!(last.starts_with("The range 7/0 to 7/999999 holds 4 keys: 7/2, 7/5, 7/9, 7/30."), "{last}");
        assert!(parse_key("7-3", KeyType::Pair).unwrap_err().contains("not a pair"));
        assert!(parse_key("7/x", KeyType::Pair).is_err());
        assert_eq!(KeyType::from_name(KeyType::Pair.name()), KeyType::Pair);
    }

    #[test]
    fn a_non_unique_index_keeps_every_row_and_finds_them_all() {
        let keys = parse_keys("30,10,20", KeyType::Int).unwrap();
        let ops = parse_ops("insert:20;insert:20;search:20;delete:20;search:20", KeyType::Int).unwrap();
        let frames = record_non_unique(3, &keys, &ops);
        let lines: Vec<&str> = frames.iter().map(|f| f.narration.as_str()).collect();
        assert!(!lines.iter().any(|l| l.starts_with("Refused")), "duplicates are accepted");
        let searches: Vec<&&str> = lines.iter().filter(|l| l.starts_with("The range 20#0")).collect();
        assert_eq!(searches.len(), 2);
        assert!(searches[0].contains("holds 3 keys: 20#2, 20#3, 20#4."), "{}", searches[0]);
        assert!(searches[1].contains("holds 2 keys: 20#3, 20#4."), "the delete removed the first row: {}", searches[1]);
        // The delete compares and removes the entry 20#2, and says so.
        let delete: Vec<&str> = frames.iter().filter(|f| f.op == Some(3)).map(|f| f.narration.trim_start_matches("Next: delete 20. ")).collect();
        assert!(delete.iter().any(|l| l.contains("20#2")), "{delete:?}");
        for l in &delete {
            assert!(!l.replace("20#", "").split(|c: char| !c.is_ascii_alphanumeric()).any(|w| w == "20"), "a bare 20: {l}");
        }
        frames.last().unwrap().tree.check().unwrap();
        // The same run on a unique index refuses the repeats.
        let unique = record(3, &keys, &ops);
        assert_eq!(unique.iter().filter(|f| f.narration.starts_with("Refused: 20")).count(), 2);
    }

    #[test]
    fn random_keys_repeat_for_a_seed_and_are_distinct() {
        let a = random_keys(7, 40, KeyType::Text);
        assert_eq!(a, random_keys(7, 40, KeyType::Text));
        assert_ne!(a, random_keys(8, 40, KeyType::Text));
        let mut d = a.clone();
        d.sort();
        d.dedup();
        assert_eq!(d.len(), 40);
        assert_eq!(random_keys(1, 500, KeyType::Int).len(), MAX_KEYS);
    }

    #[test]
    fn layout_never_overlaps_and_centres_parents() {
        let mut tree = BPlusTree::new(3);
        for k in 0..60 {
            tree.insert(k * 7 % 61, ()).unwrap();
        }
        let placed = layout(&tree);
        assert_eq!(placed.len(), tree.node_count());
        for level in 0..tree.height() {
            let mut row: Vec<&Placed> = placed.iter().filter(|p| p.level == level).collect();
            row.sort_by(|a, b| a.x.total_cmp(&b.x));
            for w in row.windows(2) {
                assert!(w[0].x + w[0].width <= w[1].x + 1e-9, "overlap on level {level}");
            }
        }
        for p in placed.iter().filter(|p| !p.leaf) {
            let kids: Vec<&Placed> = placed.iter().filter(|c| p.children.contains(&c.id)).collect();
            let lo = kids.iter().map(|c| c.x).fold(f64::MAX, f64::min);
            let hi = kids.iter().map(|c| c.x + c.width).fold(f64::MIN, f64::max);
            assert!((p.x + p.width / 2.0 - (lo + hi) / 2.0).abs() < 1e-9);
        }
    }

    #[test]
    fn every_frame_of_a_random_run_holds_a_valid_tree() {
        let ops: Vec<Op<i64>> = (0..60).map(|i| if i % 3 == 2 { Op::Delete((i * 13) % 40) } else { Op::Insert((i * 17) % 40) }).collect();
        for order in 3..=6 {
            for f in record(order, &[], &ops) {
                // A frame can fall mid-operation (a node just overfilled, about to split), so a
                // node may hold one key over the maximum, never more; every page is drawn.
                let placed = layout(&f.tree);
                assert_eq!(placed.len(), f.tree.node_count());
                assert!(placed.iter().all(|p| p.keys.len() <= order + 1), "order {order}: {}", f.narration);
            }
            let last = record(order, &[], &ops).pop().unwrap();
            last.tree.check().unwrap();
        }
    }
}
