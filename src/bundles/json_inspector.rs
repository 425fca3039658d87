//! The `json-inspector` widget's own wasm bundle (see scripts/bundles.sh): loaded only by pages that
//! show this widget.
#[cfg(target_arch = "wasm32")]
fn main() {
    techbasics::ui::start_widget("json-inspector", techbasics::widgets::json_inspector);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {}
