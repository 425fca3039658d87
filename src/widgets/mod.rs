//! Widget views, one folder each. Each implements `ui::mount::View` for its widget's pure
//! half (`kit::widgets`), and each widget is its own wasm bundle (`src/bin/widget-ID.rs`,
//! whose `main` calls `ui::mount::start` for that widget), so a page downloads only the
//! widgets it shows.
mod browser_rules;
mod btree_index;
mod dns_lookup;
mod http_playground;
mod job_queue;
mod json_inspector;
mod load_balancer;
mod replication;
mod retry_backoff;
mod sharding;
mod transaction_rollback;
