//! Background jobs: sim::queue's run, simulated in time slices after the first paint, then
//! stepped moment by moment. The picture is the queue's depth over time up to this step,
//! the workers as a row of boxes, and the counts; beside it, the whole run's numbers (time
//! from order to done, Little's law checked on the run). This view only paints what the
//! engine and the kit computed.

use leptos::prelude::*;

use crate::kit::catalog::whole_number;
use crate::kit::widgets::job_queue::{self as kit, area, backoff_from_name, counts, depth_points, BACKOFFS, COUNT_NAMES, NUMBERS};
use crate::sim::des::fmt_time;
use crate::sim::group;
use crate::sim::lb::{fmt_ms, percentile, PERCENTILES};
use crate::sim::queue::{workers_line, Config, Replay, WorkerState};
use crate::ui::field::NumberField;
use crate::ui::mount::{Live, LiveFrame, View};
use crate::ui::setup::SetUp;

/// Events simulated between looks at the clock.
const EVENTS_PER_CHECK: usize = 4_000;
/// The depth chart's drawing box.
const CW: u64 = 600;
const CH: u64 = 140;
/// The number fields' test ids, in `NUMBERS`' order.
const TESTIDS: [&str; 13] = ["jobs-rate", "jobs-jobs", "jobs-workers", "jobs-work", "jobs-pool", "jobs-poolwait", "jobs-visibility", "jobs-fail", "jobs-poison", "jobs-crash", "jobs-attempts", "jobs-base", "jobs-cap"];

impl View for kit::JobQueue {
    const BUILDS_IN_BACKGROUND: bool = true;

    fn first_paint(_: &Config) -> Option<Replay> {
        Some(Replay::pending("Simulating the orders…"))
    }

    fn view(live: Live<Self>) -> AnyView {
        view! { <JobQueue live=live/> }.into_any()
    }
}

fn worker_word(w: WorkerState) -> &'static str {
    match w {
        WorkerState::Idle => "idle",
        WorkerState::Waiting => "waiting",
        WorkerState::Working => "working",
        WorkerState::Down => "down",
    }
}

#[component]
fn JobQueue(live: Live<kit::JobQueue>) -> impl IntoView {
    let (input, timeline, message) = (live.input, live.timeline, live.message);
    let msg_id = format!("{}-jobs-message", live.instance());
    let c0 = input.get_untracked();
    // One text field per number, in NUMBERS' order.
    let fields: Vec<RwSignal<String>> = NUMBERS.iter().map(|(_, field, _)| RwSignal::new(field(&mut c0.clone()).to_string())).collect();
    let fields = StoredValue::new(fields);

    let progress = RwSignal::new(None::<u64>);
    let build = move |c: &Config| live.build_in_slices(crate::sim::queue::Sim::new(c), EVENTS_PER_CHECK, progress, Replay::new);
    build(&input.get_untracked());

    // Reads every number field, applies `change` (the menu or a checkbox), and checks the
    // whole; a bad value gets a message and changes nothing.
    let apply = move |change: &dyn Fn(&mut Config)| {
        let mut next = input.get_untracked();
        let parsed = (|| -> Result<(), String> {
            for ((_, field, label), value) in NUMBERS.iter().zip(fields.get_value()) {
                *field(&mut next) = whole_number(&value.get_untracked(), label)?;
            }
            change(&mut next);
            next.validate()
        })();
        match parsed {
            Ok(()) if next == input.get_untracked() => message.set(None),
            Ok(()) => {
                live.apply(next.clone());
                build(&next);
            }
            Err(e) => live.refuse(e),
        }
    };
    let on_enter = Callback::new(move |()| apply(&|_| {}));
    let snap = move || timeline.with(|t| t.current().snap().cloned());

    view! {
        <LiveFrame live=live aside=Box::new(move || view! { <Summary timeline=timeline/> }.into_any())>
            <div class="jobs">
                <label class="check jobs-idem">
                    <input type="checkbox" data-testid="jobs-idempotent" prop:checked=move || input.with(|c| c.idempotent) on:change=move |e| {
                        let on = event_target_checked(&e);
                        apply(&|c| c.idempotent = on);
                    }/>
                    " Jobs are idempotent (each records its order's charge and skips a second one)"
                </label>
                <SetUp live=live>
                    <div class="form-row">
                        {NUMBERS.iter().enumerate().map(|(i, (_, _, label))| {
                            let value = fields.get_value()[i];
                            view! { <NumberField label=*label value=value on_enter=on_enter described_by=msg_id.clone() testid=TESTIDS[i]/> }
                        }).collect_view()}
                        <label>"Backoff "
                            <select data-testid="jobs-backoff" prop:value=move || input.with(|c| c.backoff.name()) on:change=move |e| {
                                let s = backoff_from_name(&event_target_value(&e));
                                apply(&|c| if let Some(s) = s { c.backoff = s });
                            }>
                                {BACKOFFS.map(|s| view! { <option value=s.name()>{s.label()}</option> }).collect_view()}
                            </select>
                        </label>
                        <button data-testid="jobs-apply" on:click=move |_| apply(&|_| {})>"Apply"</button>
                        <p class="input-error" id=msg_id.clone() role="alert" data-testid="jobs-message">{move || message.get()}</p>
                    </div>
                </SetUp>
                <div class="jobs-picture" data-testid="jobs-picture">
                    {move || {
                        let Some(s) = snap() else {
                            // The same shapes as the finished picture, with no numbers yet, so
                            // nothing below moves when the run arrives (an embed's first screen).
                            let (total, workers) = input.with(|c| (u64::from(c.jobs), c.workers));
                            return view! {
                                <p class="jobs-now" data-testid="jobs-pending">{move || format!("Simulating… {} of {} jobs settled", group(progress.get().unwrap_or(0)), group(total))}</p>
                                <figure class="jobs-chart">
                                    <figcaption class="meta">"Messages on the queue (waiting, backing off, or being worked on)"</figcaption>
                                    <div class="jobs-axis-y" aria-hidden="true"><span>"…"</span><span>"0"</span></div>
                                    <svg viewBox=format!("0 0 {CW} {CH}") preserveAspectRatio="none" aria-hidden="true"></svg>
                                    <div class="jobs-axis-x" aria-hidden="true"><span>"0 s"</span><span>"…"</span></div>
                                </figure>
                                <p class="jobs-workers-said">{format!("Workers: {workers}, not started yet.")}</p>
                                <ol class="jobs-workers" aria-hidden="true">
                                    {(0..workers).map(|_| view! { <li data-state="idle"></li> }).collect_view()}
                                </ol>
                                <dl class="jobs-counts">
                                    {COUNT_NAMES.map(|name| view! { <div><dt>{name}</dt><dd>"…"</dd></div> }).collect_view()}
                                </dl>
                            }.into_any();
                        };
                        let (d, ymax, xmax) = timeline.with(|t| {
                            let r = t.current();
                            let run = r.run().expect("a snapshot comes from a run");
                            let (pts, xmax, ymax) = depth_points(run, r.step());
                            (area(&pts, xmax, ymax, CW, CH), ymax, xmax)
                        });
                        let label = format!("Messages on the queue over time, up to {}: {} now, at most {} in the run", fmt_time(s.at), group(u64::from(s.depth())), group(ymax));
                        view! {
                            <p class="jobs-now" data-testid="jobs-now">{format!("At {}: {} on the queue", fmt_time(s.at), group(u64::from(s.depth())))}</p>
                            <figure class="jobs-chart">
                                <figcaption class="meta">"Messages on the queue (waiting, backing off, or being worked on)"</figcaption>
                                <div class="jobs-axis-y" aria-hidden="true"><span>{group(ymax)}</span><span>"0"</span></div>
                                <svg viewBox=format!("0 0 {CW} {CH}") preserveAspectRatio="none" role="img" aria-label=label>
                                    <path class="jobs-area" d=d/>
                                    <line class="jobs-axis" x1="0" x2=CW.to_string() y1=CH.to_string() y2=CH.to_string()/>
                                </svg>
                                <div class="jobs-axis-x" aria-hidden="true"><span>"0 s"</span><span>{fmt_time(xmax)}</span></div>
                            </figure>
                            <p class="jobs-workers-said" data-testid="jobs-workers">{format!("Workers: {}.", workers_line(&s))}</p>
                            <ol class="jobs-workers" aria-hidden="true">
                                {s.workers.iter().map(|w| view! { <li data-state=worker_word(*w)></li> }).collect_view()}
                            </ol>
                            <dl class="jobs-counts" data-testid="jobs-counts">
                                {counts(&s).into_iter().map(|(name, n, bad)| view! {
                                    <div class:bad=bad><dt>{name}</dt><dd>{group(u64::from(n))}</dd></div>
                                }).collect_view()}
                            </dl>
                        }.into_any()
                    }}
                </div>
            </div>
        </LiveFrame>
    }
}

