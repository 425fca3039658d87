//! The browser half of the widget contract: a widget's view is a [`View`] (its markup over a
//! [`Live`]), and [`start`] mounts it into every placeholder of its bundle's pages. `Live`
//! owns what every widget has: the input read from the URL over the placement's settings,
//! the timeline built from it, the notices, the message for bad input, and the URL writing
//! (only the settings that differ from how the placement opens, plus the step).

use leptos::prelude::*;

use super::stepper::{Stepper, WidgetFrame};
use crate::book::WidgetPlacement;
use crate::kit::catalog::WidgetSpec;
use crate::kit::url_state::{self, Notice};
use crate::kit::widget::{changed_from, Widget};
use crate::sim::des::Resumable;
use crate::sim::timeline::{Timeline, TimelineConfig};
use super::slices;

/// A widget's view, on top of its pure half.
pub trait View: Widget<Input: Send + Sync, Machine: Send + Sync> + Sized {
    /// How its timeline keeps checkpoints and how long it may run.
    const TIMELINE: TimelineConfig = TimelineConfig { checkpoint_every: 64, max_steps: 20_000 };

    /// A cheap machine to paint at once, when `machine` is slow to build: the real one is
    /// then built in a task of its own, after the first paint. `None` builds it at once.
    fn first_paint(_input: &Self::Input) -> Option<Self::Machine> {
        None
    }

    /// True when the view builds the real machine itself, in the background (the retry
    /// simulation runs in time slices): `Live` then paints `first_paint` and leaves the rest,
    /// and `apply` only records the new input.
    const BUILDS_IN_BACKGROUND: bool = false;

    /// The widget's markup, inside [`LiveFrame`].
    fn view(live: Live<Self>) -> AnyView;
}

/// A mounted widget's state, as signals. Copy, so every handler can hold it.
pub struct Live<W: View> {
    pub spec: &'static WidgetSpec,
    pub placement: &'static WidgetPlacement,
    pub input: RwSignal<W::Input>,
    pub timeline: RwSignal<Timeline<W::Machine>>,
    pub notices: RwSignal<Vec<Notice>>,
    /// Why the reader's last change was refused, shown beside the controls.
    pub message: RwSignal<Option<String>>,
    /// The settings of the input the placement opens with when the URL says nothing,
    /// written once: the URL keeps only what differs from them.
    baseline: StoredValue<Vec<(&'static str, String)>>,
    /// Background builds (`build_in_slices`): the newest one's number, and whether one has
    /// finished yet (the first opens at the URL's step).
    builds: StoredValue<(u32, bool)>,
}

impl<W: View> Clone for Live<W> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<W: View> Copy for Live<W> {}

impl<W: View> Live<W> {
    /// Reads the URL over the placement's settings and builds the timeline at the URL's step.
    pub fn new(placement: &'static WidgetPlacement) -> Live<W> {
        let spec = W::SPEC;
        let state = url_state::read(spec, placement.instance, placement.settings, &super::browser::query_pairs());
        let mut notices = state.notices.clone();
        let input = W::input(&state, &mut notices);
        let baseline = W::input(&url_state::read(spec, placement.instance, placement.settings, &[]), &mut Vec::new());
        let open_at = Self::step_in_url(&state);
        let first = W::first_paint(&input);
        let deferred = first.is_some();
        let mut t = Timeline::new(first.unwrap_or_else(|| W::machine(&input)), W::TIMELINE);
        if !deferred {
            t.seek(open_at);
        }
        let live = Live {
            spec,
            placement,
            input: RwSignal::new(input),
            timeline: RwSignal::new(t),
            notices: RwSignal::new(notices),
            message: RwSignal::new(None),
            baseline: StoredValue::new(W::settings(&baseline)),
            builds: StoredValue::new((0, false)),
        };
        if deferred && !W::BUILDS_IN_BACKGROUND {
            set_timeout(move || live.rebuild(|t| t.seek(open_at)), std::time::Duration::ZERO);
        }
        live
    }

    /// The step the URL opens the widget at.
    fn step_in_url(state: &url_state::WidgetState) -> usize {
        state.int("step").unwrap_or(0) as usize
    }

    /// The step the URL asked for, for a view that builds its machine in the background.
    pub fn opening_step(&self) -> usize {
        Self::step_in_url(&url_state::read(self.spec, self.placement.instance, self.placement.settings, &super::browser::query_pairs()))
    }

