//! The bundle for pages that show `retry-backoff` and `btree-index`: one copy of the shared runtime for all of them.
//! Generated from the widget registry by tests/bundles.rs (`make bundles`); do not edit.
#[cfg(target_arch = "wasm32")]
fn main() {
    techbasics::ui::mount::start::<techbasics::kit::widgets::retry_backoff::RetryBackoff>();
    techbasics::ui::mount::start::<techbasics::kit::widgets::btree_index::BTreeIndex>();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {}
