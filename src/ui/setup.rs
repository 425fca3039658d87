//! The kit's "Set up" disclosure: a widget's settings folded under a one-line summary of
//! them (`Widget::summary`), so the picture comes first. It opens by itself where there is
//! room (56rem and wider, the stylesheet's wide layout) and starts folded on a phone.

use leptos::prelude::*;

use super::browser;
use super::mount::{Live, View};

#[component]
pub fn SetUp<W: View>(live: Live<W>, children: Children) -> impl IntoView {
    let input = live.input;
    let summary = move || input.with(|i| W::summary(i));
    view! {
        // Open as wide as the stylesheet's wide layout.
        <details class="setup" open=browser::media_matches("(min-width: 56rem)")>
            <summary>
                <span class="setup-title">"Set up"</span>
                <span class="setup-now" data-testid="setup-summary">{summary}</span>
            </summary>
            <div class="setup-body">{children()}</div>
        </details>
    }
}
