//! The search bundle: loaded by js/boot-tail.js when search first opens.
#[cfg(target_arch = "wasm32")]
fn main() {
    techbasics::ui::start_search();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {}
