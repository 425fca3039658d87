//! The JSON inspector: the kit's proof widget. A real, strict JSON reader (sim::json) steps
//! through a document token by token and points at the exact line and column of an error.

use leptos::prelude::*;

use crate::kit::catalog::{self, JSON_MAX_CHARS, JSON_PRESETS};
use crate::kit::widgets::json_inspector as kit;
use crate::sim::json::{self, Focus, JsonWalk, TokenKind};
use crate::sim::timeline::{Timeline, TimelineConfig};
use crate::ui::mount::{Live, LiveFrame, View};

/// Bytes of source shown on each side of the mark.
const SOURCE_WINDOW: usize = 1_500;

/// Rows of the values table; older rows are summarised.
const TABLE_ROWS: usize = 10;

impl View for kit::JsonInspector {
    const TIMELINE: TimelineConfig = TimelineConfig { checkpoint_every: 64, max_steps: 2 * JSON_MAX_CHARS + 4 };

    fn view(live: Live<Self>) -> AnyView {
        view! { <JsonInspector live=live/> }.into_any()
    }
}

#[component]
fn JsonInspector(live: Live<kit::JsonInspector>) -> impl IntoView {
    let (input, timeline) = (live.input, live.timeline);
    // The editor's own error (text over the limit): the widget keeps its last good text.
    let input_error = RwSignal::new(None::<String>);
    let text = Signal::derive(move || input.with(|i| i.text.clone()));

    let on_preset = move |e: leptos::ev::Event| {
        let name = event_target_value(&e);
        if let Some(catalog::ParamValue::Choice(n)) = live.spec.param("preset").and_then(|p| p.parse(&name).ok()) {
            input_error.set(None);
            live.apply(kit::Input { preset: n.to_string(), text: json::preset(n).to_string(), edited: false });
        }
    };

    let on_edit = move |e: leptos::ev::Event| {
        let value = event_target_value(&e);
        let len = value.chars().count();
        if len > JSON_MAX_CHARS {
            input_error.set(Some(format!(
                "This text is {len} characters long; the inspector reads up to {JSON_MAX_CHARS}. It is still showing the last text that fit."
            )));
            return;
        }
        input_error.set(None);
        // Reading and redrawing go in a task of their own, after the browser has laid out the
        // edited text: with 20,000 characters, the two in one task would pass 50 ms.
        set_timeout(
            move || {
                let preset = input.with_untracked(|i| i.preset.clone());
                live.apply_then(kit::Input { preset, text: value, edited: true }, |t| t.seek(usize::MAX));
            },
            std::time::Duration::ZERO,
        );
    };

    let textarea_id = format!("{}-text", live.instance());
    let select_id = format!("{}-preset", live.instance());
    let error_id = format!("{}-input-error", live.instance());

    view! {
        <LiveFrame live=live>
            <div class="json-inspector">
                <div class="json-inputs">
                    <label for=select_id.clone()>"Sample"</label>
                    <select id=select_id on:change=on_preset prop:value=move || input.with(|i| i.preset.clone())>
                        {JSON_PRESETS.iter().map(|n| view! { <option value=*n>{preset_label(n)}</option> }).collect_view()}
                    </select>
                    <label for=textarea_id.clone()>"JSON text (edit it: the reader re-runs as you type)"</label>
                    <textarea
                        id=textarea_id
                        rows="8"
                        wrap="off"
                        spellcheck="false"
                        autocomplete="off"
                        data-testid="json-input"
                        aria-describedby=error_id.clone()
                        prop:value=text
                        on:input=on_edit
                    ></textarea>
                    <p class="input-error" id=error_id role="alert">
                        {move || input_error.get()}
                    </p>
                </div>
                <div class="json-views">
                    <SourceView text=text timeline=timeline/>
                    <ValuesTable timeline=timeline/>
                </div>
            </div>
        </LiveFrame>
    }
}

fn preset_label(name: &str) -> &'static str {
    match name {
        "order" => "An order (valid)",
        "user" => "A user (valid)",
        "types" => "Every JSON type (valid)",
        "broken" => "An order with mistakes",
        _ => "Sample",
    }
}

