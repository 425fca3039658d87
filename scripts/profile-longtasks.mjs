// Where a widget's long tasks go: runs one workload of tests/e2e/workloads.mjs under Chrome's
// tracing and prints each task over a threshold with its biggest parts (script, style,
// layout, paint, wasm compilation). A developer's tool for when a long-task test fails:
//   node scripts/profile-longtasks.mjs dns-lookup [threshold ms, default 30]
import { startServer } from "../tests/e2e/server.mjs";
import { launch } from "../tests/e2e/browser.mjs";
import { WORKLOADS } from "../tests/e2e/workloads.mjs";
import { traceTasks } from "../tests/e2e/trace.mjs";

const [widget, threshold = "30"] = process.argv.slice(2);
const w = WORKLOADS.find((x) => x.widget === widget);
if (!w) {
  console.error(`usage: node scripts/profile-longtasks.mjs WIDGET [ms]; widgets: ${WORKLOADS.map((x) => x.widget).join(", ")}`);
  process.exit(2);
}
const server = await startServer({ root: process.env.DIST ?? "dist" });
const browser = await launch();
const tasks = await traceTasks(browser, w, `http://127.0.0.1:${server.address().port}`);
await browser.close();
server.close();

const long = tasks.filter((t) => t.ms >= Number(threshold));
console.log(`${w.widget}: ${tasks.length} tasks, ${long.length} of ${threshold} ms or more; the longest ${tasks[0]?.ms.toFixed(1) ?? 0} ms`);
for (const t of long) {
  console.log(`  ${t.ms.toFixed(1).padStart(6)} ms  ${t.what.padEnd(10)} ${t.parts.map(([n, ms]) => `${n} ${ms.toFixed(1)}`).join(", ")}`);
}
