//! The widget kit's view: the frame every widget sits in. It owns the controls (step,
//! back, play/pause, speed, reset, scrubber), the keyboard shortcuts and their help overlay,
//! the aria-live narration, the transcript, and keeping the widget's state in the URL.
//!
//! A widget supplies a [`Timeline`] in a signal, the settings it wants kept in the URL, and
//! its drawing as children. Everything about stepping lives here, once.

use std::sync::Arc;

use gloo_timers::callback::{Interval, Timeout};
use leptos::prelude::*;

use super::{browser, motion};
use crate::kit::catalog::WidgetSpec;
use crate::kit::url_state::{self, Notice};
use crate::sim::timeline::{Machine, Timeline};

const SPEEDS: &[(&str, u32)] = &[("0.5×", 1600), ("1×", 800), ("2×", 400), ("4×", 200)];

const SHORTCUTS: &[(&str, &str)] = &[
    ("→ or .", "Step forward"),
    ("← or ,", "Step back"),
    ("Space or K", "Play or pause"),
    ("Home", "Back to the start"),
    ("End", "Jump to the end"),
    ("?", "Show or hide these shortcuts"),
];

/// A move on a timeline, as the controls ask for it.
#[derive(Clone, Copy, Debug)]
pub enum Move {
    Forward,
    Back,
    Reset,
    End,
    Seek(usize),
}

type Transcript = Arc<dyn Fn() -> Vec<String> + Send + Sync>;
type Mover = Arc<dyn Fn(Move) + Send + Sync>;

/// A timeline seen through signals and two functions, so that one frame (not one copy per
/// engine type) serves every widget.
#[derive(Clone, Copy)]
pub struct Stepper {
    pos: Signal<usize>,
    last: Signal<usize>,
    narration: Signal<String>,
    transcript: StoredValue<Transcript>,
    mover: StoredValue<Mover>,
}

impl Stepper {
    pub fn of<M: Machine + Send + Sync + 'static>(t: RwSignal<Timeline<M>>) -> Stepper {
        let mover: Mover = Arc::new(move |m| {
            t.update(|t| match m {
                Move::Forward => {
                    t.forward();
                }
                Move::Back => {
                    t.back();
                }
                Move::Reset => t.reset(),
                Move::End => t.seek(usize::MAX),
                Move::Seek(n) => t.seek(n),
            })
        });
        let transcript: Transcript = Arc::new(move || t.with(|t| t.transcript()));
        Stepper {
            pos: Signal::derive(move || t.with(|t| t.pos())),
            last: Signal::derive(move || t.with(|t| t.last())),
            narration: Signal::derive(move || t.with(|t| t.narration())),
            transcript: StoredValue::new(transcript),
            mover: StoredValue::new(mover),
        }
    }

    fn go(&self, m: Move) {
        let f = self.mover.get_value();
        f(m);
    }

    fn at_start(&self) -> bool {
        self.pos.get() == 0
    }

    fn at_end(&self) -> bool {
        self.pos.get() == self.last.get()
    }

    fn at_end_untracked(&self) -> bool {
        self.pos.get_untracked() == self.last.get_untracked()
    }
}

