//! `make bench`: native engine benchmarks, each measured against a reference in the same
//! run, printed as a table. A benchmark, not a test: it reports, it does not assert.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use techbasics::sim::btree::BPlusTree;
use techbasics::sim::json;
use techbasics::sim::retry::{self, Config, Strategy};
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
    // `cargo bench --bench engines -- retry` runs only the sections whose name contains "retry".
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let wants = |name: &str| filter.as_deref().is_none_or(|f| name.contains(f));
    if wants("btree json") {
        engines();
    }
    if wants("retry") {
        retry_tables();
    }
    if wants("http") {
        http();
    }
}

/// The shop server's request reader against httparse on the same bytes, and a whole
/// 12,000-character session answered (the playground's largest), against reading it alone.
fn http() {
    use techbasics::sim::http::{self, wire};
    println!("| {:<40} | {:>10} | {:>24} | {:>6} |", "benchmark", "ours", "reference", "ratio");
    println!("|{}|{}|{}|{}|", "-".repeat(42), "-".repeat(12), "-".repeat(26), "-".repeat(8));
    let heads: Vec<Vec<u8>> = http::PRESETS
        .iter()
        .flat_map(|p| http::run(http::preset(p)).exchanges)
        .filter_map(|x| match x.kind {
            http::Kind::Request { sent, read: Ok(_), .. } => Some(sent),
            _ => None,
        })
        .collect();
    let reps = 2_000;
    let ours = best(5, || {
        let mut n = 0;
        for _ in 0..reps {
            for h in &heads {
                n += wire::parse_request(h).map(|r| r.1).unwrap_or(0);
            }
        }
        n
    });
    let theirs = best(5, || {
        let mut n = 0;
        for _ in 0..reps {
            for h in &heads {
                let mut fields = [httparse::EMPTY_HEADER; 32];
                let mut r = httparse::Request::new(&mut fields);
                if let Ok(httparse::Status::Complete(k)) = r.parse(h) {
                    n += k;
                }
            }
        }
        n
    });
    row(&format!("read {} requests × {reps}", heads.len()), ours, theirs, "httparse");
    let one = http::preset("errors");
    let mut text = one.to_string();
    while text.len() + one.len() + 5 < http::MAX_CHARS {
        text.push_str("\n###\n");
        text.push_str(one);
    }
    let session = best(5, || http::run(&text).frames.len());
    let read_only = best(5, || text.split("\n###").map(|b| wire::parse_request(&http::to_wire(&b.lines().collect::<Vec<_>>()).0).is_ok()).count());
    row("answer a 12,000-character session", session, read_only, "reading it alone");
}

fn engines() {
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

    // 1,000 range scans of 1,000 keys each, from keys spread over the tree.
    let mut sorted = ks.clone();
    sorted.sort_unstable();
    let starts: Vec<(u64, u64)> = (0..1_000).map(|i| (sorted[i * 997], sorted[i * 997 + 999])).collect();
    let ours = best(3, || starts.iter().map(|(a, b)| tree.range_iter(a, b).fold(0u64, |s, (k, _)| s.wrapping_add(*k))).fold(0u64, u64::wrapping_add));
    let reference = best(3, || starts.iter().map(|(a, b)| map.range(a..=b).fold(0u64, |s, (k, _)| s.wrapping_add(*k))).fold(0u64, u64::wrapping_add));
    row("1,000 range scans of 1,000 keys, order 16", ours, reference, "BTreeMap");

    let doc = {
        let items: Vec<String> = ks[..20_000].iter().map(|k| format!("{{\"id\":{k},\"name\":\"item {k}\",\"ok\":true}}")).collect();
        format!("[{}]", items.join(","))
    };
    let ours = best(5, || json::parse(&doc).tokens.len());
    let reference = best(5, || serde_json::from_str::<serde_json::Value>(&doc).map(|v| v.is_array()));
    row(&format!("read {} KB of JSON, recording tokens", doc.len() / 1024), ours, reference, "serde_json");
}

/// Every retry strategy on the same scenario and seed, as the summary table the widget shows,
/// plus how long the simulation took natively.
fn retry_table(title: &str, base: &Config) {
    println!("\n{title}\n");
    println!(
        "| {:<20} | {:>7} | {:>9} | {:>7} | {:>7} | {:>9} | {:>9} | {:>8} |",
        "strategy", "calls", "succeeded", "gave up", "wasted", "peak /s", "finish", "sim time"
    );
    println!("|{}|{}|{}|{}|{}|{}|{}|{}|", "-".repeat(22), "-".repeat(9), "-".repeat(11), "-".repeat(9), "-".repeat(9), "-".repeat(11), "-".repeat(11), "-".repeat(10));
    for strategy in Strategy::ALL {
        let cfg = Config { strategy, ..base.clone() };
        let t = Instant::now();
        let run = retry::simulate(&cfg);
        let took = t.elapsed();
        let s = run.summary();
        println!(
            "| {:<20} | {:>7} | {:>9} | {:>7} | {:>7} | {:>9} | {:>9} | {:>5.1} ms |",
            strategy.label(),
            s.calls,
            s.succeeded,
            s.gave_up + s.not_retryable,
            s.wasted,
            s.peak_per_s,
            retry::fmt_time(s.finish_us),
            took.as_secs_f64() * 1e3
        );
    }
}

fn retry_tables() {
    let d = Config::default();
    retry_table(
        &format!(
            "Retry strategies, default scenario: {} clients over {} ms, capacity {}/s, outage {}-{} ms, {} attempts, base {} ms, cap {} ms, seed {}",
            d.clients, d.spread_ms, d.capacity, d.outage_from_ms, d.outage_to_ms, d.max_attempts, d.base_ms, d.cap_ms, d.seed
        ),
        &d,
    );
    retry_table("Contention, no outage: 1,000 clients in 100 ms against 200/s, 20 attempts, cap 20 s", &Config { clients: 1_000, spread_ms: 100, outage_to_ms: 0, max_attempts: 20, cap_ms: 20_000, ..d.clone() });
    retry_table("10,000 clients, the default outage, capacity 2,000/s", &Config { clients: 10_000, capacity: 2_000, ..d.clone() });
}
