//! The `job-queue` widget's own wasm bundle: loaded only by pages that show it.
//! Generated from the widget registry by tests/bundles.rs (`make bundles`); do not edit.
#[cfg(target_arch = "wasm32")]
fn main() {
    techbasics::ui::mount::start::<techbasics::kit::widgets::job_queue::JobQueue>();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {}
