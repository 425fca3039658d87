//! Each widget's half of the contract (`kit::widget::Widget`): from its settings to its
//! engine's input and back, its engine, and the picture of each step. One file per widget,
//! shared by the live view in the browser and by the storyboards and pages built natively.
pub mod browser_rules;
pub mod btree_index;
pub mod dns_lookup;
pub mod http_playground;
pub mod json_inspector;
pub mod load_balancer;
pub mod replication;
pub mod retry_backoff;
pub mod sharding;
pub mod transaction_rollback;
