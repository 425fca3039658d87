//! DNS lookup: the resolver of sim::dns walks a simulated hierarchy, and every message is
//! real RFC 1035 bytes. This view draws the actors and the hop in flight, the bytes of the
//! current message beside their meaning, the three caches with their TTLs, and a
//! `dig +trace`-style transcript. It only paints frames the engine recorded.

mod live;

use std::sync::Arc;

use leptos::prelude::*;

use crate::kit::widgets::dns_lookup as kit;
use crate::sim::dns::resolver::{Actor, Cache, HopKind, Which};
use crate::sim::dns::wire::{Name, RType, Span};
use crate::sim::dns::world::{Role, World, SAMPLES};
use crate::sim::dns::{self, duration, DnsWalk, Op, MAX_OPS};
use crate::sim::timeline::Timeline;
use crate::ui::field::TextField;
use crate::ui::mount::{Live, LiveFrame, View};

/// Columns of the diagram, left to right.
const ACTORS: [&str; 6] = ["Browser", "OS stub", "Resolver", "Root", "TLD", "Authority"];
const COL_W: u32 = 100;

fn column(a: Actor, world: &World) -> usize {
    match a {
        Actor::Browser => 0,
        Actor::Os => 1,
        Actor::Resolver => 2,
        Actor::Server(s) => match world.servers[s].role {
            Role::Root => 3,
            Role::Tld => 4,
            Role::Authoritative => 5,
        },
    }
}

impl View for kit::DnsLookup {
    /// A shared link may replay up to 40 lookups: the widget first paints with empty caches,
    /// then records the replay in a task of its own, so neither task passes 50 ms.
    fn first_paint(input: &kit::Input) -> Option<DnsWalk> {
        (!input.ops.is_empty()).then(|| DnsWalk::new(dns::record(input.seed, &[])))
    }

    fn view(live: Live<Self>) -> AnyView {
        view! { <DnsLookup live=live/> }.into_any()
    }
}

