//! techbasics: an interactive guide to how web applications work.
//!
//! `sim` and `kit` are pure and build on any target; the reading app (`ui`, `widgets`) is
//! compiled only for the browser. See ARCHITECTURE.md.
pub mod book;
pub mod kit;
pub mod sim;
/// The prerendered static pages, written natively after Trunk's build.
#[cfg(not(target_arch = "wasm32"))]
pub mod site;

#[cfg(target_arch = "wasm32")]
pub mod ui;
#[cfg(target_arch = "wasm32")]
pub mod widgets;

