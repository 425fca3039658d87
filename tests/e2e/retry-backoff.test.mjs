// The retry/backoff simulation, driven as a reader would: two strategies side by side on the
// same seed, exact steps back, a shared link, bad settings, and 10,000 clients without a
// long task.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useSite } from "./harness.mjs";

const site = useSite();
const W = "[data-widget=retry-backoff][data-instance=retry]";
const PAGE = "/integrations/resilience";
const open = (path, opts) => site.open(path, { ready: `${W} [data-testid=retry-summary]`, ...opts });

const narration = (p) => p.textContent(`${W} [data-narration]`);
const steps = (p) => p.textContent(`${W} [data-testid=step-count]`);
const summary = (p) => p.textContent(`${W} [data-testid=retry-summary]`);
/** Summary rows as { strategy: [calls, succeeded, gave up, wasted, ..., peak] } numbers. */
async function table(p) {
  const rows = {};
  for (const tr of await p.locator(`${W} [data-testid=retry-summary] tbody tr`).all()) {
    const cells = (await tr.locator("th, td").allTextContents()).map((t) => t.trim());
    rows[cells[0]] = cells.slice(1).map((c) => Number(c.replace(/[^0-9]/g, "")));
  }
  return rows;
}
/** Waits until the summary shows a run different from `before`. */
async function rerun(p, before) {
  await p.waitForFunction(([sel, old]) => {
    const t = document.querySelector(sel);
    return t && t.textContent !== old;
  }, [`${W} [data-testid=retry-summary]`, before]);
}

test("two strategies run side by side: immediate retries pile up, full jitter flattens the load", async () => {
  const page = await open(PAGE);
  const panels = page.locator(`${W} [data-testid=retry-panel]`);
  assert.equal(await panels.count(), 2);
  assert.equal(await panels.nth(0).getAttribute("data-strategy"), "Immediate retry");
  assert.equal(await panels.nth(1).getAttribute("data-strategy"), "Full jitter");
  const rows = await table(page);
  const [immCalls, immOk, , , immPeak] = rows["Immediate retry"];
  const [jitCalls, jitOk, , , jitPeak] = rows["Full jitter"];
  assert.ok(immPeak > jitPeak, `peak load ${immPeak} vs ${jitPeak}`);
  assert.ok(immCalls > jitCalls, `calls ${immCalls} vs ${jitCalls}`);
  assert.ok(jitOk > immOk, `successes ${jitOk} vs ${immOk}`);
  assert.match(await narration(page), /^Before the first call/);
  assert.deepEqual(page.seen, []);
  await page.context().close();
});

test("the one-row workload opens on the AWS study's setup, where full jitter does far less work than exponential", async () => {
  const page = await open(PAGE);
  let before = await summary(page);
  await page.selectOption(`${W} [data-testid=retry-strategy]`, "exponential");
  await rerun(page, before);
  before = await summary(page);
  await page.selectOption(`${W} [data-testid=retry-workload]`, "row");
  await rerun(page, before);
  await page.waitForSelector(`${W} [data-testid=retry-panel][data-strategy="Exponential"]`);
  // The row has no capacity, outage or timeout: those fields give way to the network delay.
  assert.equal(await page.locator(`${W} input[data-field=capacity]`).count(), 0);
  assert.equal(await page.inputValue(`${W} input[data-field=net]`), "10");
  assert.equal(await page.inputValue(`${W} input[data-field=attempts]`), "0");
  assert.equal(await page.inputValue(`${W} input[data-field=clients]`), "40");
  assert.match(await narration(page), /read its version, then write only if the version is unchanged/);
  const rows = await table(page);
  const [expoWrites, expoOk] = rows["Exponential"];
  const [fullWrites, fullOk] = rows["Full jitter"];
  assert.equal(expoOk, 40);
  assert.equal(fullOk, 40);
  assert.ok(expoWrites > 1.2 * fullWrites, `writes: exponential ${expoWrites}, full jitter ${fullWrites}`);
  await page.focus(W);
  await page.keyboard.press("End");
  assert.match(page.url(), /retry\.workload=row/);
  await page.click(`${W} details.transcript summary`);
  const said = await page.locator(`${W} [data-testid=transcript]`).textContent();
  assert.match(said, /with 412 Precondition Failed \(the row changed since it was read\)/);
  assert.match(said, /40 of 40 clients have succeeded/);
  assert.deepEqual(page.seen, []);
  await page.context().close();
});

