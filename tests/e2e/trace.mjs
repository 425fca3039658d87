// Runs one workload (tests/e2e/workloads.mjs) under Chrome's tracing and returns every task
// the page's main thread ran, with where its time went. The PerformanceObserver the tests
// use sees only tasks over 50 ms; a trace sees them all, so `make bench` can print the real
// worst task and scripts/profile-longtasks.mjs can say what made a task long. The default
// categories ("toplevel,devtools.timeline") add little to a task's time; TRACE_CATEGORIES can
// ask for more detail (adding "v8.execute" or "disabled-by-default-devtools.timeline"), but
// those slow the page down by half or more, so their task times are not the page's.

/** Trace events that make up a task, summed by name when a task is explained. */
const PARTS = ["FunctionCall", "EvaluateScript", "TimerFire", "EventDispatch", "UpdateLayoutTree", "Layout", "Paint", "PrePaint", "Layerize", "ParseHTML", "v8.wasm.compiledModule", "v8.wasm.instantiate", "HitTest", "FireAnimationFrame", "MajorGC", "MinorGC", "RunMicrotasks"];

/**
 * Tasks of the renderer's main thread while `workload` ran, longest first: `{ ms, what,
 * parts }`, where `what` is the event or timer that started it and `parts` its biggest
 * pieces. Tasks before the page navigated (the blank tab's) are left out.
 */
export async function traceTasks(browser, workload, origin) {
  const page = await (await browser.newContext()).newPage();
  await browser.startTracing(page, { categories: (process.env.TRACE_CATEGORIES ?? "toplevel,devtools.timeline").split(",") });
  await workload.run(page, origin);
  const trace = JSON.parse((await browser.stopTracing()).toString());
  await page.context().close();

  const main = new Set(trace.traceEvents.filter((e) => e.ph === "M" && e.name === "thread_name" && e.args?.name === "CrRendererMain").map((e) => `${e.pid}:${e.tid}`));
  const events = trace.traceEvents.filter((e) => e.ph === "X" && e.dur && main.has(`${e.pid}:${e.tid}`));
  // The page's own tasks start with its navigation's commit; the task holding the commit is
  // the old document's `pagehide` and the new one's set-up, not the page's work.
  const start = Math.min(...events.filter((e) => e.name === "CommitLoad").map((e) => e.ts).filter((t) => t > 0), Infinity);
  return events
    .filter((e) => (e.name === "ThreadControllerImpl::RunTask" || e.name === "RunTask") && e.ts + e.dur > (start === Infinity ? 0 : start))
    .map((t) => ({ t, inside: events.filter((e) => e.tid === t.tid && e.pid === t.pid && e !== t && e.ts >= t.ts && e.ts + e.dur <= t.ts + t.dur) }))
    .filter(({ inside }) => !inside.some((e) => e.name === "CommitLoad"))
    .map(({ t, inside }) => {
      const sum = new Map();
      for (const e of inside) if (PARTS.includes(e.name)) sum.set(e.name, (sum.get(e.name) ?? 0) + e.dur / 1000);
      const event = inside.find((e) => e.name === "EventDispatch")?.args?.data?.type;
      const what = event ?? (inside.some((e) => e.name === "TimerFire") ? "timer" : "other");
      return { ms: t.dur / 1000, what, parts: [...sum].sort((a, b) => b[1] - a[1]).slice(0, 5) };
    })
    .sort((a, b) => b.ms - a.ms);
}
