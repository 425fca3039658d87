//! Transactions: a real row store with a write-ahead log (sim::txn) runs a transfer or an
//! order, crashes where the reader says and recovers from its log; or runs two sessions
//! interleaved at an isolation level. This view only paints the recorded frames.

use leptos::prelude::*;

use crate::kit::widgets::transaction_rollback as kit;
use crate::sim::txn::scenarios::{Anomaly, Phase, Story};
use crate::sim::txn::Level;
use crate::ui::field::{Keys, TextField};
use crate::ui::mount::{Live, LiveFrame, View};

type Setup = kit::Input;

impl View for kit::TransactionRollback {
    fn view(live: Live<Self>) -> AnyView {
        view! { <TransactionRollback live=live/> }.into_any()
    }
}

fn value(v: Option<i64>) -> String {
    v.map_or("–".into(), |v| v.to_string())
}

#[component]
fn TransactionRollback(live: Live<kit::TransactionRollback>) -> impl IntoView {
    let (setup, timeline, message) = (live.input, live.timeline, live.message);
    let setup0 = setup.get_untracked();
    // The text fields, applied together with the Apply button or Enter.
    let amount = RwSignal::new(setup0.crash.amount.to_string());
    let from = RwSignal::new(setup0.crash.from.clone());
    let to = RwSignal::new(setup0.crash.to.clone());
    let qty = RwSignal::new(setup0.crash.qty.to_string());
    let order = RwSignal::new(setup0.iso.interleaving.clone().unwrap_or_default());

    let change = move |f: &dyn Fn(&mut Setup)| {
        let mut next = setup.get_untracked();
        f(&mut next);
        if next.crash.validate().is_err() {
            next.crash.crash_after = None;
        }
        live.apply(next);
    };
    // Reads the text fields; a field that is not a whole number, or a story the engine
    // refuses, gets a message and changes nothing.
    let apply = move || {
        let mut next = setup.get_untracked();
        let num = |raw: String, field: &str| raw.trim().parse::<i64>().map_err(|_| format!("{field}: “{}” is not a whole number.", crate::kit::catalog::clip(raw.trim())));
        let parsed = (|| -> Result<(), String> {
            next.crash.amount = num(amount.get_untracked(), "Amount")?;
            next.crash.qty = num(qty.get_untracked(), "Quantity")?;
            next.crash.from = from.get_untracked().trim().to_uppercase();
            next.crash.to = to.get_untracked().trim().to_uppercase();
            next.crash.crash_after = None;
            next.crash.validate()?;
            let o = order.get_untracked().trim().to_string();
            next.iso.interleaving = (!o.is_empty()).then_some(o);
            next.iso.validate()
        })();
        match parsed {
            Ok(()) => live.apply(next),
            Err(e) => live.refuse(e),
        }
    };
    let on_enter = Callback::new(move |()| apply());
    let id = live.instance();
    let frame = move || timeline.with(|t| t.current().frame().clone());

    view! {
        <LiveFrame live=live>
            <div class="txn">
                <div class="txn-mode" role="group" aria-label="What to run">
                    <button data-testid="txn-mode-crash" aria-pressed=move || (!setup.with(|s| s.isolation)).to_string() on:click=move |_| change(&|s| s.isolation = false)>"Crash and recovery"</button>
                    <button data-testid="txn-mode-isolation" aria-pressed=move || setup.with(|s| s.isolation).to_string() on:click=move |_| change(&|s| s.isolation = true)>"Two sessions"</button>
                </div>
                <Show when=move || !setup.with(|s| s.isolation) fallback=move || view! {
                    <div class="txn-inputs">
                        <label>"Anomaly "
                            <select data-testid="txn-anomaly" prop:value=move || setup.with(|s| s.iso.anomaly.key()) on:change=move |e| {
                                let a = Anomaly::from_key(&event_target_value(&e)).unwrap_or(Anomaly::LostUpdate);
                                order.set(String::new());
                                change(&move |s| { s.iso.anomaly = a; s.iso.interleaving = None; });
                            }>
                                {Anomaly::ALL.map(|a| view! { <option value=a.key()>{a.label()}</option> }).collect_view()}
                            </select>
                        </label>
                        <label>"Isolation level "
                            <select data-testid="txn-level" prop:value=move || setup.with(|s| s.iso.level.key()) on:change=move |e| {
                                let l = Level::from_key(&event_target_value(&e)).unwrap_or(Level::ReadCommitted);
                                change(&move |s| s.iso.level = l);
                            }>
                                {Level::ALL.map(|l| view! { <option value=l.key()>{l.name()}</option> }).collect_view()}
                            </select>
                        </label>
                        <label class="txn-order">"Order of steps (1s and 2s) "
                            <TextField value=order on_enter=on_enter described_by=format!("{id}-txn-message") testid="txn-order" keys=Keys::Numeric
                                placeholder=Signal::derive(move || setup.with(|s| s.iso.anomaly.interleaving().to_string()))/>
                        </label>
                        <button data-testid="txn-apply" on:click=move |_| apply()>"Apply"</button>
                    </div>
                }.into_any()>
                    <div class="txn-inputs">
                        <label>"Story "
                            <select data-testid="txn-story" prop:value=move || setup.with(|s| s.crash.story.key()) on:change=move |e| {
                                let st = Story::from_key(&event_target_value(&e)).unwrap_or(Story::Transfer);
                                change(&move |s| s.crash.story = st);
                            }>
                                {Story::ALL.map(|s| view! { <option value=s.key()>{s.label()}</option> }).collect_view()}
                            </select>
                        </label>
                        <Show when=move || setup.with(|s| matches!(s.crash.story, Story::Transfer | Story::TransferNoTx)) fallback=move || view! {
                            <label>"Teapots (3 in stock) "
                                <TextField value=qty on_enter=on_enter described_by=format!("{id}-txn-message") testid="txn-qty" class="txn-num" keys=Keys::Numeric/>
                            </label>
                        }.into_any()>
                            <label>"Amount "
                                <TextField value=amount on_enter=on_enter described_by=format!("{id}-txn-message") testid="txn-amount" class="txn-num" keys=Keys::Numeric/>
                            </label>
                            <label>"From "
                                <TextField value=from on_enter=on_enter described_by=format!("{id}-txn-message") testid="txn-from" class="txn-acct"/>
                            </label>
                            <label>"To "
                                <TextField value=to on_enter=on_enter described_by=format!("{id}-txn-message") testid="txn-to" class="txn-acct"/>
                            </label>
                        </Show>
                        <button data-testid="txn-apply" on:click=move |_| apply()>"Apply"</button>
                        <label>"Crash "
                            <select data-testid="txn-crash" prop:value=move || setup.with(|s| s.crash.crash_after.map_or("none".to_string(), |c| c.to_string())) on:change=move |e| {
                                let c = event_target_value(&e).parse::<usize>().ok();
                                change(&move |s| s.crash.crash_after = c);
                            }>
                                <option value="none">"never"</option>
                                {move || { let n = setup.with(|s| s.crash.steps().len()); (0..=n).map(|i| {
                                    let label = match i { 0 => "before step 1".to_string(), i if i == n => format!("after step {i}, the last"), i => format!("after step {i}") };
                                    view! { <option value=i.to_string()>{label}</option> }
                                }).collect_view() }}
                            </select>
                        </label>
                    </div>
                </Show>
                <p class="input-error" id=format!("{id}-txn-message") role="alert" data-testid="txn-message">{move || message.get()}</p>

                <div class="txn-sessions">
                    {move || frame().sessions.into_iter().map(|s| view! {
                        <section class="txn-session" aria-label=s.name.clone()>
                            <h3>{s.name.clone()}{s.tx.map(|t| format!(" · T{t}"))}<span class="txn-state">{s.state.clone()}</span></h3>
                            <ol class="txn-script">
                                {s.lines.iter().enumerate().map(|(i, l)| view! {
                                    <li class:next=s.next == Some(i) class:done=s.next.is_none_or(|n| i < n)><code>{l.clone()}</code></li>
                                }).collect_view()}
                            </ol>
                            <p class="txn-last">"Last result: "<code>{s.last.clone()}</code></p>
                        </section>
                    }.into_any()).collect_view()}
                </div>

                <div class="table-wrap" tabindex="0" role="region" aria-label="Rows">
                    <table class="txn-rows" data-testid="txn-rows" data-motion>
                        <thead><tr>
                            <th scope="col">"Row"</th>
                            <th scope="col">"Committed"</th>
                            {move || setup.with(|s| s.isolation).then(|| view! { <th scope="col">"Session 1 reads"</th><th scope="col">"Session 2 reads"</th> })}
                            <th scope="col">"Uncommitted"</th>
                            <th scope="col">"Data file"</th>
                            <th scope="col">"Lock"</th>
                        </tr></thead>
                        <tbody>
                            {move || { let iso = setup.with(|s| s.isolation); frame().rows.into_iter().map(|r| view! {
                                <tr data-row=r.key.clone()>
                                    <th scope="row"><code>{r.key.clone()}</code></th>
                                    // Each cell keyed, so a value that changes at this step flashes.
                                    <td data-key=format!("{}-committed", r.key)>{value(r.committed)}</td>
                                    {iso.then(|| view! { <td data-key=format!("{}-seen1", r.key)>{value(r.seen.first().copied().flatten())}</td><td data-key=format!("{}-seen2", r.key)>{value(r.seen.get(1).copied().flatten())}</td> })}
                                    <td class:hot=r.pending.is_some() data-key=format!("{}-pending", r.key)>{r.pending.map(|(v, t)| format!("{} by T{t}", value(v)))}</td>
                                    <td data-key=format!("{}-disk", r.key)>{value(r.disk)}</td>
                                    <td data-key=format!("{}-lock", r.key)>{r.locked_by.map(|t| format!("T{t}"))}</td>
                                </tr>
                            }.into_any()).collect_view() }}
                        </tbody>
                    </table>
                </div>

                <div class="txn-log" data-testid="txn-log">
                    <h3>"Write-ahead log"<span class="meta">" ● on disk · ○ still in memory"</span></h3>
                    <ol>
                        {move || frame().log.into_iter().map(|(text, durable)| view! {
                            <li class:durable=durable><span aria-hidden="true">{if durable { "● " } else { "○ " }}</span><span class="visually-hidden">{if durable { "on disk: " } else { "in memory: " }}</span><code>{text}</code></li>
                        }.into_any()).collect_view()}
                    </ol>
                </div>
                {move || { let f = frame(); (f.phase == Phase::Crashed).then(|| view! { <p class="txn-crash" role="status">"Power failure: memory lost"</p> }) }}
                {move || frame().verdict.map(|v| view! { <p class="txn-verdict" data-testid="txn-verdict">{v}</p> })}
            </div>
        </LiveFrame>
    }
}
