//! Widget views, one folder each. `mount` places the widget a content directive names.
mod btree_index;
mod dns_lookup;
mod json_inspector;
mod retry_backoff;

use leptos::prelude::*;

use crate::book::WidgetPlacement;

pub fn mount(p: &'static WidgetPlacement) -> AnyView {
    match p.widget {
        "json-inspector" => view! { <json_inspector::JsonInspector placement=p/> }.into_any(),
        "btree-index" => view! { <btree_index::BTreeIndex placement=p/> }.into_any(),
        "dns-lookup" => view! { <dns_lookup::DnsLookup placement=p/> }.into_any(),
        "retry-backoff" => view! { <retry_backoff::RetryBackoff placement=p/> }.into_any(),
        // The build refuses directives naming unknown widgets, so this is never reached.
        other => view! { <p class="notice">{format!("Unknown widget “{other}”.")}</p> }.into_any(),
    }
}
