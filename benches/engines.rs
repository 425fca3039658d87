//! `make bench`: native engine benchmarks, each measured against a reference in the same
//! run, printed as a table. A benchmark, not a test: it reports, it does not assert.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use techbasics::sim::btree::BPlusTree;
use techbasics::sim::json;
use techbasics::sim::rng::SplitMix64;

/// The same keys on every run.
fn keys(n: usize, seed: u64) -> Vec<u64> {
    let mut rng = SplitMix64(seed);
    (0..n).map(|_| rng.next_u64()).collect()
}

/// The best of `runs` timings of `f`.
fn best<R>(runs: usize, mut f: impl FnMut() -> R) -> Duration {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            black_box(f());
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn row(name: &str, ours: Duration, reference: Duration, reference_name: &str) {
    let ours_ms = format!("{:.1} ms", ours.as_secs_f64() * 1e3);
    let reference_ms = format!("{:.1} ms ({reference_name})", reference.as_secs_f64() * 1e3);
    let ratio = format!("{:.2}×", ours.as_secs_f64() / reference.as_secs_f64());
    println!("| {name:<40} | {ours_ms:>10} | {reference_ms:>24} | {ratio:>6} |");
}

fn main() {
    println!("| {:<40} | {:>10} | {:>24} | {:>6} |", "benchmark", "ours", "reference", "ratio");
    println!("|{}|{}|{}|{}|", "-".repeat(42), "-".repeat(12), "-".repeat(26), "-".repeat(8));
    let ks = keys(1_000_000, 42);

    let std_insert = best(3, || {
        let mut m = BTreeMap::new();
        for &k in &ks {
            m.insert(k, ());
        }
        m.len()
    });
    for order in [8, 16, 32] {
        let ours = best(3, || {
            let mut t = BPlusTree::new(order);
            for &k in &ks {
                let _ = t.insert(k, ());
            }
            t.len()
        });
        row(&format!("insert 1,000,000 random keys, order {order}"), ours, std_insert, "BTreeMap");
    }

    let mut tree = BPlusTree::new(16);
    let mut map = BTreeMap::new();
    for &k in &ks {
        let _ = tree.insert(k, ());
        map.insert(k, ());
    }
    let probes = &ks[..200_000];
    let ours = best(3, || probes.iter().filter(|k| tree.get(k).is_some()).count());
    let reference = best(3, || probes.iter().filter(|k| map.get(k).is_some()).count());
    row("200,000 point lookups, order 16", ours, reference, "BTreeMap");

    let doc = {
        let items: Vec<String> = ks[..20_000].iter().map(|k| format!("{{\"id\":{k},\"name\":\"item {k}\",\"ok\":true}}")).collect();
        format!("[{}]", items.join(","))
    };
    let ours = best(5, || json::parse(&doc).tokens.len());
    let reference = best(5, || serde_json::from_str::<serde_json::Value>(&doc).map(|v| v.is_array()));
    row(&format!("read {} KB of JSON, recording tokens", doc.len() / 1024), ours, reference, "serde_json");
}
