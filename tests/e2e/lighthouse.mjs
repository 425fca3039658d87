// Lighthouse on the built site: Debian's Chromium through chrome-launcher, mobile emulation
// with Lighthouse's default (simulated) throttling, the four scored categories. Used by the
// gate in lighthouse.test.mjs and by `make bench`, which prints the same numbers.
import lighthouse from "lighthouse";
import * as chromeLauncher from "chrome-launcher";
import { startServer } from "./server.mjs";
import { CHROMIUM } from "./browser.mjs";

export const CATEGORIES = ["performance", "accessibility", "best-practices", "seo"];
import { EMBEDS } from "./widgets.mjs";

/** The landing page, every chapter page (from the contents) and every embed. */
export async function routes(origin) {
  const html = await (await fetch(origin + "/")).text();
  const toc = html.slice(html.indexOf('id="toc"'), html.indexOf("</nav>", html.indexOf('id="toc"')));
  const chapters = [...toc.matchAll(/href="([^"]+)"/g)].map((m) => m[1]);
  return ["/", ...chapters, ...EMBEDS];
}

/** Audits every route of dist/ and returns one row per page: scores and key metrics. */
export async function auditSite({ root = "dist", only = null, log = () => {} } = {}) {
  const server = await startServer({ root, precompress: true });
  const origin = `http://127.0.0.1:${server.address().port}`;
  const chrome = await chromeLauncher.launch({
    chromePath: CHROMIUM,
    chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"],
  });
  const rows = [];
  try {
    for (const path of (await routes(origin)).filter((p) => !only || only.includes(p))) {
      const r = await lighthouse(origin + path, { port: chrome.port, output: "json", logLevel: "error", onlyCategories: CATEGORIES });
      const lhr = r.lhr;
      const score = (c) => Math.round((lhr.categories[c]?.score ?? 0) * 100);
      const ms = (a) => Math.round(lhr.audits[a]?.numericValue ?? 0);
      const failing = Object.values(lhr.audits)
        .filter((a) => a.score !== null && a.score < 1 && a.scoreDisplayMode !== "informative" && a.scoreDisplayMode !== "manual" && a.scoreDisplayMode !== "notApplicable")
        .map((a) => `${a.id} (${a.displayValue ?? a.score})`);
      const row = {
        path,
        performance: score("performance"),
        accessibility: score("accessibility"),
        bestPractices: score("best-practices"),
        seo: score("seo"),
        fcp: ms("first-contentful-paint"),
        lcp: ms("largest-contentful-paint"),
        tbt: ms("total-blocking-time"),
        cls: lhr.audits["cumulative-layout-shift"]?.numericValue ?? 0,
        failing,
      };
      log(row);
      rows.push(row);
    }
  } finally {
    await chrome.kill();
    server.close();
  }
  return rows;
}

export function table(rows) {
  const lines = ["| page | perf | a11y | best pr. | SEO | FCP ms | LCP ms | TBT ms | CLS |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|"];
  for (const r of rows) lines.push(`| ${r.path} | ${r.performance} | ${r.accessibility} | ${r.bestPractices} | ${r.seo} | ${r.fcp} | ${r.lcp} | ${r.tbt} | ${r.cls.toFixed(3)} |`);
  return lines.join("\n");
}
