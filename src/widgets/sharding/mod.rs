//! Sharding: the timeline follows a dozen keys onto their nodes before and after a node joins
//! or leaves (sim::shard), and a table counts every key under all four schemes, tallied in
//! time slices so 100,000 keys never block the page. This view only paints what the engine
//! computed.

use leptos::prelude::*;

use crate::kit::widgets::sharding as kit;
use crate::sim::shard::{Change, Config, Scheme, Tally, Totals, MAX_NODES};
use crate::sim::{group, plural};
use crate::ui::field::NumberField;
use crate::ui::mount::{Live, LiveFrame, View};
use crate::ui::setup::SetUp;
use crate::ui::slices;

/// Keys placed between looks at the clock.
const KEYS_PER_CHECK: usize = 2_000;

impl View for kit::Sharding {
    fn view(live: Live<Self>) -> AnyView {
        view! { <Sharding live=live/> }.into_any()
    }
}

#[component]
fn Sharding(live: Live<kit::Sharding>) -> impl IntoView {
    let (input, timeline, message) = (live.input, live.timeline, live.message);
    let id = live.instance();
    let c0 = input.get_untracked();
    let nodes = RwSignal::new(c0.nodes.to_string());
    let leave = RwSignal::new(match c0.change {
        Change::Remove(p) => (p + 1).to_string(),
        Change::Add => "1".into(),
    });
    let vnodes = RwSignal::new(c0.vnodes.to_string());
    let keys = RwSignal::new(c0.keys.to_string());
    let remove = RwSignal::new(matches!(c0.change, Change::Remove(_)));

    // Every key under every scheme, in the background; a newer run makes an older one stop.
    let totals = RwSignal::new(None::<Vec<(Scheme, Totals)>>);
    let progress = RwSignal::new(None::<u64>);
    let generation = StoredValue::new(0u32);
    let tally = move |cfg: &Config| {
        let g = generation.get_value().wrapping_add(1);
        generation.set_value(g);
        totals.set(None);
        progress.set(Some(0));
        slices::run(
            Tally::new(cfg),
            KEYS_PER_CHECK,
            move || generation.get_value() == g,
            move |n| progress.set(Some(n)),
            move |t| {
                progress.set(None);
                totals.set(Some(t));
            },
        );
    };
    tally(&c0);
    on_cleanup(move || generation.set_value(u32::MAX));

    // Reads the fields; a value that is not a whole number, or a cluster the engine refuses,
    // gets a message and changes nothing.
    let apply = move |scheme: Option<Scheme>| {
        let mut next = input.get_untracked();
        let num = |raw: String, what: &str| crate::kit::catalog::whole_number(&raw, what);
        let parsed = (|| -> Result<(), String> {
            next.nodes = num(nodes.get_untracked(), "Nodes")?;
            next.vnodes = num(vnodes.get_untracked(), "Points per node")?;
            next.keys = num(keys.get_untracked(), "Keys")?;
            next.change = if remove.get_untracked() { Change::Remove(num(leave.get_untracked(), "Node leaving")?.saturating_sub(1)) } else { Change::Add };
            if let Some(s) = scheme {
                next.scheme = s;
            }
            next.validate()
        })();
        match parsed {
            Ok(()) if next == input.get_untracked() => {}
            // Placing the sample keys and redrawing go in a task of their own, after the
            // click's: with 32 nodes of 200 ring points, the two in one task came near 50 ms
            // on a busy 2-core machine.
            Ok(()) => set_timeout(
                move || {
                    tally(&next);
                    live.apply(next);
                },
                std::time::Duration::ZERO,
            ),
            Err(e) => live.refuse(e),
        }
    };
    let on_enter = Callback::new(move |()| apply(None));
    let frame = move || timeline.with(|t| t.current().frame().clone());
    let leaving_name = move || input.with(|c| match c.change {
        Change::Remove(p) => crate::sim::shard::node_name(p),
        Change::Add => crate::sim::shard::node_name(c.nodes),
    });

    view! {
        <LiveFrame live=live aside=Box::new(move || view! {
            <div class="shard">
                <div class="table-wrap" tabindex="0" role="region" aria-label="Sample keys and their nodes">
                    <table class="shard-keys" data-testid="shard-sample" data-motion>
                        <caption>{move || format!("The first {} keys, on {} node{}", frame().keys.len(), frame().nodes.len(), plural(frame().nodes.len()))}</caption>
                        <thead><tr><th scope="col">"Key"</th><th scope="col">"Hash"</th><th scope="col">"Node before"</th><th scope="col">{move || format!("After {} {}", leaving_name(), if remove.get() { "leaves" } else { "joins" })}</th></tr></thead>
                        <tbody>
                            {move || {
                                let f = frame();
                                f.keys.into_iter().enumerate().map(|(i, k)| {
                                    let moved = k.moved();
                                    let row_key = format!("row-{}", k.key);
                                    view! {
                                        <tr class:focus=f.focus == Some(i) class:moved=moved data-key=row_key>
                                            <th scope="row"><code>{k.key}</code></th>
                                            <td><code>{format!("{:016x}", k.hash)}</code></td>
                                            <td>{k.before.unwrap_or_else(|| "–".into())}</td>
                                            <td>{k.after.unwrap_or_else(|| "–".into())}{moved.then_some(" (moved)")}</td>
                                        </tr>
                                    }
                                }).collect_view()
                            }}
                        </tbody>
                    </table>
                </div>
                <div class="table-wrap" tabindex="0" role="region" aria-label="Every key, under each scheme">
                    <table class="shard-totals" data-testid="shard-totals">
                        <caption>{move || input.with(|c| format!("All {} keys, every scheme: what the change moves", group(u64::from(c.keys))))}</caption>
                        <thead><tr>
                            <th scope="col">"Scheme"</th>
                            <th scope="col">"Keys moved"</th>
                            <th scope="col">"Share moved"</th>
                            <th scope="col">"Busiest node before (vs. mean)"</th>
                            <th scope="col">"After"</th>
                        </tr></thead>
                        <tbody>
                            {move || match totals.get() {
                                None => view! { <tr><td colspan="5" class="meta">{move || format!("Placing keys… {}", group(progress.get().unwrap_or(0)))}</td></tr> }.into_any(),
                                Some(rows) => {
                                    let chosen = input.with(|c| c.scheme);
                                    let n = input.with(|c| c.keys.max(1));
                                    rows.into_iter().map(|(s, t)| view! {
                                        <tr class:chosen=s == chosen data-scheme=s.key()>
                                            <th scope="row">{s.label()}</th>
                                            <td>{group(u64::from(t.moved))}</td>
                                            <td data-testid="shard-share">{format!("{:.1} %", f64::from(t.moved) * 100.0 / f64::from(n))}</td>
                                            <td>{format!("{} %", Totals::peak_over_mean(&t.before))}</td>
                                            <td>{format!("{} %", Totals::peak_over_mean(&t.after))}</td>
                                        </tr>
                                    }).collect_view().into_any()
                                }
                            }}
                        </tbody>
                    </table>
                </div>
                <p class="meta">{move || input.with(|c| {
                    let fair = match c.change { Change::Add => c.nodes + 1, Change::Remove(_) => c.nodes };
                    format!("The least any scheme can move is one key in {fair} ({:.1} %): the new node's fair share, or the leaving node's keys. A cluster here has at most {MAX_NODES} nodes.", 100.0 / f64::from(fair))
                })}</p>
            </div>
        }.into_any())>
            <div class="shard">
                <SetUp live=live>
                <div class="form-row">
                    <label>"Scheme "
                        <select data-testid="shard-scheme" prop:value=move || input.with(|c| c.scheme.key()) on:change=move |e| apply(Scheme::from_key(&event_target_value(&e)))>
                            {Scheme::ALL.map(|s| view! { <option value=s.key()>{s.label()}</option> }).collect_view()}
                        </select>
                    </label>
                    <NumberField label="Nodes" value=nodes on_enter=on_enter described_by=format!("{id}-shard-message") testid="shard-nodes"/>
                    <label>"Then "
                        <select data-testid="shard-change" prop:value=move || if remove.get() { "remove" } else { "add" } on:change=move |e| {
                            remove.set(event_target_value(&e) == "remove");
                            apply(None);
                        }>
                            <option value="add">"a node joins"</option>
                            <option value="remove">"a node leaves"</option>
                        </select>
                    </label>
                    <Show when=move || remove.get()>
                        <NumberField label="Node leaving (1 = A)" value=leave on_enter=on_enter described_by=format!("{id}-shard-message") testid="shard-leave"/>
                    </Show>
                    <NumberField label="Keys" value=keys on_enter=on_enter described_by=format!("{id}-shard-message") testid="shard-keys"/>
                    <NumberField label="Ring points per node" value=vnodes on_enter=on_enter described_by=format!("{id}-shard-message") testid="shard-vnodes"/>
                    <button data-testid="shard-apply" on:click=move |_| apply(None)>"Apply"</button>
                    <p class="input-error" id=format!("{id}-shard-message") role="alert" data-testid="shard-message">{move || message.get()}</p>
                </div>
                </SetUp>
                // The picture: each node holding a sample key, with its keys as chips. A chip
                // is keyed by its key, so when a step moves the key it glides to its new node.
                <div class="shard-map" data-testid="shard-map" data-motion role="img" aria-label=move || timeline.with(|t| {
                    let f = t.current().frame();
                    format!("{} nodes hold the {} sample keys placed so far", f.holding().len(), f.keys.iter().filter(|k| k.before.is_some() || k.after.is_some()).count())
                })>
                    {move || {
                        let (f, boxes) = timeline.with(|t| (t.current().frame().clone(), crate::sim::shard::map_nodes(t.current().frames())));
                        let holding = f.holding();
                        boxes.into_iter().map(|node| {
                            let keys = holding.iter().find(|(n, _)| *n == node).map(|(_, k)| k.clone()).unwrap_or_default();
                            view! {
                            <div class="shard-node" data-node=node.clone()>
                                <span class="shard-node-name">{format!("Node {node}")}</span>
                                {keys.into_iter().map(|i| {
                                    let k = &f.keys[i];
                                    view! { <span class="shard-chip" class:focus=f.focus == Some(i) class:moved=k.moved() data-key=format!("key-{}", k.key)>{k.key.clone()}</span> }
                                }).collect_view()}
                            </div>
                        }}).collect_view()
                    }}
                </div>
            </div>
        </LiveFrame>
    }
}
