//! Index lookup against a full table scan, on a generated users table of any size from 10
//! to 1,000,000 rows. The index is a real [`BPlusTree`] keyed by email, built in resumable
//! chunks so a browser can draw a progress bar between them.

use std::sync::Arc;

use super::btree::{BPlusTree, Counter};

/// Table sizes the reader can pick.
pub const SIZES: &[usize] = &[10, 100, 1_000, 10_000, 100_000, 1_000_000];
/// Rows in one table page: an illustration (a real page holds what fits in 8 or 16 KB).
pub const ROWS_PER_PAGE: usize = 50;
/// Keys per index page in this panel.
pub const INDEX_ORDER: usize = 64;

const NAMES: &[&str] = &[
    "ada", "alan", "barbara", "claude", "dennis", "edsger", "frances", "grace", "hedy", "john", "ken", "leslie",
    "linus", "margaret", "niklaus", "radia", "shafi", "sophie", "tim", "vint",
];

/// The email of row `row` in the table generated from `seed`. Unique per row, and in no
/// particular order, so inserting rows in row order fills the index in random key order.
pub fn email_for(row: u32, seed: u64) -> String {
    let z = super::rng::mix((row as u64).wrapping_add(seed.wrapping_mul(0x9E3779B97F4A7C15)));
    format!("{}.{}@example.com", NAMES[(z % NAMES.len() as u64) as usize], row)
}

/// The counts for one way of finding a row.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Probe {
    pub found: Option<u32>,
    pub rows_examined: u64,
    pub comparisons: u64,
    pub pages: u64,
}

/// A users table and its email index, built a chunk at a time.
pub struct Table {
    seed: u64,
    size: usize,
    emails: Vec<Arc<str>>,
    index: BPlusTree<Arc<str>, u32>,
}

impl Table {
    pub fn new(size: usize, seed: u64) -> Self {
        let size = size.clamp(1, *SIZES.last().unwrap_or(&1));
        Table { seed, size, emails: Vec::with_capacity(size), index: BPlusTree::new(INDEX_ORDER) }
    }

    pub fn size(&self) -> usize {
        self.size
    }

    pub fn built(&self) -> usize {
        self.emails.len()
    }

    pub fn is_built(&self) -> bool {
        self.emails.len() == self.size
    }

    pub fn index(&self) -> &BPlusTree<Arc<str>, u32> {
        &self.index
    }

    /// Adds up to `rows` more rows (and their index entries). Returns true when done.
    pub fn build_some(&mut self, rows: usize) -> bool {
        let end = (self.emails.len() + rows).min(self.size);
        for row in self.emails.len()..end {
            let email: Arc<str> = email_for(row as u32, self.seed).into();
            // Emails are unique by construction, so the unique index accepts every one.
            let _ = self.index.insert(email.clone(), row as u32);
            self.emails.push(email);
        }
        self.is_built()
    }

    /// Reads every row in order, as `WHERE email = …` without an index must: a match part-way
    /// does not end it, since without a unique index nothing says a later row cannot match too.
    pub fn full_scan(&self, email: &str) -> Probe {
        let mut p = Probe::default();
        while !self.scan_some(email, &mut p, usize::MAX) {}
        p
    }

    /// Continues a scan for `rows` more rows, so a browser can run it in slices. `p` carries
    /// the scan's position and counts between calls. Returns true when the scan is over.
    pub fn scan_some(&self, email: &str, p: &mut Probe, rows: usize) -> bool {
        let from = p.rows_examined as usize;
        let to = from.saturating_add(rows).min(self.emails.len());
        for (row, e) in self.emails[from..to].iter().enumerate() {
            p.rows_examined += 1;
            p.comparisons += 1;
            if p.found.is_none() && &**e == email {
                p.found = Some((from + row) as u32);
            }
        }
        p.pages = p.rows_examined.div_ceil(ROWS_PER_PAGE as u64);
        p.rows_examined as usize == self.emails.len()
    }

