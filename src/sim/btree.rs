//! A B+tree as database indexes use it: separator keys in internal nodes, every entry in the
//! leaves, and leaves linked left to right for range scans. Nodes live in an arena and are
//! addressed by index, like pages in a file.
//!
//! Every operation reports what it does to a [`Tracer`]: each key comparison, each page it
//! visits, each split, borrow and merge. The stepper widget records these; bulk loads use
//! [`NoTrace`], which compiles away.

use std::cmp::Ordering;

/// The smallest and largest `max_keys` the tree accepts.
pub const MIN_ORDER: usize = 3;
pub const MAX_ORDER: usize = 64;

pub type NodeId = usize;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    Leaf { next: Option<NodeId> },
    Internal { children: Vec<NodeId> },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node<K, V> {
    pub keys: Vec<K>,
    /// One value per key in a leaf; empty in an internal node.
    pub vals: Vec<V>,
    pub kind: Kind,
}

impl<K, V> Node<K, V> {
    pub fn is_leaf(&self) -> bool {
        matches!(self.kind, Kind::Leaf { .. })
    }

    pub fn children(&self) -> &[NodeId] {
        match &self.kind {
            Kind::Internal { children } => children,
            Kind::Leaf { .. } => &[],
        }
    }
}

/// What an operation did, step by step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event<K> {
    /// A page was read.
    Visit { node: NodeId },
    /// The key was compared with `keys[index]` of `node`.
    Compare { node: NodeId, index: usize, ordering: Ordering },
    /// The search moved from `from` to its child number `child`.
    Descend { from: NodeId, to: NodeId, child: usize },
    /// The key was placed at `slot` of leaf `node`.
    Insert { node: NodeId, slot: usize },
    /// An overfull leaf was split; `separator` (the right leaf's first key) was copied up.
    SplitLeaf { left: NodeId, right: NodeId, separator: K },
    /// An overfull internal node was split; `separator` was moved up.
    SplitInternal { left: NodeId, right: NodeId, separator: K },
    /// The root split, so the tree grew a level.
    NewRoot { root: NodeId },
    /// The entry at `slot` of leaf `node` was removed.
    Remove { node: NodeId, slot: usize },
    /// `node` was short of keys and took one from its sibling `from`.
    Borrow { node: NodeId, from: NodeId },
    /// `right` was merged into `left`, because `short` (one of the two) was short of keys.
    Merge { left: NodeId, right: NodeId, short: NodeId },
    /// The root had one child left, which became the root: the tree lost a level.
    RootCollapse { root: NodeId },
    /// A range scan followed a leaf's link to the next leaf.
    FollowLink { from: NodeId, to: NodeId },
    /// The search ended: the key is at `slot` of `node`, or would be.
    Found { node: NodeId, slot: usize },
    NotFound { node: NodeId, slot: usize },
    /// A unique index refused a key it already holds.
    Duplicate { node: NodeId, slot: usize },
}

/// Receives every event together with the tree as it stands at that moment.
pub trait Tracer<K, V> {
    /// False for a tracer that records nothing: the tree then searches a page with the
    /// standard library's binary search, which needs no per-comparison hook.
    const TRACES: bool = true;
    fn event(&mut self, tree: &BPlusTree<K, V>, event: Event<K>);
}

/// Traces nothing; the compiler removes the calls.
pub struct NoTrace;

impl<K, V> Tracer<K, V> for NoTrace {
    const TRACES: bool = false;
    #[inline(always)]
    fn event(&mut self, _: &BPlusTree<K, V>, _: Event<K>) {}
}

/// Counts comparisons and page visits, and nothing else.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counter {
    pub comparisons: u64,
    pub visits: u64,
}

impl<K, V> Tracer<K, V> for Counter {
    fn event(&mut self, _: &BPlusTree<K, V>, event: Event<K>) {
        match event {
            Event::Compare { .. } => self.comparisons += 1,
            Event::Visit { .. } => self.visits += 1,
            _ => {}
        }
    }
}

/// Why an insert was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InsertError {
    /// The index is unique and already holds this key.
    Duplicate,
}

