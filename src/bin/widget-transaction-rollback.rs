//! The `transaction-rollback` widget's own wasm bundle: loaded only by pages that show it.
//! Generated from the widget registry by tests/bundles.rs (`make bundles`); do not edit.
#[cfg(target_arch = "wasm32")]
fn main() {
    techbasics::ui::start_widget("transaction-rollback", techbasics::widgets::transaction_rollback);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {}
