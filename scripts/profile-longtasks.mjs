// Where a widget's long tasks go: runs one workload of tests/e2e/workloads.mjs under Chrome's
// tracing and prints each task over a threshold with its biggest parts (script, style, layout,
// paint, wasm compile). A developer's tool for when a long-task test fails:
//   node scripts/profile-longtasks.mjs dns-lookup [threshold ms, default 30]
import { startServer } from "../tests/e2e/server.mjs";
import { launch } from "../tests/e2e/browser.mjs";
import { WORKLOADS } from "../tests/e2e/workloads.mjs";

const [widget, threshold = "30"] = process.argv.slice(2);
const w = WORKLOADS.find((x) => x.widget === widget);
if (!w) {
  console.error(`usage: node scripts/profile-longtasks.mjs WIDGET [ms]; widgets: ${WORKLOADS.map((x) => x.widget).join(", ")}`);
  process.exit(2);
}
const server = await startServer({ root: process.env.DIST ?? "dist" });
const origin = `http://127.0.0.1:${server.address().port}`;
const browser = await launch();
const page = await (await browser.newContext()).newPage();
await browser.startTracing(page, { categories: ["devtools.timeline", "disabled-by-default-devtools.timeline", "v8.execute", "v8"] });
await w.run(page, origin);
const trace = JSON.parse((await browser.stopTracing()).toString());
await browser.close();
server.close();

// The renderer's main thread, where a page's tasks run.
const main = new Set(trace.traceEvents.filter((e) => e.ph === "M" && e.name === "thread_name" && e.args?.name === "CrRendererMain").map((e) => `${e.pid}:${e.tid}`));
const events = trace.traceEvents.filter((e) => e.ph === "X" && e.dur && main.has(`${e.pid}:${e.tid}`));
const tasks = events.filter((e) => e.name === "RunTask" && e.dur / 1000 >= Number(threshold)).sort((a, b) => a.ts - b.ts);
const PARTS = ["FunctionCall", "EvaluateScript", "v8.callFunction", "TimerFire", "EventDispatch", "UpdateLayoutTree", "Layout", "Paint", "PrePaint", "Layerize", "ParseHTML", "v8.wasm.compiledModule", "v8.wasm.streamFromResponseCallback", "wasm.SyncInstantiate", "v8.wasm.instantiate", "HitTest", "FireAnimationFrame", "MajorGC", "MinorGC", "V8.GCScavenger"];
console.log(`${w.widget}: ${tasks.length} task(s) of ${threshold} ms or more`);
for (const t of tasks) {
  const inside = events.filter((e) => e.tid === t.tid && e.pid === t.pid && e.ts >= t.ts && e.ts + e.dur <= t.ts + t.dur && e !== t);
  const sum = new Map();
  for (const e of inside) if (PARTS.includes(e.name)) sum.set(e.name, (sum.get(e.name) ?? 0) + e.dur / 1000);
  const parts = [...sum].sort((a, b) => b[1] - a[1]).map(([n, ms]) => `${n} ${ms.toFixed(1)}`).join(", ");
  const event = inside.find((e) => e.name === "EventDispatch")?.args?.data?.type;
  const what = event ?? (inside.some((e) => e.name === "TimerFire") ? "timer" : "");
  console.log(`  ${(t.dur / 1000).toFixed(1).padStart(6)} ms  ${what}  ${parts}`);
  if (process.env.VERBOSE) {
    const names = new Map();
    for (const e of inside) names.set(e.name, (names.get(e.name) ?? 0) + e.dur / 1000);
    console.log("      " + [...names].sort((a, b) => b[1] - a[1]).slice(0, 14).map(([n, ms]) => `${n} ${ms.toFixed(1)}`).join(", "));
  }
}
