//! The widget kit's one-line text field: the value lives in a signal, Enter applies it (the
//! same as the widget's button), and the widget's message region describes it, so a bad
//! value's message is read out with the field. The label stays with the widget.

use leptos::prelude::*;

/// How a field reads: `Text` for names and keys, `Numeric` to bring up a number pad.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub enum Keys {
    #[default]
    Text,
    Numeric,
}

#[component]
pub fn TextField(
    /// The field's text, written on every keystroke.
    value: RwSignal<String>,
    /// Called when the reader presses Enter in the field.
    #[prop(into)]
    on_enter: Callback<()>,
    /// The id of the widget's message region (`aria-describedby`).
    described_by: String,
    /// The `data-testid` hook of the browser tests.
    testid: &'static str,
    #[prop(optional)] id: Option<String>,
    #[prop(optional)] class: &'static str,
    #[prop(optional)] keys: Keys,
    #[prop(optional, into)] placeholder: Option<Signal<String>>,
) -> impl IntoView {
    view! {
        <input
            type="text"
            id=id
            class=(!class.is_empty()).then_some(class)
            data-testid=testid
            inputmode=(keys == Keys::Numeric).then_some("numeric")
            autocomplete="off"
            spellcheck="false"
            placeholder=move || placeholder.map(|p| p.get())
            aria-describedby=described_by
            prop:value=move || value.get()
            on:input=move |e| value.set(event_target_value(&e))
            on:keydown=move |e| {
                if e.key() == "Enter" {
                    e.prevent_default();
                    on_enter.run(());
                }
            }
        />
    }
}
