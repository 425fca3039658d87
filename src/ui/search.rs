//! The search dialog on every page (its markup is prerendered by `site.rs`): opened by the
//! header's button, `/` or `s`. This code is its own bundle, which the loader
//! (js/boot-tail.js) imports the first time search opens, and the index (`kit::search`) is
//! fetched then too: neither weighs on a page's first load. Results are built as DOM nodes with text content only: a query
//! never reaches markup.

use std::cell::RefCell;
use std::rc::Rc;

use leptos::ev;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::browser::{self, find, on};
use crate::kit::search::Index;

#[derive(Default)]
enum Load {
    #[default]
    NotYet,
    Loading,
    Ready(Rc<Index>),
    Failed,
}

thread_local! {
    static INDEX: RefCell<Load> = RefCell::new(Load::NotYet);
}

struct Ui {
    dialog: web_sys::HtmlDialogElement,
    input: web_sys::HtmlInputElement,
    status: web_sys::HtmlElement,
    results: web_sys::HtmlElement,
}

impl Ui {
    fn find() -> Option<Ui> {
        Some(Ui {
            dialog: find("#search")?,
            input: find("#search-input")?,
            status: find("#search-status")?,
            results: find("#search-results")?,
        })
    }

    fn open(&self) {
        if !self.dialog.open() {
            let _ = self.dialog.show_modal();
        }
        let _ = self.input.focus();
        self.input.select();
        load(self);
    }

    fn links(&self) -> Vec<web_sys::HtmlElement> {
        let Ok(list) = self.results.query_selector_all("a") else { return Vec::new() };
        (0..list.length()).filter_map(|i| list.item(i)?.dyn_into().ok()).collect()
    }

    /// Runs the query in the input and shows its results, recording how long that took.
    fn run(&self) {
        let query = self.input.value();
        let index = INDEX.with(|l| match &*l.borrow() {
            Load::Ready(i) => Some(i.clone()),
            _ => None,
        });
        let Some(index) = index else { return };
        let t0 = browser::now_ms();
        self.results.set_text_content(None);
        let _ = self.results.set_attribute("data-query", &query);
        if query.trim().is_empty() {
            self.status.set_text_content(Some("Type a word or two. Up and down arrows move between results."));
            return;
        }
        let hits = index.search(&query);
        let doc = document();
        for h in &hits {
            let d = &index.docs[h.doc];
            let (Ok(li), Ok(a), Ok(place), Ok(snip)) = (doc.create_element("li"), doc.create_element("a"), doc.create_element("span"), doc.create_element("span")) else { return };
            let _ = a.set_attribute("href", &d.url);
            let _ = place.set_attribute("class", "search-where");
            let _ = snip.set_attribute("class", "search-snippet");
            append_marked(&place, &[(format!("{}: ", d.kind.label()), false)]);
            append_marked(&place, &h.title);
            if !h.section.is_empty() {
                append_marked(&place, &[(" › ".into(), false)]);
                append_marked(&place, &h.section);
            }
            append_marked(&snip, &h.snippet);
            let _ = a.append_child(&place);
            let _ = a.append_child(&snip);
            let _ = li.append_child(&a);
            let _ = self.results.append_child(&li);
        }
        let n = hits.len();
        self.status.set_text_content(Some(&match n {
            0 => "No results. Try fewer words or another spelling.".to_string(),
            1 => "1 result. Enter opens it.".to_string(),
            n => format!("{n} results. Enter opens the first; arrows move between them."),
        }));
        // Microseconds, as an integer: the browser tests read it to hold the 16 ms budget.
        let took = ((browser::now_ms() - t0) * 1000.0) as u32;
        let _ = self.results.set_attribute("data-took-us", &took.to_string());
    }
}

/// Appends text runs, the matched ones in `<mark>`.
fn append_marked(parent: &web_sys::Element, runs: &[(String, bool)]) {
    let doc = document();
    for (text, hit) in runs {
        if *hit {
            if let Ok(m) = doc.create_element("mark") {
                m.set_text_content(Some(text));
                let _ = parent.append_child(&m);
            }
        } else {
            let _ = parent.append_child(&doc.create_text_node(text));
        }
    }
}

