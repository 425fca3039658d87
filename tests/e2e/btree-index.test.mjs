// The B-tree index stepper, driven as a reader would: insert keys, watch the split, step
// back to the start, and reopen a shared link at the same step.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useSite } from "./harness.mjs";

const site = useSite();
const open = (path, opts) => site.open(path, { ready: "[data-widget=btree-index]", ...opts });

const W = "[data-widget=btree-index][data-instance=btree-index]";
const narration = (p) => p.textContent(`${W} [data-narration]`);
const steps = (p) => p.textContent(`${W} [data-testid=step-count]`);

test("inserting keys splits a leaf, narrated, and steps back to the start exactly", async () => {
  const page = await open("/databases/indexes");
  await page.click(`${W} [data-testid=btree-start-over]`);
  assert.match(await steps(page), /^Step 0 of 0$/);
  const pagesBefore = await page.locator(`${W} svg.tree .page`).count();
  for (const k of ["35", "36", "37"]) {
    await page.fill(`${W} [data-testid=btree-key]`, k);
    await page.click(`${W} [data-testid=btree-insert]`);
  }
  const transcript = [];
  await page.click(`${W} .transcript summary`);
  await page.waitForSelector(`${W} [data-testid=transcript] li`);
  for (const li of await page.locator(`${W} [data-testid=transcript] li`).all()) transcript.push(await li.textContent());
  assert.ok(transcript.some((l) => /splits/.test(l)), "a split is narrated");
  await page.focus(W);
  await page.keyboard.press("End");
  assert.ok((await page.locator(`${W} svg.tree .page`).count()) > pagesBefore, "the split added pages");
  const atEnd = await page.locator(`${W} svg.tree`).innerHTML();
  await page.keyboard.press("Home");
  assert.match(await steps(page), /^Step 0 of/);
  assert.equal(await page.locator(`${W} svg.tree .page`).count(), pagesBefore, "back at the start, the tree is as it was");
  await page.keyboard.press("End");
  assert.equal(await page.locator(`${W} svg.tree`).innerHTML(), atEnd, "and forward again it is exactly the same");
  assert.deepEqual(page.seen, []);
  await page.context().close();
});

test("a shared link reopens the same operations at the same step", async () => {
  const page = await open("/databases/indexes");
  await page.fill(`${W} [data-testid=btree-key]`, "65");
  await page.click(`${W} [data-testid=btree-delete]`);
  await page.focus(W);
  for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowRight");
  const said = await narration(page);
  const at = await steps(page);
  const again = await open(page.url().slice(site.origin.length));
  assert.equal(await steps(again), at);
  assert.equal(await narration(again), said);
  await page.context().close();
  await again.context().close();
});

test("bad keys get a clear inline message and change nothing", async () => {
  const page = await open("/databases/indexes");
  const before = await steps(page);
  for (const [bad, msg] of [["abc", /not a whole number/], ["", /Type a key/], ["<img src=x onerror=alert(1)>", /not a whole number/], ["60..20", /empty/]]) {
    await page.fill(`${W} [data-testid=btree-key]`, bad);
    await page.click(bad.includes("..") ? `${W} button:text("Range scan")` : `${W} [data-testid=btree-insert]`);
    assert.match(await page.textContent(`${W} .input-error`), msg, bad);
    assert.equal(await steps(page), before);
  }
  const garbled = await open("/databases/indexes?btree-index.ops=drop:1&btree-index.order=99");
  assert.ok(await garbled.isVisible(`${W} [data-testid=url-notice]`));
  assert.deepEqual([...page.seen, ...garbled.seen], []);
  await page.context().close();
  await garbled.context().close();
});

test("text keys: an index on emails", async () => {
  const page = await open("/databases/indexes?btree-index.keytype=text&btree-index.keys=ada%40x.io,bob%40x.io,cy%40x.io&btree-index.ops=insert:ann%40x.io");
  await page.focus(W);
  await page.keyboard.press("End");
  assert.match(await page.textContent(`${W} svg.tree`), /ann@x\.io/);
  assert.deepEqual(page.seen, []);
  await page.context().close();
});