test("steps go back exactly, and a shared link reopens the same strategies at the same step", async () => {
  const page = await open(PAGE);
  await page.selectOption(`${W} [data-testid=retry-strategy]`, "exponential");
  await page.selectOption(`${W} [data-testid=retry-compare]`, "decorrelated");
  await page.waitForSelector(`${W} [data-testid=retry-panel][data-strategy="Decorrelated jitter"]`);
  await page.waitForSelector(`${W} [data-testid=retry-panel][data-strategy="Exponential"]`);
  await page.focus(W);
  for (let i = 0; i < 8; i++) await page.keyboard.press("ArrowRight");
  const said = await narration(page);
  const drawn = await page.locator(`${W} .retry-panels`).innerHTML();
  assert.match(said, /Exponential: .* Decorrelated jitter: /);
  for (let i = 0; i < 5; i++) await page.keyboard.press("ArrowRight");
  assert.notEqual(await narration(page), said);
  for (let i = 0; i < 5; i++) await page.keyboard.press("ArrowLeft");
  assert.equal(await narration(page), said, "five steps on and five back is the same moment");
  assert.equal(await page.locator(`${W} .retry-panels`).innerHTML(), drawn);
  const at = await steps(page);
  const totals = await summary(page);
  const url = page.url();
  assert.match(url, /retry\.strategy=exponential/);
  assert.match(url, /retry\.compare=decorrelated/);
  assert.match(url, /retry\.step=8/);
  const again = await open(url.slice(site.origin.length));
  assert.equal(await steps(again), at);
  assert.equal(await narration(again), said);
  assert.equal(await summary(again), totals);
  assert.deepEqual(again.seen, []);
  await page.context().close();
  await again.context().close();
});

test("bad settings get a clear inline message and leave the run as it was", async () => {
  const page = await open(PAGE);
  const before = await summary(page);
  let dialogs = 0;
  page.on("dialog", (d) => { dialogs++; d.dismiss(); });
  const cases = [
    ["base", "0", /Base delay: 0 is outside the allowed range 1 to 60000/],
    ["base", "-5", /Base delay: -5 is outside/],
    ["cap", "50", /Cap: 50 ms is below the base delay of 100 ms/],
    ["clients", "20000", /Clients: 20000 is outside the allowed range 1 to 10000/],
    ["clients", "lots", /Clients: “lots” should be a whole number/],
    ["attempts", "<img src=x onerror=alert(1)>", /Max attempts: .* should be a whole number/],
    ["outageto", "1e9", /should be a whole number/],
  ];
  for (const [field, value, expected] of cases) {
    const input = page.locator(`${W} input[data-field=${field}]`);
    const original = await input.inputValue();
    await input.fill(value);
    await input.press("Enter");
    await input.blur();
    await page.waitForFunction((sel) => document.querySelector(sel)?.textContent, `${W} [data-testid=retry-message]`);
    assert.match(await page.textContent(`${W} [data-testid=retry-message]`), expected);
    if (field !== "cap") assert.equal(await input.getAttribute("aria-invalid"), "true");
    await input.fill(original);
    await input.press("Enter");
    await input.blur();
    await page.waitForFunction((sel) => document.querySelector(sel)?.textContent === "", `${W} [data-testid=retry-message]`);
  }
  assert.equal(await summary(page), before, "nothing ran on bad input");
  assert.equal(dialogs, 0);
  assert.equal(await page.locator(`${W} img`).count(), 0, "typed markup never becomes elements");
  assert.deepEqual(page.seen, []);
  await page.context().close();
});

test("10,000 clients simulate in slices with no task over 50 ms", async () => {
  const page = await open(PAGE, {
    init: () => {
      window.__longTasks = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration });
      }).observe({ type: "longtask", buffered: true });
    },
  });
  const before = await summary(page);
  // Calibration: a deliberate 80 ms task must be seen, or this test could never fail.
  await page.evaluate(() => setTimeout(() => { const end = performance.now() + 80; while (performance.now() < end); }, 0));
  await page.waitForFunction(() => window.__longTasks.some((e) => e.duration >= 60), null, { timeout: 5000 });
  const t0 = await page.evaluate(() => performance.now());
  await page.fill(`${W} input[data-field=capacity]`, "2000");
  await page.press(`${W} input[data-field=capacity]`, "Enter");
  await rerun(page, before);
  const mid = await summary(page);
  await page.fill(`${W} input[data-field=clients]`, "10000");
  await page.press(`${W} input[data-field=clients]`, "Enter");
  await rerun(page, mid);
  const took = await page.textContent(`${W} [data-testid=retry-took]`);
  console.log(`# 10,000 clients, two strategies: ${took}`);
  // Play through every step as a reader would with End, then step around.
  await page.focus(W);
  await page.keyboard.press("End");
  await page.keyboard.press("ArrowLeft");
  await page.keyboard.press("Home");
  const long = await page.evaluate((t) => window.__longTasks.filter((e) => e.start >= t), t0);
  assert.deepEqual(long, [], `long tasks: ${JSON.stringify(long)}`);
  const rows = await table(page);
  assert.equal(rows["Full jitter"][1] + rows["Full jitter"][2] <= 10000, true);
  assert.deepEqual(page.seen, []);
  await page.context().close();
});

test("the jobs instance in the scaling part opens with its own settings", async () => {
  const page = await site.open("/scaling/growth", { ready: "[data-instance=jobs] [data-testid=retry-summary]" });
  const J = "[data-instance=jobs]";
  const strategies = await page.locator(`${J} [data-testid=retry-panel]`).evaluateAll((els) => els.map((e) => e.dataset.strategy));
  assert.deepEqual(strategies, ["Exponential", "Decorrelated jitter"]);
  assert.equal(await page.locator(`${J} input[data-field=clients]`).inputValue(), "200");
  assert.doesNotMatch(page.url(), /jobs\./, "opening a page leaves its address alone");
  assert.deepEqual(page.seen, []);
  await page.context().close();
});