/// Fetches the index once; a failed fetch may be retried by opening search again.
fn load(ui: &Ui) {
    let start = INDEX.with(|l| {
        let mut l = l.borrow_mut();
        if matches!(*l, Load::NotYet | Load::Failed) {
            *l = Load::Loading;
            true
        } else {
            false
        }
    });
    if !start {
        return;
    }
    let Some(url) = ui.dialog.get_attribute("data-index") else { return };
    ui.status.set_text_content(Some("Loading the search index…"));
    wasm_bindgen_futures::spawn_local(async move {
        let result = async {
            let resp: web_sys::Response = JsFuture::from(window().fetch_with_str(&url)).await.ok()?.dyn_into().ok()?;
            if !resp.ok() {
                return None;
            }
            let text = JsFuture::from(resp.text().ok()?).await.ok()?.as_string()?;
            Index::decode(&text).ok()
        }
        .await;
        let Some(ui) = Ui::find() else { return };
        match result {
            Some(index) => {
                INDEX.with(|l| *l.borrow_mut() = Load::Ready(Rc::new(index)));
                let _ = ui.dialog.set_attribute("data-ready", "");
                ui.run();
            }
            None => {
                INDEX.with(|l| *l.borrow_mut() = Load::Failed);
                ui.status.set_text_content(Some("The search index could not be loaded. Check your connection and open search again."));
            }
        }
    });
}

pub fn wire() {
    let Some(ui) = Ui::find() else { return };
    let ui = Rc::new(ui);
    if let Some(button) = find::<web_sys::HtmlElement>("[data-testid=search-open]") {
        let u = ui.clone();
        on(&button, "click", move |_| u.open());
    }
    if let Some(close) = find::<web_sys::HtmlElement>("[data-testid=search-close]") {
        let u = ui.clone();
        on(&close, "click", move |_| u.dialog.close());
    }
    let u = ui.clone();
    on(&ui.input, "input", move |_| u.run());
    // A click on the backdrop (the dialog itself, outside its content) closes it; so does
    // following a result, which may only change the fragment of this page.
    let u = ui.clone();
    on(&ui.dialog, "click", move |e| {
        let target = e.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok());
        let on_dialog = target.as_ref().is_some_and(|t| t.id() == "search");
        let on_link = target.and_then(|t| t.closest("a").ok().flatten()).is_some();
        if on_dialog || on_link {
            u.dialog.close();
        }
    });
    let u = ui.clone();
    on(&ui.dialog, "keydown", move |e| {
        let Some(e) = e.dyn_ref::<web_sys::KeyboardEvent>() else { return };
        let links = u.links();
        let active = document().active_element();
        let at = active.as_ref().and_then(|a| links.iter().position(|l| l.unchecked_ref::<web_sys::Element>() == a));
        let next = match (e.key().as_str(), at) {
            ("ArrowDown", None) => Some(0),
            ("ArrowDown", Some(i)) => Some((i + 1).min(links.len().saturating_sub(1))),
            ("ArrowUp", Some(0)) => {
                e.prevent_default();
                let _ = u.input.focus();
                return;
            }
            ("ArrowUp", Some(i)) => Some(i - 1),
            ("Enter", None) => {
                if let Some(first) = links.first() {
                    e.prevent_default();
                    first.click();
                }
                return;
            }
            _ => return,
        };
        if let Some(l) = next.and_then(|i| links.get(i)) {
            e.prevent_default();
            let _ = l.focus();
        }
    });
    // The loader opened the dialog before this bundle arrived: carry on from there.
    if ui.dialog.open() {
        ui.open();
    }
    let _ = window_event_listener(ev::keydown, move |e: web_sys::KeyboardEvent| {
        if e.default_prevented() || e.alt_key() || e.ctrl_key() || e.meta_key() || ui.dialog.open() {
            return;
        }
        if matches!(e.key().as_str(), "/" | "s" | "S") && !browser::typing_into(e.target()) {
            e.prevent_default();
            ui.open();
        }
    });
}
