// The HTTP playground, driven as a reader would: a request stepped decision by decision to
// its bytes, the lost update prevented and then allowed by editing the session, an
// idempotent retry, a shared link, hostile input, and the largest session with no task over
// 50 ms.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useSite } from "./harness.mjs";
import { WORKLOADS, quietest } from "./workloads.mjs";

const site = useSite();
const PAGE = "/apis/requests";
const W = "[data-widget=http-playground]";
const open = (path) => site.open(path, { ready: `${W} [data-testid=http-trail]` });
const narration = (page) => page.textContent(`${W} [data-narration]`);
const statuses = (page) => page.$$eval(`${W} [data-testid=http-exchanges] li[data-status]`, (lis) => lis.map((l) => l.dataset.status).filter(Boolean));

async function toEnd(page) {
  await page.focus(W);
  await page.keyboard.press("End");
  await page.waitForFunction((w) => { const m = document.querySelector(`${w} [data-testid=step-count]`).textContent.match(/^Step (\d+) of (\d+)$/); return m && m[1] === m[2]; }, W);
}

async function send(page, text) {
  await page.fill(`${W} [data-testid=http-input]`, text);
  await page.click(`${W} [data-testid=http-send]`);
}

test("a read stepped decision by decision: each names its RFC section, then the bytes come back", async () => {
  const page = await open(PAGE);
  assert.match(await narration(page), /^Request 1, Sent: \d+ bytes go over the connection\. \(RFC 9112 §2\.1\)$/);
  assert.match(await page.textContent(`${W} [data-testid=http-request]`), /^GET \/api\/products\/1 HTTP\/1\.1\\r\\n\nHost: shop\.example\\r\\n\n/);
  assert.match(await page.textContent(`${W} [data-testid=http-response]`), /not sent yet/);
  await page.focus(W);
  await page.keyboard.press("ArrowRight");
  assert.match(await narration(page), /^Request 1, Parsed: The server reads GET \/api\/products\/1 HTTP\/1\.1, 2 fields, no body\./);
  await page.keyboard.press("ArrowRight");
  assert.match(await narration(page), /Service available\?.*\(RFC 9110 §15\.6\.4\)$/);
  await toEnd(page);
  assert.match(await narration(page), /^Request 1, Answer: 200 OK goes back, \d+ bytes\. \(RFC 9112 §4\)$/);
  const res = await page.textContent(`${W} [data-testid=http-response]`);
  assert.match(res, /^HTTP\/1\.1 200 OK\\r\\n\nDate: Mon, 02 Mar 2026 09:00:01 GMT\\r\\n\n/);
  assert.match(res, /ETag: "p1-v1"\\r\\n/);
  assert.match(res, /\{"id": 1, "name": "Blue mug", "price": 1200, "stock": 5\}\n$/);
  assert.deepEqual(page.seen, []);
  await page.context().close();
});

test("the lost update: If-Match refuses the stale save; without it the first edit is lost", async () => {
  const page = await open(`${PAGE}?http-playground.preset=lost-update`);
  assert.deepEqual(await statuses(page), ["200", "412", "428"]);
  const text = await page.inputValue(`${W} [data-testid=http-input]`);
  // Delete the second request's If-Match and send again: it overwrites the first edit.
  const parts = text.split("\n###");
  parts[1] = parts[1].replace(/If-Match: "p1-v1"\n/, "");
  await send(page, parts.slice(0, 2).join("\n###"));
  await page.waitForFunction((w) => document.querySelectorAll(`${w} [data-testid=http-exchanges] li`).length === 2, W);
  assert.deepEqual(await statuses(page), ["200", "200"]);
  await toEnd(page);
  // The mug's price is back to 1200: the first tab's 1100 was silently lost.
  assert.equal(await page.textContent(`${W} [data-testid=http-products] tr[data-product="1"] td:nth-of-type(2)`), "1200");
  assert.match(await page.textContent(`${W} [data-testid=http-products] tr[data-product="1"] td:nth-of-type(3)`), /^4$/);
  // The edited session is in the URL, and a link reopens it.
  await page.waitForFunction(() => /http-playground\.input=/.test(location.search));
  const again = await open(page.url().slice(site.origin.length));
  assert.deepEqual(await statuses(again), ["200", "200"]);
  assert.equal(await narration(again), await narration(page));
  await again.context().close();
  await page.context().close();
});

test("a retried order with an Idempotency-Key is replayed, not ordered twice", async () => {
  const page = await open(`${PAGE}?http-playground.preset=retry`);
  assert.deepEqual(await statuses(page), ["201", "201", "201", "201", "201", "429"]);
  // Open the third entry (the minute passing), then step back to the end of the second.
  await page.click(`${W} [data-testid=http-exchanges] li:nth-child(3) button`);
  await page.focus(W);
  await page.keyboard.press("ArrowLeft");
  assert.match(await page.textContent(`${W} [data-testid=http-response]`), /Idempotent-Replayed: true/);
  // Two POSTs, one order: the mug's stock went down once, to 4.
  assert.equal(await page.textContent(`${W} [data-testid=http-products] tr[data-product="1"] td:nth-of-type(3)`), "4");
  const said = [];
  await page.focus(W);
  for (let i = 0; i < 40 && !/Key seen before\?/.test(said.at(-1) ?? ""); i++) {
    await page.keyboard.press("ArrowLeft");
    said.push(await narration(page));
  }
  assert.match(said.at(-1), /replays the first answer \(201\)/);
  await page.context().close();
});

test("hostile and oversized input gets a clear message and never reaches the page as HTML", async () => {
  const page = await open(PAGE);
  await send(page, "<img src=x onerror=alert(1)> / HTTP/1.1\nHost: a\n");
  await page.waitForFunction((w) => /^\(unreadable\) → 400/.test(document.querySelector(`${w} [data-testid=http-exchanges] li`)?.textContent ?? ""), W);
  assert.equal(await page.locator(`${W} img`).count(), 0);
  // One step on, the server's refusal points at the line it stopped on.
  await page.focus(W);
  await page.keyboard.press("ArrowRight");
  assert.match(await narration(page), /cannot read it, at byte \d+: the request line must be three parts/);
  assert.match(await page.textContent(`${W} [data-testid=http-request] [data-bad=true]`), /^<img src=x onerror=alert\(1\)> \/ HTTP\/1\.1/);
  await send(page, "x".repeat(12001));
  assert.match(await page.textContent(`${W} [data-testid=http-error]`), /12001 characters long; the playground reads up to 12000\. Nothing was sent\./);
  const hostile = await open(`${PAGE}?http-playground.preset=nope`);
  assert.match(await hostile.textContent(`${W} [data-testid=url-notice]`), /preset/);
  assert.deepEqual(page.seen, []);
  assert.deepEqual(hostile.seen, []);
  await hostile.context().close();
  await page.context().close();
});

test("the largest session, sent and stepped to its end and back, with no task over 50 ms", async () => {
  const tasks = await quietest(site.browser, site.origin, WORKLOADS.find((x) => x.widget === "http-playground"));
  assert.deepEqual(tasks.map((t) => Math.round(t.duration)), [], "long tasks (ms)");
});
