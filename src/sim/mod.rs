//! Pure engines. No web-sys, no leptos, no clock, no global randomness: inputs and a seed go
//! in, states and narration come out. Every engine is tested natively with `cargo test`.
pub mod btree;
pub mod btree_walk;
pub mod json;
pub mod retry;
pub mod rng;
pub mod scan_vs_index;
pub mod timeline;

/// "s" for any count but one, for narration.
pub(crate) fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
