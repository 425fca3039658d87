//! The widget contract. A widget is its engine (`src/sim/`), its view (`src/widgets/NAME/`),
//! its catalog entry (a spec in `catalog.rs` and a [`Widget`] implementation in
//! `kit/widgets/NAME.rs`), its CSS section and its browser test, plus one line in
//! `kit/registry.rs`. Everything that crosses widgets (storyboards, embed pages, reserved
//! heights, variants, search documents, `widgets.json`, the bundle list) is derived from the
//! [`REGISTRY`] built from that line, never from a hand-kept list or a `match` on ids.

use super::catalog::WidgetSpec;
use super::scene::Scene;
use super::url_state::{self, Notice, WidgetState};
use crate::book::WidgetPlacement;
use crate::sim::timeline::{Machine, Timeline, TimelineConfig};

/// Space the page reserves for a widget before its bundle mounts it, so nothing below moves:
/// the mounted height in CSS pixels on a wide screen and on a 360 px phone, per variant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reserve {
    /// `None` for the widget's usual form; a name for a placement-chosen variant.
    pub variant: Option<&'static str>,
    pub wide: u32,
    pub narrow: u32,
}

/// One widget, from settings to pictures. Pure: no browser, no clock.
pub trait Widget: 'static {
    const SPEC: &'static WidgetSpec;
    /// The reserved heights, the usual form first.
    const RESERVE: &'static [Reserve];
    /// What the engine runs on: the settings, checked and typed.
    type Input: Clone + PartialEq + std::fmt::Debug;
    /// The steppable engine the input builds.
    type Machine: Machine;

    /// The input from a widget's settings. Settings the catalog accepts but the engine does
    /// not fall back to defaults with a notice; this never fails and never panics.
    fn input(state: &WidgetState, notices: &mut Vec<Notice>) -> Self::Input;
    /// Every setting that makes up `input`, as the catalog spells it (`step` aside). Reading
    /// them back gives the same input: the URL round-trips (tested over every widget).
    fn settings(input: &Self::Input) -> Vec<(&'static str, String)>;
    /// The engine for `input`, at its first step.
    fn machine(input: &Self::Input) -> Self::Machine;
    /// The picture of the machine's current step.
    fn scene(machine: &Self::Machine, input: &Self::Input) -> Scene;
    /// The placement's variant (a different reserved height), if any.
    fn variant(_input: &Self::Input) -> Option<&'static str> {
        None
    }
    /// The current settings in one line, for the "Set up" disclosure that folds them away
    /// (so a reader sees what the picture was set up with without opening it). Empty when
    /// the widget keeps its settings in view.
    fn summary(_input: &Self::Input) -> String {
        String::new()
    }
}

/// Key frames per storyboard.
pub const STORYBOARD_FRAMES: usize = 4;

/// The steps a storyboard draws: the first, the last, and evenly spaced ones between.
pub fn key_steps(last: usize) -> Vec<usize> {
    let n = STORYBOARD_FRAMES;
    let mut s: Vec<usize> = (0..n).map(|i| i * last / (n - 1).max(1)).collect();
    s.dedup();
    s
}

/// A widget on paper: a few key frames (step, narration, picture) and the whole transcript.
#[derive(Clone, Debug, PartialEq)]
pub struct Board {
    pub frames: Vec<(usize, String, Scene)>,
    pub transcript: Vec<String>,
}

fn board<W: Widget>(p: &WidgetPlacement) -> Board {
    let input = input_of::<W>(p);
    let mut t = Timeline::new(W::machine(&input), TimelineConfig { checkpoint_every: 64, max_steps: 20_000 });
    let transcript = t.transcript();
    let frames = key_steps(t.last())
        .into_iter()
        .map(|s| {
            t.seek(s);
            (s, t.narration(), W::scene(t.current(), &input))
        })
        .collect();
    Board { frames, transcript }
}

/// The input a placement opens with (its directive's settings, no URL).
fn input_of<W: Widget>(p: &WidgetPlacement) -> W::Input {
    let state = url_state::read(W::SPEC, p.instance, p.settings, &[]);
    W::input(&state, &mut Vec::new())
}

fn variant<W: Widget>(p: &WidgetPlacement) -> Option<&'static str> {
    W::variant(&input_of::<W>(p))
}

