//! The bundle for pages that show `retry-backoff` and `btree-index`: one copy of the shared runtime for all of them.
//! Generated from the widget registry by tests/bundles.rs (`make bundles`); do not edit.
#[cfg(target_arch = "wasm32")]
fn main() {
    techbasics::ui::start_widget("retry-backoff", techbasics::widgets::retry_backoff);
    techbasics::ui::start_widget("btree-index", techbasics::widgets::btree_index);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {}
