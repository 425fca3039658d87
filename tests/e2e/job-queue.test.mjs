// The job-queue widget, driven as a reader would: a crash found by stepping and the double
// charge it causes, gone once jobs are idempotent; a poison job reaching the dead letters; an
// overloaded queue; the state shared in the URL; bad input; and 100,000 jobs simulated with no
// task over 50 ms.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useSite } from "./harness.mjs";
import { WORKLOADS, quietest } from "./workloads.mjs";

const site = useSite();
const PAGE = "/scaling/queues";
const W = "[data-instance=job-queue]";
const ready = (w) => `${w} [data-testid=jobs-latency]`;
const open = (path, w = W) => site.open(path, { ready: ready(w) });
const narration = (page, w = W) => page.textContent(`${w} [data-narration]`);
const count = async (page, w, name) => parseInt((await page.textContent(`${w} [data-testid=jobs-counts] div:has(dt:text-is("${name}")) dd`)).replace(/,/g, ""), 10);

async function press(page, w, key, times = 1) {
  await page.focus(w);
  for (let i = 0; i < times; i++) await page.keyboard.press(key);
}

/** Steps forward until the narration matches `re`, at most `limit` steps; returns it. */
async function stepUntil(page, w, re, limit = 60) {
  let said = await narration(page, w);
  for (let i = 0; i < limit && !re.test(said); i++) {
    await press(page, w, "ArrowRight");
    said = await narration(page, w);
  }
  return said;
}

test("a crash after charging reappears and charges twice, and idempotent jobs do not", async () => {
  const page = await open(PAGE);
  assert.match(await narration(page), /^Orders arrive at about 30 a second, 3,000 in all, and each puts a job on the queue/);
  assert.equal(await page.locator(`${W} .jobs-workers li`).count(), 8);
  const crash = await stepUntil(page, W, /crashes while finishing job/);
  assert.match(crash, /^Worker \d+ crashes while finishing job \d+: the card was charged, but the message was never deleted\./);
  assert.equal(await page.locator(`${W} .jobs-workers li[data-state=down]`).count(), 1, "the crashed worker is drawn down");
  const twice = await stepUntil(page, W, /runs again after its card was charged/);
  assert.match(twice, /and charges it again: the customer pays twice\./);
  assert.ok((await count(page, W, "cards charged twice")) >= 1);
  await press(page, W, "End");
  const end = await narration(page);
  const charged = parseInt(end.match(/ ([\d,]+) cards? charged twice/)[1].replace(/,/g, ""), 10);
  assert.ok(charged > 5, end);
  // The chart has grown to the end, and Little's law is shown for the run.
  assert.match(await page.textContent(`${W} [data-testid=jobs-little]`), /λ × W = [\d.]+\./);

  await page.check(`${W} [data-testid=jobs-idempotent]`);
  await page.waitForFunction(() => /job-queue\.idempotent=true/.test(location.search));
  await page.waitForSelector(ready(W));
  await press(page, W, "End");
  await page.waitForFunction((w) => /0 cards charged twice; the idempotency check skipped [\d,]+ repeat charges?\./.test(document.querySelector(`${w} [data-narration]`).textContent), W);
  assert.deepEqual(page.seen, []);
  await page.context().close();
});

test("a poison job is received max-attempts times and lands in the dead-letter queue", async () => {
  const P = "[data-instance=poison]";
  const page = await open(PAGE, P);
  const failed = await stepUntil(page, P, /bad data/);
  assert.match(failed, /^Job \d+ fails on attempt 1: its order has bad data, and it will fail like this every time\. The worker hands the message back, hidden for a backoff of/);
  const dead = await stepUntil(page, P, /dead-letter queue instead/);
  assert.match(dead, /^Job \d+ has been received 5 times and failed each time, so the queue moves it to the dead-letter queue/);
  assert.ok((await count(page, P, "in the dead-letter queue")) >= 1);
  await page.context().close();
});

test("an overloaded queue grows while orders arrive and jobs wait tens of seconds", async () => {
  const O = "[data-instance=overload]";
  const page = await open(PAGE, O);
  const last = await stepUntil(page, O, /The last of the 6,000 orders arrives/);
  const depth = parseInt(last.match(/ ([\d,]+) jobs are on the queue/)[1].replace(/,/g, ""), 10);
  assert.ok(depth > 900 && depth < 1500, `about 10 a second for 120 s: ${depth}`);
  const p50 = await page.textContent(`${O} [data-testid=jobs-latency] tbody td`);
  assert.match(p50, /^\d+(\.\d+)? s$/, `median in seconds: ${p50}`);
  await page.context().close();
});

test("settings and step are shared in the URL and reopen exactly", async () => {
  const page = await open(PAGE);
  await page.fill(`${W} [data-testid=jobs-crash]`, "5");
  await page.press(`${W} [data-testid=jobs-crash]`, "Enter");
  await page.waitForFunction(() => /job-queue\.crash=5/.test(location.search));
  await page.waitForSelector(ready(W));
  await press(page, W, "ArrowRight", 4);
  await page.waitForFunction(() => /job-queue\.step=4/.test(location.search));
  const said = await narration(page);
  const again = await open(page.url().slice(site.origin.length));
  await again.waitForFunction(([w, s]) => document.querySelector(`${w} [data-narration]`).textContent === s, [W, said]);
  assert.equal(await again.inputValue(`${W} [data-testid=jobs-crash]`), "5");
  await again.context().close();
  await page.context().close();
});

test("bad settings get a clear inline message and change nothing", async () => {
  const page = await open(PAGE);
  const before = await narration(page);
  for (const [field, value, says] of [["jobs-workers", "lots", /Workers: “lots” is not a whole number/], ["jobs-workers", "0", /Workers: choose from 1 to 64/], ["jobs-jobs", "100001", /Jobs: choose from 1 to 100,000/], ["jobs-fail", "80", /Failing and crashing attempts together: at most 100 %/]]) {
    await page.fill(`${W} [data-testid=${field}]`, value);
    if (field === "jobs-fail") await page.fill(`${W} [data-testid=jobs-crash]`, "30");
    await page.press(`${W} [data-testid=${field}]`, "Enter");
    await page.waitForFunction((w) => document.querySelector(`${w} [data-testid=jobs-message]`).textContent.length > 0, W);
    assert.match(await page.textContent(`${W} [data-testid=jobs-message]`), says);
    assert.equal(await narration(page), before, "nothing changed");
    await page.fill(`${W} [data-testid=${field}]`, { "jobs-workers": "8", "jobs-jobs": "3000", "jobs-fail": "5" }[field]);
    await page.fill(`${W} [data-testid=jobs-crash]`, "1");
  }
  const hostile = await open(`${PAGE}?job-queue.workers=%3Cscript%3E&job-queue.backoff=nope`);
  assert.match(await hostile.textContent(`${W} [data-testid=url-notice]`), /workers/);
  assert.deepEqual(hostile.seen, []);
  await hostile.context().close();
  await page.context().close();
});

test("100,000 jobs simulated and stepped with no task over 50 ms", async () => {
  const tasks = await quietest(site.browser, site.origin, WORKLOADS.find((x) => x.widget === "job-queue"));
  assert.deepEqual(tasks.map((t) => Math.round(t.duration)), [], "long tasks (ms)");
});
