// The load balancer widget, driven as a reader would: random against power of two choices
// on the same requests, a crashed server that least connections keeps trying, stepping and
// sharing a moment, bad input, and 100,000 requests simulated with no task over 50 ms.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useSite } from "./harness.mjs";
import { WORKLOADS, quietest } from "./workloads.mjs";

const site = useSite();
const PAGE = "/scaling/load-balancing";
const W = "[data-instance=load-balancer]";
const CRASH = "[data-instance=crash]";
const ready = (w, policy) => `${w} [data-testid=lb-pct] [data-policy=${policy}]`;
const open = (path, w = W, policy = "two-choices") => site.open(path, { ready: ready(w, policy) });
const narration = (page, w = W) => page.textContent(`${w} [data-narration]`);

/** A response time as the table writes it ("8.5 ms", "563 ms", "1.25 s"), in ms. */
function ms(text) {
  const m = text.trim().match(/^([\d.,]+) (ms|s)$/);
  assert.ok(m, `a time: ${text}`);
  return parseFloat(m[1].replace(/,/g, "")) * (m[2] === "s" ? 1000 : 1);
}
const cell = async (page, w, policy, p) => ms(await page.textContent(`${w} [data-testid=lb-pct] [data-policy=${policy}] [data-p="${p}"]`));
const count = async (page, w, policy, what) => parseInt((await page.textContent(`${w} [data-testid=lb-pct] [data-policy=${policy}] [data-testid=lb-${what}]`)).replace(/,/g, ""), 10);

async function press(page, w, key, times = 1) {
  await page.focus(w);
  for (let i = 0; i < times; i++) await page.keyboard.press(key);
}

test("power of two choices cuts random's p99 on the same requests, step by step", async () => {
  const page = await open(PAGE);
  assert.equal(await page.getAttribute(`${W} [data-testid=lb-picture]`, "data-runs"), "2");
  const [r99, c99] = [await cell(page, W, "random", "p99"), await cell(page, W, "two-choices", "p99")];
  assert.ok(c99 * 2 < r99, `two choices p99 ${c99} ms vs random ${r99} ms`);
  for (const policy of ["random", "two-choices"]) {
    const ps = [];
    for (const p of ["p50", "p95", "p99", "p99.9"]) ps.push(await cell(page, W, policy, p));
    assert.deepEqual([...ps].sort((a, b) => a - b), ps, `${policy}: percentiles in order`);
  }
  assert.match(await narration(page), /^5,000 requests reach 8 servers at 90 % of their capacity\. Request 1 arrives at /);
  await press(page, W, "ArrowRight");
  assert.match(await narration(page), /^Request 2 arrives at .*Random picks [A-H] at random; Power of two choices draws [A-H] \(\d+ in progress\) and [A-H] \(\d+\) and sends it to [A-H]\.$/);
  // The request just placed is marked in its lane, in both policies' pictures.
  assert.equal(await page.locator(`${W} .lb-lane.arrived`).count(), 2);
  await press(page, W, "End");
  assert.match(await narration(page), /^All 5,000 requests are done by .*Random: p50 .*; Power of two choices: p50 /);
  // Eight lanes per policy, and two histograms with four percentile marks each.
  assert.equal(await page.locator(`${W} .lb-lane`).count(), 16);
  assert.equal(await page.locator(`${W} .lb-hist svg[role=img] line.lb-mark`).count(), 8);
  assert.deepEqual(page.seen, []);
  await page.context().close();
});

test("a crashed server: least connections keeps trying it until the health checks take it out", async () => {
  const page = await open(PAGE, CRASH, "least-conn");
  const [lc, rr] = [await count(page, CRASH, "least-conn", "refused"), await count(page, CRASH, "round-robin", "refused")];
  assert.ok(rr > 0 && lc > 2 * rr, `refused: least connections ${lc}, round robin ${rr}`);
  // Step until the crash is narrated, then until B is out of rotation in the picture.
  let said = "";
  for (let i = 0; i < 48 && !/Server B crashed at/.test(said); i++) {
    await press(page, CRASH, "ArrowRight");
    said = await narration(page, CRASH);
  }
  assert.match(said, /Server B crashed at [\d.]+ s, losing the \d+ and \d+ requests? it held/);
  assert.equal(await page.locator(`${CRASH} .lb-lane[data-state=crashed]`).count(), 2, "B crashed in both pictures, still in rotation");
  for (let i = 0; i < 10 && (await page.locator(`${CRASH} .lb-lane[data-state=out]`).count()) === 0; i++) await press(page, CRASH, "ArrowRight");
  assert.equal(await page.locator(`${CRASH} .lb-lane[data-state=out]`).count(), 2, "B is out in both pictures");
  assert.match(await page.textContent(`${CRASH} .lb-lane[data-state=out] .lb-tag`), /^out$/);
  assert.deepEqual(page.seen, []);
  await page.context().close();
});

test("a changed policy and step are shared in the URL and reopen exactly", async () => {
  const page = await open(PAGE);
  await page.selectOption(`${W} [data-testid=lb-compare]`, "least-conn");
  await page.waitForSelector(ready(W, "least-conn"));
  await press(page, W, "ArrowRight", 3);
  await page.waitForFunction(() => /load-balancer\.compare=least-conn/.test(location.search) && /load-balancer\.step=3/.test(location.search));
  const said = await narration(page);
  assert.match(said, /^Request 4 arrives .*Least connections sends it to [A-H], which has the fewest in progress \(\d+\)\.$/);
  const again = await open(page.url().slice(site.origin.length), W, "least-conn");
  await again.waitForFunction((w) => /^Request 4/.test(document.querySelector(`${w} [data-narration]`).textContent), W);
  assert.equal(await narration(again), said);
  await again.context().close();
  await page.context().close();
});

test("bad settings get a clear inline message and change nothing", async () => {
  const page = await open(PAGE);
  const before = await narration(page);
  for (const [field, value, says] of [["lb-servers", "lots", /Servers: “lots” is not a whole number/], ["lb-servers", "40", /Servers: choose from 2 to 16/], ["lb-load", "100", /Load: choose from 10 to 98/], ["lb-requests", "0", /Requests: choose from 1 to 100,000/]]) {
    await page.fill(`${W} [data-testid=${field}]`, value);
    await page.press(`${W} [data-testid=${field}]`, "Enter");
    await page.waitForFunction((w) => document.querySelector(`${w} [data-testid=lb-message]`).textContent.length > 0, W);
    assert.match(await page.textContent(`${W} [data-testid=lb-message]`), says);
    assert.equal(await narration(page), before, "nothing changed");
    await page.fill(`${W} [data-testid=${field}]`, { "lb-servers": "8", "lb-load": "90", "lb-requests": "5000" }[field]);
  }
  const hostile = await open(`${PAGE}?load-balancer.servers=%3Cscript%3E&load-balancer.policy=nope`);
  assert.match(await hostile.textContent(`${W} [data-testid=url-notice]`), /servers/);
  assert.deepEqual(hostile.seen, []);
  await hostile.context().close();
  await page.context().close();
});

test("100,000 requests under two policies, then the stepper to its end, with no task over 50 ms", async () => {
  const tasks = await quietest(site.browser, site.origin, WORKLOADS.find((x) => x.widget === "load-balancer"));
  assert.deepEqual(tasks.map((t) => Math.round(t.duration)), [], "long tasks (ms)");
});
