// Each widget's placeholder reserves its height before the wasm arrives (the widget's
// `RESERVE`, written into the CSS), so the text below never jumps when it mounts. This
// measures every placement the build lists (dist/widgets.json) once mounted, at 360 and
// 1280 px: the widget must fit its reserve, and the reserve may not be much more than the
// widget needs, or a reader sees a gap. A calibration grows one widget and watches it fail.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useSite } from "./harness.mjs";
import { WIDGETS } from "./widgets.mjs";

const site = useSite();
// Placements of one variant differ a little (their settings draw different pictures).
const SLACK = 60;
const WIDTHS = [360, 1280];

/** Heights of every placement at `width`: { id, instance, variant, height, reserved }. */
async function measure(width, css) {
  const ctx = await site.browser.newContext({ viewport: { width, height: 900 } });
  // Start every bundle at once rather than as each widget nears the screen.
  await ctx.addInitScript(() => { window.__techbasicsEager = true; });
  const rows = [];
  const pages = [...new Set(WIDGETS.flatMap((w) => w.pages.map((p) => p.path)))];
  for (const path of pages) {
    const page = await site.open(`/${path}`, { context: ctx });
    if (css) await page.addStyleTag({ content: css });
    const mine = WIDGETS.flatMap((w) => w.pages.filter((p) => p.path === path).map((p) => ({ w, p })));
    for (const { w, p } of mine) {
      await page.waitForSelector(`[data-mount="${p.instance}"][data-for="${w.id}"] [data-widget]`, { timeout: 20000 });
    }
    // Widgets that finish their first picture after mounting (the retry run) settle first.
    await page.waitForLoadState("networkidle");
    await page.waitForTimeout(500);
    for (const { w, p } of mine) {
      const height = await page.$eval(`[data-mount="${p.instance}"][data-for="${w.id}"] [data-widget]`, (el) => el.getBoundingClientRect().height);
      const r = w.reserve.find((x) => x.variant === p.variant) ?? w.reserve.find((x) => x.variant === null);
      rows.push({ id: w.id, instance: p.instance, variant: p.variant, height: Math.round(height), reserved: width < 896 ? r.narrow : r.wide });
    }
    assert.deepEqual(page.seen, [], path);
    await page.close();
  }
  await ctx.close();
  return rows;
}

function misfits(rows, width) {
  return rows
    .filter((r) => r.height > r.reserved || r.reserved - r.height > SLACK)
    .map((r) => `${r.id} (${r.instance}${r.variant ? `, ${r.variant}` : ""}) at ${width} px is ${r.height} px tall; its reserve is ${r.reserved} px (${width < 896 ? "narrow" : "wide"} in RESERVE and the CSS)`);
}

test("every placeholder reserves what its widget needs, at 360 and 1280 px", async () => {
  const count = WIDGETS.reduce((n, w) => n + w.pages.length, 0);
  assert.ok(count >= 12, `widgets.json lists ${count} placements`);
  const found = [];
  for (const width of WIDTHS) {
    const rows = await measure(width);
    assert.equal(rows.length, count, "every placement measured");
    found.push(...misfits(rows, width));
  }
  assert.deepEqual(found, []);
});

test("calibration: a widget grown by 100 px no longer fits its reserve", async () => {
  const rows = await measure(1280, `[data-widget="${WIDGETS[0].id}"] .widget-body { padding-bottom: 100px }`);
  const found = misfits(rows, 1280);
  assert.ok(found.some((m) => m.startsWith(`${WIDGETS[0].id} `)), found.join("\n"));
});
