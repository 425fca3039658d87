//! Load balancing: sim::lb's runs, simulated in time slices after the first paint (so 100,000
//! requests never block the page), then stepped moment by moment. The picture is each
//! policy's servers as lanes of request tokens; beside it, each policy's response times as a
//! histogram with its percentiles, and what each server did. This view only paints what the
//! engine and the kit computed.

use leptos::prelude::*;

use crate::kit::catalog::whole_number;
use crate::kit::widgets::load_balancer::{self as kit, histogram, histogram_upper, Input, LaneDrawing};
use crate::sim::group;
use crate::sim::lb::{fmt_ms, percentile, server_name, Policy, Replay, Run, Service, PERCENTILES};
use crate::ui::field::NumberField;
use crate::ui::mount::{Live, LiveFrame, View};
use crate::ui::setup::SetUp;

/// Events simulated between looks at the clock.
const EVENTS_PER_CHECK: usize = 4_000;
/// The histograms' drawing box.
const HW: u64 = 320;
const HH: u64 = 100;

impl View for kit::LoadBalancer {
    const BUILDS_IN_BACKGROUND: bool = true;

    /// Nothing simulated yet: the runs are simulated in time slices after the first paint.
    fn first_paint(_: &Input) -> Option<Replay> {
        Some(Replay::pending("Simulating the requests…"))
    }

    fn view(live: Live<Self>) -> AnyView {
        view! { <LoadBalancer live=live/> }.into_any()
    }
}