/// The source text with the current token (or the error position) marked. Text only:
/// reader input is never parsed as HTML.
#[component]
fn SourceView(text: Signal<String>, timeline: RwSignal<Timeline<JsonWalk>>) -> impl IntoView {
    let parts = move || {
        let src = text.get();
        timeline.with(|t| {
            let (start, end, class) = match t.current().focus() {
                Focus::Token(tok) => (tok.start, tok.end, "mark-token"),
                Focus::Error(e) => {
                    let end = src[e.offset..].chars().next().map(|c| e.offset + c.len_utf8()).unwrap_or(e.offset);
                    (e.offset, end, "mark-error")
                }
                _ => (0, 0, "mark-token"),
            };
            let (start, end) = (start.min(src.len()), end.min(src.len()));
            // A long document shows a window around the mark: laying out 20,000 characters on
            // every step would take longer than a frame.
            let from = src.floor_char_boundary(start.saturating_sub(SOURCE_WINDOW));
            let to = src.ceil_char_boundary((end + SOURCE_WINDOW).min(src.len()));
            let before = format!("{}{}", if from > 0 { "… " } else { "" }, &src[from..start]);
            let after = format!("{}{}", &src[end..to], if to < src.len() { " …" } else { "" });
            (before, src[start..end].to_string(), after, class)
        })
    };
    view! {
        <pre class="json-source" data-testid="json-source" aria-label="Source text, current token marked" tabindex="0">
            {move || {
                let (before, current, after, class) = parts();
                let at_end_error = class == "mark-error" && current.is_empty();
                view! {
                    <span>{before}</span>
                    <mark class=class>{if at_end_error { "␄".to_string() } else { current }}</mark>
                    <span>{after}</span>
                }
            }}
        </pre>
    }
}

/// The values read so far: where each one sits, its type and its value.
#[component]
fn ValuesTable(timeline: RwSignal<Timeline<JsonWalk>>) -> impl IntoView {
    let rows = move || {
        timeline.with(|t| {
            // Only the last rows are drawn, so only they are formatted: a long document has
            // thousands of values by its end.
            let values: Vec<_> = t
                .current()
                .seen()
                .iter()
                .filter(|tok| !matches!(tok.kind, TokenKind::Key(_) | TokenKind::EndObject { .. } | TokenKind::EndArray { .. }))
                .collect();
            let hidden = values.len().saturating_sub(TABLE_ROWS);
            let rows: Vec<_> = values[hidden..]
                .iter()
                .map(|tok| {
                    let shown = match &tok.kind {
                        TokenKind::String(s) => json::quote(s, 30),
                        TokenKind::Number { text, .. } => text.chars().take(30).collect(),
                        TokenKind::Bool(b) => b.to_string(),
                        TokenKind::Null => "null".into(),
                        TokenKind::BeginObject => "{ … }".into(),
                        TokenKind::BeginArray => "[ … ]".into(),
                        _ => String::new(),
                    };
                    (tok.path.clone(), tok.kind.type_name(), shown)
                })
                .collect();
            (hidden, rows)
        })
    };
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label="Values read so far">
            <table class="json-values">
                <caption>"Values read so far"</caption>
                <thead><tr><th scope="col">"Path"</th><th scope="col">"Type"</th><th scope="col">"Value"</th></tr></thead>
                <tbody>
                    {move || {
                        let (hidden, rows) = rows();
                        let last = rows.len().saturating_sub(1);
                        view! {
                            {(hidden > 0).then(|| view! { <tr><td colspan="3" class="meta">{format!("… {hidden} earlier")}</td></tr> })}
                            {rows.into_iter().enumerate().map(|(i, (path, ty, val))| view! {
                                <tr class:latest=i == last><td><code>{path}</code></td><td>{ty}</td><td><code>{val}</code></td></tr>
                            }).collect_view()}
                        }
                    }}
                </tbody>
            </table>
        </div>
    }
}
