//! "Index vs full scan": builds a users table of the reader's chosen size with a real email
//! index, in chunks that leave the browser free to draw, then finds one user both ways and
//! shows what each way cost, measured in this browser.

use std::time::Duration;

use leptos::prelude::*;

use crate::sim::group;
use crate::ui::field::TextField;
use crate::ui::browser::now_ms;
use crate::sim::scan_vs_index::{email_for, Probe, Table, SIZES};

/// Longest stretch of building before handing the browser back its thread.
const SLICE_MS: f64 = 8.0;
const SEED: u64 = 2024;
/// Index lookups are timed over this many repeats: one is too quick for the browser's clock.
const REPEATS: u32 = 200;

/// Nanoseconds as a short duration, using integer arithmetic only.
fn fmt_ns(ns: u64) -> String {
    if ns >= 1_000_000 {
        format!("{}.{} ms", ns / 1_000_000, (ns % 1_000_000) / 100_000)
    } else if ns >= 1_000 {
        format!("{}.{} µs", ns / 1_000, (ns % 1_000) / 100)
    } else {
        format!("{ns} ns")
    }
}

#[derive(Clone, Copy, PartialEq)]
struct Point {
    n: usize,
    scan: u64,
    index: u64,
}

#[derive(Clone, PartialEq)]
struct Outcome {
    scan: Probe,
    index: Probe,
    scan_ns: u64,
    index_ns: u64,
}

#[component]
pub fn ScanPanel(instance: &'static str) -> impl IntoView {
    let size = RwSignal::new(100_000usize);
    let table: StoredValue<Option<Table>> = StoredValue::new(None);
    let progress = RwSignal::new(None::<(usize, usize)>);
    let ready = RwSignal::new(None::<(usize, usize, u64)>);
    let points = RwSignal::new(Vec::<Point>::new());
    let target = RwSignal::new(String::new());
    let outcome = RwSignal::new(None::<Outcome>);
    let message = RwSignal::new(None::<String>);
    let build_ms = RwSignal::new(0u64);

    let build = move |_| {
        if progress.get_untracked().is_some() {
            return;
        }
        let n = size.get_untracked();
        outcome.set(None);
        ready.set(None);
        let sizes: Vec<usize> = SIZES.iter().copied().filter(|&s| s <= n).collect();
        let started = now_ms();
        pump(Job { sizes, at: 0, started, table, progress, points, ready, target, build_ms });
    };

    let run = move |()| {
        let email = target.get_untracked();
        let email = email.trim();
        if email.is_empty() {
            message.set(Some("Type an email to look for.".into()));
            return;
        }
        if email.chars().count() > 100 {
            message.set(Some("Emails here are under 100 characters.".into()));
            return;
        }
        message.set(None);
        // The scan runs in slices (a task each, timed without the gaps between them); then the
        // repeated index lookups run in a task of their own. No task runs long.
        scan_slice(email.to_string(), Probe::default(), 0, table, outcome);
    };

    let size_id = format!("{instance}-scan-size");
    let email_id = format!("{instance}-scan-email");
    view! {
        <section class="scan-panel" aria-labelledby=format!("{instance}-scan-title")>
            <h3 id=format!("{instance}-scan-title")>"Index vs full scan, measured here"</h3>
            <p class="meta">"A generated users table, one row per user, with an index on email. Find one user by email both ways."</p>
            <div class="scan-controls">
                <label for=size_id.clone()>"Rows"</label>
                <select id=size_id data-testid="scan-size" prop:value=move || size.get().to_string() on:change=move |e| {
                    if let Ok(n) = event_target_value(&e).parse::<usize>() {
                        if SIZES.contains(&n) {
                            size.set(n);
                        }
                    }
                }>
                    {SIZES.iter().map(|n| view! { <option value=n.to_string()>{group(*n as u64)}</option> }).collect_view()}
                </select>
                <button data-testid="scan-build" on:click=build prop:disabled=move || progress.get().is_some()>"Build table and index"</button>
            </div>
            {move || progress.get().map(|(done, total)| view! {
                <p class="scan-progress">
                    <label>
                        {format!("Building: {} of {} rows ", group(done as u64), group(total as u64))}
                        <progress max=total.to_string() value=done.to_string()></progress>
                    </label>
                </p>
            })}
            {move || ready.get().map(|(n, height, write)| view! {
                <p data-testid="scan-ready">
                    {format!("Built {} rows and their index in {} ms: the index is {height} level{} tall. ", group(n as u64), group(build_ms.get()), if height == 1 { "" } else { "s" })}
                    {format!("Adding one more user reads {height} index page{} to find its leaf and writes {write} (more when a page splits), besides the table page; every extra index on the table adds that work to every insert.", if height == 1 { "" } else { "s" })}
                </p>
            })}
            <div class="scan-find" hidden=move || ready.get().is_none()>
                <label for=email_id.clone()>"Find the user with email"</label>
                <TextField value=target on_enter=move |()| run(()) described_by=format!("{instance}-scan-message") testid="scan-email" id=email_id/>
                <button data-testid="scan-run" on:click=move |_| run(())>"Run both"</button>
                <p class="input-error" id=format!("{instance}-scan-message") role="alert">{move || message.get()}</p>
            </div>
            {move || outcome.get().map(|o| view! {
                <div class="table-wrap" tabindex="0" role="region" aria-label="Scan and index results">
                    <table data-testid="scan-results">
                        <thead><tr><th scope="col">"Method"</th><th scope="col">"Rows examined"</th><th scope="col">"Comparisons"</th><th scope="col">"Pages read"</th><th scope="col">"Time here"</th></tr></thead>
                        <tbody>
                            <tr><th scope="row">"Full scan"</th><td>{group(o.scan.rows_examined)}</td><td>{group(o.scan.comparisons)}</td><td>{group(o.scan.pages)}</td><td>{fmt_ns(o.scan_ns)}</td></tr>
                            <tr><th scope="row">"Index"</th><td>{group(o.index.rows_examined)}</td><td>{group(o.index.comparisons)}</td><td>{group(o.index.pages)}</td><td>{fmt_ns(o.index_ns)}</td></tr>
                        </tbody>
                    </table>
                </div>
                <p aria-live="polite">{match (o.scan.found, o.index.found) {
                    (Some(r), Some(_)) => format!("Both found row {}. The scan compared all {} emails, because without an index nothing says another row cannot match too; the index compared {}.", group(r as u64), group(o.scan.comparisons), o.index.comparisons),
                    _ => format!("No user has that email: the scan had to read all {} rows to be sure; the index knew after {} comparisons.", group(o.scan.rows_examined), o.index.comparisons),
                }}</p>
            })}
            <Plot points=points/>
        </section>
    }
}

