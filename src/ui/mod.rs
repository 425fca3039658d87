//! The browser half of the app. Every page arrives as prerendered HTML (see `site.rs` and
//! `src/bin/prerender.rs`), so there is no router here. Two kinds of entry point:
//! `start` (the Trunk-built shell bundle, on every page) wires the shell's controls, and
//! `mount::start::<W>` (one bundle per widget, loaded only by pages that show it) mounts that
//! widget into each of its placeholders through `start_widget`.
pub(crate) mod browser;
mod crash_box;
pub mod field;
pub mod motion;
pub mod mount;
mod progress;
mod search;
mod shell;
pub mod setup;
pub mod slices;
pub mod stepper;

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::book;

/// The shell bundle's entry point.
pub fn start() {
    console_error_panic_hook::set_once();
    shell::wire();
    progress::wire();
}

/// The search bundle's entry point. The loader (js/boot-tail.js) imports the bundle the
/// first time search is asked for, and has already opened the dialog.
pub fn start_search() {
    console_error_panic_hook::set_once();
    search::wire();
}

/// Replaces each placeholder for `widget` with a live one (`mount::start` calls it).
/// The placeholder's chapter (from the enclosing `[data-chapter]`) and instance name find
/// the placement the build made.
pub fn start_widget(widget: &'static str, view: fn(&'static book::WidgetPlacement) -> AnyView) {
    crash_box::install(widget);
    let Ok(list) = document().query_selector_all(&format!("[data-mount][data-for=\"{widget}\"]")) else { return };
    let mut mounted = false;
    for i in 0..list.length() {
        let Some(el) = list.item(i).and_then(|n| n.dyn_into::<web_sys::HtmlElement>().ok()) else { continue };
        let instance = el.get_attribute("data-mount").unwrap_or_default();
        let chapter = el.closest("[data-chapter]").ok().flatten().and_then(|c| c.get_attribute("data-chapter")).unwrap_or_default();
        let Some(placement) = book::placement(&chapter, &instance) else { continue };
        el.set_text_content(None);
        leptos::mount::mount_to(el, move || view(placement)).forget();
        mounted = true;
    }
    // Widgets change the page's height, so a deep link's heading may have moved: scroll to it
    // again now that everything is in place.
    if mounted {
        browser::scroll_to_hash();
    }
    crash_box::test_trigger(widget);
}
