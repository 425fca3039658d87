//! The bundle for pages that show both the retry simulation and the B-tree (part 6): one
//! copy of the shared runtime instead of two.
#[cfg(target_arch = "wasm32")]
fn main() {
    techbasics::ui::start_widget("retry-backoff", techbasics::widgets::retry_backoff);
    techbasics::ui::start_widget("btree-index", techbasics::widgets::btree_index);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {}
