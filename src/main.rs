#[cfg(target_arch = "wasm32")]
fn main() {
    techbasics::ui::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("techbasics runs in a browser: use `make serve` (or `make dist` for the static site).");
}