#[component]
fn LoadBalancer(live: Live<kit::LoadBalancer>) -> impl IntoView {
    let (input, timeline, message) = (live.input, live.timeline, live.message);
    let msg_id = format!("{}-lb-message", live.instance());
    let c0 = input.get_untracked().config;
    let servers = RwSignal::new(c0.servers.to_string());
    let load = RwSignal::new(c0.load.to_string());
    let ms = RwSignal::new(c0.service_ms.to_string());
    let slow = RwSignal::new(c0.slow.to_string());
    let requests = RwSignal::new(c0.requests.to_string());

    let progress = RwSignal::new(None::<u64>);
    let build = move |i: &Input| live.build_in_slices(i.sims(), EVENTS_PER_CHECK, progress, Replay::new);
    build(&input.get_untracked());

    // Reads every number field, applies `change` (a menu or the checkbox), and checks the
    // whole against the engine; a bad value gets a message and changes nothing.
    let apply = move |change: &dyn Fn(&mut Input)| {
        let mut next = input.get_untracked();
        let parsed = (|| -> Result<(), String> {
            let c = &mut next.config;
            c.servers = whole_number(&servers.get_untracked(), "Servers")?;
            c.load = whole_number(&load.get_untracked(), "Load")?;
            c.service_ms = whole_number(&ms.get_untracked(), "Service time")?;
            c.slow = whole_number(&slow.get_untracked(), "Server A slower by")?;
            c.requests = whole_number(&requests.get_untracked(), "Requests")?;
            change(&mut next);
            if next.compare == Some(next.config.policy) {
                next.compare = None;
            }
            next.config.validate()
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
    let runs = move || timeline.with(|t| t.current().runs().len());
    // What the picture draws at this moment, run by run (`kit::drawing`), and its shape:
    // which policies, how many servers, or None until the runs arrive.
    let drawing = Memo::new(move |_| timeline.with(|t| {
        let r = t.current();
        r.runs().iter().zip(r.snaps()).enumerate().map(|(k, (run, s))| kit::drawing(k, &run.config, s)).collect::<Vec<_>>()
    }));
    let shape = Memo::new(move |_| timeline.with(|t| {
        let runs = t.current().runs();
        (!runs.is_empty()).then(|| runs.iter().map(|r| (r.config.policy, r.config.servers as usize)).collect::<Vec<_>>())
    }));

    view! {
        <LiveFrame live=live aside=Box::new(move || view! { <Measures timeline=timeline input=input/> }.into_any())>
            <div class="lb">
                <SetUp live=live>
                <div class="form-row">
                    <label>"Policy "
                        <select data-testid="lb-policy" prop:value=move || input.with(|i| i.config.policy.key()) on:change=move |e| {
                            let p = Policy::from_key(&event_target_value(&e));
                            apply(&|i| if let Some(p) = p { i.config.policy = p });
                        }>
                            {Policy::ALL.map(|p| view! { <option value=p.key()>{p.label()}</option> }).collect_view()}
                        </select>
                    </label>
                    <label>"Beside it "
                        <select data-testid="lb-compare" prop:value=move || input.with(|i| i.compare.map_or("off", Policy::key)) on:change=move |e| {
                            let p = Policy::from_key(&event_target_value(&e));
                            apply(&|i| i.compare = p);
                        }>
                            <option value="off">"nothing"</option>
                            {Policy::ALL.map(|p| view! { <option value=p.key()>{p.label()}</option> }).collect_view()}
                        </select>
                    </label>
                    <NumberField label="Servers" value=servers on_enter=on_enter described_by=msg_id.clone() testid="lb-servers"/>
                    <NumberField label="Load (% of capacity)" value=load on_enter=on_enter described_by=msg_id.clone() testid="lb-load"/>
                    <NumberField label="Mean service (ms)" value=ms on_enter=on_enter described_by=msg_id.clone() testid="lb-ms"/>
                    <label>"Service times "
                        <select data-testid="lb-service" prop:value=move || input.with(|i| i.config.service.key()) on:change=move |e| {
                            let s = Service::from_key(&event_target_value(&e));
                            apply(&|i| if let Some(s) = s { i.config.service = s });
                        }>
                            {Service::ALL.map(|s| view! { <option value=s.key()>{s.label()}</option> }).collect_view()}
                        </select>
                    </label>
                    <NumberField label="Server A slower by (×)" value=slow on_enter=on_enter described_by=msg_id.clone() testid="lb-slow"/>
                    <NumberField label="Requests" value=requests on_enter=on_enter described_by=msg_id.clone() testid="lb-requests"/>
                    <label class="check">
                        <input type="checkbox" data-testid="lb-fail" prop:checked=move || input.with(|i| i.config.fail) on:change=move |e| {
                            let on = event_target_checked(&e);
                            apply(&|i| i.config.fail = on);
                        }/>
                        " Server B crashes for the middle third"
                    </label>
                    <button data-testid="lb-apply" on:click=move |_| apply(&|_| {})>"Apply"</button>
                    <p class="input-error" id=msg_id.clone() role="alert" data-testid="lb-message">{move || message.get()}</p>
                </div>
                </SetUp>
                // The picture: each policy's servers as lanes, the request in service first.
                // Tokens are keyed by run and request, so a request glides forward as the
                // queue ahead of it drains. The lanes are built once per set of runs; a step
                // redraws only the lanes whose drawing changed.
                <div class="lb-picture" data-testid="lb-picture" data-motion data-runs=move || runs().to_string()>
                    {move || match shape.get() {
                        // Not simulated yet: the lanes, empty, in their final size, so
                        // nothing moves when the runs arrive.
                        None => {
                            let (policies, cfg) = input.with(|i| (policies_of(i), i.config.clone()));
                            let total = u64::from(cfg.requests) * policies.len() as u64;
                            policies.into_iter().map(|p| view! {
                                <section class="lb-run" data-policy=p.key()>
                                    <h3 class="lb-run-title">{p.label()}<span class="lb-run-now" data-testid="lb-pending">{move || format!("simulating… {} of {} answered", group(progress.get().unwrap_or(0)), group(total))}</span></h3>
                                    <ol class="lb-lanes">
                                        {(0..cfg.servers as usize).map(|i| view! { <li class="lb-lane"><span class="lb-server">{server_name(i).to_string()}</span><span class="lb-tag"></span><span class="lb-queue"></span></li> }).collect_view()}
                                    </ol>
                                </section>
                            }).collect_view().into_any()
                        }
                        Some(runs) => runs.into_iter().enumerate().map(|(k, (policy, servers))| {
                            let progress = Memo::new(move |_| drawing.with(|d| d.get(k).map(|r| r.progress.clone()).unwrap_or_default()));
                            view! {
                                <section class="lb-run" data-policy=policy.key()>
                                    <h3 class="lb-run-title">{policy.label()}<span class="lb-run-now">{move || progress.get()}</span></h3>
                                    <ol class="lb-lanes">
                                        {(0..servers).map(|i| {
                                            let lane = Memo::new(move |_| drawing.with(|d| d.get(k).and_then(|r| r.lanes.get(i)).cloned().unwrap_or_default()));
                                            view! { <Lane name=server_name(i) lane=lane/> }
                                        }).collect_view()}
                                    </ol>
                                </section>
                            }
                        }).collect_view().into_any(),
                    }}
                </div>
            </div>
        </LiveFrame>
    }
}

/// One server's lane. Its parts follow `lane`, which changes only when this lane's drawing
/// does.
#[component]
fn Lane(name: char, lane: Memo<LaneDrawing>) -> impl IntoView {
    view! {
        <li class="lb-lane" data-state=move || lane.with(|l| l.state) class:arrived=move || lane.with(|l| l.arrived) aria-label=move || lane.with(|l| l.said.clone())>
            <span class="lb-server" aria-hidden="true">{name}</span>
            <span class="lb-tag" aria-hidden="true">{move || lane.with(|l| l.tag.clone())}</span>
            <span class="lb-queue" aria-hidden="true">
                {move || lane.with(|l| view! {
                    {l.tokens.iter().map(|t| view! {
                        <span class="lb-token" class:serving=t.serving class:new=t.new data-key=t.key.clone()>{t.n}</span>
                    }).collect_view()}
                    {(l.more > 0).then(|| view! { <span class="lb-more">{format!("+{}", group(u64::from(l.more)))}</span> })}
                })}
            </span>
        </li>
    }
}

/// The policies an input runs, in order.
fn policies_of(i: &Input) -> Vec<Policy> {
    std::iter::once(i.config.policy).chain(i.compare).collect()
}

/// The measurements of the whole run: percentiles, histograms, and each server's share. Until
/// the runs arrive, the same tables and figures stand empty at their final size.
#[component]
fn Measures(timeline: RwSignal<crate::sim::timeline::Timeline<Replay>>, input: RwSignal<Input>) -> impl IntoView {
    // Drawn once per set of runs, not on every step.
    let shared = Memo::new(move |_| timeline.with(|t| t.current().shared_runs()));
    move || {
        let shared = shared.get();
        let runs: &[Run] = &shared.0;
        let (policies, servers) = input.with(|i| (policies_of(i), i.config.servers as usize));
        let ready = !runs.is_empty();
        // Each policy with its run, once there is one.
        let rows: Vec<(Policy, Option<&Run>)> = if ready { runs.iter().map(|r| (r.config.policy, Some(r))).collect() } else { policies.into_iter().map(|p| (p, None)).collect() };
        let servers = if ready { runs[0].per_server.len() } else { servers };
        let upper = histogram_upper(runs);
        let dash = || "…".to_string();
        view! {
            <div class="lb-measures" data-ready=ready.to_string()>
                <div class="table-wrap" tabindex="0" role="region" aria-label="Response times">
                    <table class="lb-pct" data-testid=if ready { "lb-pct" } else { "lb-pct-pending" }>
                        <caption>"Response times of every answered request, exactly"</caption>
                        <thead><tr><th scope="col">"Policy"</th>{PERCENTILES.map(|(_, n)| view! { <th scope="col">{n}</th> }).collect_view()}<th scope="col">"Slowest"</th><th scope="col">"Lost"</th><th scope="col">"Refused"</th></tr></thead>
                        <tbody>
                            {rows.iter().map(|(p, r)| view! {
                                <tr data-policy=p.key()>
                                    <th scope="row">{p.label()}</th>
                                    {PERCENTILES.map(|(m, n)| view! { <td data-p=n>{r.and_then(|r| r.percentile(m)).map_or_else(dash, fmt_ms)}</td> }).collect_view()}
                                    <td>{r.and_then(|r| r.sorted_us.last().copied()).map_or_else(dash, fmt_ms)}</td>
                                    <td data-testid="lb-lost">{r.map_or_else(dash, |r| group(u64::from(r.lost)))}</td>
                                    <td data-testid="lb-refused">{r.map_or_else(dash, |r| group(u64::from(r.refused)))}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
                <p class="meta">"Lost: held by a server when it crashed. Refused: a connection to a crashed server that health checks had not yet taken out; the balancer tried another server."</p>
                <div class="lb-hists">
                    {rows.iter().map(|(p, r)| hist(*p, *r, upper)).collect_view()}
                </div>
                <div class="table-wrap" tabindex="0" role="region" aria-label="Each server">
                    <table class="lb-servers" data-testid="lb-servers">
                        <caption>"What each server did"</caption>
                        <thead><tr><th scope="col">"Server"</th>{rows.iter().map(|(p, _)| view! { <th scope="col">{format!("{}: requests", p.label())}</th><th scope="col">"p99"</th> }).collect_view()}</tr></thead>
                        <tbody>
                            {(0..servers).map(|s| view! {
                                <tr>
                                    <th scope="row">{server_name(s).to_string()}</th>
                                    {rows.iter().map(|(_, r)| view! {
                                        <td>{r.map_or_else(dash, |r| group(r.per_server[s].len() as u64))}</td>
                                        <td>{r.and_then(|r| percentile(&r.per_server[s], 990)).map_or_else(dash, fmt_ms)}</td>
                                    }).collect_view()}
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            </div>
        }
        .into_any()
    }
}

/// One run's histogram: bars, and the percentiles as lines each drawn in its own dash
/// pattern, named with their values in a legend (HTML text, so it stays legible however
/// small the drawing is scaled).
fn hist(policy: Policy, r: Option<&Run>, upper: u64) -> impl IntoView {
    let h = r.map(|r| histogram(r, upper, HW, HH));
    let marks = h.as_ref().map_or_else(|| PERCENTILES.iter().map(|&(_, n)| (0, n, "…".to_string())).collect(), |h| h.marks.clone());
    let label = match &h {
        Some(_) => format!("{}: response times from 0 to {}; {}", policy.label(), fmt_ms(upper), marks.iter().map(|(_, n, v)| format!("{n} {v}")).collect::<Vec<_>>().join(", ")),
        None => format!("{}: response times, once simulated", policy.label()),
    };
    view! {
        <figure class="lb-hist" data-policy=policy.key()>
            <figcaption>{policy.label()}</figcaption>
            <svg viewBox=format!("0 0 {HW} {HH}") role="img" aria-label=label>
                <path class="lb-bars" d=h.as_ref().map(|h| h.bars.clone()).unwrap_or_default()/>
                {h.is_some().then(|| marks.iter().enumerate().map(|(k, (x, _, _))| view! {
                    <line class=format!("lb-mark lb-mark-{k}") x1=x.to_string() x2=x.to_string() y1="0" y2=HH.to_string()/>
                }).collect_view())}
                <line class="lb-axis" x1="0" x2=HW.to_string() y1=HH.to_string() y2=HH.to_string()/>
            </svg>
            <div class="lb-axis-ends" aria-hidden="true"><span>"0"</span><span>{if h.is_some() { format!("{} and slower", fmt_ms(upper)) } else { "…".into() }}</span></div>
            <ul class="lb-legend" aria-hidden="true">
                {marks.iter().enumerate().map(|(k, (_, name, value))| view! {
                    <li><svg class="lb-swatch" viewBox="0 0 10 16"><line class=format!("lb-mark lb-mark-{k}") x1="5" x2="5" y1="0" y2="16"/></svg>{format!("{name} {value}")}</li>
                }).collect_view()}
            </ul>
        </figure>
    }
}
