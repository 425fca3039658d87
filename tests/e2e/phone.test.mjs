// Every widget on a 360 px phone (the list is the build's, dist/widgets.json): nothing wider
// than the screen, no text in it smaller than 12 CSS px as drawn (an SVG's text counts at the
// size its viewBox scales it to), and every control at least 44 px tall, the size a finger
// can hit. A calibration test plants each fault and watches the check report it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useSite } from "./harness.mjs";
import { WIDGETS } from "./widgets.mjs";

const site = useSite();
const PHONE = { width: 360, height: 740 };

/** Runs in the page: what is wrong with the widget `sel` on this screen, one line each. */
function problems(sel) {
  const out = [];
  const root = document.querySelector(sel);
  const shown = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && !el.closest(".visually-hidden");
  };
  if (document.documentElement.scrollWidth > innerWidth) out.push(`the page is ${document.documentElement.scrollWidth} px wide`);
  for (const t of root.querySelectorAll("svg text")) {
    if (!t.textContent.trim() || !shown(t)) continue;
    const px = parseFloat(getComputedStyle(t).fontSize) * (t.getScreenCTM()?.a ?? 1);
    if (px < 11.95) out.push(`SVG text "${t.textContent.trim().slice(0, 24)}" is drawn at ${px.toFixed(1)} px`);
  }
  const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  while (walk.nextNode()) {
    const el = walk.currentNode.parentElement;
    if (!walk.currentNode.textContent.trim() || el.closest("svg") || !shown(el)) continue;
    const px = parseFloat(getComputedStyle(el).fontSize);
    if (px < 11.95) out.push(`text "${walk.currentNode.textContent.trim().slice(0, 24)}" is ${px} px`);
  }
  for (const c of root.querySelectorAll("button, select, input, textarea, summary")) {
    if (c.type === "checkbox" || c.type === "radio" || !shown(c)) continue;
    const r = c.getBoundingClientRect();
    if (r.height < 43.5) out.push(`${c.tagName.toLowerCase()} ${c.dataset.testid ?? c.dataset.action ?? c.textContent.trim().slice(0, 20)} is ${Math.round(r.height)} px tall`);
  }
  return out;
}

async function openPhone(path, css) {
  const page = await site.open(path, { ...PHONE, ready: "[data-mount] [data-widget]" });
  if (css) await page.addStyleTag({ content: css });
  // Some widgets finish their first picture a moment after they mount (the retry run).
  await page.waitForLoadState("networkidle");
  await page.waitForTimeout(500);
  return page;
}

test("every widget fits a 360 px phone, with legible text and controls big enough to tap", async () => {
  assert.ok(WIDGETS.length >= 6, `widgets.json lists ${WIDGETS.length} widgets`);
  const found = [];
  for (const w of WIDGETS) {
    const page = await openPhone(`/${w.embed}`);
    for (const p of await page.evaluate(problems, `[data-widget="${w.id}"]`)) found.push(`${w.id}: ${p}`);
    assert.deepEqual(page.seen, [], w.id);
    await page.context().close();
  }
  assert.deepEqual(found, []);
});

test("calibration: the phone check reports small text, a page too wide and a small control", async () => {
  const w = WIDGETS[0];
  const plant = "[data-widget] .narration { font-size: 9px !important } [data-widget] button { min-height: 0 !important; height: 30px } [data-widget] .narration::after { content: ''; display: block; width: 500px; height: 1px }";
  const page = await openPhone(`/${w.embed}`, plant);
  const found = await page.evaluate(problems, `[data-widget="${w.id}"]`);
  assert.ok(found.some((p) => /^the page is \d+ px wide/.test(p)), found.join("\n"));
  assert.ok(found.some((p) => /^text ".*" is 9 px/.test(p)), found.join("\n"));
  assert.ok(found.some((p) => /^button .* is 30 px tall/.test(p)), found.join("\n"));
  await page.context().close();
  // And an SVG's text counts at its drawn size: a DNS row of six actors squeezed into a phone.
  const dns = WIDGETS.find((x) => x.id === "dns-lookup");
  const squeezed = await openPhone(`/${dns.embed}`, ".dns-diagram .dns-row { display: block !important } .dns-diagram .dns-stack { display: none !important }");
  const small = await squeezed.evaluate(problems, `[data-widget="dns-lookup"]`);
  assert.ok(small.some((p) => /^SVG text "Browser" is drawn at \d/.test(p)), small.join("\n"));
  await squeezed.context().close();
});
