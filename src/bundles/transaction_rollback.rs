//! The `transaction-rollback` widget's own wasm bundle (see scripts/bundles.sh): loaded only
//! by pages that show this widget.
#[cfg(target_arch = "wasm32")]
fn main() {
    techbasics::ui::start_widget("transaction-rollback", techbasics::widgets::transaction_rollback);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {}
