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

/// Bytes a line at a time; the line at `bad` (where the server stopped reading) is marked.
#[component]
fn Bytes(bytes: Vec<u8>, testid: &'static str, #[prop(optional)] bad: Option<usize>) -> impl IntoView {
    view! {
        <pre data-testid=testid tabindex="0">
            {kit::wire_lines(&bytes).into_iter().enumerate().map(|(i, (text, end))| {
                let here = bad == Some(i);
                view! { <span class:bad=here data-bad=here.then_some("true")>{text}<span class="eol">{end}</span></span>"\n" }
            }).collect_view()}
        </pre>
    }
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
    // What the reader has typed since the last Send. Not a signal: writing the text back
    // into the box on every keystroke made a 12,000-character paste lay out for seconds.
    let draft = StoredValue::new(input.get_untracked().text);
    let input_error = RwSignal::new(None::<String>);

    let on_preset = move |e: leptos::ev::Event| {
        let name = event_target_value(&e);
        if let Some(catalog::ParamValue::Choice(n)) = live.spec.param("preset").and_then(|p| p.parse(&name).ok()) {
            input_error.set(None);
            let text = http::preset(n).to_string();
            draft.set_value(text.clone());
            live.apply(kit::Input { preset: n.to_string(), text, edited: false });
        }
    };
    let send = move || {
        let text = draft.get_value();
        let len = text.chars().count();
        if len > HTTP_MAX_CHARS {
            input_error.set(Some(format!("This session is {len} characters long; the playground reads up to {HTTP_MAX_CHARS}. Nothing was sent.")));
            return;
        }
        input_error.set(None);
        let preset = input.with_untracked(|i| i.preset.clone());
        let edited = text != http::preset(&preset);
        // Opens at the last request's first step: its bytes, then each decision. Answering
        // and drawing go in a task of their own, after the click's.
        set_timeout(
            move || {
                live.apply_then(kit::Input { preset, text, edited }, |t| {
                    let last = t.current().record.exchanges.len().saturating_sub(1);
                    let at = t.current().record.frames.iter().position(|&(e, _)| e == last).unwrap_or(0);
                    t.seek(at);
                })
            },
            std::time::Duration::ZERO,
        );
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
                        prop:value=move || input.with(|i| i.text.clone())
                        on:input=move |e| draft.set_value(event_target_value(&e))
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
    // The decision that chose the status: marked as a refusal for 4xx and 5xx.
    let refused = matches!(&x.kind, Kind::Request { response, .. } if response.status >= 400);
    let trail = x.steps[..=s].iter().enumerate().map(|(i, st)| {
        let rfc = (!st.rfc.is_empty()).then(|| format!(" ({})", st.rfc));
        view! { <li class:now=i == s class:decided=st.decided class:refused=st.decided && refused><strong>{st.node}</strong>" "{st.said.clone()}<span class="meta">{rfc}</span></li> }
    }).collect_view();
    let (sent, response, bad) = match &x.kind {
        Kind::Request { sent, response, read, .. } => (Some(sent.clone()), answered.then(|| response.to_bytes()), read.as_ref().err().filter(|_| s >= 1).map(|e| kit::line_at(sent, e.offset))),
        Kind::Event(_) => (None, None, None),
    };
    let is_request = sent.is_some();
    let before = if e == 0 { rec.before.clone() } else { rec.exchanges[e - 1].after.clone() };
    let shown = if answered { x.after.clone() } else { before.clone() };
    let title = format!("Exchange {} of {}", e + 1, rec.exchanges.len());
    view! {
        <div class="http-now">
            <h3 class="http-title">{title}</h3>
            <div class="http-cols">
                <div class="http-wire">
                    {sent.map(|b| view! {
                        <figure>
                            <figcaption>"Request bytes"</figcaption>
                            {match bad {
                                Some(line) => view! { <Bytes bytes=b testid="http-request" bad=line/> }.into_any(),
                                None => view! { <Bytes bytes=b testid="http-request"/> }.into_any(),
                            }}
                        </figure>
                    })}
                    {is_request.then(|| view! {
                        <figure>
                            <figcaption>"Response bytes"</figcaption>
                            {match response {
                                Some(b) => view! { <Bytes bytes=b testid="http-response"/> }.into_any(),
                                None => view! { <pre data-testid="http-response" tabindex="0" class="meta">"(not sent yet: step on)"</pre> }.into_any(),
                            }}
                        </figure>
                    })}
                </div>
                <ol class="http-trail" data-testid="http-trail" aria-label="Decisions so far">{trail}</ol>
            </div>
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

/// The session's record, equal only to itself: the list below is redrawn when a new session
/// is sent, not on every step.
#[derive(Clone)]
struct Shared(Arc<Record>);

impl PartialEq for Shared {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// Entries of the session list drawn at once: a long session shows a window of them around
/// the current exchange (creating 150 rows in one task took over 50 ms).
const LIST_ROWS: usize = 20;

/// The session's exchanges with their statuses, a window around the current one; each opens
/// that exchange.
#[component]
fn Exchanges(live: Live<kit::HttpPlayground>) -> impl IntoView {
    let timeline = live.timeline;
    let record = Memo::new(move |_| timeline.with(|t| Shared(t.current().record.clone())));
    let now = Memo::new(move |_| timeline.with(|t| t.current().here().map(|h| h.0)));
    // The window's first row moves only when the current exchange leaves it.
    let first = Memo::new(move |prev: Option<&usize>| {
        let n = record.with(|r| r.0.exchanges.len());
        let at = now.get().unwrap_or(0);
        let prev = prev.copied().unwrap_or(0);
        let start = if at < prev || at >= prev + LIST_ROWS { at.saturating_sub(LIST_ROWS / 4) } else { prev };
        start.min(n.saturating_sub(LIST_ROWS))
    });
    view! {
        <div class="http-list">
            <h3>"The session"</h3>
            <ol data-testid="http-exchanges" start=move || first.get() + 1>
                {move || {
                    let rec = record.get().0;
                    let from = first.get();
                    rec.exchanges.iter().enumerate().skip(from).take(LIST_ROWS).map(|(i, x)| {
                        let label = match &x.kind {
                            Kind::Request { read: Ok(r), response, .. } => format!("{} {} → {} {}", r.method, r.target, response.status, http::wire::reason(response.status)),
                            Kind::Request { response, .. } => format!("(unreadable) → {} {}", response.status, http::wire::reason(response.status)),
                            Kind::Event(ev) => format!("### {ev}"),
                        };
                        let status = match &x.kind {
                            Kind::Request { response, .. } => response.status.to_string(),
                            Kind::Event(_) => String::new(),
                        };
                        let at = rec.frames.iter().position(|&(e, _)| e == i).unwrap_or(0);
                        view! {
                            <li class:now=move || now.get() == Some(i) data-status=status>
                                <button on:click=move |_| timeline.update(|t| t.seek(at))>{label}</button>
                            </li>
                        }
                    }).collect_view()
                }}
            </ol>
            {move || {
                let n = record.with(|r| r.0.exchanges.len());
                let from = first.get();
                (n > LIST_ROWS).then(|| view! { <p class="meta">{format!("Exchanges {} to {} of {n}: step on, or pick one, to move along.", from + 1, (from + LIST_ROWS).min(n))}</p> })
            }}
        </div>
    }
}