/// Rows one scan slice reads: a few milliseconds' work.
const SCAN_SLICE_ROWS: usize = 100_000;

fn scan_slice(email: String, mut probe: Probe, mut ns: u64, table: StoredValue<Option<Table>>, outcome: RwSignal<Option<Outcome>>) {
    let t0 = now_ms();
    let Some(done) = table.with_value(|t| t.as_ref().filter(|t| t.is_built()).map(|t| t.scan_some(&email, &mut probe, SCAN_SLICE_ROWS))) else { return };
    ns += ((now_ms() - t0) * 1e6) as u64;
    if !done {
        set_timeout(move || scan_slice(email, probe, ns, table, outcome), Duration::ZERO);
        return;
    }
    set_timeout(
        move || {
            let t1 = now_ms();
            let index = table.with_value(|t| {
                let t = t.as_ref()?;
                let mut p = t.index_lookup(&email);
                for _ in 1..REPEATS {
                    p = t.index_lookup(&email);
                }
                Some(p)
            });
            let index_ns = ((now_ms() - t1) * 1e6 / REPEATS as f64) as u64;
            if let Some(index) = index {
                outcome.set(Some(Outcome { scan: probe, index, scan_ns: ns, index_ns }));
            }
        },
        Duration::ZERO,
    );
}

/// A build in progress: which sizes to build (smallest first, each adding a plot point),
/// where it is, and the signals it reports to. Every step runs as its own short task.
#[derive(Clone)]
struct Job {
    sizes: Vec<usize>,
    at: usize,
    started: f64,
    table: StoredValue<Option<Table>>,
    progress: RwSignal<Option<(usize, usize)>>,
    points: RwSignal<Vec<Point>>,
    ready: RwSignal<Option<(usize, usize, u64)>>,
    target: RwSignal<String>,
    build_ms: RwSignal<u64>,
}

impl Job {
    fn later(self, step: fn(Job)) {
        set_timeout(move || step(self), Duration::ZERO);
    }
}

