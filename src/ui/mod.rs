//! The reading app: router, shell, pages, and the view half of the widget kit.
pub(crate) mod browser;
mod pages;
mod shell;
pub mod stepper;

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::book;

/// Entry point called by `main` in the browser.
pub fn start() {
    console_error_panic_hook::set_once();
    mount_to_body(App);
}

#[component]
fn App() -> impl IntoView {
    let base = book::BASE.trim_end_matches('/').to_string();
    view! {
        <Router base=base>
            <shell::Shell>
                <Routes fallback=|| view! { <pages::NotFound/> }>
                    <Route path=path!("/") view=pages::Landing/>
                    <Route path=path!("/:part/:chapter") view=pages::ChapterPage/>
                </Routes>
            </shell::Shell>
        </Router>
    }
}
