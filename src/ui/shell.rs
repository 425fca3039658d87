//! The frame around every page: header, table of contents, reading progress, theme, and the
//! arrow-key chapter navigation.

use leptos::ev;
use leptos::prelude::*;
use leptos_router::hooks::use_location;
use wasm_bindgen::JsCast;

use super::browser;
use crate::book::{self, CHAPTERS};

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

/// The index in reading order of the chapter at `pathname`, if it is a chapter.
pub fn chapter_index(pathname: &str) -> Option<usize> {
    let p = pathname.trim_end_matches('/');
    CHAPTERS.iter().position(|c| c.href() == p || format!("/{}/{}", c.part, c.slug) == p)
}

#[component]
pub fn Shell(children: Children) -> impl IntoView {
    let location = use_location();
    let pathname = location.pathname;
    let (menu_open, set_menu_open) = signal(false);
    let (progress, set_progress) = signal(0u32);
    let theme = RwSignal::new(Theme::parse(browser::storage_get(THEME_KEY)));

    Effect::new(move |_| {
        let t = theme.get();
        t.apply();
        browser::storage_set(THEME_KEY, (t != Theme::System).then_some(t.name()));
    });

    // On every route change: close the mobile menu and mark the current chapter in the
    // (static, build-time) table of contents.
    Effect::new(move |_| {
        let current = pathname.with(|p| chapter_index(p).map(|i| CHAPTERS[i].href()));
        set_menu_open.set(false);
        if let Ok(links) = document().query_selector_all("#toc a") {
            for i in 0..links.length() {
                let Some(a) = links.item(i).and_then(|n| n.dyn_into::<web_sys::Element>().ok()) else { continue };
                let here = current.is_some() && a.get_attribute("href") == current;
                let _ = if here { a.set_attribute("aria-current", "page") } else { a.remove_attribute("aria-current") };
            }
        }
    });

    let update_progress = move || {
        let w = window();
        let doc = document().document_element();
        let scroll = w.scroll_y().unwrap_or(0.0);
        let view = w.inner_height().ok().and_then(|v| v.as_f64()).unwrap_or(0.0);
        let height = doc.map(|d| d.scroll_height() as f64).unwrap_or(0.0);
        let room = (height - view).max(1.0);
        // Whole percent, as an integer: formatting floats would add kilobytes to the wasm.
        set_progress.set((scroll / room * 100.0).clamp(0.0, 100.0) as u32);
    };
    let _ = window_event_listener(ev::scroll, move |_| update_progress());
    let _ = window_event_listener(ev::resize, move |_| update_progress());

    // Left and right arrows move between chapters, unless a widget or a form control has the key.
    let _ = window_event_listener(ev::keydown, move |e: web_sys::KeyboardEvent| {
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
        let link = document().query_selector(&format!("a[data-nav=\"{dir}\"]")).ok().flatten();
        if let Some(a) = link.and_then(|l| l.dyn_into::<web_sys::HtmlElement>().ok()) {
            e.prevent_default();
            a.click();
        }
    });

    view! {
        <a class="skip-link" href="#main" rel="external">"Skip to content"</a>
        <div
            class="progress"
            role="progressbar"
            aria-label="Reading progress"
            aria-valuemin="0"
            aria-valuemax="100"
            aria-valuenow=move || progress.get().to_string()
        >
            <div class="progress-bar" style:width=move || format!("{}%", progress.get())></div>
        </div>
        <header class="site-header">
            <button
                class="menu-toggle"
                aria-controls="toc"
                aria-expanded=move || menu_open.get().to_string()
                on:click=move |_| set_menu_open.update(|o| *o = !*o)
            >
                <span aria-hidden="true">"☰"</span>
                " Contents"
            </button>
            <a class="brand" href=book::BASE>"techbasics"</a>
            <label class="theme-picker">
                <span class="visually-hidden">"Colour theme"</span>
                <select
                    data-testid="theme"
                    on:change=move |e| theme.set(Theme::parse(Some(event_target_value(&e))))
                    prop:value=move || theme.get().name()
                >
                    <option value="system">"Auto"</option>
                    <option value="light">"Light"</option>
                    <option value="dark">"Dark"</option>
                </select>
            </label>
        </header>
        <div class="layout">
            <nav id="toc" class="toc" class:open=move || menu_open.get() aria-label="Table of contents" inner_html=book::TOC_HTML></nav>
            <main id="main" tabindex="-1">{children()}</main>
        </div>
        <footer class="site-footer">
            <p>"techbasics: how web applications work, with every widget running a real engine in your browser. Nothing you do here leaves your device."</p>
        </footer>
    }
}
