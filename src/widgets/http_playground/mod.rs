//! The HTTP playground: the reader writes raw HTTP/1.1 requests, the shop API (sim::http)
//! answers them in the page, and each answer is stepped through decision by decision, with
//! the bytes both ways and the products table after.

use std::sync::Arc;

use leptos::prelude::*;

use crate::kit::catalog::{self, HTTP_MAX_CHARS, HTTP_PRESETS};
use crate::kit::widgets::http_playground as kit;
use crate::sim::http::{self, shop::Product, Kind, Record};
use crate::ui::mount::{Live, LiveFrame, View};

impl View for kit::HttpPlayground {
    fn view(live: Live<Self>) -> AnyView {
        view! { <HttpPlayground live=live/> }.into_any()
    }
}

/// Bytes as the wire has them, with each CR and LF made visible (text only: what the
/// reader typed is never parsed as HTML).
fn visible(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '\r' => out.push('␍'),
            '\n' => out.push_str("␊\n"),
            c => out.push(c),
        }
    }
    out
}

fn preset_label(name: &str) -> &'static str {
    match name {
        "read" => "Read a product",
        "create" => "Create a product (and a bad one)",
        "lost-update" => "Two edits: the lost update prevented",
        "cache" => "Has it changed? ETags and 304",
        "retry" => "Retrying an order: idempotency keys",
        "errors" => "A tour of the error codes",
        "framing" => "Bytes a server refuses",
        _ => "Session",
    }
}

#[component]
fn HttpPlayground(live: Live<kit::HttpPlayground>) -> impl IntoView {
    let (input, timeline) = (live.input, live.timeline);
    let draft = RwSignal::new(input.get_untracked().text);
    let input_error = RwSignal::new(None::<String>);

    let on_preset = move |e: leptos::ev::Event| {
        let name = event_target_value(&e);
        if let Some(catalog::ParamValue::Choice(n)) = live.spec.param("preset").and_then(|p| p.parse(&name).ok()) {
            input_error.set(None);
            let text = http::preset(n).to_string();
            draft.set(text.clone());
            live.apply(kit::Input { preset: n.to_string(), text, edited: false });
        }
    };
    let send = move || {
        let text = draft.get_untracked();
        let len = text.chars().count();
        if len > HTTP_MAX_CHARS {
            input_error.set(Some(format!("This session is {len} characters long; the playground reads up to {HTTP_MAX_CHARS}. Nothing was sent.")));
            return;
        }
        input_error.set(None);
        let preset = input.with_untracked(|i| i.preset.clone());
        let edited = text != http::preset(&preset);
        // Opens at the last request's first step: its bytes, then each decision.
        live.apply_then(kit::Input { preset, text, edited }, |t| {
            let last = t.current().record.exchanges.len().saturating_sub(1);
            let at = t.current().record.frames.iter().position(|&(e, _)| e == last).unwrap_or(0);
            t.seek(at);
        });
    };

    let here = move || timeline.with(|t| (t.current().record.clone(), t.current().here()));
    let id = live.instance();
    let area = format!("{id}-session");
    let select = format!("{id}-preset");
    let error_id = format!("{id}-session-error");

    view! {
        <LiveFrame live=live aside=Box::new(move || view! { <Exchanges live=live/> }.into_any())>
            <div class="http">
                <div class="http-inputs">
                    <label for=select.clone()>"Session"</label>
                    <select id=select data-testid="http-preset" on:change=on_preset prop:value=move || input.with(|i| i.preset.clone())>
                        {HTTP_PRESETS.iter().map(|n| view! { <option value=*n>{preset_label(n)}</option> }).collect_view()}
                    </select>
                    <label for=area.clone()>"Requests, as sent (separate them with a line starting ###; Ctrl+Enter sends)"</label>
                    <textarea id=area rows="12" wrap="off" spellcheck="false" autocomplete="off" data-testid="http-input" aria-describedby=error_id.clone()
                        prop:value=move || draft.get()
                        on:input=move |e| draft.set(event_target_value(&e))
                        on:keydown=move |e: leptos::ev::KeyboardEvent| if e.key() == "Enter" && (e.ctrl_key() || e.meta_key()) {
                            e.prevent_default();
                            send();
                        }
                    ></textarea>
                    <div class="http-buttons">
                        <button data-testid="http-send" on:click=move |_| send()>"Send"</button>
                    </div>
                    <p class="input-error" id=error_id role="alert" data-testid="http-error">{move || input_error.get()}</p>
                </div>
                {move || {
                    let (rec, at) = here();
                    match at {
                        None => view! { <p class="meta" data-testid="http-empty">"No requests in this session yet. Write one, such as GET /api/products HTTP/1.1 with a Host line, and press Send."</p> }.into_any(),
                        Some((e, s)) => view! { <Current rec=rec e=e s=s/> }.into_any(),
                    }
                }}
            </div>
        </LiveFrame>
    }
}

