//! Pure engines. No web-sys, no leptos, no clock, no global randomness: inputs and a seed go
//! in, states and narration come out. Every engine is tested natively with `cargo test`.
pub mod browser;
pub mod btree;
pub mod btree_walk;
pub mod des;
pub mod dns;
pub mod http;
pub mod json;
pub mod lb;
pub mod queue;
pub mod replication;
pub mod retry;
pub mod rng;
pub mod scan_vs_index;
pub mod shard;
pub mod text;
pub mod timeline;
pub mod txn;

/// "s" for any count but one, for narration.
pub(crate) fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// A whole number with thousands separators: 1234567 → "1,234,567".
pub fn group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn groups_thousands() {
        assert_eq!(super::group(0), "0");
        assert_eq!(super::group(999), "999");
        assert_eq!(super::group(1_000), "1,000");
        assert_eq!(super::group(1_234_567), "1,234,567");
    }
}