#[component]
fn DnsLookup(live: Live<kit::DnsLookup>) -> impl IntoView {
    let (input, timeline, message) = (live.input, live.timeline, live.message);
    let world = Arc::new(World::sample());
    let name = RwSignal::new(String::from("www.example.com"));
    let rtype = RwSignal::new(RType::A);
    let trace_open = RwSignal::new(false);

    // Adds operations and opens the run at the first step of the first new one.
    let push = move |more: Vec<Op>| {
        let mut next = input.get_untracked();
        if next.ops.len() + more.len() > MAX_OPS {
            live.refuse(format!("A session replays at most {MAX_OPS} operations; press “Start over” to begin again."));
            return;
        }
        let first_new = next.ops.len();
        next.ops.extend(more);
        live.apply_then(next, |t| {
            let target = t.current().frames().iter().position(|f| f.op == Some(first_new)).unwrap_or(0);
            t.seek(target);
        });
    };
    let look_up = move || match Name::parse(&name.get_untracked()) {
        Ok(n) => push(vec![Op::Lookup(n, rtype.get_untracked())]),
        Err(e) => live.refuse(e),
    };

    let id = live.instance();
    let world2 = world.clone();
    view! {
        <LiveFrame live=live aside=Box::new(move || view! {
            <div class="dns dns-panels">
                <Bytes timeline=timeline/>
                <Caches timeline=timeline/>
                <live::Live instance=id name=name rtype=rtype/>
                // Written only while open: at the end of a long replay it runs to pages.
                <details class="dns-trace" on:toggle=move |e| trace_open.set(event_target::<web_sys::HtmlDetailsElement>(&e).open())>
                    <summary>"dig +trace-style transcript"</summary>
                    <pre data-testid="dns-trace">{move || trace_open.get().then(|| timeline.with(|t| dns::trace(t.current().so_far(), &world2)))}</pre>
                </details>
            </div>
        }.into_any())>
            <div class="dns">
                <div class="dns-inputs">
                    <label class="dns-sample">
                        "Sample "
                        <select data-testid="dns-sample" on:change=move |e| {
                            if let Some(s) = event_target_value(&e).parse::<usize>().ok().and_then(|i| SAMPLES.get(i)) {
                                name.set(s.name.to_string());
                                rtype.set(s.rtype);
                            }
                        }>
                            <option value="">"Pick a case…"</option>
                            {SAMPLES.iter().enumerate().map(|(i, s)| view! { <option value=i.to_string()>{format!("{} {}: {}", s.name, s.rtype.name(), s.shows)}</option> }).collect_view()}
                        </select>
                    </label>
                    <div class="dns-ask">
                        <label for=format!("{id}-name")>"Name"</label>
                        <TextField value=name on_enter=move |()| look_up() described_by=format!("{id}-dns-message") testid="dns-name" id=format!("{id}-name")/>
                        <label for=format!("{id}-type")>"Type"</label>
                        <select id=format!("{id}-type") data-testid="dns-type" prop:value=move || rtype.get().name() on:change=move |e| {
                            if let Some(t) = RType::from_name(&event_target_value(&e)) {
                                rtype.set(t);
                            }
                        }>
                            {RType::ASKABLE.iter().map(|t| view! { <option value=t.name()>{t.name()}</option> }).collect_view()}
                        </select>
                        <button data-testid="dns-lookup" on:click=move |_| look_up()>"Look up"</button>
                    </div>
                    <p class="input-error" id=format!("{id}-dns-message") role="alert" data-testid="dns-message">{move || message.get()}</p>
                    <div class="dns-buttons" role="group" aria-label="Clock and caches">
                        <span class="meta">"Move the clock on:"</span>
                        {[(10u64, "+10 s"), (60, "+1 min"), (300, "+5 min"), (3_600, "+1 h"), (86_400, "+1 day")].into_iter().map(|(s, label)| view! {
                            <button data-advance=s.to_string() on:click=move |_| push(vec![Op::Advance(s)])>{label}</button>
                        }).collect_view()}
                    </div>
                    <div class="dns-buttons" role="group" aria-label="Clear caches">
                        <span class="meta">"Clear:"</span>
                        {[(Some(Which::Browser), "browser"), (Some(Which::Os), "OS"), (Some(Which::Resolver), "resolver"), (None, "all caches")].into_iter().map(|(w, label)| view! {
                            <button data-clear=label on:click=move |_| push(vec![Op::Clear(w)])>{label}</button>
                        }).collect_view()}
                        <button data-testid="dns-start-over" on:click=move |_| {
                            let mut next = input.get_untracked();
                            next.ops.clear();
                            live.apply(next);
                        }>"Start over"</button>
                    </div>
                </div>
                <p class="meta" data-testid="dns-clock">{move || timeline.with(|t| {
                    let f = t.current().frame();
                    let mut s = format!("Clock: {} after the start", duration(f.now_ms / 1_000));
                    if f.hop.is_some() {
                        s.push_str(&format!(" · this lookup so far: {} ms", f.lookup_ms));
                    }
                    s
                })}</p>
                <Diagram timeline=timeline world=world.clone()/>
            </div>
        </LiveFrame>
    }
}

/// Where the diagram puts each actor and draws each hop: six actors in a row on a wide
/// screen, stacked as a sequence diagram on a narrow one, where a row would shrink the labels
/// below 12 px. Both are drawn; CSS shows the one that fits the widget's width.
#[derive(Clone, Copy)]
enum Layout {
    Row,
    Stack,
}

/// The stack's row height and the x of its query and response lanes.
const ROW_H: u32 = 46;
const BOX_W: u32 = 132;

impl Layout {
    fn view_box(self) -> String {
        match self {
            Layout::Row => format!("0 0 {} 96", COL_W * ACTORS.len() as u32),
            Layout::Stack => format!("0 0 300 {}", ROW_H * ACTORS.len() as u32 + 12),
        }
    }

    /// The actor's box: x, y, width, height.
    fn frame(self, i: usize) -> (u32, u32, u32, u32) {
        let i = i as u32;
        match self {
            Layout::Row => (i * COL_W + 6, 8, COL_W - 12, 34),
            Layout::Stack => (8, 8 + i * ROW_H, BOX_W, 34),
        }
    }