test("index vs full scan at 1,000,000 rows, with no task over 50 ms", async () => {
  const page = await open("/databases/indexes", {
    init: () => {
      window.__long = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) window.__long.push({ start: e.startTime, duration: e.duration });
      }).observe({ type: "longtask", buffered: true });
    },
  });
  await page.waitForSelector("[data-testid=scan-size]");
  await page.waitForTimeout(500);
  const clickedAt = await page.evaluate(() => performance.now());
  await page.selectOption("[data-testid=scan-size]", "1000000");
  await page.click("[data-testid=scan-build]");
  assert.ok(await page.isVisible(".scan-progress progress"), "a progress bar shows while building");
  await page.waitForSelector("[data-testid=scan-ready]", { timeout: 120000 });
  const ready = await page.textContent("[data-testid=scan-ready]");
  assert.match(ready, /^Built 1,000,000 rows and their index in [\d,]+ ms: the index is \d levels tall/);
  await page.click("[data-testid=scan-run]");
  await page.waitForSelector("[data-testid=scan-results]");
  const cells = await page.$$eval("[data-testid=scan-results] tbody tr", (rows) => rows.map((r) => [...r.children].map((c) => c.textContent)));
  assert.deepEqual(cells[0].slice(0, 4), ["Full scan", "1,000,000", "1,000,000", "20,000"]);
  assert.equal(cells[1][0], "Index");
  assert.ok(Number(cells[1][2]) < 40, `index comparisons ${cells[1][2]}`);
  assert.equal(await page.locator(".scan-plot circle").count(), 12, "six sizes, two methods each");
  await page.fill("[data-testid=scan-email]", "");
  await page.click("[data-testid=scan-run]");
  assert.match(await page.textContent(".scan-find .input-error"), /Type an email/);
  await page.waitForTimeout(300);
  const long = await page.evaluate((t) => window.__long.filter((e) => e.start >= t), clickedAt);
  assert.deepEqual(long, [], `long tasks after the first click: ${JSON.stringify(long)}`);
  assert.deepEqual(page.seen, []);
  console.log(`# 1,000,000-row build: ${ready.match(/in ([\d,]+) ms/)[1]} ms; results ${JSON.stringify(cells)}`);
  await page.context().close();
});

test("a composite index returns one user's rows in date order with one range scan", async () => {
  const page = await open("/databases/indexes");
  const w = "[data-instance=composite]";
  assert.equal(await page.locator(`${w} .scan-panel`).count(), 0, "the scan panel appears once per chapter, not in every instance");
  await page.focus(w);
  await page.keyboard.press("End");
  assert.equal(await page.textContent(`${w} [data-narration]`), "The range 7/0 to 7/999 holds 4 keys: 7/2, 7/5, 7/9, 7/30. 4 comparisons, 4 pages read.");
  assert.ok(await page.isHidden("[data-widget=btree-index]:not([data-instance=composite]) .scan-find"), "nothing to find before a table is built");
  assert.deepEqual(page.seen, []);
  await page.context().close();
});

test("a list of keys inserts each in turn, and random keys come from the seed", async () => {
  const page = await open("/databases/indexes");
  await page.click(`${W} [data-testid=btree-start-over]`);
  await page.fill(`${W} [data-testid=btree-key]`, "5, 15, 25");
  await page.click(`${W} [data-testid=btree-insert]`);
  assert.match(await page.textContent(`${W} [data-testid=btree-stats]`), /^Operation 3 of 3: insert 25/);
  await page.fill(`${W} [data-testid=btree-key]`, "5, x");
  await page.click(`${W} [data-testid=btree-insert]`);
  assert.match(await page.textContent(`${W} .input-error`), /“x” is not a whole number/);
  assert.match(await page.textContent(`${W} [data-testid=btree-stats]`), /of 3:/, "a bad list adds nothing");
  await page.click(`${W} [data-testid=btree-random]`);
  const drawn = await page.textContent(`${W} svg.tree`);
  const again = await open(page.url().slice(site.origin.length));
  assert.equal(await again.textContent(`${W} svg.tree`), drawn, "a shared link shows the same random keys");
  assert.deepEqual([...page.seen, ...again.seen], []);
  await page.context().close();
  await again.context().close();
});

test("a unique index refuses a repeated key; a non-unique one keeps both rows", async () => {
  const page = await open("/databases/indexes");
  await page.click(`${W} [data-testid=btree-start-over]`);
  await page.fill(`${W} [data-testid=btree-key]`, "40");
  await page.click(`${W} [data-testid=btree-insert]`);
  await page.focus(W);
  await page.keyboard.press("End");
  assert.match(await page.textContent(`${W} [data-narration]`), /^Refused: 40 is already in this unique index/);
  await page.uncheck(`${W} [data-testid=btree-unique]`);
  await page.focus(W);
  await page.keyboard.press("End");
  assert.match(await page.textContent(`${W} svg.tree`), /40#3.*40#7|40#7/s, "both rows with key 40 are in the index");
  await page.fill(`${W} [data-testid=btree-key]`, "40");
  await page.click(`${W} [data-testid=btree-search]`);
  await page.focus(W);
  await page.keyboard.press("End");
  assert.match(await page.textContent(`${W} [data-narration]`), /^The range 40#0 to 40#end holds 2 keys: 40#3, 40#7\./);
  const again = await open(page.url().slice(site.origin.length));
  assert.equal(await again.isChecked(`${W} [data-testid=btree-unique]`), false);
  assert.deepEqual([...page.seen, ...again.seen], []);
  await page.context().close();
  await again.context().close();
});
