//! The `btree-index` widget's own wasm bundle (see scripts/bundles.sh): loaded only by pages that
//! show this widget.
#[cfg(target_arch = "wasm32")]
fn main() {
    techbasics::ui::start_widget("btree-index", techbasics::widgets::btree_index);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {}
