// Keyboard only, on every widget: from the top of its page, Tab reaches the widget with a
// visible focus indicator on every stop; the keys then drive it to its last step and back.
// And with prefers-reduced-motion, nothing on any page animates or transitions.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useSite } from "./harness.mjs";
import { EMBEDS } from "./widgets.mjs";

const site = useSite();

/** The focused element, whether it is inside the widget, and whether its focus shows. */
const focusInfo = (page) =>
  page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return { inside: false, visible: true, tag: "body" };
    const s = getComputedStyle(el);
    const visible = (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0) || (s.boxShadow && s.boxShadow !== "none");
    return { inside: !!el.closest("[data-widget]"), visible, tag: `${el.tagName.toLowerCase()}${el.dataset.testid ? "[" + el.dataset.testid + "]" : ""}` };
  });

for (const path of EMBEDS) {
  test(`keyboard alone drives ${path} to its end, with focus always visible`, async () => {
    const page = await site.open(path, { ready: "[data-mount] [data-widget]" });
    const widget = page.locator("[data-mount] [data-widget]");
    // The retry widget simulates before its first step; wait for it to be steppable.
    await page.waitForFunction(() => /^Step \d+ of [1-9]\d*$/.test(document.querySelector("[data-testid=step-count]")?.textContent ?? ""), null, { timeout: 30000 });
    let info;
    let stops = 0;
    do {
      await page.keyboard.press("Tab");
      info = await focusInfo(page);
      stops++;
      assert.ok(info.visible, `${path}: focus is visible on ${info.tag}`);
    } while (!info.inside && stops < 40);
    assert.ok(info.inside, `${path}: Tab reaches the widget`);
    // Out of a text field, if Tab landed in one: Escape is not needed, the widget frame is focusable.
    await widget.evaluate((w) => w.contains(document.activeElement) && /INPUT|TEXTAREA|SELECT/.test(document.activeElement.tagName) && w.focus());
    await page.keyboard.press("End");
    const count = page.locator("[data-testid=step-count]").first();
    await page.waitForFunction((el) => { const m = el.textContent.match(/^Step (\d+) of (\d+)$/); return m && m[1] === m[2]; }, await count.elementHandle());
    await page.keyboard.press("ArrowLeft");
    assert.match(await count.textContent(), /^Step (\d+) of (\d+)$/);
    const [, at, of] = (await count.textContent()).match(/^Step (\d+) of (\d+)$/);
    assert.equal(Number(at), Number(of) - 1, "one step back");
    await page.keyboard.press("Home");
    assert.match(await count.textContent(), /^Step 0 of /);
    // Every control in the widget is reachable by Tab, and each shows its focus.
    let inWidget = 0;
    for (let i = 0; i < 60; i++) {
      await page.keyboard.press("Tab");
      const f = await focusInfo(page);
      if (!f.inside) break;
      assert.ok(f.visible, `${path}: focus is visible on ${f.tag}`);
      inWidget++;
    }
    assert.ok(inWidget >= 3, `${path}: ${inWidget} controls reached by Tab`);
    assert.deepEqual(page.seen, []);
  });
}

test("with prefers-reduced-motion, no animation or transition runs on any page", async () => {
  const ctx = await site.browser.newContext({ reducedMotion: "reduce" });
  const home = await site.open("/", { context: ctx });
  const paths = ["/", "/print/", ...(await home.$$eval("#toc a", (as) => as.map((a) => a.getAttribute("href")))), ...EMBEDS];
  await home.close();
  let elements = 0;
  for (const path of paths) {
    const page = await site.open(path, { context: ctx, ready: path.startsWith("/embed/") ? "[data-mount] [data-widget]" : "main h1" });
    for (const w of await page.locator("[data-mount] [data-widget]").all()) {
      await w.focus();
      await page.keyboard.press("ArrowRight");
    }
    const found = await page.evaluate(() => {
      const moving = [];
      let n = 0;
      const long = (v) => v.split(",").some((d) => parseFloat(d) > 0);
      for (const el of document.querySelectorAll("*")) {
        for (const pseudo of [null, "::before", "::after"]) {
          const s = getComputedStyle(el, pseudo);
          n++;
          if (long(s.transitionDuration) || (s.animationName !== "none" && long(s.animationDuration))) moving.push(`${el.tagName.toLowerCase()}.${el.className}${pseudo ?? ""}: ${s.transitionDuration} ${s.animationDuration}`);
        }
      }
      return { moving: moving.slice(0, 5), n };
    });
    elements += found.n;
    assert.deepEqual(found.moving, [], path);
    await page.close();
  }
  console.log(`# reduced motion: ${paths.length} pages, ${elements} elements and pseudo-elements, none moving`);
  await ctx.close();
});