    /// The path of a hop from actor `a` to actor `b` (a loop beside the actor when they are one).
    fn hop(self, a: usize, b: usize) -> String {
        match self {
            Layout::Row => {
                let cx = |i: usize| i as u32 * COL_W + COL_W / 2;
                if a == b {
                    format!("M{} 48 q 30 40 0 40 q -30 0 -6 -38", cx(a))
                } else {
                    let (x1, x2) = (cx(a), cx(b));
                    let y = if x2 > x1 { 60 } else { 80 };
                    format!("M{x1} {y} L{x2} {y}")
                }
            }
            Layout::Stack => {
                let cy = |i: usize| 8 + i as u32 * ROW_H + 17;
                let edge = 8 + BOX_W;
                if a == b {
                    let y = cy(a);
                    format!("M{edge} {} c 46 -16 46 28 0 16", y - 8)
                } else {
                    // Out of the sender's box to its lane, along it, and into the receiver's:
                    // queries go down the near lane, answers come up the far one.
                    let lane = if b > a { edge + 50 } else { edge + 110 };
                    let (y1, y2) = (cy(a), cy(b));
                    format!("M{edge} {y1} H{lane} V{y2} H{}", edge + 2)
                }
            }
        }
    }
}

/// The six actors and the current hop as an arrow between two of them, in both layouts.
#[component]
fn Diagram(timeline: RwSignal<Timeline<DnsWalk>>, world: Arc<World>) -> impl IntoView {
    let w2 = world.clone();
    let label = move || {
        timeline.with(|t| match t.current().frame().hop.as_ref().map(|h| (h.from, h.to)) {
            Some((Actor::Server(s), _) | (_, Actor::Server(s))) => {
                format!("Talking to {} ({})", w2.servers[s].host, crate::sim::dns::resolver::ip_text(w2.servers[s].ip))
            }
            _ => String::new(),
        })
    };
    view! {
        <figure class="dns-diagram">
            <Drawing timeline=timeline world=world.clone() layout=Layout::Row/>
            <Drawing timeline=timeline world=world layout=Layout::Stack/>
            <figcaption class="meta" data-testid="dns-talking">{label}</figcaption>
        </figure>
    }
}

#[component]
fn Drawing(timeline: RwSignal<Timeline<DnsWalk>>, world: Arc<World>, layout: Layout) -> impl IntoView {
    let hop = move || timeline.with(|t| t.current().frame().hop.clone());
    let w3 = world.clone();
    let (class, marker) = match layout {
        Layout::Row => ("dns-row", "dns-arrow-row"),
        Layout::Stack => ("dns-stack", "dns-arrow-stack"),
    };
    view! {
        <svg class=class viewBox=layout.view_box() role="img" aria-label="Browser, operating system, recursive resolver, root, TLD and authoritative name servers; the narration describes each message">
            <defs>
                <marker id=marker viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                    <path d="M0,0 L8,4 L0,8 z" class="dns-head"/>
                </marker>
            </defs>
            {move || {
                let h = hop();
                ACTORS.iter().enumerate().map(|(i, a)| {
                    let active = h.as_ref().is_some_and(|h| column(h.from, &w3) == i || column(h.to, &w3) == i);
                    let (x, y, w, ht) = layout.frame(i);
                    view! {
                        <g class="dns-actor" class:active=active>
                            <rect x=x.to_string() y=y.to_string() width=w.to_string() height=ht.to_string() rx="6"/>
                            <text x=(x + w / 2).to_string() y=(y + 22).to_string() text-anchor="middle">{*a}</text>
                        </g>
                    }
                }).collect_view()
            }}
            {move || hop().map(|h| {
                let (a, b) = (column(h.from, &world), column(h.to, &world));
                let class = match (&h.kind, h.message.as_ref().map(|m| m.header.qr)) {
                    (HopKind::Timeout, _) => "dns-hop timeout",
                    (HopKind::CacheCheck { hit: true, .. }, _) => "dns-hop hit",
                    (HopKind::CacheCheck { .. }, _) => "dns-hop miss",
                    (_, Some(true)) => "dns-hop response",
                    _ => "dns-hop query",
                };
                let end = (a != b).then(|| format!("url(#{marker})"));
                view! { <path class=class pathLength="100" marker-end=end d=layout.hop(a, b)/> }
            })}
        </svg>
    }
}

