//! Replication: sim::replication's six runs (the five read routings, and the chosen one under
//! the other commit), simulated in time slices after the first paint, then stepped moment by
//! moment. The picture is the end of the log as a grid, a row per database; beside it, the
//! routings and the commit modes compared. This view only paints what the engine and the kit
//! computed.

use leptos::prelude::*;

use crate::kit::catalog::whole_number;
use crate::kit::widgets::replication::{self as kit, grid, totals_line, verdict, you_line};
use crate::sim::group;
use crate::sim::lb::{fmt_ms, percentile};
use crate::sim::replication::{fmt_per_mille, node_name, Commit, Config, Lag, Reads, Replay, Role, Run};
use crate::ui::field::NumberField;
use crate::ui::mount::{Live, LiveFrame, View};
use crate::ui::setup::SetUp;

/// What the picture says before the first write (and while the runs are simulated, so the
/// picture keeps its height when they arrive).
const EMPTY: &str = "No writes yet, so every database's log is empty. Step forward (→) to follow your first save to the primary and on to each replica.";
/// Events simulated between looks at the clock.
const EVENTS_PER_CHECK: usize = 4_000;

impl View for kit::Replication {
    const BUILDS_IN_BACKGROUND: bool = true;

    /// Nothing simulated yet: the runs are simulated in time slices after the first paint.
    fn first_paint(_: &Config) -> Option<Replay> {
        Some(Replay::pending("Simulating the users…"))
    }

    fn view(live: Live<Self>) -> AnyView {
        view! { <Replication live=live/> }.into_any()
    }
}

