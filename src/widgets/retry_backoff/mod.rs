//! Retries and backoff: the discrete-event simulation of sim::retry, run in time slices so
//! 10,000 clients never freeze the page, then replayed slice by slice. Two strategies run on
//! the same seed side by side. This view only draws what the engine recorded.

use std::sync::Arc;
use std::time::Duration;

use leptos::prelude::*;

use crate::kit::catalog::ParamValue;
use crate::kit::chart;
use crate::kit::widgets::retry_backoff as kit;
use crate::sim::group;
use crate::sim::retry::{fmt_time, Config, Outcome, Replay, Run, Sim, Slice, Strategy, Summary, Workload, MAX_STEPS};
use crate::sim::timeline::{Timeline, TimelineConfig};
use crate::ui::browser::now_ms;
use crate::ui::slices;
use crate::ui::field::{Keys, TextField};
use crate::ui::mount::{Live, LiveFrame, View};
use crate::ui::setup::SetUp;

const EVENTS_PER_CHECK: usize = 1_500;
/// Drawing sizes in SVG units: the charts' width, the load chart's height, one client row.
const W: u64 = 600;
const LOAD_H: u64 = 180;
const ROW_H: u64 = 8;
/// Up to this many clients get a row each; more are drawn as bands of density.
const MAX_ROWS: u32 = 40;
const BANDS: usize = 20;

/// The number fields: setting key, label, unit.
const FIELDS: &[(&str, &str, &str)] = &[
    ("clients", "Clients", ""),
    ("capacity", "API capacity", "req/s"),
    ("outagefrom", "Outage from", "ms"),
    ("outageto", "Outage until", "ms"),
    ("base", "Base delay", "ms"),
    ("cap", "Cap", "ms"),
    ("attempts", "Max attempts", ""),
    ("timeout", "Timeout per attempt", "ms"),
];
const MORE_FIELDS: &[(&str, &str, &str)] = &[
    ("spread", "Clients arrive over", "ms"),
    ("errors", "Random 5xx", "%"),
    ("timeouts", "Requests that hang", "%"),
    ("bad", "Clients sending invalid requests (4xx)", "%"),
    ("ratelimit", "Rate limit, 0 for none", "req/s"),
];

/// The one-row workload's own field; with it, that workload shows only [`ROW_KEYS`].
const ROW_FIELDS: &[(&str, &str, &str)] = &[("net", "Network delay, each way", "ms")];
const ROW_KEYS: &[&str] = &["clients", "spread", "net", "base", "cap", "attempts"];

fn all_fields() -> impl Iterator<Item = &'static (&'static str, &'static str, &'static str)> {
    FIELDS.iter().chain(MORE_FIELDS).chain(ROW_FIELDS)
}

fn label_of(key: &str) -> &'static str {
    all_fields().find(|f| f.0 == key).map_or("Setting", |f| f.1)
}

