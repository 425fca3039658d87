//! The pure half of the widget kit: the widget catalog, URL state, the widget contract and
//! its registry, scenes, search and progress. The views live in `ui` and `widgets`.
pub mod catalog;
pub mod chart;
pub mod motion;
pub mod progress;
pub mod scene;
pub mod search;
pub mod url_state;
pub mod widget;
pub mod widgets;
