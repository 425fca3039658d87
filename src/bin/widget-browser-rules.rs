//! The `browser-rules` widget's own wasm bundle: loaded only by pages that show it.
//! Generated from the widget registry by tests/bundles.rs (`make bundles`); do not edit.
#[cfg(target_arch = "wasm32")]
fn main() {
    techbasics::ui::mount::start::<techbasics::kit::widgets::browser_rules::BrowserRules>();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {}
