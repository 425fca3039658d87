// Motion between steps (kit::motion, ui::motion): what a step moves slides from its old place,
// over one set of timings, forward and back; nothing moves with prefers-reduced-motion.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useSite } from "./harness.mjs";
import { WIDGETS } from "./widgets.mjs";

const site = useSite();
const embed = (id) => `/${WIDGETS.find((w) => w.id === id).embed}`;

/** Presses `key` in the widget, then reads the animations the step started: key, ms, kind. */
async function stepAndWatch(page, key) {
  await page.keyboard.press(key);
  return page.evaluate(async () => {
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    return document.getAnimations().filter((a) => a.effect?.target?.hasAttribute?.("data-key")).map((a) => ({
      key: a.effect.target.getAttribute("data-key"),
      ms: a.effect.getTiming().duration,
      kind: Object.keys(a.effect.getKeyframes()[0]).find((k) => ["transform", "opacity", "backgroundColor"].includes(k)),
    }));
  });
}

/** Steps a widget from its start to its end, one key press at a time; every step's motion. */
async function walk(page, key = "ArrowRight") {
  const steps = [];
  for (let i = 0; i < 60; i++) {
    const before = await page.textContent("[data-testid=step-count]");
    steps.push(await stepAndWatch(page, key));
    if ((await page.textContent("[data-testid=step-count]")) === before) break;
  }
  return steps;
}

async function open(path, context) {
  const page = await site.open(path, { width: 1280, height: 900, ready: "[data-mount] [data-widget]", context });
  await page.waitForLoadState("networkidle");
  await page.focus("[data-widget]");
  return page;
}

test("sharding: a key that moves glides to its new node, and back again when stepping back", async () => {
  // Modulo moves most keys when a node joins, so several chips travel.
  const page = await open(`${embed("sharding")}?sharding.scheme=modulo`);
  const steps = await walk(page);
  const moves = steps.flat().filter((a) => a.kind === "transform");
  assert.ok(moves.length >= 1, `no key slid in ${steps.length} steps`);
  assert.ok(moves.every((a) => a.key.startsWith("key-") && a.ms === 320), JSON.stringify(moves.filter((a) => !a.key.startsWith("key-") || a.ms !== 320)));
  // Every key the map marks as moved slid at least once (to its new node; chips around it
  // may shift too as boxes fill).
  const moved = await page.$$eval("[data-widget] .shard-chip.moved", (els) => els.map((e) => e.getAttribute("data-key")));
  const slid = new Set(moves.map((a) => a.key));
  assert.ok(moved.length >= 3 && moved.every((k) => slid.has(k)), `moved ${moved}, slid ${[...slid]}`);
  // A value that changes in place flashes: the sample table's row as each key is placed.
  assert.ok(steps.flat().some((a) => a.kind === "backgroundColor" && a.key.startsWith("row-")), "no row flashed");
  // Back from the end: the same keys slide back.
  const back = (await walk(page, "ArrowLeft")).flat().filter((a) => a.kind === "transform");
  const slidBack = new Set(back.map((a) => a.key));
  assert.ok(moved.every((k) => slidBack.has(k)), `moved ${moved}, slid back ${[...slidBack]}`);
  assert.deepEqual(page.seen, []);
  await page.context().close();
});

test("B-tree: inserted keys slide into place as pages fill and split", async () => {
  const page = await open(embed("btree-index"));
  const moves = (await walk(page)).flat().filter((a) => a.kind === "transform");
  assert.ok(moves.filter((a) => a.key.startsWith("key-")).length >= 3, JSON.stringify(moves.slice(0, 5)));
  assert.deepEqual(page.seen, []);
  await page.context().close();
});

test("with reduced motion, no step animates anything", async () => {
  const ctx = await site.browser.newContext({ viewport: { width: 1280, height: 900 }, reducedMotion: "reduce" });
  for (const id of ["sharding", "btree-index"]) {
    const page = await open(embed(id), ctx);
    const all = (await walk(page)).flat();
    assert.deepEqual(all, [], id);
    await page.close();
  }
  await ctx.close();
});
