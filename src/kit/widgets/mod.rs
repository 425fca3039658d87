//! Each widget's half of the contract (`kit::widget::Widget`): from its settings to its
//! engine's input and back, its engine, and the picture of each step. One file per widget,
//! shared by the live view in the browser and by the storyboards and pages built natively.
pub mod browser_rules;
pub mod btree_index;
pub mod dns_lookup;
pub mod http_playground;
pub mod job_queue;
pub mod json_inspector;
pub mod load_balancer;
pub mod replication;
pub mod retry_backoff;
pub mod sharding;
pub mod transaction_rollback;

use crate::kit::url_state::WidgetState;

/// The input of a widget that reads a text: a named preset's, or the reader's own edit of it
/// (the JSON inspector's document, the HTTP playground's session). Only an edited text goes
/// into the URL; a preset is named.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PresetText {
    pub preset: String,
    pub text: String,
    pub edited: bool,
}

impl PresetText {
    /// Reads the `preset` and `input` settings; `text_of` gives a preset's text.
    pub fn read(state: &WidgetState, default: &str, text_of: fn(&str) -> &'static str) -> PresetText {
        let preset = state.text("preset").unwrap_or(default).to_string();
        let custom = state.text("input").unwrap_or("").to_string();
        let edited = !custom.is_empty();
        let text = if edited { custom } else { text_of(&preset).to_string() };
        PresetText { preset, text, edited }
    }

    pub fn settings(&self) -> Vec<(&'static str, String)> {
        vec![("preset", self.preset.clone()), ("input", if self.edited { self.text.clone() } else { String::new() })]
    }
}