/// What the charts need, drawn once per run: SVG paths by category, never per step.
struct Panel {
    label: &'static str,
    /// Load chart: stacked bars of calls that succeeded, failed, or timed out.
    ok: String,
    failed: String,
    lost: String,
    /// Client chart: rows of attempt marks, or bands shaded by density.
    client_paths: Vec<(&'static str, String)>,
    client_h: u64,
    banded: bool,
    summary: Summary,
    breaker: bool,
}

struct Charts {
    panels: Vec<Panel>,
    /// The API's capacity line; none on the one-row workload, which has no capacity.
    capacity_y: Option<u64>,
    /// "calls reaching the API" or "writes reaching the row".
    what: &'static str,
    ymax: u32,
    total_us: u64,
    clients: u32,
}

fn x_of(i: usize, steps: usize) -> u64 {
    chart::x_of(i, steps, W)
}

fn draw(replay: &Replay) -> Charts {
    let steps = replay.steps().max(1);
    let width = replay.width_us();
    let total_us = steps as u64 * width;
    let runs = replay.runs();
    let capacity = runs.first().map_or(1, |r| r.config.capacity);
    let row = runs.first().is_some_and(|r| r.config.workload == Workload::Row);
    let per_slice = if row { 0 } else { ((u64::from(capacity) * width / 1_000_000).max(1)) as u32 };
    let peak = (0..runs.len()).flat_map(|r| replay.slices(r).iter().map(Slice::calls)).max().unwrap_or(0);
    let ymax = peak.max(per_slice + per_slice / 4).max(1);
    let clients = runs.first().map_or(0, |r| r.config.clients);
    let panels = runs
        .iter()
        .enumerate()
        .map(|(r, run)| {
            let columns: Vec<Vec<u32>> = replay.slices(r).iter().map(|s| vec![s.ok, s.failed, s.lost]).collect();
            let [ok, failed, lost]: [String; 3] = chart::stacked_bars(&columns, 3, ymax, W, LOAD_H).try_into().unwrap_or_default();
            let banded = clients > MAX_ROWS;
            let (client_paths, client_h) = if banded { bands(run, width, steps) } else { rows(run, total_us) };
            Panel { label: run.config.strategy.label(), ok, failed, lost, client_paths, client_h, banded, summary: run.summary(), breaker: run.config.breaker }
        })
        .collect();
    let capacity_y = (!row).then(|| LOAD_H - chart::bar_height(per_slice, ymax, LOAD_H));
    Charts { panels, capacity_y, what: if row { "writes reaching the row" } else { "calls reaching the API" }, ymax, total_us, clients }
}

/// One row per client, one mark per attempt at the moment it was sent.
fn rows(run: &Run, total_us: u64) -> (Vec<(&'static str, String)>, u64) {
    let marks = run.attempts.iter().map(|a| {
        let layer = match a.outcome {
            Outcome::Ok => 0,
            Outcome::Timeout | Outcome::Pending => 2,
            Outcome::ShortCircuit => 3,
            _ => 1,
        };
        (a.sent_us, u64::from(a.client), layer)
    });
    let paths = chart::row_marks(marks, 4, total_us, W, ROW_H, 3);
    (["ok", "failed", "lost", "short"].into_iter().zip(paths).collect(), u64::from(run.config.clients) * ROW_H)
}

/// Bands of clients, each cell shaded by how many attempts its clients sent in that slice.
fn bands(run: &Run, width: u64, steps: usize) -> (Vec<(&'static str, String)>, u64) {
    let paths = chart::density_bands(&run.density(width, steps, BANDS), 4, W, ROW_H);
    (["d1", "d2", "d3", "d4"].into_iter().zip(paths).collect(), BANDS as u64 * ROW_H)
}

/// Signals the background simulation reports to. Copy, so each slice can schedule the next.
#[derive(Clone, Copy)]
struct Job {
    generation: StoredValue<u32>,
    progress: RwSignal<Option<(u64, u32)>>,
    timeline: RwSignal<Timeline<Replay>>,
    charts: RwSignal<Option<Arc<Charts>>>,
    /// The step to open at once the run is ready (from the URL), taken once.
    open_at: StoredValue<Option<usize>>,
    /// Milliseconds the last simulation took in this browser, slices and gaps included.
    took_ms: RwSignal<Option<u64>>,
    started: StoredValue<f64>,
}

fn timeline_of(replay: Replay) -> Timeline<Replay> {
    Timeline::new(replay, TimelineConfig { checkpoint_every: 16, max_steps: MAX_STEPS + 1 })
}

/// Simulates in time slices (`ui::slices`); a newer run makes an older one stop.
fn start(job: Job, cfg: &Config, compare: Option<Strategy>) {
    let mut sims = vec![Sim::new(cfg)];
    if let Some(other) = compare {
        sims.push(Sim::new(&Config { strategy: other, ..cfg.clone() }));
    }
    let generation = job.generation.get_value().wrapping_add(1);
    job.generation.set_value(generation);
    job.started.set_value(now_ms());
    job.progress.set(Some((0, cfg.clients)));
    slices::run(
        sims,
        EVENTS_PER_CHECK,
        move || job.generation.get_value() == generation,
        move |events| {
            job.progress.update(|p| {
                if let Some(p) = p {
                    p.0 = events;
                }
            })
        },
        // Drawing the charts and painting them are tasks of their own: with 10,000 clients
        // the three together come close to the 50 ms budget for one task.
        move |runs: Vec<Run>| {
            let replay = Replay::new(runs);
            set_timeout(move || show(job, generation, replay), Duration::ZERO);
        },
    );
}

fn show(job: Job, generation: u32, replay: Replay) {
    if job.generation.get_value() != generation {
        return;
    }
    let charts = draw(&replay);
    let mut t = timeline_of(replay);
    let target = match job.open_at.get_value() {
        Some(step) => step,
        // A rerun keeps the reader's place: the end stays the end, a step stays that step.
        None => job.timeline.with_untracked(|old| if old.at_end() && old.last() > 0 { usize::MAX } else { old.pos() }),
    };
    job.open_at.set_value(None);
    t.seek(target);
    let charts = Arc::new(charts);
    set_timeout(
        move || {
            if job.generation.get_value() != generation {
                return;
            }
            job.charts.set(Some(charts));
            job.timeline.set(t);
            job.took_ms.set(Some((now_ms() - job.started.get_value()) as u64));
            job.progress.set(None);
        },
        Duration::ZERO,
    );
}

impl View for kit::RetryBackoff {
    const TIMELINE: TimelineConfig = TimelineConfig { checkpoint_every: 16, max_steps: MAX_STEPS + 1 };
    const BUILDS_IN_BACKGROUND: bool = true;

    /// Nothing simulated yet: the simulation runs in time slices after the first paint.
    fn first_paint(_: &kit::Input) -> Option<Replay> {
        Some(Replay::new(Vec::new()))
    }

    fn view(live: Live<Self>) -> AnyView {
        view! { <RetryBackoff live=live/> }.into_any()
    }
}

#[component]
fn RetryBackoff(live: Live<kit::RetryBackoff>) -> impl IntoView {
    let spec = live.spec;
    let instance = live.instance();
    let (input, message) = (live.input, live.message);
    let kit::Input { config: cfg, compare: compare0 } = input.get_untracked();
    // Each number field's text, as typed; applied together when one of them is committed.
    let raw: StoredValue<Vec<(&'static str, RwSignal<String>)>> =
        StoredValue::new(all_fields().map(|f| (f.0, RwSignal::new(cfg.get(f.0).unwrap_or(0).to_string()))).collect());
    let bad_field = RwSignal::new(None::<&'static str>);

    let job = Job {
        generation: StoredValue::new(0),
        progress: RwSignal::new(None),
        timeline: live.timeline,
        charts: RwSignal::new(None),
        open_at: StoredValue::new(Some(live.opening_step())),
        took_ms: RwSignal::new(None),
        started: StoredValue::new(0.0),
    };
    let timeline = job.timeline;
    start(job, &cfg, compare0);
    on_cleanup(move || job.generation.set_value(u32::MAX));

    // Reads every field, checks each against the catalog and all together against the engine,
    // and reruns only when everything is valid; otherwise the message says what to fix.
    let apply = move |change: &dyn Fn(&mut Config, &mut Option<Strategy>)| {
        let kit::Input { config: mut next, mut compare } = input.get_untracked();
        change(&mut next, &mut compare);
        for (key, text) in raw.get_value() {
            match spec.param(key).map(|p| p.parse(text.get_untracked().trim())) {
                Some(Ok(ParamValue::Int(n))) => {
                    next.set(key, n);
                }
                Some(Err(why)) => {
                    message.set(Some(format!("{}: {why}.", label_of(key))));
                    bad_field.set(Some(key));
                    return;
                }
                _ => {}
            }
        }
        if let Err(why) = next.validate() {
            message.set(Some(why));
            bad_field.set(None);
            return;
        }
        bad_field.set(None);
        start(job, &next, compare);
        live.apply(kit::Input { config: next, compare });
    };

    let field = move |(key, label, unit): &'static (&'static str, &'static str, &'static str)| {
        let id = format!("{instance}-{key}");
        let for_id = id.clone();
        view! {
            <label class="retry-field" for=for_id>
                <span>{*label}{(!unit.is_empty()).then(|| format!(" ({unit})"))}</span>
                <TextField
                    value=raw.with_value(|r| r.iter().find(|(k, _)| k == key).map(|(_, v)| *v)).unwrap_or_else(|| RwSignal::new(String::new()))
                    on_change=move |()| apply(&|_, _| {})
                    invalid=Signal::derive(move || bad_field.get() == Some(*key))
                    field=*key
                    id=id
                    keys=Keys::Numeric
                    described_by=format!("{instance}-retry-message")
                />
            </label>
        }
    };

    let strategy_options = move |selected: Signal<&'static str>, with_off: bool| {
        let off = with_off.then(|| view! { <option value="off" selected=move || selected.get() == "off">"None alongside"</option> });
        view! {
            {off}
            {Strategy::ALL.iter().map(|s| {
                let name = s.name();
                view! { <option value=name selected=move || selected.get() == name>{s.label()}</option> }
            }).collect_view()}
        }
    };
    let strategy_now = Signal::derive(move || input.with(|i| i.config.strategy.name()));
    let compare_now = Signal::derive(move || input.with(|i| i.compare.map_or("off", |s| s.name())));

    view! {
        <LiveFrame live=live aside=Box::new(move || view! {
            {move || job.charts.get().map(|charts| view! { <SummaryTable charts=charts took_ms=job.took_ms/> })}
        }.into_any())>
            <div class="retry">
                <SetUp live=live>
                <div class="retry-choose">
                    <label>
                        "Workload "
                        <select data-testid="retry-workload" on:change=move |e| {
                            let w = Workload::from_name(&event_target_value(&e)).unwrap_or(Workload::Api);
                            // Each workload opens on its own scenario: the one-row one on AWS's study.
                            let next = kit::switch_workload(&input.get_untracked().config, w);
                            raw.with_value(|r| r.iter().for_each(|(k, text)| text.set(next.get(k).unwrap_or(0).to_string())));
                            apply(&|c, _| *c = Config { seed: c.seed, strategy: c.strategy, ..next.clone() });
                        }>
                            {Workload::ALL.iter().map(|w| {
                                let name = w.name();
                                view! { <option value=name selected=move || input.with(|i| i.config.workload.name() == name)>{w.label()}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                    <label>
                        "Strategy "
                        <select data-testid="retry-strategy" on:change=move |e| {
                            let v = event_target_value(&e);
                            apply(&|c, _| c.strategy = Strategy::from_name(&v).unwrap_or(c.strategy));
                        }>
                            {strategy_options(strategy_now, false)}
                        </select>
                    </label>
                    <label>
                        "Alongside "
                        <select data-testid="retry-compare" on:change=move |e| {
                            let v = event_target_value(&e);
                            apply(&|_, b| *b = Strategy::from_name(&v));
                        }>
                            {strategy_options(compare_now, true)}
                        </select>
                    </label>
                    <button data-testid="retry-reseed" on:click=move |_| apply(&|c, _| c.seed = (c.seed + 1) % 4_294_967_296)>
                        "New seed"
                    </button>
                    <span class="meta">{move || input.with(|kit::Input { config: c, .. }| format!("seed {}", c.seed))}</span>
                </div>
                {move || if input.with(|i| i.config.workload == Workload::Row) {
                    view! { <div class="retry-fields">{ROW_KEYS.iter().filter_map(|k| all_fields().find(|f| f.0 == *k)).map(field).collect_view()}</div> }.into_any()
                } else {
                    view! { <div class="retry-fields">{FIELDS.iter().map(field).collect_view()}</div> }.into_any()
                }}
                <details class="retry-more" hidden=move || input.with(|i| i.config.workload == Workload::Row)>
                    <summary>"More failure modes"</summary>
                    <div class="retry-fields">
                        {MORE_FIELDS.iter().map(field).collect_view()}
                        <label class="retry-check">
                            <input type="checkbox" data-testid="retry-retryafter"
                                prop:checked=move || input.with(|kit::Input { config: c, .. }| c.honor_retry_after)
                                on:change=move |e| {
                                    let on = event_target_checked(&e);
                                    apply(&|c, _| c.honor_retry_after = on);
                                }/>
                            " Honour Retry-After on 429"
                        </label>
                        <label class="retry-check">
                            <input type="checkbox" data-testid="retry-breaker"
                                prop:checked=move || input.with(|kit::Input { config: c, .. }| c.breaker)
                                on:change=move |e| {
                                    let on = event_target_checked(&e);
                                    apply(&|c, _| c.breaker = on);
                                }/>
                            " Circuit breaker (opens after 10 failures in a row, tries again after 1 s)"
                        </label>
                    </div>
                </details>
                <p class="input-error" id=format!("{instance}-retry-message") role="alert" data-testid="retry-message">{move || message.get()}</p>
                </SetUp>
                // Always present, with room reserved, so nothing below moves when a run ends.
                <p class="meta retry-status" role="status" data-testid="retry-progress">
                    {move || job.progress.get().map(|(events, clients)| format!("Simulating {} clients… {} events so far", group(u64::from(clients)), group(events)))}
                </p>
                <Legend/>
                // Until the first run is done, empty panels of the same size hold its place, so
                // the narration under them does not move when the charts arrive.
                {move || match job.charts.get() {
                    Some(charts) => view! { <Panels charts=charts timeline=timeline/> }.into_any(),
                    None => view! { <Pending input=input/> }.into_any(),
                }}
            </div>
        </LiveFrame>
    }
}

#[component]
fn Legend() -> impl IntoView {
    view! {
        <p class="retry-legend meta">
            <span class="key ok">"■ succeeded"</span>" "
            <span class="key failed">"■ failed (an error answer)"</span>" "
            <span class="key lost">"■ timed out"</span>" "
            <span class="key short">"■ refused by the breaker"</span>" "
            <span class="key capacity">"┅ API capacity"</span>
        </p>
    }
}

#[component]
fn Panels(charts: Arc<Charts>, timeline: RwSignal<Timeline<Replay>>) -> impl IntoView {
    // The part of the charts still in the future is veiled; only this moves as steps change.
    let cursor = move || timeline.with(|t| x_of(t.current().step(), t.current().steps()));
    let total = charts.total_us;
    let two = charts.panels.len() > 1;
    let panels = charts.panels.iter().enumerate().map(|(r, p)| {
        let so_far = move || {
            timeline.with(|t| {
                let replay = t.current();
                if replay.runs().len() <= r {
                    return String::new();
                }
                let f = replay.finished_by_now(r);
                let mut line = format!("At {}: {} succeeded, {} gave up", fmt_time(replay.now_us()), group(u64::from(f.succeeded)), group(u64::from(f.gave_up)));
                if f.stopped > 0 {
                    line.push_str(&format!(", {} stopped on a 4xx", group(u64::from(f.stopped))));
                }
                if replay.runs()[r].config.breaker {
                    line.push_str(&format!(", breaker {}", replay.runs()[r].breaker_at(replay.now_us()).label()));
                }
                line
            })
        };
        let client_h = p.client_h;
        let clients_label = if p.banded {
            format!("Attempts by {} clients in {BANDS} bands over time; darker means more attempts", group(u64::from(charts.clients)))
        } else {
            format!("One row per client, a mark for each attempt, {} clients", charts.clients)
        };
        view! {
            <figure class="retry-panel" data-testid="retry-panel" data-strategy=p.label>
                <figcaption><strong>{p.label}</strong>" · "<span data-testid="retry-so-far">{so_far}</span></figcaption>
                <svg class="retry-load" viewBox=format!("0 0 {W} {LOAD_H}") role="img"
                    aria-label=match charts.capacity_y {
                        Some(_) => format!("Calls reaching the API over time for {}; the peak was {} per second against a capacity line", p.label, group(u64::from(p.summary.peak_per_s))),
                        None => format!("Writes reaching the row over time for {}; the peak was {} per second", p.label, group(u64::from(p.summary.peak_per_s))),
                    }>
                    <path class="ok" d=p.ok.clone()/>
                    <path class="failed" d=p.failed.clone()/>
                    <path class="lost" d=p.lost.clone()/>
                    {charts.capacity_y.map(|y| view! { <line class="capacity" x1="0" x2=W.to_string() y1=y.to_string() y2=y.to_string()/> })}
                    <rect class="future" x=move || cursor().to_string() y="0" width=move || (W - cursor()).to_string() height=LOAD_H.to_string()/>
                    <line class="now" x1=move || cursor().to_string() x2=move || cursor().to_string() y1="0" y2=LOAD_H.to_string()/>
                </svg>
                <svg class="retry-clients" viewBox=format!("0 0 {W} {client_h}") role="img" aria-label=clients_label>
                    {p.client_paths.iter().map(|(class, d)| view! { <path class=*class d=d.clone()/> }).collect_view()}
                    <rect class="future" x=move || cursor().to_string() y="0" width=move || (W - cursor()).to_string() height=client_h.to_string()/>
                    <line class="now" x1=move || cursor().to_string() x2=move || cursor().to_string() y1="0" y2=client_h.to_string()/>
                </svg>
                <div class="retry-axis meta" aria-hidden="true"><span>"0"</span><span>{fmt_time(total / 2)}</span><span>{fmt_time(total)}</span></div>
            </figure>
        }
    }).collect_view();
    view! {
        <p class="meta">{format!("Load: {} per slice, up to {} on the scale.", charts.what, group(u64::from(charts.ymax)))}</p>
        <div class="retry-panels" class:two=two>{panels}</div>
    }
}

/// The panels' frames before the first run has finished: the same captions and chart sizes
/// as `Panels` will draw for this input, with nothing in them yet.
#[component]
fn Pending(input: RwSignal<kit::Input>) -> impl IntoView {
    move || {
        input.with(|kit::Input { config: c, compare }| {
            let client_h = if c.clients > MAX_ROWS { BANDS as u64 * ROW_H } else { u64::from(c.clients) * ROW_H };
            let labels: Vec<&'static str> = std::iter::once(c.strategy.label()).chain(compare.map(|s| s.label())).collect();
            let two = labels.len() > 1;
            let panels = labels
                .into_iter()
                .map(|label| {
                    view! {
                        <figure class="retry-panel" data-testid="retry-panel-pending">
                            <figcaption><strong>{label}</strong>" · simulating…"</figcaption>
                            <svg class="retry-load" viewBox=format!("0 0 {W} {LOAD_H}") aria-hidden="true"></svg>
                            <svg class="retry-clients" viewBox=format!("0 0 {W} {client_h}") aria-hidden="true"></svg>
                            <div class="retry-axis meta" aria-hidden="true"><span>"0"</span></div>
                        </figure>
                    }
                })
                .collect_view();
            view! {
                <p class="meta">{if c.workload == Workload::Row { "Load: writes reaching the row per slice." } else { "Load: calls reaching the API per slice." }}</p>
                <div class="retry-panels" class:two=two>{panels}</div>
            }
        })
    }
}

#[component]
fn SummaryTable(charts: Arc<Charts>, took_ms: RwSignal<Option<u64>>) -> impl IntoView {
    let breaker = charts.panels.iter().any(|p| p.breaker);
    let rows = charts.panels.iter().map(|p| {
        let s = p.summary;
        view! {
            <tr>
                <th scope="row">{p.label}</th>
                <td>{group(u64::from(s.calls))}</td>
                <td>{group(u64::from(s.succeeded))}</td>
                <td>{group(u64::from(s.gave_up + s.not_retryable))}</td>
                <td>{group(u64::from(s.wasted))}</td>
                {breaker.then(|| view! { <td>{group(u64::from(s.short_circuited))}</td> })}
                <td>{format!("{}/s", group(u64::from(s.peak_per_s)))}</td>
                <td>{if s.unfinished > 0 { format!("{} still trying", group(u64::from(s.unfinished))) } else { fmt_time(s.finish_us) }}</td>
            </tr>
        }
    }).collect_view();
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label="Totals for each strategy">
            <table data-testid="retry-summary">
                <thead><tr>
                    <th scope="col">"Strategy"</th>
                    <th scope="col">"Calls to the API"</th>
                    <th scope="col">"Succeeded"</th>
                    <th scope="col">"Gave up or stopped"</th>
                    <th scope="col">"Wasted calls"</th>
                    {breaker.then(|| view! { <th scope="col">"Refused by breaker"</th> })}
                    <th scope="col">"Peak load"</th>
                    <th scope="col">"All done after"</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <p class="meta" data-testid="retry-took">{move || took_ms.get().map(|ms| format!("Simulated in this browser in {ms} ms, in slices short enough to keep the page responsive."))}</p>
    }
}