    /// Walks the index from the root to a leaf, then reads the one row it points to.
    pub fn index_lookup(&self, email: &str) -> Probe {
        let mut c = Counter::default();
        let key: Arc<str> = email.into();
        let found = self.index.get_traced(&key, &mut c).copied();
        Probe {
            found,
            rows_examined: u64::from(found.is_some()),
            comparisons: c.comparisons,
            pages: c.visits + u64::from(found.is_some()),
        }
    }

    /// Pages an insert of one new row writes in the email index: its leaf, and any pages a
    /// split creates or updates. Computed without changing the index.
    pub fn index_write_pages(&self) -> u64 {
        self.index.insert_cost(&email_for(self.size as u32, self.seed).into()) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_unique_and_repeat_per_seed() {
        let mut seen: Vec<String> = (0..5000).map(|r| email_for(r, 3)).collect();
        assert_eq!(email_for(42, 3), seen[42]);
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), 5000);
    }

    #[test]
    fn chunked_building_gives_the_same_index_as_one_go() {
        let mut a = Table::new(3000, 9);
        while !a.build_some(77) {}
        let mut b = Table::new(3000, 9);
        b.build_some(usize::MAX);
        assert_eq!(a.index().entries(), b.index().entries());
        a.index().check().unwrap();
        assert_eq!(a.index().len(), 3000);
    }

    #[test]
    fn scan_examines_every_row_and_the_index_reads_one_path() {
        let mut t = Table::new(10_000, 1);
        t.build_some(usize::MAX);
        // A match in the first row still reads the whole table: nothing says it is the only one.
        let first = t.full_scan(&email_for(0, 1));
        assert_eq!((first.found, first.rows_examined, first.pages), (Some(0), 10_000, 200));
        let target = email_for(9_999, 1);
        let scan = t.full_scan(&target);
        let idx = t.index_lookup(&target);
        assert_eq!(scan.found, Some(9_999));
        assert_eq!(idx.found, Some(9_999));
        assert_eq!(scan.rows_examined, 10_000);
        assert_eq!(scan.pages, 200);
        assert_eq!(idx.pages, t.index().height() as u64 + 1, "one page per level, then the row");
        assert!(idx.comparisons <= 7 * t.index().height() as u64);
        let miss = t.full_scan("nobody@example.com");
        assert_eq!((miss.found, miss.rows_examined), (None, 10_000));
        assert_eq!(t.index_lookup("nobody@example.com").found, None);
    }

    #[test]
    fn comparisons_grow_linearly_for_scans_and_logarithmically_for_the_index() {
        let mut last = (0, 0);
        for &n in &SIZES[..5] {
            let mut t = Table::new(n, 5);
            t.build_some(usize::MAX);
            let target = email_for(n as u32 - 1, 5);
            let (s, i) = (t.full_scan(&target).comparisons, t.index_lookup(&target).comparisons);
            assert_eq!(s, n as u64);
            if last.0 > 0 {
                assert_eq!(s, last.0 * 10);
                assert!(i <= last.1 + 8, "index comparisons grow by a few per tenfold: {} then {i}", last.1);
            }
            last = (s, i);
        }
    }

    #[test]
    fn a_scan_in_slices_counts_exactly_what_one_scan_does() {
        let mut t = Table::new(5000, 4);
        t.build_some(usize::MAX);
        for row in [0u32, 1, 2499, 4999] {
            let email = email_for(row, 4);
            let mut p = Probe::default();
            while !t.scan_some(&email, &mut p, 333) {}
            assert_eq!(p, t.full_scan(&email));
            assert_eq!(p.found, Some(row));
        }
        let mut p = Probe::default();
        while !t.scan_some("x", &mut p, 1000) {}
        assert_eq!((p.found, p.rows_examined), (None, 5000));
    }

    #[test]
    fn an_insert_writes_its_leaf_and_any_split_pages() {
        let mut t = Table::new(50_000, 2);
        t.build_some(usize::MAX);
        let w = t.index_write_pages();
        assert!(w >= 1 && w <= 2 * t.index().height() as u64 + 1, "{w}");
        assert_eq!(t.index().len(), 50_000, "measured on a copy");
    }
}