/// Builds as many rows as fit in one time slice, then yields to the browser.
fn pump(job: Job) {
    let Some(&n) = job.sizes.get(job.at) else { return };
    let slice_start = now_ms();
    if job.table.with_value(|t| t.as_ref().map(|t| t.size() != n || t.is_built()).unwrap_or(true)) {
        job.table.set_value(Some(Table::new(n, SEED)));
    }
    let mut done = false;
    while !done && now_ms() - slice_start < SLICE_MS {
        job.table.update_value(|t| done = t.as_mut().map(|t| t.build_some(2_000)).unwrap_or(true));
    }
    let built = job.table.with_value(|t| t.as_ref().map(|t| t.built()).unwrap_or(0));
    job.progress.set(Some((built, n)));
    if done {
        job.later(|job| measure(job, Probe::default()));
    } else {
        job.later(pump);
    }
}

/// Scans a finished size for its last row (in slices, like the reader's own scan), adds the
/// plot point, then builds the next size or reports the table ready.
fn measure(job: Job, mut probe: Probe) {
    let n = job.sizes[job.at];
    let last = email_for(n as u32 - 1, SEED);
    let done = job.table.with_value(|t| t.as_ref().map(|t| t.scan_some(&last, &mut probe, SCAN_SLICE_ROWS)).unwrap_or(true));
    if !done {
        set_timeout(move || measure(job, probe), Duration::ZERO);
        return;
    }
    let index = job.table.with_value(|t| t.as_ref().map(|t| t.index_lookup(&last).comparisons)).unwrap_or(0);
    job.points.update(|v| {
        v.retain(|q| q.n != n);
        v.push(Point { n, scan: probe.comparisons, index });
        v.sort_by_key(|q| q.n);
    });
    if job.at + 1 == job.sizes.len() {
        job.progress.set(None);
        job.build_ms.set((now_ms() - job.started) as u64);
        job.target.set(last);
        job.ready.set(job.table.with_value(|t| t.as_ref().map(|t| (n, t.index().height(), t.index_write_pages()))));
    } else {
        let mut next = job;
        next.at += 1;
        next.later(pump);
    }
}

/// Comparisons against table size, both axes logarithmic: a straight climb for the scan,
/// an almost flat line for the index.
#[component]
fn Plot(points: RwSignal<Vec<Point>>) -> impl IntoView {
    const W: f64 = 320.0;
    const H: f64 = 200.0;
    const L: f64 = 44.0;
    const B: f64 = 28.0;
    // Decades 10^0 to 10^6 on both axes.
    let x = |n: f64| L + n.log10() / 6.0 * (W - L - 10.0);
    let y = |c: f64| H - B - c.max(1.0).log10() / 6.0 * (H - B - 10.0);
    let labels = ["1", "10", "100", "1k", "10k", "100k", "1M"];
    view! {
        <figure class="scan-plot">
            <svg viewBox=format!("0 0 {W} {H}") role="img" aria-label="Comparisons needed against table size, for a full scan and for the index, on logarithmic axes">
                {(0..7).map(|d| {
                    let v = 10f64.powi(d);
                    view! {
                        <line class="grid" x1=x(v) x2=x(v) y1=10.0 y2=H - B/>
                        <line class="grid" x1=L x2=W - 10.0 y1=y(v) y2=y(v)/>
                        <text x=x(v) y=H - B + 16.0 text-anchor="middle">{labels[d as usize]}</text>
                        <text x=L - 6.0 y=y(v) + 4.0 text-anchor="end">{labels[d as usize]}</text>
                    }
                }).collect_view()}
                {move || {
                    let pts = points.get();
                    let line = |f: fn(&Point) -> u64| pts.iter().map(|p| format!("{},{}", x(p.n as f64), y(f(p) as f64))).collect::<Vec<_>>().join(" ");
                    view! {
                        <polyline class="series scan" points=line(|p| p.scan)/>
                        <polyline class="series index" points=line(|p| p.index)/>
                        {pts.iter().map(|p| view! {
                            <circle class="dot scan" cx=x(p.n as f64) cy=y(p.scan as f64) r="3"/>
                            <circle class="dot index" cx=x(p.n as f64) cy=y(p.index as f64) r="3"/>
                        }).collect_view()}
                    }
                }}
            </svg>
            <figcaption>
                <span class="key scan">"■ full scan"</span>" "<span class="key index">"■ index"</span>
                " · comparisons (up) against rows (across), both on log scales. "
                {move || points.with(|p| if p.is_empty() { "Build a table to plot its point.".to_string() } else {
                    p.iter().map(|q| format!("{} rows: scan {}, index {}", group(q.n as u64), group(q.scan), q.index)).collect::<Vec<_>>().join("; ") + "."
                })}
            </figcaption>
        </figure>
    }
}
