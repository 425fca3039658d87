//! Picking up where you left off, on the prerendered pages: chapters marked as read show in
//! the contents; a chapter page records the heading the reader is under; the landing page
//! offers "continue where you left off" and the export, import and reset of progress. The
//! data and its checks are `kit::progress`; everything stays in localStorage.

use std::cell::RefCell;
use std::rc::Rc;

use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::browser::{self, on};
use crate::kit::progress::{Progress, STORAGE_KEY};

type Shared = Rc<RefCell<Progress>>;

/// An element of the page's static markup.
fn find(selector: &str) -> Option<web_sys::HtmlElement> {
    browser::find(selector)
}

/// The chapters of this edition, as `part/slug`, read from the contents' links.
fn chapters() -> Vec<(String, web_sys::HtmlElement)> {
    let base = browser::base();
    let Ok(list) = document().query_selector_all("#toc a[href]") else { return Vec::new() };
    (0..list.length())
        .filter_map(|i| list.item(i)?.dyn_into::<web_sys::HtmlElement>().ok())
        .filter_map(|a| {
            let href = a.get_attribute("href")?;
            let key = href.strip_prefix(&base)?.trim_end_matches('/').to_string();
            key.contains('/').then_some((key, a))
        })
        .collect()
}

fn save(p: &Progress) {
    browser::storage_set(STORAGE_KEY, (!p.is_empty()).then(|| p.to_json()).as_deref());
}

/// Shows which chapters are read in the contents, with words for screen readers too.
fn paint_toc(p: &Progress) {
    for (key, a) in chapters() {
        let done = p.done.contains(&key);
        let _ = if done { a.set_attribute("data-done", "") } else { a.remove_attribute("data-done") };
        let had = a.query_selector(".toc-read").ok().flatten();
        match (done, had) {
            (true, None) => {
                if let Ok(s) = document().create_element("span") {
                    let _ = s.set_attribute("class", "toc-read visually-hidden");
                    s.set_text_content(Some(" (read)"));
                    let _ = a.append_child(&s);
                }
            }
            (false, Some(s)) => s.remove(),
            _ => {}
        }
    }
}

pub fn wire() {
    // Embeds use no storage, and have no contents to mark.
    if document().document_element().is_some_and(|d| d.has_attribute("data-embed")) {
        return;
    }
    let known: Vec<String> = chapters().into_iter().map(|(k, _)| k).collect();
    let is_known = move |c: &str| known.iter().any(|k| k == c);
    // A store that is not valid progress (edited by hand, an old format) is dropped.
    let stored = browser::storage_get(STORAGE_KEY).map(|raw| Progress::parse(&raw, &is_known));
    let progress = match stored {
        Some(Ok(r)) => r.progress,
        Some(Err(_)) => {
            browser::storage_set(STORAGE_KEY, None);
            Progress::default()
        }
        None => Progress::default(),
    };
    let progress: Shared = Rc::new(RefCell::new(progress));
    paint_toc(&progress.borrow());
    if let Some(chapter) = document().query_selector("article.chapter[data-chapter]").ok().flatten().and_then(|a| a.get_attribute("data-chapter")) {
        wire_chapter(progress.clone(), chapter);
    }
    if find("[data-testid=progress-panel]").is_some() {
        wire_landing(progress, Rc::new(is_known));
    }
}

/// The section headings of the chapter, in order.
fn headings() -> Vec<web_sys::Element> {
    let Ok(list) = document().query_selector_all("article.chapter h2[id], article.chapter h3[id]") else { return Vec::new() };
    (0..list.length()).filter_map(|i| list.item(i)?.dyn_into().ok()).collect()
}

fn heading_text(h: &web_sys::Element) -> String {
    h.first_child().and_then(|t| t.text_content()).unwrap_or_default().trim().to_string()
}

fn wire_chapter(progress: Shared, chapter: String) {
    let record = {
        let (progress, chapter) = (progress.clone(), chapter.clone());
        move |section: String, heading: String| {
            let mut p = progress.borrow_mut();
            if p.last.as_ref().is_none_or(|l| l.chapter != chapter || l.section != section) {
                p.visit(&chapter, &section, &heading);
                save(&p);
            }
        }
    };
    let top = record.clone();
    top(String::new(), String::new());
    // The reader is under the last heading that has passed the top fifth of the screen. An
    // observer reports headings crossing that line, so scrolling never forces a layout.
    let list = headings();
    // Whether each heading is above the line, as last reported; they are in page order, so
    // the reader is under the last one that is.
    let mut above = vec![false; list.len()];
    let callback = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
        for e in entries.iter() {
            let Ok(e) = e.dyn_into::<web_sys::IntersectionObserverEntry>() else { continue };
            let line = e.root_bounds().map_or(0.0, |r| r.bottom());
            if let Some(i) = list.iter().position(|h| *h == e.target()) {
                above[i] = e.bounding_client_rect().top() < line;
            }
        }
        match above.iter().rposition(|a| *a).and_then(|i| list.get(i)) {
            Some(h) => record(h.id(), heading_text(h)),
            None => record(String::new(), String::new()),
        }
    });
    let options = web_sys::IntersectionObserverInit::new();
    options.set_root_margin("0px 0px -80% 0px");
    if let Ok(observer) = web_sys::IntersectionObserver::new_with_options(callback.as_ref().unchecked_ref(), &options) {
        for h in headings() {
            observer.observe(&h);
        }
    }
    callback.forget();

    let (Some(button), Some(wrap)) = (find("[data-testid=mark-done]"), find(".chapter-done")) else { return };
    wrap.set_hidden(false);
    let paint = {
        let button = button.clone();
        move |done: bool| {
            let _ = button.set_attribute("aria-pressed", if done { "true" } else { "false" });
            button.set_text_content(Some(if done { "Read ✓ (press to unmark)" } else { "Mark this chapter as read" }));
        }
    };
    paint(progress.borrow().done.contains(&chapter));
    on(&button, "click", move |_| {
        let mut p = progress.borrow_mut();
        let done = !p.done.contains(&chapter);
        p.set_done(&chapter, done);
        save(&p);
        paint(done);
        paint_toc(&p);
    });
}

