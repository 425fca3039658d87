//! The widget kit's one-line text field: the value lives in a signal, Enter applies it (the
//! same as the widget's button), and the widget's message region describes it, so a bad
//! value's message is read out with the field. The label stays with the widget.

use leptos::prelude::*;

/// How a field reads: `Text` for names and keys, `Numeric` to bring up a number pad, `Url`
/// for an address (a keyboard with `/` and `.`).
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub enum Keys {
    #[default]
    Text,
    Numeric,
    Url,
}

#[component]
pub fn TextField(
    /// The field's text, written on every keystroke.
    value: RwSignal<String>,
    /// Called when the reader presses Enter in the field.
    #[prop(optional, into)]
    on_enter: Option<Callback<()>>,
    /// Called when an edit is committed (Enter, or leaving the field changed), for fields that
    /// apply themselves rather than waiting for a button.
    #[prop(optional, into)]
    on_change: Option<Callback<()>>,
    /// Marks the field invalid (`aria-invalid`) while true.
    #[prop(optional, into)]
    invalid: Option<Signal<bool>>,
    /// The setting the field edits (`data-field`), when it edits one.
    #[prop(optional)]
    field: Option<&'static str>,
    /// The id of the widget's message region (`aria-describedby`).
    described_by: String,
    /// The `data-testid` hook of the browser tests ("" for none).
    #[prop(optional)]
    testid: &'static str,
    #[prop(optional)] id: Option<String>,
    #[prop(optional)] class: &'static str,
    #[prop(optional)] keys: Keys,
    #[prop(optional, into)] placeholder: Option<Signal<String>>,
) -> impl IntoView {
    view! {
        <input
            type=if keys == Keys::Url { "url" } else { "text" }
            id=id
            class=(!class.is_empty()).then_some(class)
            data-testid=(!testid.is_empty()).then_some(testid)
            data-field=field
            aria-invalid=move || invalid.is_some_and(|i| i.get()).then_some("true")
            inputmode=(keys == Keys::Numeric).then_some("numeric")
            autocomplete="off"
            spellcheck="false"
            placeholder=move || placeholder.map(|p| p.get())
            aria-describedby=described_by
            prop:value=move || value.get()
            on:input=move |e| value.set(event_target_value(&e))
            on:change=move |_| {
                if let Some(f) = on_change {
                    f.run(());
                }
            }
            on:keydown=move |e| {
                if let (Some(f), "Enter") = (on_enter, e.key().as_str()) {
                    e.prevent_default();
                    f.run(());
                }
            }
        />
    }
}

/// A labelled whole-number setting: the label over a [`TextField`] with the numeric keyboard.
#[component]
pub fn NumberField(
    label: &'static str,
    value: RwSignal<String>,
    #[prop(into)] on_enter: Callback<()>,
    /// The id of the widget's message region.
    described_by: String,
    #[prop(optional)] testid: &'static str,
) -> impl IntoView {
    view! {
        <label>{label}" "
            <TextField value=value on_enter=on_enter described_by=described_by testid=testid class="num-field" keys=Keys::Numeric/>
        </label>
    }
}