    pub fn instance(&self) -> &'static str {
        self.placement.instance
    }

    /// Runs `next` from its first step, clearing any message.
    pub fn apply(&self, next: W::Input) {
        self.apply_then(next, |_| {});
    }

    /// Runs `next`, then moves its timeline with `at` (to the end, to a chosen step).
    pub fn apply_then(&self, next: W::Input, at: impl FnOnce(&mut Timeline<W::Machine>)) {
        self.input.set(next);
        if W::BUILDS_IN_BACKGROUND {
            self.message.set(None);
        } else {
            self.rebuild(at);
        }
    }

    /// Rebuilds the timeline from the current input.
    fn rebuild(&self, at: impl FnOnce(&mut Timeline<W::Machine>)) {
        let mut t = self.input.with_untracked(|i| Timeline::new(W::machine(i), W::TIMELINE));
        at(&mut t);
        self.message.set(None);
        self.timeline.set(t);
    }

    /// For a view that `BUILDS_IN_BACKGROUND`: runs `work` in time slices (`ui::slices`),
    /// turns its output into the machine with `finish`, and shows it, in a task of its own.
    /// `progress` holds the work done so far while it runs, `None` once shown. A newer build
    /// stops an older one. The first build opens at the URL's step; later ones keep the
    /// reader's place (the end stays the end, a step stays that step).
    pub fn build_in_slices<R: Resumable + 'static>(&self, work: R, budget: usize, progress: RwSignal<Option<u64>>, finish: impl FnOnce(R::Output) -> W::Machine + 'static) {
        let live = *self;
        let number = self.builds.get_value().0.wrapping_add(1);
        self.builds.update_value(|b| b.0 = number);
        let current = move || live.builds.try_get_value().is_some_and(|b| b.0 == number);
        progress.set(Some(0));
        slices::run(work, budget, current, move |n| progress.set(Some(n)), move |out| {
            // Collecting the output was this task; making the machine, its timeline and the
            // picture is the next one, so neither comes near the 50 ms budget.
            set_timeout(
                move || {
                    if !current() {
                        return;
                    }
                    let machine = finish(out);
                    let opened = live.builds.get_value().1;
                    let target = if opened {
                        live.timeline.with_untracked(|old| if old.at_end() && old.last() > 0 { usize::MAX } else { old.pos() })
                    } else {
                        live.opening_step()
                    };
                    let mut t = Timeline::new(machine, W::TIMELINE);
                    t.seek(target);
                    live.builds.update_value(|b| b.1 = true);
                    live.message.set(None);
                    live.timeline.set(t);
                    progress.set(None);
                },
                std::time::Duration::ZERO,
            );
        });
    }

    /// Refuses the reader's change with a message; nothing else changes.
    pub fn refuse(&self, why: impl Into<String>) {
        self.message.set(Some(why.into()));
    }

    /// The settings to keep in the URL: those that differ from the placement's opening.
    pub fn settings(&self) -> Signal<Vec<(&'static str, String)>> {
        let (input, baseline) = (self.input, self.baseline);
        Signal::derive(move || input.with(|i| baseline.with_value(|b| changed_from(b, W::settings(i)))))
    }

    pub fn stepper(&self) -> Stepper {
        Stepper::of(self.timeline)
    }

    /// A value of the current frame's machine.
    pub fn with_machine<T>(&self, f: impl FnOnce(&W::Machine) -> T) -> T {
        self.timeline.with(|t| f(t.current()))
    }
}

/// The kit's frame (controls, narration, notices, share, transcript, URL) around a live widget.
#[component]
pub fn LiveFrame<W: View>(
    live: Live<W>,
    children: Children,
    /// Panels shown after the narration and step controls (see `WidgetFrame`).
    #[prop(optional)]
    aside: Option<Children>,
) -> impl IntoView {
    view! {
        <WidgetFrame spec=live.spec instance=live.instance() timeline=live.stepper() notices=live.notices settings=live.settings() aside=aside>
            {children()}
        </WidgetFrame>
    }
}

/// A widget bundle's entry point: mounts `W` into each of its placeholders.
pub fn start<W: View>() {
    super::start_widget(W::SPEC.id, |p| W::view(Live::<W>::new(p)));
}
