//! The pure half of the widget kit: the widget catalog and URL state. The views live in `ui`.
pub mod catalog;
pub mod url_state;
pub mod search;
pub mod progress;
pub mod setup;
