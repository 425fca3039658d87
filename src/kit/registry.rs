// The one list of widgets: each line pairs a widget's catalog spec (`catalog.rs`) with its
// `Widget` implementation (`kit/widgets/`). `catalog.rs` reads it as the list of specs (the
// build script checks content directives with it), `widget.rs` as the registry of entries.
// Adding a widget adds a line here; nothing else lists widgets.
registry! {
    JSON_INSPECTOR => json_inspector::JsonInspector,
    BTREE_INDEX => btree_index::BTreeIndex,
    RETRY_BACKOFF => retry_backoff::RetryBackoff,
    DNS_LOOKUP => dns_lookup::DnsLookup,
    TRANSACTION_ROLLBACK => transaction_rollback::TransactionRollback,
    SHARDING => sharding::Sharding,
    LOAD_BALANCER => load_balancer::LoadBalancer,
    REPLICATION => replication::Replication,
    HTTP_PLAYGROUND => http_playground::HttpPlayground,
    BROWSER_RULES => browser_rules::BrowserRules,
    JOB_QUEUE => job_queue::JobQueue,
}
