// axe-core's WCAG 2.1 A and AA rules on every page and every embed, in the light and the
// dark theme, after each widget on the page has taken a few steps and a self-check answer
// is open. Zero violations allowed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { AxeBuilder } from "@axe-core/playwright";
import { useSite } from "./harness.mjs";
import { EMBEDS } from "./widgets.mjs";

const site = useSite();

async function routes() {
  const page = await site.open("/");
  const hrefs = await page.$$eval("#toc a", (as) => as.map((a) => a.getAttribute("href")));
  await page.context().close();
  return ["/", "/no/such-page", "/print/", ...hrefs, ...EMBEDS];
}

for (const scheme of ["light", "dark"]) {
  test(`no WCAG 2.1 A/AA violations on any page or embed (${scheme})`, async () => {
    const ctx = await site.browser.newContext({ colorScheme: scheme, viewport: { width: 1280, height: 900 } });
    let checked = 0;
    for (const path of await routes()) {
      const page = await site.open(path, { context: ctx, ready: path.startsWith("/embed/") ? "[data-mount] [data-widget]" : "main h1" });
      if ((await page.locator("[data-mount]").count()) > 0) {
        await page.waitForSelector("[data-mount] [data-widget]");
      }
      for (const w of await page.locator("[data-mount] [data-widget]").all()) {
        await w.focus();
        for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowRight");
      }
      const summary = page.locator("ol.self-check summary").first();
      if (await summary.count()) await summary.click();
      if (path === "/") {
        // The search dialog open, with results; the landing page's progress panel is shown.
        await page.waitForSelector("[data-testid=search][data-loader]", { state: "attached" });
        await page.keyboard.press("/");
        await page.waitForSelector("[data-testid=search][data-ready]");
        await page.keyboard.type("index");
        await page.waitForSelector("[data-testid=search-results] mark");
      }
      const result = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
      const found = result.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")}`);
      assert.deepEqual(found, [], `${path} in ${scheme}`);
      checked++;
      await page.close();
    }
    console.log(`# axe: ${checked} pages and embeds, ${scheme} theme, 0 violations`);
    await ctx.close();
  });
}
