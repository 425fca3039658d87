// `make bench`, the browser half: Lighthouse scores for every page and embed, then each
// widget's worst long task while driven at its largest documented setting. The sizes come
// from scripts/size-report.mjs and the engine ratios from `cargo bench`, both run by make.
import { auditSite, table } from "../tests/e2e/lighthouse.mjs";
import { startServer } from "../tests/e2e/server.mjs";
import { launch } from "../tests/e2e/browser.mjs";
import { WORKLOADS } from "../tests/e2e/workloads.mjs";

const rows = await auditSite({ log: (r) => process.stderr.write(`lighthouse ${r.path}: ${r.performance}\n`) });
console.log("\n## Lighthouse (mobile, default throttling)\n");
console.log(table(rows));

const server = await startServer({ root: "dist" });
const origin = `http://127.0.0.1:${server.address().port}`;
const browser = await launch();
console.log("\n## Worst long task per widget (largest documented setting)\n");
console.log("| widget | workload | long tasks | worst ms |\n|---|---|---:|---:|");
for (const w of WORKLOADS) {
  const page = await (await browser.newContext()).newPage();
  const tasks = await w.run(page, origin);
  const worst = tasks.reduce((m, t) => Math.max(m, t.duration), 0);
  console.log(`| ${w.widget} | ${w.label} | ${tasks.length} | ${worst ? worst.toFixed(0) : "none over 50"} |`);
  await page.context().close();
}
await browser.close();
server.close();
