//! Small wrappers over browser APIs, each failing quietly (a missing API is never a crash).

use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// The current query string's pairs.
pub fn query_pairs() -> Vec<(String, String)> {
    let search = window().location().search().unwrap_or_default();
    crate::kit::url_state::parse_query(&search)
}

/// Replaces the query string in place (no new history entry), keeping path and hash.
pub fn replace_query(pairs: &[(String, String)]) {
    let loc = window().location();
    let path = loc.pathname().unwrap_or_default();
    let hash = loc.hash().unwrap_or_default();
    let url = format!("{path}{}{hash}", crate::kit::url_state::encode_query(pairs));
    if let Ok(history) = window().history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

/// Milliseconds from the page's time origin, for measuring and for slicing long work.
/// The path the site is served under, as the prerendered page says (`<html data-base>`): the
/// wasm is the same for every base, so it reads it from the page.
pub fn base() -> String {
    document().document_element().and_then(|d| d.get_attribute("data-base")).unwrap_or_else(|| "/".into())
}

pub fn now_ms() -> f64 {
    window().performance().map(|p| p.now()).unwrap_or(0.0)
}

/// True when the CSS media query `query` matches now (false where it cannot be asked).
pub fn media_matches(query: &str) -> bool {
    window().match_media(query).ok().flatten().is_some_and(|m| m.matches())
}

pub fn storage_get(key: &str) -> Option<String> {
    window().local_storage().ok().flatten()?.get_item(key).ok().flatten()
}

pub fn storage_set(key: &str, value: Option<&str>) {
    if let Some(s) = window().local_storage().ok().flatten() {
        let _ = match value {
            Some(v) => s.set_item(key, v),
            None => s.remove_item(key),
        };
    }
}

/// True when a key press belongs to a form control or an editable region, so global and
/// widget shortcuts must leave it alone.
pub fn typing_into(target: Option<web_sys::EventTarget>) -> bool {
    let Some(el) = target.and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else { return false };
    match el.tag_name().as_str() {
        "TEXTAREA" | "SELECT" => true,
        "INPUT" => el.get_attribute("type").as_deref() != Some("range"),
        _ => el.closest("[contenteditable]").ok().flatten().is_some(),
    }
}

/// True when Space on the target already does something: it presses a button or toggles a
/// disclosure, so a shortcut must not take the key.
pub fn activates_on_space(target: Option<web_sys::EventTarget>) -> bool {
    target
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|el| matches!(el.tag_name().as_str(), "BUTTON" | "A" | "SUMMARY"))
}

/// True when the event target sits inside a widget, whose own shortcuts take precedence.
pub fn inside_widget(target: Option<web_sys::EventTarget>) -> bool {
    target
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|el| el.closest("[data-widget]").ok().flatten())
        .is_some()
}

/// Scrolls the element named by the URL's fragment into view, if there is one.
pub fn scroll_to_hash() {
    let hash = window().location().hash().unwrap_or_default();
    let Some(id) = hash.strip_prefix('#').filter(|h| !h.is_empty()) else { return };
    let id = js_sys::decode_uri_component(id).map(String::from).unwrap_or_else(|_| id.to_string());
    if let Some(el) = document().get_element_by_id(&id) {
        el.scroll_into_view();
    }
}

/// The first element matching `selector`, as `T` (an `HtmlElement`, a `HtmlSelectElement`…),
/// or None when nothing matches or it is another kind of element.
pub fn find<T: JsCast>(selector: &str) -> Option<T> {
    document().query_selector(selector).ok().flatten().and_then(|e| e.dyn_into().ok())
}

/// Adds a listener that lives as long as the page (the shell's and search's static markup).
pub fn on(target: &web_sys::EventTarget, event: &'static str, f: impl FnMut(&web_sys::Event) + 'static) {
    // Not passive: handlers such as search's arrow keys call preventDefault.
    let options = gloo_events::EventListenerOptions::enable_prevent_default();
    gloo_events::EventListener::new_with_options(target, event, options, f).forget();
}
