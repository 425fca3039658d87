//! Widget views, one folder each. Each widget is its own wasm bundle (`src/bundles/`), so a
//! page downloads only the widgets it shows; each bundle's `main` passes one of these views
//! to `ui::start_widget`.
mod btree_index;
mod dns_lookup;
mod json_inspector;
mod retry_backoff;
mod transaction_rollback;

use leptos::prelude::*;

use crate::book::WidgetPlacement;

pub fn json_inspector(p: &'static WidgetPlacement) -> AnyView {
    view! { <json_inspector::JsonInspector placement=p/> }.into_any()
}

pub fn btree_index(p: &'static WidgetPlacement) -> AnyView {
    view! { <btree_index::BTreeIndex placement=p/> }.into_any()
}

pub fn dns_lookup(p: &'static WidgetPlacement) -> AnyView {
    view! { <dns_lookup::DnsLookup placement=p/> }.into_any()
}

pub fn retry_backoff(p: &'static WidgetPlacement) -> AnyView {
    view! { <retry_backoff::RetryBackoff placement=p/> }.into_any()
}

pub fn transaction_rollback(p: &'static WidgetPlacement) -> AnyView {
    view! { <transaction_rollback::TransactionRollback placement=p/> }.into_any()
}
