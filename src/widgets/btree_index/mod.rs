//! The B-tree index stepper: a real B+tree (sim::btree) replays the reader's operations,
//! and every comparison, page read, split, borrow and merge is a step. This view only
//! paints frames and the layout that sim::btree_walk computes.

mod scan;

use leptos::prelude::*;

use crate::kit::catalog::ParamValue;
use crate::kit::widgets::btree_index as kit;
use crate::sim::btree_walk::{self, layout, BTreeWalk, IndexKey, KeyType, Op};
use crate::sim::timeline::{Timeline, TimelineConfig};
use crate::ui::field::TextField;
use crate::ui::mount::{Live, LiveFrame, View};

/// Pixel sizes of the drawing: one key cell, one node row, the gap between levels.
const ROW_H: f64 = 30.0;
const LEVEL_GAP: f64 = 56.0;
const PAD: f64 = 8.0;
/// Room above the top row for the page labels.
const TOP: f64 = 16.0;

type Setup = kit::Input;

impl View for kit::BTreeIndex {
    const TIMELINE: TimelineConfig = TimelineConfig { checkpoint_every: 32, max_steps: 50_000 };

    fn view(live: Live<Self>) -> AnyView {
        view! { <BTreeIndex live=live/> }.into_any()
    }
}

#[component]
fn BTreeIndex(live: Live<kit::BTreeIndex>) -> impl IntoView {
    let (setup, timeline, message) = (live.input, live.timeline, live.message);
    let with_scan = setup.with_untracked(|s| s.with_scan);
    let input = RwSignal::new(String::new());

    // Runs `next`, opened at the first frame of its newest operation, or at its start.
    let rebuild = move |next: Setup, to_newest_op: bool| {
        let newest = (to_newest_op && !next.ops.is_empty()).then(|| next.ops.len() - 1);
        live.apply_then(next, |t| {
            if let Some(newest) = newest {
                let mut probe = t.clone();
                probe.reset();
                while probe.current().frame().op != Some(newest) && probe.forward() {}
                t.seek(probe.pos());
            }
        });
    };

    // One key, a comma-separated list of keys (one operation each), or for a range scan
    // `from..to`. Nothing changes unless all of it parses.
    let add_ops = move |verb: &'static str| {
        let kt = setup.with_untracked(|s| s.keytype);
        let raw = input.get_untracked();
        let parsed: Result<Vec<Op<IndexKey>>, String> = if verb == "range" {
            btree_walk::parse_ops(&format!("range:{}", raw.trim()), kt)
        } else if raw.trim().is_empty() {
            Err("Type a key first.".into())
        } else {
            raw.split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(|p| btree_walk::parse_key(p, kt))
                .map(|k| {
                    k.map(|k| match verb {
                        "insert" => Op::Insert(k),
                        "delete" => Op::Delete(k),
                        _ => Op::Search(k),
                    })
                })
                .collect()
        };
        match parsed {
            Ok(ops) => {
                let mut next = setup.get_untracked();
                if next.ops.len() + ops.len() > btree_walk::MAX_OPS {
                    live.refuse(format!("The stepper replays at most {} operations; press “Start over” to begin again.", btree_walk::MAX_OPS));
                    return;
                }
                next.ops.extend(ops);
                rebuild(next, true);
            }
            Err(e) => live.refuse(e),
        }
    };

    let start_over = move |next: Setup| {
        let mut next = next;
        next.ops.clear();
        rebuild(next, false);
    };

    let id = live.instance();
    view! {
        <LiveFrame live=live aside=Box::new(move || with_scan.then(|| view! { <scan::ScanPanel instance=id/> }).into_any())>
            <div class="btree">
                <div class="btree-inputs">
                    <label>
                        "Most keys per page "
                        <select
                            data-testid="btree-order"
                            prop:value=move || setup.with(|s| s.order.to_string())
                            on:change=move |e| {
                                if let Some(ParamValue::Int(n)) = live.spec.param("order").and_then(|p| p.parse(&event_target_value(&e)).ok()) {
                                    let mut next = setup.get_untracked();
                                    next.order = n as usize;
                                    rebuild(next, false);
                                }
                            }
                        >
                            {(3..=16).map(|n| view! { <option value=n.to_string()>{n.to_string()}</option> }).collect_view()}
                        </select>
                    </label>
                    <label>
                        <input
                            type="checkbox"
                            data-testid="btree-unique"
                            prop:checked=move || setup.with(|s| s.unique)
                            on:change=move |e| {
                                let mut next = setup.get_untracked();
                                next.unique = event_target_checked(&e);
                                rebuild(next, false);
                            }
                        />
                        " Unique index"
                    </label>
                    <label>
                        "Keys "
                        <select
                            prop:value=move || setup.with(|s| s.keytype.name())
                            on:change=move |e| {
                                let kt = KeyType::from_name(&event_target_value(&e));
                                let mut next = setup.get_untracked();
                                next.keytype = kt;
                                next.keys = btree_walk::random_keys(7, 12, kt);
                                next.ops.clear();
                                message.set(None);
                                rebuild(next, false);
                            }
                        >
                            <option value="int">"Whole numbers"</option>
                            <option value="text">"Emails (text)"</option>
                            <option value="pair">"(user_id, created_at) pairs"</option>
                        </select>
                    </label>
                </div>
                <div class="btree-ops" role="group" aria-label="Operations">
                    <label for=format!("{id}-key")>{move || match setup.with(|s| s.keytype) {
                        KeyType::Pair => "Keys as user_id/created_at (like 7/3, 7/4), or a range like 7/0..7/99",
                        _ => "Keys (like 25 or 5, 15, 25), or a range like 20..60",
                    }}</label>
                    <TextField value=input on_enter=move |()| add_ops("insert") described_by=format!("{id}-message") testid="btree-key" id=format!("{id}-key")/>
                    <div class="btree-buttons">
                        <button data-testid="btree-insert" on:click=move |_| add_ops("insert")>"Insert"</button>
                        <button data-testid="btree-delete" on:click=move |_| add_ops("delete")>"Delete"</button>
                        <button data-testid="btree-search" on:click=move |_| add_ops("search")>"Search"</button>
                        <button on:click=move |_| add_ops("range")>"Range scan"</button>
                        <button data-testid="btree-random" on:click=move |_| {
                            // Drawn from the widget's seed, which then moves on, so a shared
                            // link reproduces exactly these keys.
                            let mut next = setup.get_untracked();
                            next.keys = btree_walk::random_keys(next.seed, 20, next.keytype);
                            next.seed = next.seed.wrapping_add(1) % 4_294_967_296;
                            start_over(next);
                        }>"Random 20 keys"</button>
                        <button data-testid="btree-start-over" on:click=move |_| start_over(setup.get_untracked())>"Start over"</button>
                    </div>
                    <p class="input-error" id=format!("{id}-message") role="alert">{move || message.get()}</p>
                </div>
                <p class="meta" data-testid="btree-stats">
                    {move || timeline.with(|t| {
                        let f = t.current().frame();
                        let s = setup.get();
                        match f.op {
                            Some(i) => format!("Operation {} of {}: {} · {} comparisons · {} pages read · {} levels", i + 1, s.ops.len(), s.ops[i], f.comparisons, f.visits, f.tree.height()),
                            None => format!("{} keys · {} levels · {} pages", f.tree.len(), f.tree.height(), f.tree.node_count()),
                        }
                    })}
                </p>
                <TreeDrawing timeline=timeline text_keys=Signal::derive(move || setup.with(|s| s.keytype == KeyType::Text))/>
            </div>
        </LiveFrame>
    }
}

