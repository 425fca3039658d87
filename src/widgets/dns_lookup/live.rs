//! Live mode, off until the reader opts in: the same RFC 1035 query, sent over
//! DNS-over-HTTPS (RFC 8484) to a resolver URL the reader types, and the real reply decoded
//! by the same decoder. Nothing is sent until the reader presses the button.

use crate::ui::field::{Keys, TextField};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::sim::dns::wire::{Name, RType};
use crate::sim::dns::{self, check_doh_url};

/// Replies larger than this are refused rather than decoded.
const MAX_REPLY: u32 = 65_535;

async fn post(url: &str, body: &[u8]) -> Result<Vec<u8>, String> {
    const UNREACHABLE: &str = "The request failed: the resolver could not be reached, or it does not accept requests from this page (CORS).";
    let headers = web_sys::Headers::new().map_err(|_| UNREACHABLE.to_string())?;
    let _ = headers.set("content-type", "application/dns-message");
    let _ = headers.set("accept", "application/dns-message");
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_headers(&headers);
    init.set_body(&js_sys::Uint8Array::from(body));
    let reply = JsFuture::from(window().fetch_with_str_and_init(url, &init)).await.map_err(|_| UNREACHABLE.to_string())?;
    let reply: web_sys::Response = reply.dyn_into().map_err(|_| UNREACHABLE.to_string())?;
    if !reply.ok() {
        return Err(format!("The resolver answered HTTP {} instead of a DNS message.", reply.status()));
    }
    let buffer = reply.array_buffer().map_err(|_| UNREACHABLE.to_string())?;
    let buffer = JsFuture::from(buffer).await.map_err(|_| UNREACHABLE.to_string())?;
    let bytes = js_sys::Uint8Array::new(&buffer);
    if bytes.length() > MAX_REPLY {
        return Err("The reply is larger than any DNS message can be.".into());
    }
    Ok(bytes.to_vec())
}

#[component]
pub fn Live(instance: &'static str, name: RwSignal<String>, rtype: RwSignal<RType>) -> impl IntoView {
    let url = RwSignal::new(String::new());
    let result = RwSignal::new(None::<Result<Vec<String>, String>>);
    let busy = RwSignal::new(false);
    let send = move |()| {
        if busy.get_untracked() {
            return;
        }
        let target = match check_doh_url(&url.get_untracked()) {
            Ok(u) => u,
            Err(e) => return result.set(Some(Err(e))),
        };
        let n = match Name::parse(&name.get_untracked()) {
            Ok(n) => n,
            Err(e) => return result.set(Some(Err(e))),
        };
        let body = dns::doh_query(&n, rtype.get_untracked());
        busy.set(true);
        result.set(None);
        leptos::task::spawn_local(async move {
            let reply = post(&target, &body).await;
            result.set(Some(reply.and_then(|bytes| dns::describe_reply(&bytes))));
            busy.set(false);
        });
    };
    let url_id = format!("{instance}-doh-url");
    view! {
        <details class="dns-live" data-testid="dns-live">
            <summary>"Live mode: ask a real resolver (off until you use it)"</summary>
            <p class="meta">
                "This sends the name and type above, as the same DNS message, to the DNS-over-HTTPS resolver you enter (RFC 8484), and decodes its reply with the same decoder. Nothing is sent until you press the button, and the resolver you choose sees the name you look up."
            </p>
            <div class="dns-ask">
                <label for=url_id.clone()>"Resolver URL"</label>
                <TextField value=url on_enter=move |()| send(()) described_by=format!("{instance}-doh-result") testid="dns-doh-url" id=url_id keys=Keys::Url
                    placeholder=Signal::derive(|| "https://resolver.example/dns-query".to_string())/>
                <button data-testid="dns-doh-send" on:click=move |_| send(()) prop:disabled=move || busy.get()>"Send over DoH"</button>
            </div>
            <div role="status" id=format!("{instance}-doh-result") data-testid="dns-doh-result">
                {move || busy.get().then(|| view! { <p class="meta">"Waiting for the resolver…"</p> })}
                {move || result.get().map(|r| match r {
                    Ok(lines) => view! { <ul class="dns-live-lines">{lines.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ul> }.into_any(),
                    Err(e) => view! { <p class="input-error">{e}</p> }.into_any(),
                })}
            </div>
        </details>
    }
}