/// The settings a URL needs for `input` when the placement opens with `baseline`: only
/// those whose written value differs, so a link stays short and opening a page leaves its
/// address alone. Reading them over the placement's settings gives `input` back.
pub fn changed_settings<W: Widget>(baseline: &W::Input, input: &W::Input) -> Vec<(&'static str, String)> {
    changed_from(&W::settings(baseline), W::settings(input))
}

/// `settings` without the pairs `base` already has (the baseline's settings, written once).
pub fn changed_from(base: &[(&'static str, String)], settings: Vec<(&'static str, String)>) -> Vec<(&'static str, String)> {
    settings.into_iter().filter(|(k, v)| !base.iter().any(|(bk, bv)| bk == k && bv == v)).collect()
}

/// Reads `pairs` (a URL's query, over the placement settings `base`) as widget `W`, writes
/// the input back with `W::settings`, and reads that again: both inputs must be equal and
/// the second reading must raise no notice.
fn round_trip<W: Widget>(base: &[(&str, &str)], pairs: &[(String, String)]) -> Result<(), String> {
    let first = W::input(&url_state::read(W::SPEC, "w", base, pairs), &mut Vec::new());
    let written = url_state::write(&[], "w", &W::settings(&first));
    let query = url_state::encode_query(&written);
    let state = url_state::read(W::SPEC, "w", base, &url_state::parse_query(&query));
    if !state.notices.is_empty() {
        return Err(format!("its own settings {query} raise {:?}", state.notices));
    }
    let mut notices = Vec::new();
    let second = W::input(&state, &mut notices);
    if !notices.is_empty() {
        return Err(format!("its own settings {query} fall back: {notices:?}"));
    }
    if first != second {
        return Err(format!("{query} reads back as a different input:\n  {first:?}\n  {second:?}"));
    }
    // The short form the live widget writes: only what differs from the placement's opening.
    let baseline = W::input(&url_state::read(W::SPEC, "w", base, &[]), &mut Vec::new());
    let short = url_state::encode_query(&url_state::write(&[], "w", &changed_settings::<W>(&baseline, &first)));
    let third = W::input(&url_state::read(W::SPEC, "w", base, &url_state::parse_query(&short)), &mut Vec::new());
    if first != third {
        return Err(format!("the short form {short} reads back as a different input:\n  {first:?}\n  {third:?}"));
    }
    Ok(())
}

/// A registered widget, with its generic parts made into plain functions so that one list
/// can hold widgets of different types.
pub struct Entry {
    pub spec: &'static WidgetSpec,
    /// The implementing type's path, for the generated bundles (`ui::mount::start::<T>`).
    pub type_name: fn() -> &'static str,
    pub reserve: &'static [Reserve],
    /// The placement drawn as a storyboard, from its engine.
    pub board: fn(&WidgetPlacement) -> Board,
    /// The placement's variant, if any.
    pub variant: fn(&WidgetPlacement) -> Option<&'static str>,
    /// See [`round_trip`]; used by the registry's property test.
    pub round_trip: fn(&[(&str, &str)], &[(String, String)]) -> Result<(), String>,
}

impl Entry {
    pub const fn of<W: Widget>() -> Entry {
        Entry { spec: W::SPEC, type_name: std::any::type_name::<W>, reserve: W::RESERVE, board: board::<W>, variant: variant::<W>, round_trip: round_trip::<W> }
    }
}

/// Every widget's entry, from `registry.rs`. Native only: the storyboards, pages and
/// manifests are built natively, and a bundle that named this list would link every engine.
#[cfg(not(target_arch = "wasm32"))]
macro_rules! registry {
    ($($spec:ident => $($w:ident)::+),* $(,)?) => {
        pub static REGISTRY: &[Entry] = &[$(Entry::of::<super::widgets::$($w)::+>()),*];
    };
}
#[cfg(not(target_arch = "wasm32"))]
include!("registry.rs");

/// The registered widget with this id.
#[cfg(not(target_arch = "wasm32"))]
pub fn entry(id: &str) -> Option<&'static Entry> {
    REGISTRY.iter().find(|e| e.spec.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kit::catalog::{ParamKind, WIDGETS};
    use crate::sim::rng::SplitMix64 as Rng;

    #[test]
    fn key_steps_cover_first_and_last() {
        assert_eq!(key_steps(0), [0]);
        assert_eq!(key_steps(2), [0, 1, 2]);
        assert_eq!(key_steps(30), [0, 10, 20, 30]);
    }

    #[test]
    fn the_registry_and_the_catalog_name_the_same_widgets_in_order() {
        assert_eq!(REGISTRY.len(), WIDGETS.len());
        assert!(REGISTRY.len() >= 5);
        for (e, w) in REGISTRY.iter().zip(WIDGETS) {
            assert_eq!(e.spec, w, "registry.rs pairs {} with the Widget of {}", w.id, e.spec.id);
            assert!(!e.reserve.is_empty() && e.reserve[0].variant.is_none(), "{}: the usual form's height comes first", w.id);
        }
    }

    /// A raw value for `kind`: often valid, sometimes at a bound, sometimes junk.
    fn raw_value(rng: &mut Rng, kind: ParamKind, default: &str) -> String {
        match kind {
            ParamKind::Int { min, max } => match rng.below(4) {
                0 => min.to_string(),
                1 => max.to_string(),
                2 => (min + (rng.next_u64() % ((max - min) as u64 + 1)) as i64).to_string(),
                _ => ["", "x", "-", "1e3", "99999999999999999999"][rng.below(5) as usize].to_string(),
            },
            ParamKind::Choice(names) => {
                if rng.below(6) == 0 {
                    "nope".into()
                } else {
                    names[rng.below(names.len() as u64) as usize].to_string()
                }
            }
            ParamKind::Flag => ["true", "false", "1", "0", "yes"][rng.below(5) as usize].to_string(),
            ParamKind::Text { max_chars } => {
                // The default with a piece cut out, or repeated, or odd characters.
                let d: Vec<char> = default.chars().collect();
                let s: String = match rng.below(5) {
                    0 => String::new(),
                    1 if !d.is_empty() => {
                        let cut = rng.below(d.len() as u64) as usize;
                        d[..cut].iter().collect()
                    }
                    2 => format!("{default},{default}"),
                    3 => (0..rng.below(12)).map(|_| " ,;:/-0123456789abzAZé#<>&\"%".chars().nth(rng.below(29) as usize).unwrap_or('a')).collect(),
                    _ => default.to_string(),
                };
                s.chars().take(max_chars + 1).collect()
            }
        }
    }

    /// For random settings (valid, at the bounds, or junk) over every placement's directive
    /// settings and over none, each widget's input survives being written to a URL and read.
    #[test]
    fn every_widget_round_trips_through_the_url() {
        let mut placements: Vec<(&str, Vec<(&str, &str)>)> = WIDGETS.iter().map(|w| (w.id, Vec::new())).collect();
        for (_, p) in crate::book::PLACEMENTS {
            placements.push((p.widget, p.settings.to_vec()));
        }
        let mut checked = 0;
        for e in REGISTRY {
            let bases: Vec<&Vec<(&str, &str)>> = placements.iter().filter(|(id, _)| *id == e.spec.id).map(|(_, s)| s).collect();
            assert!(bases.len() >= 2, "{}: placed somewhere besides its embed", e.spec.id);
            for seed in 0..300u64 {
                let mut rng = Rng(seed ^ 0x5eed);
                let base = bases[seed as usize % bases.len()];
                let mut pairs: Vec<(String, String)> = Vec::new();
                for k in e.spec.keys() {
                    if rng.below(3) > 0 {
                        let p = e.spec.param(k).unwrap();
                        pairs.push((format!("w.{k}"), raw_value(&mut rng, p.kind, p.default)));
                    }
                }
                if let Err(why) = (e.round_trip)(base, &pairs) {
                    panic!("{} (seed {seed}, base {base:?}, pairs {pairs:?}): {why}", e.spec.id);
                }
                checked += 1;
            }
        }
        assert_eq!(checked, 300 * WIDGETS.len());
    }

    #[test]
    fn every_placement_draws_finite_scenes_and_a_transcript() {
        let mut n = 0;
        for (chapter, p) in crate::book::PLACEMENTS {
            let e = entry(p.widget).expect("registered");
            let b = (e.board)(p);
            assert!(b.frames.len() >= 2, "{chapter}/{}: more than one frame", p.instance);
            assert!(b.transcript.len() >= 2, "{chapter}/{}: a transcript", p.instance);
            assert!(b.frames.iter().all(|(_, _, s)| s.is_finite() && !s.shapes.is_empty()), "{chapter}/{}: finite, non-empty pictures", p.instance);
            n += 1;
        }
        assert!(n >= 2 * WIDGETS.len(), "every widget has its embed and a chapter placement");
    }
}
