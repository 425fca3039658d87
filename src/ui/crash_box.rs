//! When a widget's bundle panics, its widgets are replaced by a box saying so, with a link
//! that reloads the page; the text around them stays readable. The hook also logs the panic
//! to the console. Release builds abort after a panic, so the box is plain DOM (no
//! listeners that would call back into the stopped wasm).

use std::cell::RefCell;

use leptos::prelude::document;

thread_local! {
    /// The widgets this bundle started: a panic anywhere in it stops all of them.
    static WIDGETS: RefCell<Vec<&'static str>> = const { RefCell::new(Vec::new()) };
}

/// Registers `widget` with this bundle's panic hook (installed on the first call).
pub fn install(widget: &'static str) {
    let first = WIDGETS.with(|w| {
        let mut w = w.borrow_mut();
        w.push(widget);
        w.len() == 1
    });
    if first {
        std::panic::set_hook(Box::new(|info| {
            console_error_panic_hook::hook(info);
            WIDGETS.with(|w| {
                if let Ok(w) = w.try_borrow() {
                    for id in w.iter() {
                        replace(id);
                    }
                }
            });
        }));
    }
}

fn replace(widget: &str) {
    let doc = document();
    let Ok(list) = doc.query_selector_all(&format!("[data-mount][data-for=\"{widget}\"]")) else { return };
    let href = doc.location().and_then(|l| l.href().ok()).unwrap_or_default();
    for i in 0..list.length() {
        let Some(el) = list.item(i).and_then(|n| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(n).ok()) else { continue };
        el.set_text_content(None);
        let (Ok(boxed), Ok(p), Ok(a)) = (doc.create_element("div"), doc.create_element("p"), doc.create_element("a")) else { continue };
        let _ = boxed.set_attribute("class", "widget-crash");
        let _ = boxed.set_attribute("role", "alert");
        let _ = boxed.set_attribute("data-testid", "widget-crash");
        p.set_text_content(Some("This widget hit a bug and stopped. The text around it still works; reloading the page starts the widget again."));
        let _ = a.set_attribute("href", &href);
        let _ = a.set_attribute("class", "button");
        a.set_text_content(Some("Reload the page"));
        let _ = boxed.append_child(&p);
        let _ = boxed.append_child(&a);
        let _ = el.append_child(&boxed);
    }
}

/// The browser tests prove the box by asking for a panic: `?techbasics-test-panic=WIDGET`.
/// It only stops that widget's own bundle, as any real bug would.
pub fn test_trigger(widget: &str) {
    let asked = super::browser::query_pairs().iter().any(|(k, v)| k == "techbasics-test-panic" && v == widget);
    if asked {
        panic!("a test asked the {widget} widget to panic");
    }
}