fn wire_landing(progress: Shared, is_known: Rc<dyn Fn(&str) -> bool>) {
    let total = chapters().len();
    let show = {
        let progress = progress.clone();
        move || {
            let p = progress.borrow();
            if let Some(panel) = find("[data-testid=progress-panel]") {
                panel.set_hidden(false);
            }
            if let Some(summary) = find("[data-testid=progress-summary]") {
                let n = p.done.len();
                summary.set_text_content(Some(&if n == 0 {
                    "No chapters marked as read yet. The button at the end of each chapter marks it.".to_string()
                } else {
                    format!("{n} of {total} chapters marked as read.")
                }));
            }
            let cont = find("[data-testid=continue]");
            let link = cont.as_ref().and_then(|c| c.query_selector("a").ok().flatten());
            if let (Some(cont), Some(link)) = (cont, link) {
                match &p.last {
                    Some(place) => {
                        let title = chapters().into_iter().find(|(k, _)| *k == place.chapter).and_then(|(_, a)| a.first_child()).and_then(|t| t.text_content()).unwrap_or_default();
                        let mut href = format!("{}{}", browser::base(), place.chapter);
                        let mut text = title;
                        if !place.section.is_empty() {
                            href.push('#');
                            href.push_str(&place.section);
                            if !place.heading.is_empty() {
                                text.push_str(" › ");
                                text.push_str(&place.heading);
                            }
                        }
                        let _ = link.set_attribute("href", &href);
                        link.set_text_content(Some(&text));
                        cont.set_hidden(false);
                    }
                    None => cont.set_hidden(true),
                }
            }
            paint_toc(&p);
        }
    };
    let show = Rc::new(show);
    show();
    let message = |text: &str, error: bool| {
        if let Some(m) = find("[data-testid=progress-message]") {
            m.set_text_content(Some(text));
            let _ = m.set_attribute("class", if error { "progress-message error" } else { "progress-message" });
        }
    };

    if let Some(b) = find("[data-testid=progress-export]") {
        let progress = progress.clone();
        on(&b, "click", move |_| {
            let json = progress.borrow().to_json();
            match download("techbasics-progress.json", &json) {
                Ok(()) => message("Your progress was saved as techbasics-progress.json.", false),
                Err(()) => message("This browser would not save the file.", true),
            }
        });
    }

    if let Some(b) = find("[data-testid=progress-reset]") {
        let (progress, show, b2) = (progress.clone(), show.clone(), b.clone());
        on(&b, "click", move |_| {
            // The first press asks; the second erases.
            if b2.get_attribute("data-armed").is_none() {
                let _ = b2.set_attribute("data-armed", "");
                b2.set_text_content(Some("Press again to erase"));
                message("Press the button again to erase your progress on this device.", false);
                return;
            }
            let _ = b2.remove_attribute("data-armed");
            b2.set_text_content(Some("Reset progress"));
            *progress.borrow_mut() = Progress::default();
            save(&Progress::default());
            show();
            message("Your progress was erased.", false);
        });
        let b3 = b.clone();
        on(&b, "blur", move |_| {
            if b3.remove_attribute("data-armed").is_ok() {
                b3.set_text_content(Some("Reset progress"));
            }
        });
    }

    if let Some(input) = browser::find::<web_sys::HtmlInputElement>("[data-testid=progress-import]") {
        let i2 = input.clone();
        on(&input, "change", move |_| {
            let Some(file) = i2.files().and_then(|f| f.get(0)) else { return };
            i2.set_value("");
            if file.size() > crate::kit::progress::MAX_BYTES as f64 {
                message("That file is too large to be a progress file. Your progress is unchanged.", true);
                return;
            }
            let (progress, show, is_known) = (progress.clone(), show.clone(), is_known.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let text = JsFuture::from(file.text()).await.ok().and_then(|v| v.as_string());
                let Some(text) = text else {
                    message("That file could not be read. Your progress is unchanged.", true);
                    return;
                };
                match Progress::parse(&text, &*is_known) {
                    Ok(read) => {
                        let n = read.progress.done.len();
                        *progress.borrow_mut() = read.progress;
                        save(&progress.borrow());
                        show();
                        let skipped = if read.unknown > 0 { format!(" {} entries for chapters this edition lacks were skipped.", read.unknown) } else { String::new() };
                        message(&format!("Imported: {n} chapter{} marked as read.{skipped}", if n == 1 { "" } else { "s" }), false);
                    }
                    Err(why) => message(&format!("{why} Your progress is unchanged."), true),
                }
            });
        });
    }
}

/// Offers `text` as a file download, made in the page: nothing is uploaded.
fn download(name: &str, text: &str) -> Result<(), ()> {
    let parts = js_sys::Array::of1(&text.into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/json");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).map_err(|_| ())?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| ())?;
    let a: web_sys::HtmlElement = document().create_element("a").map_err(|_| ())?.dyn_into().map_err(|_| ())?;
    let _ = a.set_attribute("href", &url);
    let _ = a.set_attribute("download", name);
    a.click();
    set_timeout(move || drop(web_sys::Url::revoke_object_url(&url)), std::time::Duration::from_secs(5));
    Ok(())
}