/// The internal pages from the root down to a leaf, with the child taken at each: a fixed
/// array, so a write allocates nothing for its path. 48 levels hold far more keys than
/// memory can (each level at least doubles the leaves).
struct Path {
    steps: [(NodeId, usize); 48],
    len: usize,
}

impl Path {
    fn new() -> Path {
        Path { steps: [(0, 0); 48], len: 0 }
    }

    fn push(&mut self, step: (NodeId, usize)) {
        self.steps[self.len] = step;
        self.len += 1;
    }

    fn pop(&mut self) -> Option<(NodeId, usize)> {
        self.len = self.len.checked_sub(1)?;
        Some(self.steps[self.len])
    }

    fn as_slice(&self) -> &[(NodeId, usize)] {
        &self.steps[..self.len]
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BPlusTree<K, V> {
    nodes: Vec<Node<K, V>>,
    free: Vec<NodeId>,
    root: NodeId,
    max_keys: usize,
    len: usize,
}

impl<K: Ord + Clone, V: Clone> BPlusTree<K, V> {
    /// An empty tree whose nodes hold at most `max_keys` keys (clamped to 3..=64).
    pub fn new(max_keys: usize) -> Self {
        BPlusTree {
            nodes: vec![Node { keys: Vec::new(), vals: Vec::new(), kind: Kind::Leaf { next: None } }],
            free: Vec::new(),
            root: 0,
            max_keys: max_keys.clamp(MIN_ORDER, MAX_ORDER),
            len: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn max_keys(&self) -> usize {
        self.max_keys
    }

    /// The fewest keys a node other than the root may hold.
    pub fn min_keys(&self) -> usize {
        self.max_keys / 2
    }

    pub fn root(&self) -> NodeId {
        self.root
    }

    pub fn node(&self, id: NodeId) -> &Node<K, V> {
        &self.nodes[id]
    }

    /// Levels from the root (1) to the leaves.
    pub fn height(&self) -> usize {
        let mut h = 1;
        let mut n = self.root;
        while let Kind::Internal { children } = &self.nodes[n].kind {
            n = children[0];
            h += 1;
        }
        h
    }

    /// Pages in use.
    pub fn node_count(&self) -> usize {
        self.nodes.len() - self.free.len()
    }

    /// Binary search of `node` for `key`, reporting each comparison. Returns the slot where
    /// the key is (Ok) or would go (Err).
    fn search_node<T: Tracer<K, V>>(&self, node: NodeId, key: &K, t: &mut T) -> Result<usize, usize> {
        let keys = &self.nodes[node].keys;
        if !T::TRACES {
            // Keys in a page are unique, so any match is the match.
            return keys.binary_search(key);
        }
        let (mut lo, mut hi) = (0, keys.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            let ordering = keys[mid].cmp(key);
            t.event(self, Event::Compare { node, index: mid, ordering });
            match ordering {
                Ordering::Less => lo = mid + 1,
                Ordering::Greater => hi = mid,
                Ordering::Equal => return Ok(mid),
            }
        }
        Err(lo)
    }

    /// Walks from the root to the leaf that holds (or would hold) `key`, recording the
    /// (internal node, child index) pairs taken when `path` is given.
    fn walk<T: Tracer<K, V>>(&self, key: &K, t: &mut T, mut path: Option<&mut Path>) -> NodeId {
        let mut n = self.root;
        t.event(self, Event::Visit { node: n });
        while let Kind::Internal { children } = &self.nodes[n].kind {
            // Keys equal to a separator live in the right subtree.
            let child = match self.search_node(n, key, t) {
                Ok(i) => i + 1,
                Err(i) => i,
            };
            let to = children[child];
            if let Some(p) = path.as_deref_mut() {
                p.push((n, child));
            }
            t.event(self, Event::Descend { from: n, to, child });
            n = to;
            t.event(self, Event::Visit { node: n });
        }
        n
    }

    /// The leaf for `key` and the path to it, for writes that may rebalance upwards.
    fn descend<T: Tracer<K, V>>(&self, key: &K, t: &mut T) -> (NodeId, Path) {
        let mut path = Path::new();
        let leaf = self.walk(key, t, Some(&mut path));
        (leaf, path)
    }

    pub fn get(&self, key: &K) -> Option<&V> {
        self.get_traced(key, &mut NoTrace)
    }

    pub fn get_traced<T: Tracer<K, V>>(&self, key: &K, t: &mut T) -> Option<&V> {
        let leaf = self.walk(key, t, None);
        match self.search_node(leaf, key, t) {
            Ok(slot) => {
                t.event(self, Event::Found { node: leaf, slot });
                Some(&self.nodes[leaf].vals[slot])
            }
            Err(slot) => {
                t.event(self, Event::NotFound { node: leaf, slot });
                None
            }
        }
    }

    pub fn insert(&mut self, key: K, val: V) -> Result<(), InsertError> {
        self.insert_traced(key, val, &mut NoTrace)
    }

    /// Inserts `key`; a key already present is refused (the tree is a unique index; a
    /// non-unique index makes keys unique by pairing them with the row id).
    pub fn insert_traced<T: Tracer<K, V>>(&mut self, key: K, val: V, t: &mut T) -> Result<(), InsertError> {
        let (leaf, mut path) = self.descend(&key, t);
        let slot = match self.search_node(leaf, &key, t) {
            Ok(slot) => {
                t.event(self, Event::Duplicate { node: leaf, slot });
                return Err(InsertError::Duplicate);
            }
            Err(slot) => slot,
        };
        let n = &mut self.nodes[leaf];
        n.keys.insert(slot, key);
        n.vals.insert(slot, val);
        self.len += 1;
        t.event(self, Event::Insert { node: leaf, slot });

        // Split upwards while a node is overfull.
        let mut node = leaf;
        while self.nodes[node].keys.len() > self.max_keys {
            let (separator, right) = self.split(node);
            let event = if self.nodes[node].is_leaf() {
                Event::SplitLeaf { left: node, right, separator: separator.clone() }
            } else {
                Event::SplitInternal { left: node, right, separator: separator.clone() }
            };
            match path.pop() {
                Some((parent, child)) => {
                    if let Kind::Internal { children } = &mut self.nodes[parent].kind {
                        children.insert(child + 1, right);
                    }
                    self.nodes[parent].keys.insert(child, separator);
                    t.event(self, event);
                    node = parent;
                }
                None => {
                    let mut keys = Vec::with_capacity(self.max_keys + 1);
                    keys.push(separator);
                    let mut children = Vec::with_capacity(self.max_keys + 2);
                    children.extend([node, right]);
                    let root = self.alloc(Node { keys, vals: Vec::new(), kind: Kind::Internal { children } });
                    self.root = root;
                    t.event(self, event);
                    t.event(self, Event::NewRoot { root });
                    break;
                }
            }
        }
        Ok(())
    }

    /// Splits an overfull node in two. Returns the separator for the parent and the new right
    /// node. A leaf copies its right half's first key up; an internal node moves its middle
    /// key up.
    fn split(&mut self, id: NodeId) -> (K, NodeId) {
        let node = &mut self.nodes[id];
        let mid = node.keys.len() / 2;
        match &mut node.kind {
            Kind::Leaf { next } => {
                let mid = node.keys.len().div_ceil(2);
                // Room for a full page and the one key that overfills it: no page grows
                // its arrays again after it is made.
                let mut keys = Vec::with_capacity(self.max_keys + 1);
                keys.extend(node.keys.drain(mid..));
                let mut vals = Vec::with_capacity(self.max_keys + 1);
                vals.extend(node.vals.drain(mid..));
                let old_next = *next;
                let separator = keys[0].clone();
                let right = self.alloc(Node { keys, vals, kind: Kind::Leaf { next: old_next } });
                if let Kind::Leaf { next } = &mut self.nodes[id].kind {
                    *next = Some(right);
                }
                (separator, right)
            }
            Kind::Internal { children } => {
                let mut right_children = Vec::with_capacity(self.max_keys + 2);
                right_children.extend(children.drain(mid + 1..));
                let mut right_keys = Vec::with_capacity(self.max_keys + 1);
                let mut moved = node.keys.drain(mid..);
                let separator = moved.next().expect("an overfull page has a middle key");
                right_keys.extend(moved);
                let right = self.alloc(Node { keys: right_keys, vals: Vec::new(), kind: Kind::Internal { children: right_children } });
                (separator, right)
            }
        }
    }

    fn alloc(&mut self, node: Node<K, V>) -> NodeId {
        match self.free.pop() {
            Some(id) => {
                self.nodes[id] = node;
                id
            }
            None => {
                self.nodes.push(node);
                self.nodes.len() - 1
            }
        }
    }

    pub fn remove(&mut self, key: &K) -> Option<V> {
        self.remove_traced(key, &mut NoTrace)
    }

    /// Removes `key`, rebalancing by borrowing from a sibling or merging with one.
    pub fn remove_traced<T: Tracer<K, V>>(&mut self, key: &K, t: &mut T) -> Option<V> {
        let (leaf, mut path) = self.descend(key, t);
        let slot = match self.search_node(leaf, key, t) {
            Ok(slot) => slot,
            Err(slot) => {
                t.event(self, Event::NotFound { node: leaf, slot });
                return None;
            }
        };
        self.nodes[leaf].keys.remove(slot);
        let val = self.nodes[leaf].vals.remove(slot);
        self.len -= 1;
        t.event(self, Event::Remove { node: leaf, slot });

        let mut node = leaf;
        while let Some((parent, child)) = path.pop() {
            if self.nodes[node].keys.len() >= self.min_keys() {
                break;
            }
            self.rebalance(parent, child, t);
            node = parent;
        }
        // A root with a single child hands the root role down.
        if let Kind::Internal { children } = &self.nodes[self.root].kind {
            if self.nodes[self.root].keys.is_empty() {
                let only = children[0];
                self.free.push(self.root);
                self.root = only;
                t.event(self, Event::RootCollapse { root: only });
            }
        }
        Some(val)
    }

    /// Child `child` of `parent` is short of keys: borrow from a sibling that can spare one,
    /// or else merge with a sibling.
    fn rebalance<T: Tracer<K, V>>(&mut self, parent: NodeId, child: usize, t: &mut T) {
        let siblings = self.nodes[parent].children().to_vec();
        let id = siblings[child];
        let min = self.min_keys();
        let left = child.checked_sub(1).map(|i| siblings[i]);
        let right = siblings.get(child + 1).copied();

        if let Some(l) = left.filter(|&l| self.nodes[l].keys.len() > min) {
            self.borrow_from_left(parent, child, l, id);
            t.event(self, Event::Borrow { node: id, from: l });
        } else if let Some(r) = right.filter(|&r| self.nodes[r].keys.len() > min) {
            self.borrow_from_right(parent, child, id, r);
            t.event(self, Event::Borrow { node: id, from: r });
        } else if let Some(l) = left {
            self.merge(parent, child - 1, l, id);
            t.event(self, Event::Merge { left: l, right: id, short: id });
        } else if let Some(r) = right {
            self.merge(parent, child, id, r);
            t.event(self, Event::Merge { left: id, right: r, short: id });
        }
    }

    fn borrow_from_left(&mut self, parent: NodeId, child: usize, l: NodeId, id: NodeId) {
        if self.nodes[id].is_leaf() {
            let k = self.nodes[l].keys.pop().expect("sibling has keys to spare");
            let v = self.nodes[l].vals.pop().expect("one value per key");
            self.nodes[id].keys.insert(0, k.clone());
            self.nodes[id].vals.insert(0, v);
            self.nodes[parent].keys[child - 1] = k;
        } else {
            let k = self.nodes[l].keys.pop().expect("sibling has keys to spare");
            let c = match &mut self.nodes[l].kind {
                Kind::Internal { children } => children.pop().expect("internal node has children"),
                Kind::Leaf { .. } => unreachable!("siblings share a level"),
            };
            let down = std::mem::replace(&mut self.nodes[parent].keys[child - 1], k);
            self.nodes[id].keys.insert(0, down);
            if let Kind::Internal { children } = &mut self.nodes[id].kind {
                children.insert(0, c);
            }
        }
    }

    fn borrow_from_right(&mut self, parent: NodeId, child: usize, id: NodeId, r: NodeId) {
        if self.nodes[id].is_leaf() {
            let k = self.nodes[r].keys.remove(0);
            let v = self.nodes[r].vals.remove(0);
            self.nodes[id].keys.push(k);
            self.nodes[id].vals.push(v);
            self.nodes[parent].keys[child] = self.nodes[r].keys[0].clone();
        } else {
            let k = self.nodes[r].keys.remove(0);
            let c = match &mut self.nodes[r].kind {
                Kind::Internal { children } => children.remove(0),
                Kind::Leaf { .. } => unreachable!("siblings share a level"),
            };
            let down = std::mem::replace(&mut self.nodes[parent].keys[child], k);
            self.nodes[id].keys.push(down);
            if let Kind::Internal { children } = &mut self.nodes[id].kind {
                children.push(c);
            }
        }
    }

    /// Merges `r` (child `sep + 1` of `parent`) into `l` (child `sep`).
    fn merge(&mut self, parent: NodeId, sep: usize, l: NodeId, r: NodeId) {
        let separator = self.nodes[parent].keys.remove(sep);
        if let Kind::Internal { children } = &mut self.nodes[parent].kind {
            children.remove(sep + 1);
        }
        let right = std::mem::replace(&mut self.nodes[r], Node { keys: Vec::new(), vals: Vec::new(), kind: Kind::Leaf { next: None } });
        self.free.push(r);
        let left = &mut self.nodes[l];
        match (&mut left.kind, right.kind) {
            (Kind::Leaf { next }, Kind::Leaf { next: right_next }) => {
                *next = right_next;
                left.keys.extend(right.keys);
                left.vals.extend(right.vals);
            }
            (Kind::Internal { children }, Kind::Internal { children: right_children }) => {
                left.keys.push(separator);
                left.keys.extend(right.keys);
                children.extend(right_children);
            }
            _ => unreachable!("siblings share a level"),
        }
    }

    /// Pages an insert of `key` would write, without changing anything: the leaf it lands
    /// in, each page a split creates, each parent that takes a separator, and a new root if
    /// the root splits. A key already present writes nothing.
    pub fn insert_cost(&self, key: &K) -> usize {
        let (leaf, path) = self.descend(key, &mut NoTrace);
        if self.search_node(leaf, key, &mut NoTrace).is_ok() {
            return 0;
        }
        let mut pages = 1;
        let mut full = self.nodes[leaf].keys.len() == self.max_keys;
        for &(parent, _) in path.as_slice().iter().rev() {
            if !full {
                return pages;
            }
            // The full node splits (one new page) and its parent takes a separator.
            pages += 2;
            full = self.nodes[parent].keys.len() == self.max_keys;
        }
        if full {
            // The root itself splits: a new sibling and a new root.
            pages += 2;
        }
        pages
    }

    /// Entries with `from <= key <= to`, in order, following leaf links.
    pub fn range(&self, from: &K, to: &K) -> Vec<(K, V)> {
        self.range_iter(from, to).map(|(k, v)| (k.clone(), v.clone())).collect()
    }

    /// The same entries borrowed, one page after another, with nothing copied or collected.
    pub fn range_iter<'a>(&'a self, from: &K, to: &'a K) -> RangeIter<'a, K, V> {
        let leaf = self.walk(from, &mut NoTrace, None);
        let slot = match self.search_node(leaf, from, &mut NoTrace) {
            Ok(s) | Err(s) => s,
        };
        RangeIter { tree: self, leaf: Some(leaf), slot, to }
    }

    pub fn range_traced<T: Tracer<K, V>>(&self, from: &K, to: &K, t: &mut T) -> Vec<(K, V)> {
        let mut out = Vec::new();
        let mut leaf = self.walk(from, t, None);
        let mut slot = match self.search_node(leaf, from, t) {
            Ok(s) | Err(s) => s,
        };
        loop {
            let n = &self.nodes[leaf];
            while slot < n.keys.len() {
                if &n.keys[slot] > to {
                    return out;
                }
                out.push((n.keys[slot].clone(), n.vals[slot].clone()));
                slot += 1;
            }
            match n.kind {
                Kind::Leaf { next: Some(next) } => {
                    t.event(self, Event::FollowLink { from: leaf, to: next });
                    t.event(self, Event::Visit { node: next });
                    leaf = next;
                    slot = 0;
                }
                _ => return out,
            }
        }
    }

    /// The leftmost leaf, where a full walk of the leaf chain starts.
    pub fn first_leaf(&self) -> NodeId {
        let mut n = self.root;
        while let Kind::Internal { children } = &self.nodes[n].kind {
            n = children[0];
        }
        n
    }

    /// Every entry in key order, by walking the leaf chain.
    pub fn entries(&self) -> Vec<(K, V)> {
        let mut out = Vec::with_capacity(self.len);
        let mut leaf = Some(self.first_leaf());
        while let Some(id) = leaf {
            let n = &self.nodes[id];
            out.extend(n.keys.iter().cloned().zip(n.vals.iter().cloned()));
            leaf = match n.kind {
                Kind::Leaf { next } => next,
                Kind::Internal { .. } => None,
            };
        }
        out
    }

    /// Checks every structural rule of a B+tree, naming the first one broken.
    pub fn check(&self) -> Result<(), String> {
        let mut leaf_depth = None;
        let mut leaves = Vec::new();
        self.check_node(self.root, None, None, 1, &mut leaf_depth, &mut leaves)?;
        // The leaf chain visits exactly the leaves, left to right.
        let mut chain = Vec::new();
        let mut leaf = Some(self.first_leaf());
        while let Some(id) = leaf {
            if chain.len() > leaves.len() {
                return Err("the leaf chain has a cycle".into());
            }
            chain.push(id);
            leaf = match self.nodes[id].kind {
                Kind::Leaf { next } => next,
                Kind::Internal { .. } => return Err(format!("leaf chain reaches internal node {id}")),
            };
        }
        if chain != leaves {
            return Err(format!("leaf chain {chain:?} differs from the leaves in order {leaves:?}"));
        }
        let count: usize = leaves.iter().map(|&l| self.nodes[l].keys.len()).sum();
        if count != self.len {
            return Err(format!("len is {} but the leaves hold {count}", self.len));
        }
        Ok(())
    }

    fn check_node(
        &self,
        id: NodeId,
        lower: Option<&K>,
        upper: Option<&K>,
        depth: usize,
        leaf_depth: &mut Option<usize>,
        leaves: &mut Vec<NodeId>,
    ) -> Result<(), String> {
        let n = &self.nodes[id];
        let is_root = id == self.root;
        if n.keys.len() > self.max_keys {
            return Err(format!("node {id} holds {} keys, over the maximum {}", n.keys.len(), self.max_keys));
        }
        if !is_root && n.keys.len() < self.min_keys() {
            return Err(format!("node {id} holds {} keys, under the minimum {}", n.keys.len(), self.min_keys()));
        }
        if n.keys.windows(2).any(|w| w[0] >= w[1]) {
            return Err(format!("node {id} keys are not strictly sorted"));
        }
        if let Some(lo) = lower {
            if n.keys.first().is_some_and(|k| k < lo) {
                return Err(format!("node {id} has a key below its separator"));
            }
        }
        if let Some(hi) = upper {
            if n.keys.last().is_some_and(|k| k >= hi) {
                return Err(format!("node {id} has a key at or above its separator"));
            }
        }
        match &n.kind {
            Kind::Leaf { .. } => {
                if n.vals.len() != n.keys.len() {
                    return Err(format!("leaf {id} has {} values for {} keys", n.vals.len(), n.keys.len()));
                }
                match leaf_depth {
                    Some(d) if *d != depth => return Err(format!("leaf {id} is at depth {depth}, others at {d}")),
                    _ => *leaf_depth = Some(depth),
                }
                leaves.push(id);
            }
            Kind::Internal { children } => {
                if children.len() != n.keys.len() + 1 {
                    return Err(format!("internal node {id} has {} children for {} keys", children.len(), n.keys.len()));
                }
                if is_root && n.keys.is_empty() {
                    return Err("an internal root must hold at least one key".into());
                }
                for (i, &c) in children.iter().enumerate() {
                    let lo = if i == 0 { lower } else { Some(&n.keys[i - 1]) };
                    let hi = if i == n.keys.len() { upper } else { Some(&n.keys[i]) };
                    self.check_node(c, lo, hi, depth + 1, leaf_depth, leaves)?;
                }
            }
        }
        Ok(())
    }
}

/// See [`BPlusTree::range_iter`].
pub struct RangeIter<'a, K, V> {
    tree: &'a BPlusTree<K, V>,
    leaf: Option<NodeId>,
    slot: usize,
    to: &'a K,
}

impl<'a, K: Ord, V> Iterator for RangeIter<'a, K, V> {
    type Item = (&'a K, &'a V);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let n = &self.tree.nodes[self.leaf?];
            if let (Some(k), Some(v)) = (n.keys.get(self.slot), n.vals.get(self.slot)) {
                if k > self.to {
                    self.leaf = None;
                    return None;
                }
                self.slot += 1;
                return Some((k, v));
            }
            self.leaf = match n.kind {
                Kind::Leaf { next } => next,
                Kind::Internal { .. } => None,
            };
            self.slot = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::rng::SplitMix64 as Rng;
    use std::collections::BTreeMap;

    /// Random inserts, removes, lookups and range scans against std's BTreeMap, checking every
    /// invariant after every operation: at least 100,000 operations over orders 3 to 16.
    #[test]
    fn agrees_with_btreemap_and_keeps_every_invariant() {
        let mut total = 0;
        for order in MIN_ORDER..=16 {
            let mut rng = Rng(order as u64 * 7919);
            let mut tree = BPlusTree::new(order);
            let mut oracle = BTreeMap::new();
            // Key space and phase lengths vary so trees grow tall, then shrink to nothing.
            let space = [40u64, 400, 3000][order % 3];
            for i in 0..7_200 {
                let grow = (i / 1200) % 2 == 0;
                let key = rng.below(space) as i64;
                match rng.below(10) {
                    0..=4 if grow => {
                        let expect = if oracle.contains_key(&key) { Err(InsertError::Duplicate) } else { Ok(()) };
                        assert_eq!(tree.insert(key, key * 3), expect, "order {order} op {i}");
                        oracle.entry(key).or_insert(key * 3);
                    }
                    0..=6 => assert_eq!(tree.remove(&key), oracle.remove(&key), "order {order} op {i}"),
                    7 | 8 => assert_eq!(tree.get(&key), oracle.get(&key), "order {order} op {i}"),
                    _ => {
                        let to = key + rng.below(60) as i64;
                        let want: Vec<(i64, i64)> = oracle.range(key..=to).map(|(k, v)| (*k, *v)).collect();
                        assert_eq!(tree.range(&key, &to), want, "order {order} op {i}");
                    }
                }
                if let Err(e) = tree.check() {
                    panic!("order {order} after op {i}: {e}");
                }
                assert_eq!(tree.len(), oracle.len());
                total += 1;
            }
            assert_eq!(tree.entries(), oracle.into_iter().collect::<Vec<_>>());
        }
        assert!(total >= 100_000, "{total} operations");
    }

    #[test]
    fn draining_a_tall_tree_collapses_to_an_empty_leaf() {
        let mut tree = BPlusTree::new(3);
        for k in 0..500 {
            tree.insert(k, ()).unwrap();
        }
        assert!(tree.height() >= 5);
        let mut collapses = 0;
        for k in (0..500).rev() {
            let mut events = Recorder::default();
            tree.remove_traced(&k, &mut events).unwrap();
            collapses += events.0.iter().filter(|e| matches!(e, Event::RootCollapse { .. })).count();
            tree.check().unwrap();
        }
        assert!(collapses >= 4);
        assert_eq!((tree.height(), tree.len(), tree.node_count()), (1, 0, 1));
    }

    #[derive(Default)]
    struct Recorder(Vec<Event<i64>>);
    impl<V> Tracer<i64, V> for Recorder {
        fn event(&mut self, _: &BPlusTree<i64, V>, e: Event<i64>) {
            self.0.push(e);
        }
    }

    #[test]
    fn a_leaf_split_copies_its_separator_up_and_grows_a_root() {
        let mut tree = BPlusTree::new(3);
        for k in [10, 20, 30] {
            tree.insert(k, ()).unwrap();
        }
        let mut r = Recorder::default();
        tree.insert_traced(40, (), &mut r).unwrap();
        assert!(r.0.contains(&Event::SplitLeaf { left: 0, right: 1, separator: 30 }), "{:?}", r.0);
        assert!(matches!(r.0.last(), Some(Event::NewRoot { .. })));
        let root = tree.node(tree.root());
        assert_eq!(root.keys, vec![30]);
        assert_eq!(tree.node(root.children()[1]).keys, vec![30, 40], "the separator is copied, not moved");
    }

    #[test]
    fn an_internal_split_moves_its_separator_up() {
        let mut tree = BPlusTree::new(3);
        let mut r = Recorder::default();
        for k in 1..=12 {
            tree.insert_traced(k * 10, (), &mut r).unwrap();
        }
        let sep = r.0.iter().find_map(|e| match e {
            Event::SplitInternal { separator, .. } => Some(*separator),
            _ => None,
        });
        let sep = sep.expect("twelve ascending keys at order 3 split an internal node");
        let root = tree.node(tree.root());
        assert_eq!(root.keys, vec![sep]);
        for &c in root.children() {
            assert!(!tree.node(c).keys.contains(&sep), "a moved separator is not repeated in the level below");
        }
    }

    #[test]
    fn lookups_count_comparisons_and_pages_logarithmically() {
        let mut tree = BPlusTree::new(16);
        for k in 0..100_000i64 {
            tree.insert(k * 2, ()).unwrap();
        }
        let mut c = Counter::default();
        assert!(tree.get_traced(&77_778, &mut c).is_some());
        assert_eq!(c.visits as usize, tree.height());
        assert!(c.comparisons <= 5 * tree.height() as u64, "{c:?}");
        assert!(tree.height() <= 6);
    }

    #[test]
    fn duplicates_are_refused_without_changing_the_tree() {
        let mut tree = BPlusTree::new(4);
        tree.insert("ada@example.com".to_string(), 1).unwrap();
        let before = tree.clone();
        assert_eq!(tree.insert("ada@example.com".to_string(), 2), Err(InsertError::Duplicate));
        assert_eq!(tree, before);
    }

    #[test]
    fn range_scans_follow_leaf_links() {
        let mut tree = BPlusTree::new(4);
        for k in 0..100 {
            tree.insert(k, k).unwrap();
        }
        let mut r = Recorder::default();
        let got = tree.range_traced(&10, &40, &mut r);
        assert_eq!(got.len(), 31);
        assert!(r.0.iter().filter(|e| matches!(e, Event::FollowLink { .. })).count() >= 5);
    }

    #[test]
    fn insert_cost_predicts_the_pages_a_real_insert_writes() {
        for order in 3..=8 {
            let mut tree = BPlusTree::new(order);
            let mut rng = Rng(order as u64);
            for _ in 0..400 {
                let k = rng.below(2000) as i64;
                let predicted = tree.insert_cost(&k);
                let mut copy = tree.clone();
                let mut r = Recorder::default();
                let ok = copy.insert_traced(k, (), &mut r).is_ok();
                let splits = r.0.iter().filter(|e| matches!(e, Event::SplitLeaf { .. } | Event::SplitInternal { .. })).count();
                let new_root = r.0.iter().any(|e| matches!(e, Event::NewRoot { .. }));
                // The leaf, plus per split a new page and a parent write, where a root split's
                // "parent" is the new root.
                let expected = if ok { 1 + 2 * splits } else { 0 };
                assert_eq!(predicted, expected, "order {order} key {k} splits {splits} new root {new_root}");
                let _ = tree.insert(k, ());
            }
        }
    }

    #[test]
    fn order_is_clamped() {
        assert_eq!(BPlusTree::<i32, ()>::new(1).max_keys(), 3);
        assert_eq!(BPlusTree::<i32, ()>::new(1000).max_keys(), 64);
    }
}
