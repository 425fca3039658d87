// What each widget looks like, held still: every widget of the build (dist/widgets.json) at
// 1280 and 360 px, light and dark, as it opens, compared with the images stored in
// tests/e2e/screens/. A layout or colour regression changes more than a sliver of pixels and
// fails here; an intended change is stored again with `make screens` (and reviewed in the
// diff like any other change). Motion is off (reduced motion), and the few texts that report
// this browser's own timings are masked.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import jpeg from "jpeg-js";
import { useSite } from "./harness.mjs";
import { WIDGETS } from "./widgets.mjs";

const site = useSite();
const DIR = new URL("./screens/", import.meta.url);
const UPDATE = process.env.TECHBASICS_UPDATE_SCREENS === "1";
const WIDTHS = [1280, 360];
const THEMES = ["light", "dark"];
// The top of each widget: its picture, narration and controls (the asides run on below).
const HEIGHT = 1000;
// A pixel differs when a channel moves by more than this (JPEG's own noise stays well under).
const CHANNEL = 40;
// And the image differs when more than this share of its pixels do.
const SHARE = 0.005;
const TIMINGS = "[data-testid=retry-took], [data-testid=scan-ready]";

/** The widget's top as a JPEG, with any extra CSS planted first. */
async function shoot(w, width, theme, css) {
  const ctx = await site.browser.newContext({ viewport: { width, height: 900 }, colorScheme: theme, reducedMotion: "reduce", deviceScaleFactor: 1 });
  const page = await site.open(`/${w.embed}`, { context: ctx, ready: "[data-mount] [data-widget]" });
  if (css) await page.addStyleTag({ content: css });
  await page.waitForLoadState("networkidle");
  await page.waitForTimeout(400);
  const box = await page.$eval("[data-widget]", (el) => { const r = el.getBoundingClientRect(); return { x: r.x + scrollX, y: r.y + scrollY, width: r.width, height: r.height }; });
  const shot = await page.screenshot({ type: "jpeg", quality: 70, fullPage: true, clip: { ...box, height: Math.min(box.height, HEIGHT) }, mask: [page.locator(TIMINGS)], animations: "disabled", caret: "hide" });
  assert.deepEqual(page.seen, [], `${w.id} ${width} ${theme}`);
  await ctx.close();
  return shot;
}

/** The share of pixels that differ, or why the two cannot be compared. */
function difference(a, b) {
  const x = jpeg.decode(a, { useTArray: true });
  const y = jpeg.decode(b, { useTArray: true });
  if (x.width !== y.width || x.height !== y.height) return { why: `the size changed from ${x.width}×${x.height} to ${y.width}×${y.height}` };
  let off = 0;
  for (let i = 0; i < x.data.length; i += 4) {
    if (Math.abs(x.data[i] - y.data[i]) > CHANNEL || Math.abs(x.data[i + 1] - y.data[i + 1]) > CHANNEL || Math.abs(x.data[i + 2] - y.data[i + 2]) > CHANNEL) off++;
  }
  return { share: off / (x.width * x.height) };
}

const file = (w, width, theme) => new URL(`${w.id}-${width}-${theme}.jpg`, DIR);

test("every widget looks as stored, at 1280 and 360 px, light and dark", async () => {
  assert.ok(WIDGETS.length >= 6);
  mkdirSync(DIR, { recursive: true });
  const changed = [];
  for (const w of WIDGETS) {
    for (const width of WIDTHS) {
      for (const theme of THEMES) {
        const now = await shoot(w, width, theme);
        const f = file(w, width, theme);
        if (UPDATE) {
          writeFileSync(f, now);
          continue;
        }
        if (!existsSync(f)) {
          changed.push(`${w.id} at ${width} px, ${theme}: no stored image (run \`make screens\`)`);
          continue;
        }
        const d = difference(readFileSync(f), now);
        if (d.why || d.share > SHARE) {
          writeFileSync(new URL(`${w.id}-${width}-${theme}.now.jpg`, DIR), now);
          changed.push(`${w.id} at ${width} px, ${theme}: ${d.why ?? `${(d.share * 100).toFixed(2)} % of pixels differ`} (now in screens/${w.id}-${width}-${theme}.now.jpg)`);
        }
      }
    }
  }
  assert.deepEqual(changed, []);
});

test("calibration: a control 8 px lower, or another accent colour, is caught", async () => {
  const w = WIDGETS.find((x) => x.id === "sharding") ?? WIDGETS[0];
  const stored = readFileSync(file(w, 1280, "light"));
  const same = difference(stored, await shoot(w, 1280, "light"));
  assert.ok(!same.why && same.share <= SHARE, JSON.stringify(same));
  const lower = difference(stored, await shoot(w, 1280, "light", "[data-widget] .widget-head { padding-bottom: 8px }"));
  assert.ok(lower.why || lower.share > SHARE, `moved: ${JSON.stringify(lower)}`);
  const recoloured = difference(stored, await shoot(w, 1280, "light", ":root { --accent: #b0127a !important; --border: #b0127a !important }"));
  assert.ok(recoloured.why || recoloured.share > SHARE, `recoloured: ${JSON.stringify(recoloured)}`);
});