#[component]
pub fn WidgetFrame(
    spec: &'static WidgetSpec,
    instance: &'static str,
    timeline: Stepper,
    /// Problems with the settings this widget was opened with, shown above it.
    #[prop(into)]
    notices: Signal<Vec<Notice>>,
    /// The widget's own settings to keep in the URL; the frame adds the step.
    #[prop(into)]
    settings: Signal<Vec<(&'static str, String)>>,
    children: Children,
    /// Side panels (bytes, caches, a chart of measurements): after the narration and the
    /// step controls, so nothing comes between the picture and what it says.
    #[prop(default = None)]
    aside: Option<Children>,
) -> impl IntoView {
    let playing = RwSignal::new(false);
    let speed = RwSignal::new(1usize);
    // Motion between steps: the section to measure, and the frame request that plays it.
    let root = NodeRef::<leptos::html::Section>::new();
    let motion: StoredValue<Option<gloo_render::AnimationFrame>, LocalStorage> = StoredValue::new_local(None);
    // One step, with what changed moving (`kit::motion`) unless the reader asked for less.
    let step = move |m: Move, interval: Option<u32>| {
        let el: Option<web_sys::Element> = root.get_untracked().map(Into::into).filter(|_| motion::allowed());
        let before = el.as_ref().map(motion::snapshot);
        timeline.go(m);
        if let (Some(el), Some(before)) = (el, before) {
            motion.set_value(Some(motion::play_after(el, before, crate::kit::motion::duration(interval))));
        }
    };
    let help_open = RwSignal::new(false);
    let transcript_open = RwSignal::new(false);
    // The play ticker; dropping it stops it.
    let ticker: StoredValue<Option<Interval>, LocalStorage> = StoredValue::new_local(None);

    let stop = move || {
        ticker.set_value(None);
        playing.set(false);
    };
    let start = move || {
        stop();
        if timeline.at_end_untracked() {
            timeline.go(Move::Reset);
        }
        let ms = SPEEDS[speed.get_untracked()].1;
        let interval = Interval::new(ms, move || {
            step(Move::Forward, Some(ms));
            if timeline.at_end_untracked() && playing.get_untracked() {
                playing.set(false);
                // Not dropped from inside its own callback: a moment later.
                Timeout::new(0, move || ticker.set_value(None)).forget();
            }
        });
        ticker.set_value(Some(interval));
        playing.set(true);
    };
    on_cleanup(move || ticker.set_value(None));
    let toggle = move || if playing.get_untracked() { stop() } else { start() };
    let forward = move || {
        stop();
        step(Move::Forward, None);
    };
    let back = move || {
        stop();
        step(Move::Back, None);
    };
    let reset = move || {
        stop();
        timeline.go(Move::Reset);
    };
    let to_end = move || {
        stop();
        timeline.go(Move::End);
    };

    // Keep the URL in step with the widget once the reader changes something (opening a
    // page leaves its address alone), except while playing, as browsers throttle rapid
    // history updates; pausing writes the final position.
    Effect::new(move |previous: Option<()>| {
        let pos = timeline.pos.get();
        let mut own = settings.get();
        let is_playing = playing.get();
        if previous.is_none() || is_playing {
            return;
        }
        if pos > 0 {
            own.push(("step", pos.to_string()));
        }
        let current = browser::query_pairs();
        let pairs = url_state::write(&current, instance, &own);
        // A widget that reaches its opening state late (after a background run) must not
        // rewrite an address that already says the same thing.
        if !url_state::same_pairs(&current, &pairs) {
            browser::replace_query(&pairs);
        }
    });

    let on_key = move |e: web_sys::KeyboardEvent| {
        if e.alt_key() || e.ctrl_key() || e.meta_key() || browser::typing_into(e.target()) {
            return;
        }
        let handled = match e.key().as_str() {
            "ArrowRight" | "." => {
                forward();
                true
            }
            "ArrowLeft" | "," => {
                back();
                true
            }
            // Space keeps its native meaning on a focused button, link or summary.
            " " if browser::activates_on_space(e.target()) => false,
            " " | "k" | "K" => {
                toggle();
                true
            }
            "Home" => {
                reset();
                true
            }
            "End" => {
                to_end();
                true
            }
            "?" => {
                help_open.update(|o| *o = !*o);
                true
            }
            "Escape" if help_open.get_untracked() => {
                help_open.set(false);
                true
            }
            _ => false,
        };
        if handled {
            e.prevent_default();
            e.stop_propagation();
        }
    };

    let step_label = move || format!("Step {} of {}", timeline.pos.get(), timeline.last.get());
    let share_open = RwSignal::new(false);
    let copied = RwSignal::new(String::new());
    let share_id = format!("{instance}-share");
    let help_id = format!("{instance}-help");
    let help_id2 = help_id.clone();

    view! {
        <section
            node_ref=root
            class="widget"
            data-widget=spec.id
            data-instance=instance
            aria-label=format!("{} (interactive)", spec.title)
            tabindex="0"
            on:keydown=on_key
        >
            <header class="widget-head">
                <h2 class="widget-title">{spec.title}</h2>
                <span class="badge" data-kind=spec.kind.label()>{spec.kind.label()}</span>
            </header>
            {move || {
                let list = notices.get();
                (!list.is_empty()).then(|| view! {
                    <div class="notice" role="status" data-testid="url-notice">
                        <p>"Part of this link could not be used, so defaults stand in:"</p>
                        <ul>
                            {list.into_iter().map(|n| view! { <li><code>{n.key}</code>": "{n.message}</li> }).collect_view()}
                        </ul>
                    </div>
                })
            }}
            <div class="widget-body">{children()}</div>
            <p class="narration" aria-live="polite" data-narration>{move || timeline.narration.get()}</p>
            <div class="controls" role="group" aria-label="Step controls">
                <button data-action="reset" on:click=move |_| reset() prop:disabled=move || timeline.at_start()>
                    <Icon path=ICON_RESET/><span class="visually-hidden">"Back to the start"</span>
                </button>
                <button data-action="step-back" on:click=move |_| back() prop:disabled=move || timeline.at_start()>
                    <Icon path=ICON_BACK/><span class="visually-hidden">"Step back"</span>
                </button>
                <button
                    data-action=move || if playing.get() { "pause" } else { "play" }
                    on:click=move |_| toggle()
                    aria-pressed=move || playing.get().to_string()
                    class="play"
                >
                    {move || if playing.get() { view! { <Icon path=ICON_PAUSE/> } } else { view! { <Icon path=ICON_PLAY/> } }}
                    <span class="visually-hidden">{move || if playing.get() { "Pause" } else { "Play" }}</span>
                </button>
                <button data-action="step-forward" on:click=move |_| forward() prop:disabled=move || timeline.at_end()>
                    <Icon path=ICON_FORWARD/><span class="visually-hidden">"Step forward"</span>
                </button>
                <input
                    type="range"
                    class="scrubber"
                    data-action="scrub"
                    min="0"
                    max=move || timeline.last.get().to_string()
                    prop:value=move || timeline.pos.get().to_string()
                    aria-label="Jump to step"
                    aria-valuetext=step_label
                    on:input=move |e| {
                        stop();
                        if let Ok(n) = event_target_value(&e).parse::<usize>() {
                            timeline.go(Move::Seek(n));
                        }
                    }
                />
                <span class="step-count" data-testid="step-count">{step_label}</span>
                <label class="speed">
                    "Speed "
                    <select
                        on:change=move |e| {
                            if let Ok(i) = event_target_value(&e).parse::<usize>() {
                                speed.set(i.min(SPEEDS.len() - 1));
                                if playing.get_untracked() {
                                    start();
                                }
                            }
                        }
                        prop:value=move || speed.get().to_string()
                    >
                        {SPEEDS.iter().enumerate().map(|(i, (name, _))| view! { <option value=i.to_string()>{*name}</option> }).collect_view()}
                    </select>
                </label>
                <button
                    class="share-toggle"
                    data-testid="share"
                    aria-expanded=move || share_open.get().to_string()
                    aria-controls=share_id.clone()
                    on:click=move |_| {
                        copied.set(String::new());
                        share_open.update(|o| *o = !*o);
                    }
                >
                    "Share"
                </button>
                <button
                    class="help-toggle"
                    aria-expanded=move || help_open.get().to_string()
                    aria-controls=help_id
                    on:click=move |_| help_open.update(|o| *o = !*o)
                >
                    <span aria-hidden="true">"?"</span><span class="visually-hidden">"Keyboard shortcuts"</span>
                </button>
            </div>
            {move || share_open.get().then(|| {
                let (link, snippet) = share_links(spec, instance);
                let (l2, s2) = (link.clone(), snippet.clone());
                view! {
                    <div class="share" id=share_id.clone() role="region" aria-label="Share or embed this widget" data-testid="share-panel">
                        <label>"Link to this moment"<input type="text" readonly data-testid="share-link" prop:value=link/></label>
                        <button on:click=move |_| { copy(&l2); copied.set("Link copied.".into()); }>"Copy link"</button>
                        <label>"Embed in a page"<textarea readonly rows="3" data-testid="share-snippet" prop:value=snippet></textarea></label>
                        <button on:click=move |_| { copy(&s2); copied.set("Embed code copied.".into()); }>"Copy embed code"</button>
                        <p class="meta" aria-live="polite">{move || copied.get()}</p>
                    </div>
                }
            })}
            <div class="help" id=help_id2 role="region" aria-label="Keyboard shortcuts" hidden=move || !help_open.get()>
                <p>"While this widget has focus:"</p>
                <dl>
                    {SHORTCUTS.iter().map(|(k, what)| view! { <dt><kbd>{*k}</kbd></dt><dd>{*what}</dd> }).collect_view()}
                </dl>
                <button on:click=move |_| help_open.set(false)>"Close"</button>
            </div>
            {aside.map(|a| view! { <div class="widget-aside">{a()}</div> })}
            <details class="transcript" on:toggle=move |e| {
                let open = event_target::<web_sys::HtmlDetailsElement>(&e).open();
                transcript_open.set(open);
            }>
                <summary>"Transcript of every step"</summary>
                {move || transcript_open.get().then(|| {
                    let lines = (timeline.transcript.get_value())();
                    let here = timeline.pos.get();
                    view! {
                        <ol start="0" data-testid="transcript">
                            {lines.into_iter().enumerate().map(|(i, l)| view! { <li aria-current=(i == here).then_some("step")>{l}</li> }).collect_view()}
                        </ol>
                    }
                })}
            </details>
        </section>
    }
}

// 24×24 icons drawn as paths, so controls look the same whatever fonts a device has.
const ICON_RESET: &str = "M5 5h2.5v14H5zM19 5v14L8.5 12z";
const ICON_BACK: &str = "M17 5v14L6.5 12zM6 5h0z";
const ICON_PLAY: &str = "M7 4.5v15L19.5 12z";
const ICON_PAUSE: &str = "M6.5 5h4v14h-4zM13.5 5h4v14h-4z";
const ICON_FORWARD: &str = "M5 5v14L15.5 12zM16.5 5H19v14h-2.5z";

#[component]
fn Icon(path: &'static str) -> impl IntoView {
    view! { <svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d=path/></svg> }
}

/// The link to this page at this moment, and an iframe snippet that opens the widget alone
/// (its embed page) in the same state, with the resize helper.
fn share_links(spec: &'static WidgetSpec, instance: &str) -> (String, String) {
    let loc = window().location();
    let link = loc.href().unwrap_or_default();
    let origin = loc.origin().unwrap_or_default();
    let prefix = format!("{instance}.");
    let state: Vec<(String, String)> = browser::query_pairs()
        .into_iter()
        .filter_map(|(k, v)| k.strip_prefix(&prefix).map(|key| (format!("{}.{key}", spec.id), v)))
        .collect();
    let base = browser::base();
    let src = format!("{origin}{base}embed/{}/{}", spec.id, url_state::encode_query(&state));
    let snippet = format!(
        "<iframe src=\"{}\" title=\"{} (techbasics)\" width=\"100%\" height=\"640\" style=\"border:0\" loading=\"lazy\" data-techbasics></iframe>\n<script src=\"{origin}{base}embed.js\" async></script>",
        src.replace('"', "%22"),
        spec.title
    );
    (link, snippet)
}

/// Puts text on the clipboard where the browser allows it; otherwise the reader can still
/// select the field and copy it by hand.
fn copy(text: &str) {
    use wasm_bindgen::JsCast;
    let Ok(nav) = js_sys::Reflect::get(&window(), &"navigator".into()) else { return };
    let Ok(clipboard) = js_sys::Reflect::get(&nav, &"clipboard".into()) else { return };
    let Ok(write) = js_sys::Reflect::get(&clipboard, &"writeText".into()) else { return };
    if let Ok(f) = write.dyn_into::<js_sys::Function>() {
        let _ = f.call1(&clipboard, &text.into());
    }
}