#[component]
fn Replication(live: Live<kit::Replication>) -> impl IntoView {
    let (input, timeline, message) = (live.input, live.timeline, live.message);
    let instance = live.instance();
    let msg_id = format!("{instance}-repl-message");
    let c0 = input.get_untracked();
    let replicas = RwSignal::new(c0.replicas.to_string());
    let lag = RwSignal::new(c0.lag_ms.to_string());
    let think = RwSignal::new(c0.think_ms.to_string());
    let ops = RwSignal::new(c0.ops.to_string());

    let progress = RwSignal::new(None::<u64>);
    let build = move |c: &Config| live.build_in_slices(crate::sim::replication::sims(c), EVENTS_PER_CHECK, progress, Replay::new);
    build(&input.get_untracked());

    // Reads every number field, applies `change` (a menu, a radio or the checkbox), and
    // checks the whole; a bad value gets a message and changes nothing.
    let apply = move |change: &dyn Fn(&mut Config)| {
        let mut next = input.get_untracked();
        let parsed = (|| -> Result<(), String> {
            next.replicas = whole_number(&replicas.get_untracked(), "Replicas")?;
            next.lag_ms = whole_number(&lag.get_untracked(), "Replication lag")?;
            next.think_ms = whole_number(&think.get_untracked(), "Pause between operations")?;
            next.ops = whole_number(&ops.get_untracked(), "Operations")?;
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
    let radio_name = format!("{instance}-reads");

    view! {
        <LiveFrame live=live aside=Box::new(move || view! { <Compare timeline=timeline input=input/> }.into_any())>
            <div class="repl">
                <fieldset class="repl-reads" data-testid="repl-reads">
                    <legend>"Send each read to"</legend>
                    {Reads::ALL.map(|r| {
                        let name = radio_name.clone();
                        view! {
                            <label class="repl-read">
                                <input type="radio" name=name value=r.key() data-testid=format!("repl-reads-{}", r.key())
                                    prop:checked=move || input.with(|c| c.reads == r)
                                    on:change=move |_| apply(&|c| c.reads = r)/>
                                {r.label()}
                            </label>
                        }
                    }).collect_view()}
                </fieldset>
                <SetUp live=live>
                <div class="form-row">
                    <label>"Commits "
                        <select data-testid="repl-commit" prop:value=move || input.with(|c| c.commit.key()) on:change=move |e| {
                            let k = Commit::from_key(&event_target_value(&e));
                            apply(&|c| if let Some(k) = k { c.commit = k });
                        }>
                            {Commit::ALL.map(|k| view! { <option value=k.key()>{k.label()}</option> }).collect_view()}
                        </select>
                    </label>
                    <NumberField label="Replicas" value=replicas on_enter=on_enter described_by=msg_id.clone() testid="repl-replicas"/>
                    <NumberField label="Mean lag (ms)" value=lag on_enter=on_enter described_by=msg_id.clone() testid="repl-lag"/>
                    <label>"Lag "
                        <select data-testid="repl-shape" prop:value=move || input.with(|c| c.lag.key()) on:change=move |e| {
                            let k = Lag::from_key(&event_target_value(&e));
                            apply(&|c| if let Some(k) = k { c.lag = k });
                        }>
                            {Lag::ALL.map(|k| view! { <option value=k.key()>{k.label()}</option> }).collect_view()}
                        </select>
                    </label>
                    <NumberField label="Mean pause (ms)" value=think on_enter=on_enter described_by=msg_id.clone() testid="repl-think"/>
                    <NumberField label="Operations" value=ops on_enter=on_enter described_by=msg_id.clone() testid="repl-ops"/>
                    <label class="check">
                        <input type="checkbox" data-testid="repl-crash" prop:checked=move || input.with(|c| c.crash) on:change=move |e| {
                            let on = event_target_checked(&e);
                            apply(&|c| c.crash = on);
                        }/>
                        " The primary crashes halfway"
                    </label>
                    <button data-testid="repl-apply" on:click=move |_| apply(&|_| {})>"Apply"</button>
                    <p class="input-error" id=msg_id.clone() role="alert" data-testid="repl-message">{move || message.get()}</p>
                </div>
                </SetUp>
                // The picture: the end of the log, a row per database. Cells are keyed by
                // database and entry, so the log slides left as entries arrive.
                <div class="repl-picture" data-testid="repl-picture" data-motion>
                    {move || {
                        let snap = timeline.with(|t| t.current().snap().cloned());
                        let Some(snap) = snap else {
                            // Not simulated yet: the rows, empty, in their final size.
                            let n = input.with(|c| c.replicas as usize + 1);
                            let total = input.with(|c| u64::from(c.ops)) * 6;
                            return view! {
                                <p class="repl-now" data-testid="repl-pending">{move || format!("Simulating… {} of {} operations", group(progress.get().unwrap_or(0)), group(total))}</p>
                                <ol class="repl-grid">
                                    <li class="repl-row repl-head" aria-hidden="true"><span class="repl-name"></span><span class="repl-tag">"log entry"</span><span class="repl-cells"></span><span class="repl-yours">"your profile"</span></li>
                                    {(0..n).map(|i| view! { <li class="repl-row"><span class="repl-name">{node_name(i)}</span><span class="repl-tag"></span><span class="repl-cells"></span><span class="repl-yours"></span></li> }).collect_view()}
                                </ol>
                                <p class="repl-empty">{EMPTY}</p>
                                <p class="repl-you">" "</p>
                                <p class="repl-totals">" "</p>
                            }.into_any();
                        };
                        let g = grid(&snap);
                        let saved = snap.your_saved;
                        let v = verdict(&snap);
                        view! {
                            <p class="repl-now">
                                {format!("At {}", crate::sim::des::fmt_time(snap.at))}
                                {v.map(|(word, bad)| view! { <span class="repl-verdict" data-testid="repl-verdict" data-bad=bad.to_string()>{word}</span> })}
                            </p>
                            <ol class="repl-grid" aria-label="Each database's copy of the end of the log">
                                <li class="repl-row repl-head" aria-hidden="true">
                                    <span class="repl-name"></span><span class="repl-tag">"log entry"</span>
                                    <span class="repl-cells">
                                        {g.columns.iter().map(|col| view! {
                                            <span class="repl-col" class:yours=col.yours data-key=format!("h-{}", col.lsn)>{col.lsn.to_string()}<small>{col.label.clone()}</small></span>
                                        }).collect_view()}
                                    </span>
                                    <span class="repl-yours">"your profile"</span>
                                </li>
                                {g.rows.iter().map(|row| {
                                    let role = match row.role { Role::Primary => "primary", Role::Replica => "replica", Role::Down => "down" };
                                    let stale = row.role != Role::Down && row.yours < saved;
                                    let yours = if row.role == Role::Down { "—".to_string() } else if row.yours == 0 { "none".to_string() } else { format!("v{}", row.yours) };
                                    let said = format!("{}, {}: has the log up to entry {}; your profile here: {}{}", row.name, row.tag, group(u64::from(row.applied)), yours, if stale { ", older than you saved" } else { "" });
                                    view! {
                                        <li class="repl-row" data-role=role data-node=row.node.to_string() class:focus=row.focus>
                                            <span class="visually-hidden" data-testid="repl-row-said">{said}</span>
                                            <span class="repl-name" aria-hidden="true">{row.name.clone()}</span>
                                            <span class="repl-tag" aria-hidden="true">{row.tag.clone()}</span>
                                            <span class="repl-cells" aria-hidden="true">
                                                {g.columns.iter().map(|col| view! {
                                                    <span class="repl-cell" class:has=row.has(col.lsn) class:yours=col.yours data-key=format!("n{}-{}", row.node, col.lsn)></span>
                                                }).collect_view()}
                                            </span>
                                            <span class="repl-yours" aria-hidden="true" class:stale=stale>{yours}</span>
                                        </li>
                                    }
                                }).collect_view()}
                            </ol>
                            {g.columns.is_empty().then(|| view! {
                                <p class="repl-empty">{EMPTY}</p>
                            })}
                            <p class="repl-you" data-testid="repl-you">{you_line(&snap)}</p>
                            <p class="repl-totals" data-testid="repl-totals">{totals_line(&snap)}</p>
                        }.into_any()
                    }}
                </div>
            </div>
        </LiveFrame>
    }
}

/// The whole runs compared: every routing on the same users, then both commit modes. Until
/// the runs arrive, the same tables stand empty at their final size.
#[component]
fn Compare(timeline: RwSignal<crate::sim::timeline::Timeline<Replay>>, input: RwSignal<Config>) -> impl IntoView {
    // Drawn once per set of runs, not on every step.
    let shared = Memo::new(move |_| timeline.with(|t| t.current().shared_runs()));
    move || {
        let shared = shared.get();
        let runs: &[Run] = &shared.0;
        let c = input.get();
        let ready = !runs.is_empty();
        let dash = || "…".to_string();
        let find = |reads: Reads, commit: Commit| runs.iter().find(|r| r.config.reads == reads && r.config.commit == commit);
        let pct = |n: u32, of: u32| if of == 0 { "0.0 %".to_string() } else { fmt_per_mille((u64::from(n) * 1000 / u64::from(of)) as u32) };
        view! {
            <div class="repl-compare" data-ready=ready.to_string()>
                <div class="table-wrap" tabindex="0" role="region" aria-label="Where reads go">
                    <table class="repl-routings" data-testid=if ready { "repl-routings" } else { "repl-routings-pending" }>
                        <caption>{format!("Every way of routing reads, on the same users ({} commits)", c.commit.label().to_lowercase())}</caption>
                        <thead><tr><th scope="col">"Reads go to"</th><th scope="col">"Stale"</th><th scope="col">"Back in time"</th><th scope="col">"On the primary"</th><th scope="col">"Read p50"</th><th scope="col">"Read p99"</th></tr></thead>
                        <tbody>
                            {Reads::ALL.map(|reads| {
                                let r = find(reads, c.commit);
                                let answered = r.map_or(0, |r| r.totals.reads - r.totals.failed_reads);
                                view! {
                                    <tr data-reads=reads.key() class:chosen=reads == c.reads>
                                        <th scope="row">{reads.label()}{(reads == c.reads).then(|| view! { <span class="visually-hidden">" (shown in the picture)"</span> })}</th>
                                        <td data-testid="repl-stale">{r.map_or_else(dash, |r| format!("{} ({})", group(u64::from(r.totals.stale)), fmt_per_mille(r.stale_per_mille())))}</td>
                                        <td data-testid="repl-back">{r.map_or_else(dash, |r| group(u64::from(r.totals.back_in_time)))}</td>
                                        <td data-testid="repl-on-primary">{r.map_or_else(dash, |r| pct(r.totals.on_primary, answered))}</td>
                                        <td>{r.and_then(|r| percentile(&r.read_us, 500)).map_or_else(dash, fmt_ms)}</td>
                                        <td data-testid="repl-read-p99">{r.and_then(|r| percentile(&r.read_us, 990)).map_or_else(dash, fmt_ms)}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
                <p class="meta">"Stale: older than the user's own last confirmed write. Back in time: older than what the same user read before. Read times include any wait for a replica to catch up."</p>
                <div class="table-wrap" tabindex="0" role="region" aria-label="Commits">
                    <table class="repl-commits" data-testid=if ready { "repl-commits" } else { "repl-commits-pending" }>
                        <caption>{format!("Writes under each commit mode (reads: {})", c.reads.label().to_lowercase())}</caption>
                        <thead><tr><th scope="col">"Commits"</th><th scope="col">"Confirmed"</th><th scope="col">"Commit p50"</th><th scope="col">"Commit p99"</th><th scope="col">"Failed"</th><th scope="col">"Lost"</th></tr></thead>
                        <tbody>
                            {Commit::ALL.map(|commit| {
                                let r = find(c.reads, commit);
                                view! {
                                    <tr data-commit=commit.key() class:chosen=commit == c.commit>
                                        <th scope="row">{commit.label()}{(commit == c.commit).then(|| view! { <span class="visually-hidden">" (shown in the picture)"</span> })}</th>
                                        <td>{r.map_or_else(dash, |r| group(u64::from(r.totals.saved)))}</td>
                                        <td>{r.and_then(|r| percentile(&r.write_us, 500)).map_or_else(dash, fmt_ms)}</td>
                                        <td data-testid="repl-commit-p99">{r.and_then(|r| percentile(&r.write_us, 990)).map_or_else(dash, fmt_ms)}</td>
                                        <td>{r.map_or_else(dash, |r| group(u64::from(r.totals.failed_writes)))}</td>
                                        <td data-testid="repl-lost">{r.map_or_else(dash, |r| group(u64::from(r.totals.lost)))}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
                <p class="meta">"Failed: refused while no database was primary, or cut off by the crash before it was confirmed; the user was told. Lost: confirmed, then gone with the crashed primary."</p>
            </div>
        }
        .into_any()
    }
}
