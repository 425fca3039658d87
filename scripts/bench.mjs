// `make bench`, the browser half: Lighthouse scores for every page and embed, then each
// widget's worst long task while driven at its largest documented setting. The sizes come
// from scripts/size-report.mjs and the engine ratios from `cargo bench`, both run by make.
import { auditSite, table } from "../tests/e2e/lighthouse.mjs";
import { startServer } from "../tests/e2e/server.mjs";
import { launch } from "../tests/e2e/browser.mjs";
import { WORKLOADS } from "../tests/e2e/workloads.mjs";
import { traceTasks } from "../tests/e2e/trace.mjs";

// `node scripts/bench.mjs --tasks` skips Lighthouse (five minutes) and times the widgets only.
if (!process.argv.includes("--tasks")) {
  const rows = await auditSite({ log: (r) => process.stderr.write(`lighthouse ${r.path}: ${r.performance}\n`) });
  console.log("\n## Lighthouse (mobile, default throttling)\n");
  console.log(table(rows));
}

const server = await startServer({ root: "dist" });
const origin = `http://127.0.0.1:${server.address().port}`;
const browser = await launch();
console.log("\n## Worst task per widget (largest documented setting)\n");
console.log("Tasks over 50 ms as the tests count them (a PerformanceObserver), then the longest task of a traced run (tracing adds a little), and what it was.\n");
console.log("| widget | workload | tasks over 50 ms | longest traced task | its biggest parts |\n|---|---|---:|---:|---|");
for (const w of WORKLOADS) {
  const page = await (await browser.newContext()).newPage();
  const long = await w.run(page, origin);
  await page.context().close();
  const [worst] = await traceTasks(browser, w, origin);
  const parts = worst ? `${worst.what}: ${worst.parts.map(([n, ms]) => `${n} ${ms.toFixed(0)}`).join(", ")}` : "";
  console.log(`| ${w.widget} | ${w.label} | ${long.length} | ${worst ? worst.ms.toFixed(1) : 0} ms | ${parts} |`);
}
await browser.close();
server.close();