/// The current exchange: the request's bytes, the decisions so far, the response once it
/// is sent, and the products table.
#[component]
fn Current(rec: Arc<Record>, e: usize, s: usize) -> impl IntoView {
    let x = &rec.exchanges[e];
    let answered = s + 1 >= x.steps.len();
    let trail = x.steps[..=s].iter().enumerate().map(|(i, st)| {
        let rfc = (!st.rfc.is_empty()).then(|| format!(" ({})", st.rfc));
        view! { <li class:now=i == s class:decided=st.decided><strong>{st.node}</strong>" "{st.said.clone()}<span class="meta">{rfc}</span></li> }
    }).collect_view();
    let (sent, response) = match &x.kind {
        Kind::Request { sent, response, .. } => (Some(visible(sent)), answered.then(|| visible(&response.to_bytes()))),
        Kind::Event(_) => (None, None),
    };
    let before = if e == 0 { rec.before.clone() } else { rec.exchanges[e - 1].after.clone() };
    let shown = if answered { x.after.clone() } else { before.clone() };
    let title = format!("Exchange {} of {}", e + 1, rec.exchanges.len());
    view! {
        <div class="http-now">
            <h3 class="http-title">{title}</h3>
            <div class="http-wire">
                {sent.map(|b| view! {
                    <figure>
                        <figcaption>"Request bytes"</figcaption>
                        <pre data-testid="http-request" tabindex="0">{b}</pre>
                    </figure>
                })}
                {matches!(x.kind, Kind::Request { .. }).then(|| view! {
                    <figure>
                        <figcaption>"Response bytes"</figcaption>
                        <pre data-testid="http-response" tabindex="0">{response.unwrap_or_else(|| "(not sent yet: step on)".into())}</pre>
                    </figure>
                })}
            </div>
            <ol class="http-trail" data-testid="http-trail" aria-label="Decisions so far">{trail}</ol>
            <ProductsTable rows=shown before=before answered=answered/>
        </div>
    }
}

#[component]
fn ProductsTable(rows: Vec<Product>, before: Vec<Product>, answered: bool) -> impl IntoView {
    let caption = if answered { "Products after this exchange" } else { "Products before this exchange" };
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label="The products table">
            <table class="http-products" data-testid="http-products">
                <caption>{caption}</caption>
                <thead><tr><th scope="col">"id"</th><th scope="col">"name"</th><th scope="col">"price (cents)"</th><th scope="col">"stock"</th><th scope="col">"ETag"</th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|p| {
                        let changed = !before.contains(&p);
                        view! {
                            <tr class:changed=changed data-product=p.id>
                                <th scope="row">{p.id}</th><td>{p.name.clone()}</td><td>{p.price}</td><td>{p.stock}</td><td><code>{p.etag()}</code></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// Every exchange of the session with its status; each opens that exchange.
#[component]
fn Exchanges(live: Live<kit::HttpPlayground>) -> impl IntoView {
    let timeline = live.timeline;
    let list = move || timeline.with(|t| (t.current().record.clone(), t.current().here().map(|h| h.0)));
    view! {
        <div class="http-list">
            <h3>"The session"</h3>
            <ol data-testid="http-exchanges">
                {move || {
                    let (rec, now) = list();
                    rec.exchanges.iter().enumerate().map(|(i, x)| {
                        let label = match &x.kind {
                            Kind::Request { read: Ok(r), response, .. } => format!("{} {} → {} {}", r.method, r.target, response.status, http::wire::reason(response.status)),
                            Kind::Request { response, .. } => format!("(unreadable) → {} {}", response.status, http::wire::reason(response.status)),
                            Kind::Event(ev) => format!("### {ev}"),
                        };
                        let status = match &x.kind {
                            Kind::Request { response, .. } => response.status.to_string(),
                            Kind::Event(_) => String::new(),
                        };
                        let rec2 = rec.clone();
                        view! {
                            <li class:now=now == Some(i) data-status=status>
                                <button class="link" on:click=move |_| {
                                    let at = rec2.frames.iter().position(|&(e, _)| e == i).unwrap_or(0);
                                    timeline.update(|t| t.seek(at));
                                }>{label}</button>
                            </li>
                        }
                    }).collect_view()
                }}
            </ol>
        </div>
    }
}