/// The whole run: time from order to done, and Little's law checked on it.
#[component]
fn Summary(timeline: RwSignal<crate::sim::timeline::Timeline<Replay>>) -> impl IntoView {
    let shared = Memo::new(move |_| timeline.with(|t| t.current().shared_runs()));
    move || {
        let shared = shared.get();
        let run = shared.0.first();
        let ready = run.is_some();
        let dash = || "…".to_string();
        let lambda = run.map(|r| f64::from(r.totals.arrived) * 1e6 / r.end_us.max(1) as f64);
        let w = run.map(|r| r.total_in_system_us as f64 / f64::from(r.totals.arrived.max(1)) / 1e6);
        let fmt2 = |x: f64| {
            let h = (x * 100.0).round() as u64;
            format!("{}.{:02}", h / 100, h % 100)
        };
        view! {
            <div class="jobs-summary" data-ready=ready.to_string()>
                <div class="table-wrap" tabindex="0" role="region" aria-label="Time from order to done">
                    <table data-testid=if ready { "jobs-latency" } else { "jobs-latency-pending" }>
                        <caption>"Time from order to done, over the whole run"</caption>
                        <thead><tr>{PERCENTILES.map(|(_, name)| view! { <th scope="col">{name}</th> }).collect_view()}</tr></thead>
                        <tbody><tr>
                            {PERCENTILES.map(|(pm, _)| view! { <td>{run.and_then(|r| percentile(&r.latency_us, pm)).map_or_else(dash, fmt_ms)}</td> }).collect_view()}
                        </tr></tbody>
                    </table>
                </div>
                <p data-testid="jobs-little">
                    <strong>"Little's law on this run: "</strong>
                    {match (run, lambda, w) {
                        (Some(r), Some(l), Some(w)) => format!(
                            "over its whole {}, on average {} jobs were in the system (L); {} orders arrived over that span, {} a second (λ), and each stayed {} s on average (W); λ × W = {}. They match because the run starts and ends empty, so both sides count each job's stay once.",
                            fmt_time(r.end_us),
                            fmt2(r.mean_in_system),
                            group(u64::from(r.totals.arrived)),
                            fmt2(l),
                            fmt2(w),
                            fmt2(l * w)
                        ),
                        _ => "…".to_string(),
                    }}
                </p>
                <p class="meta">{run.map_or_else(dash, |r| format!("The queue peaked at {} messages. Finished at {}.", group(u64::from(r.max_depth)), fmt_time(r.end_us)))}</p>
            </div>
        }
        .into_any()
    }
}