/// The tree as SVG: pages as boxes of key cells, child pointers, and the leaf links.
#[component]
fn TreeDrawing(timeline: RwSignal<Timeline<BTreeWalk<IndexKey>>>, #[prop(into)] text_keys: Signal<bool>) -> impl IntoView {
    let fit = RwSignal::new(false);
    let scroller = NodeRef::<leptos::html::Div>::new();
    // Keep the page in focus in view: scroll the drawing sideways to centre it.
    Effect::new(move |_| {
        let cell = if text_keys.get() { 104.0 } else { 44.0 };
        let centre = timeline.with(|t| {
            let f = t.current().frame();
            let focus = f.focus?;
            layout(&f.tree).into_iter().find(|p| p.id == focus.node).map(|p| PAD + (p.x + p.width / 2.0) * cell)
        });
        if let (Some(x), Some(div), false) = (centre, scroller.get(), fit.get()) {
            div.set_scroll_left((x - f64::from(div.client_width()) / 2.0).max(0.0) as i32);
        }
    });
    let drawing = move || {
        let cell = if text_keys.get() { 104.0 } else { 44.0 };
        timeline.with(|t| {
            let f = t.current().frame();
            let placed = layout(&f.tree);
            let width = placed.iter().map(|p| p.x + p.width).fold(0.0, f64::max) * cell + 2.0 * PAD;
            let levels = placed.iter().map(|p| p.level).max().unwrap_or(0) + 1;
            let height = levels as f64 * (ROW_H + LEVEL_GAP) - LEVEL_GAP + TOP + PAD;
            let pos = |id| placed.iter().find(|p| p.id == id);
            let y = |level: usize| TOP + level as f64 * (ROW_H + LEVEL_GAP);
            let focus = f.focus;
            let mut edges = Vec::new();
            for p in &placed {
                for (i, c) in p.children.iter().enumerate() {
                    if let Some(c) = pos(*c) {
                        let x1 = PAD + (p.x + i as f64 * p.width / p.children.len().max(1) as f64 + p.width / p.children.len().max(1) as f64 / 2.0) * cell;
                        let x2 = PAD + (c.x + c.width / 2.0) * cell;
                        edges.push(view! { <line class="edge" x1=x1 y1=y(p.level) + ROW_H x2=x2 y2=y(c.level)/> });
                    }
                }
            }
            let mut leaves: Vec<_> = placed.iter().filter(|p| p.leaf).collect();
            leaves.sort_by(|a, b| a.x.total_cmp(&b.x));
            let links = leaves.windows(2).map(|w| {
                let (a, b) = (w[0], w[1]);
                let yy = y(a.level) + ROW_H / 2.0;
                view! { <line class="leaf-link" x1=PAD + (a.x + a.width) * cell x2=PAD + b.x * cell y1=yy y2=yy marker-end="url(#arrow)"/> }
            }).collect_view();
            let nodes = placed.iter().map(|p| {
                let here = focus.is_some_and(|fc| fc.node == p.id);
                let slot = focus.filter(|fc| fc.node == p.id).and_then(|fc| fc.slot);
                let x0 = PAD + p.x * cell;
                let cells = p.keys.iter().enumerate().map(|(i, k)| {
                    let hot = slot == Some(i);
                    view! {
                        <rect class="cell" class:hot=hot x=x0 + i as f64 * cell y=y(p.level) width=cell height=ROW_H/>
                        <text x=x0 + (i as f64 + 0.5) * cell y=y(p.level) + ROW_H / 2.0 + 5.0 text-anchor="middle" data-key=format!("key-{k}")>{k.clone()}</text>
                    }
                }).collect_view();
                view! {
                    <g class="page" class:leaf=p.leaf class:current=here data-page=p.id>
                        <rect class="frame" x=x0 y=y(p.level) width=p.width * cell height=ROW_H rx="4"/>
                        {cells}
                        <text class="page-id" x=x0 y=y(p.level) - 4.0 data-key=format!("page-{}", p.id)>{format!("p{}", p.id)}</text>
                    </g>
                }
            }).collect_view();
            let (w, h) = if fit.get() { ("100%".to_string(), "auto".to_string()) } else { (width.to_string(), height.to_string()) };
            view! {
                    <svg class="tree" data-motion width=w height=h viewBox=format!("0 0 {width} {height}") role="img" aria-label=format!("B+tree with {} pages on {} levels", placed.len(), levels)>
                        <defs>
                            <marker id="arrow" viewBox="0 0 6 6" refX="5" refY="3" markerWidth="6" markerHeight="6" orient="auto">
                                <path d="M0,0 L6,3 L0,6 z" class="arrowhead"/>
                            </marker>
                        </defs>
                        {edges}
                        {links}
                        {nodes}
                    </svg>
            }
        })
    };
    view! {
        <label class="fit">
            <input type="checkbox" prop:checked=move || fit.get() on:change=move |e| fit.set(event_target_checked(&e))/>
            " Fit the whole tree in view"
        </label>
        <div class="tree-scroll" node_ref=scroller tabindex="0" role="region" aria-label="The index drawn as a tree; the narration describes each step">
            {drawing}
        </div>
    }
}
