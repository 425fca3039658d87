//! The shell's controls on a prerendered page: the theme picker, the contents toggle on small
//! screens, the reading progress bar, and the arrow keys between chapters. Plain listeners
//! on the static markup; no views.

use leptos::ev;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::browser::{self, find, on};

const THEME_KEY: &str = "techbasics.theme";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Theme {
    System,
    Light,
    Dark,
}

impl Theme {
    fn name(self) -> &'static str {
        match self {
            Theme::System => "system",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    /// Reads a stored value; anything unexpected (a corrupted store) means System.
    fn parse(raw: Option<String>) -> Self {
        match raw.as_deref() {
            Some("light") => Theme::Light,
            Some("dark") => Theme::Dark,
            _ => Theme::System,
        }
    }

    fn apply(self) {
        if let Some(root) = document().document_element() {
            let _ = match self {
                Theme::System => root.remove_attribute("data-theme"),
                t => root.set_attribute("data-theme", t.name()),
            };
        }
    }
}

pub fn wire() {
    if let Some(select) = find::<web_sys::HtmlSelectElement>("[data-testid=theme]") {
        let theme = Theme::parse(browser::storage_get(THEME_KEY));
        theme.apply();
        select.set_value(theme.name());
        let s = select.clone();
        on(&select, "change", move |_| {
            let t = Theme::parse(Some(s.value()));
            t.apply();
            browser::storage_set(THEME_KEY, (t != Theme::System).then_some(t.name()));
        });
    }

    if let (Some(button), Some(toc)) = (find::<web_sys::Element>(".menu-toggle"), find::<web_sys::Element>("#toc")) {
        let b = button.clone();
        on(&button, "click", move |_| {
            let open = b.get_attribute("aria-expanded").as_deref() != Some("true");
            let _ = b.set_attribute("aria-expanded", if open { "true" } else { "false" });
            let _ = toc.set_attribute("class", if open { "toc open" } else { "toc" });
        });
    }

    if let (Some(bar), Some(fill)) = (find::<web_sys::Element>(".progress"), find::<web_sys::HtmlElement>(".progress-bar")) {
        let update = move || {
            let w = window();
            let scroll = w.scroll_y().unwrap_or(0.0);
            let view = w.inner_height().ok().and_then(|v| v.as_f64()).unwrap_or(0.0);
            let height = document().document_element().map(|d| d.scroll_height() as f64).unwrap_or(0.0);
            // Whole percent, as an integer: formatting floats would add kilobytes to the wasm.
            let pct = (scroll / (height - view).max(1.0) * 100.0).clamp(0.0, 100.0) as u32;
            let _ = bar.set_attribute("aria-valuenow", &pct.to_string());
            let _ = fill.style().set_property("width", &format!("{pct}%"));
        };
        update();
        let u = update.clone();
        let _ = window_event_listener(ev::scroll, move |_| u());
        let _ = window_event_listener(ev::resize, move |_| update());
    }

    // Escape hides a glossary definition shown on hover or focus, until the next term is
    // hovered or focused.
    let tips = |on: bool| {
        if let Some(root) = document().document_element() {
            let _ = if on { root.remove_attribute("data-tips") } else { root.set_attribute("data-tips", "off") };
        }
    };
    let is_term = |t: Option<web_sys::EventTarget>| t.and_then(|t| t.dyn_into::<web_sys::Element>().ok()).is_some_and(|el| el.class_list().contains("term"));
    let _ = window_event_listener(ev::focusin, move |e| {
        if is_term(e.target()) {
            tips(true);
        }
    });
    let _ = window_event_listener(ev::mouseover, move |e| {
        if is_term(e.target()) {
            tips(true);
        }
    });

    // Left and right arrows move between chapters, unless a widget or a form control has the key.
    let _ = window_event_listener(ev::keydown, move |e: web_sys::KeyboardEvent| {
        if e.key() == "Escape" {
            tips(false);
        }
        if e.default_prevented() || e.alt_key() || e.ctrl_key() || e.meta_key() || e.shift_key() {
            return;
        }
        let dir = match e.key().as_str() {
            "ArrowLeft" => "prev",
            "ArrowRight" => "next",
            _ => return,
        };
        if browser::typing_into(e.target()) || browser::inside_widget(e.target()) {
            return;
        }
        if let Some(a) = find::<web_sys::HtmlElement>(&format!("a[data-nav=\"{dir}\"]")) {
            e.prevent_default();
            a.click();
        }
    });
}