/// The current message's bytes, grouped by field, beside the decoded fields. Hovering or
/// focusing a field lights up its bytes.
#[component]
fn Bytes(timeline: RwSignal<Timeline<DnsWalk>>) -> impl IntoView {
    let hot = RwSignal::new(None::<usize>);
    let current = Memo::new(move |_| timeline.with(|t| t.current().frame().hop.as_ref().filter(|h| !h.bytes.is_empty()).map(|h| (h.bytes.clone(), h.spans.clone(), h.message.as_ref().map(|m| m.header.qr)))));
    Effect::new(move |_| {
        current.track();
        hot.set(None);
    });
    move || {
        current.get().map(|(bytes, spans, qr)| {
            let spans: Arc<Vec<Span>> = Arc::new(spans);
            let hex = spans.iter().enumerate().map(|(i, s)| {
                let text = bytes[s.start..s.end].iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(" ");
                view! { <span class="dns-field" class:hot=move || hot.get() == Some(i) data-span=i.to_string()>{text}</span>" " }
            }).collect_view();
            let mut last_part = String::new();
            let fields = spans.iter().enumerate().map(|(i, s)| {
                let head = (s.part != last_part).then(|| {
                    last_part = s.part.clone();
                    view! { <li class="dns-part">{s.part.clone()}</li> }
                });
                view! {
                    {head}
                    <li
                        tabindex="0"
                        class:hot=move || hot.get() == Some(i)
                        data-field=i.to_string()
                        on:mouseenter=move |_| hot.set(Some(i))
                        on:focus=move |_| hot.set(Some(i))
                        on:mouseleave=move |_| hot.set(None)
                        on:blur=move |_| hot.set(None)
                    >
                        <span class="dns-offset">{format!("{}–{}", s.start, s.end - 1)}</span>" "{s.label.clone()}
                    </li>
                }
            }).collect_view();
            view! {
                <section class="dns-bytes" aria-label="The current message, byte by byte">
                    <h3>{format!("{} · {} bytes on the wire", if qr == Some(true) { "Response" } else { "Query" }, bytes.len())}</h3>
                    <div class="dns-bytes-grid">
                        <p class="dns-hex" data-testid="dns-hex" aria-hidden="true">{hex}</p>
                        <ol class="dns-fields" data-testid="dns-fields" aria-label="Decoded fields; focus one to light up its bytes">{fields}</ol>
                    </div>
                </section>
            }
        })
    }
}

/// The three caches as they stood at this step, with each entry's remaining TTL.
#[component]
fn Caches(timeline: RwSignal<Timeline<DnsWalk>>) -> impl IntoView {
    let list = move |which: Which| {
        timeline.with(|t| {
            let f = t.current().frame();
            let now = f.now_ms;
            let cache: &Cache = f.cache(which);
            let rows: Vec<String> = cache
                .as_of(now)
                .map(|e| {
                    let what = match (e.negative, e.rtype) {
                        (Some(rc), None) => format!("{} (any type): {}", e.name, rc.name()),
                        (Some(_), Some(t)) => format!("{} {}: no such record (NODATA)", e.name, t.name()),
                        (None, _) => e.records.iter().map(|r| format!("{} {} {}", r.name, r.rtype().name(), r.data)).collect::<Vec<_>>().join("; "),
                    };
                    format!("{what} · {} s left", e.left(now))
                })
                .collect();
            rows
        })
    };
    let block = move |which: Which, title: &'static str| {
        view! {
            <div class="dns-cache" data-cache=which.label()>
                <h3>{title}</h3>
                {move || {
                    let rows = list(which);
                    if rows.is_empty() {
                        view! { <p class="meta">"empty"</p> }.into_any()
                    } else {
                        view! { <ul>{rows.into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}</ul> }.into_any()
                    }
                }}
            </div>
        }
    };
    view! {
        <section class="dns-caches" aria-label="Caches at this step">
            {block(Which::Browser, "Browser cache")}
            {block(Which::Os, "OS cache")}
            {block(Which::Resolver, "Resolver cache")}
        </section>
    }
}
