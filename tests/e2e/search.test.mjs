// Search, as a reader uses it: nothing loads until it opens; `/` opens it; results come as
// you type with the matches marked, each within 16 ms of a keystroke; arrows and Enter reach
// a result's heading; it works offline once the guide is cached; a hostile query is text.
import { test } from "node:test";
import assert from "node:assert/strict";
import { eventually, useSite } from "./harness.mjs";

const site = useSite();
const results = (p) => p.locator("[data-testid=search-results] li a");
/** The page's loader listens for `/` and `s` once it has run. */
const loaderReady = (p) => p.waitForSelector("[data-testid=search][data-loader]", { state: "attached" });

/** The budget for one keystroke's search and the results it draws, in ms. */
const BUDGET_MS = 16;

/** Waits until the results are for what the box holds, and returns how long they took, in ms. */
async function tookMs(page) {
  await page.waitForFunction(() => {
    const el = document.querySelector("[data-testid=search-results]");
    return el.getAttribute("data-query") === document.getElementById("search-input").value;
  });
  return Number(await page.getAttribute("[data-testid=search-results]", "data-took-us")) / 1000;
}

/** Types `text` one key at a time, and returns each keystroke's search time in ms. The search
 * is deterministic, so a keystroke over budget is typed again (up to twice) and its fastest
 * time kept: a 2-core machine can deschedule the tab for 10 ms in the middle of any one run,
 * but a search that is really slow is slow every time. */
async function typeTimed(page, text) {
  const times = [];
  for (const ch of text) {
    await page.keyboard.type(ch);
    let took = await tookMs(page);
    for (let again = 0; again < 2 && took > BUDGET_MS; again++) {
      await page.keyboard.press("Backspace");
      await tookMs(page);
      await page.keyboard.type(ch);
      took = Math.min(took, await tookMs(page));
    }
    times.push(took);
  }
  return times;
}

test("nothing of search loads with the page; `/` opens it and loads it", async () => {
  const page = await site.open("/databases/indexes");
  const loaded = [];
  page.on("request", (r) => loaded.push(r.url()));
  await page.waitForTimeout(300);
  const early = await page.evaluate(() => performance.getEntriesByType("resource").map((e) => e.name));
  assert.ok(!early.some((u) => /search-/.test(u)), `no search file before opening: ${early.filter((u) => /search/.test(u))}`);
  await loaderReady(page);
  await page.keyboard.press("/");
  assert.ok(await page.locator("[data-testid=search]").evaluate((d) => d.open), "the dialog opened");
  assert.equal(await page.evaluate(() => document.activeElement.id), "search-input", "focus is in the box");
  await page.waitForSelector("[data-testid=search][data-ready]");
  assert.ok(loaded.some((u) => /\/search-[0-9a-f]{16}\.txt$/.test(u)), "the index loaded on opening");
  assert.deepEqual(page.seen, []);
});

test("results show as you type, marked, each keystroke within 16 ms; arrows and Enter open one", async () => {
  const page = await site.open("/");
  await page.click("[data-testid=search-open]");
  await page.waitForSelector("[data-testid=search][data-ready]");
  const times = [];
  for (const q of ["indexing", "transactoin", "load balancer", "retries with jitter", "idempotent"]) {
    await page.fill("[data-testid=search-input]", "");
    times.push(...(await typeTimed(page, q)));
    const n = await eventually(() => results(page).count(), (c) => c > 0);
    assert.ok(n > 0, `${q}: results`);
  }
  const worst = Math.max(...times);
  console.log(`search: ${times.length} keystrokes, worst ${worst.toFixed(2)} ms, median ${times.sort((a, b) => a - b)[times.length >> 1].toFixed(2)} ms`);
  assert.ok(worst <= BUDGET_MS, `every keystroke's search within ${BUDGET_MS} ms (worst ${worst} ms)`);

  await page.fill("[data-testid=search-input]", "idnexes");
  await eventually(() => results(page).count(), (c) => c > 0);
  const first = await results(page).first().textContent();
  assert.match(first, /index/i, "a misspelt plural still finds the index");
  const marks = await page.locator("[data-testid=search-results] mark").allTextContents();
  assert.ok(marks.some((m) => /^index/i.test(m)), `matches are marked: ${marks.slice(0, 5)}`);
  assert.match(await page.textContent("#search-status"), /\d+ results?/);

  await page.fill("[data-testid=search-input]", "exponential backoff jitter");
  await eventually(() => results(page).first().getAttribute("href"), /#/);
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowUp");
  const href = await results(page).first().getAttribute("href");
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute("href")), href, "arrows move between results");
  await page.keyboard.press("Enter");
  await page.waitForURL((u) => u.href.endsWith(href));
  const id = decodeURIComponent(href.split("#")[1]);
  assert.ok(await page.locator(`[id="${id}"]`).count(), "the result's heading is on the page");
  assert.deepEqual(page.seen, []);
});

test("calibration: on a CPU slowed 20 times, the keystroke budget is missed", async () => {
  const page = await site.open("/");
  await page.click("[data-testid=search-open]");
  await page.waitForSelector("[data-testid=search][data-ready]");
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 20 });
  const worst = Math.max(...(await typeTimed(page, "indexing")));
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 1 });
  assert.ok(worst > BUDGET_MS, `a slow search must fail the gate (worst ${worst} ms)`);
});

test("Escape closes search and returns focus; the close button works", async () => {
  const page = await site.open("/apis/json");
  await page.focus("[data-testid=search-open]");
  await page.keyboard.press("Enter");
  await page.waitForSelector("[data-testid=search][data-ready]");
  await page.keyboard.press("Escape");
  assert.equal(await page.locator("[data-testid=search]").evaluate((d) => d.open), false);
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), "search-open", "focus returns to the button");
  await page.keyboard.press("s");
  assert.ok(await page.locator("[data-testid=search]").evaluate((d) => d.open), "s opens it again");
  await page.click("[data-testid=search-close]");
  assert.equal(await page.locator("[data-testid=search]").evaluate((d) => d.open), false);
});

test("a hostile query is only text, and a long one is cut without a hang", async () => {
  const page = await site.open("/");
  await loaderReady(page);
  await page.keyboard.press("/");
  await page.waitForSelector("[data-testid=search][data-ready]");
  await page.evaluate(() => { window.__pwned = 0; });
  for (const q of ['<img src=x onerror="window.__pwned=1">index', "javascript:alert(1)", "\u202eindex", "x".repeat(100000)]) {
    await page.fill("[data-testid=search-input]", q);
    await page.waitForTimeout(50);
  }
  assert.equal(await page.evaluate(() => window.__pwned), 0);
  assert.equal(await page.locator("[data-testid=search-results] img").count(), 0);
  assert.deepEqual(page.seen, []);
});

test("search works offline once the guide is cached", async () => {
  const ctx = await site.browser.newContext();
  const page = await site.open("/", { context: ctx });
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  await ctx.setOffline(true);
  await page.goto(site.origin + "/scaling/distribution");
  await loaderReady(page);
  await page.keyboard.press("/");
  const ready = await page.waitForSelector("[data-testid=search][data-ready]", { timeout: 10000 }).catch(() => null);
  assert.ok(ready, `search loaded offline: ${await page.textContent("#search-status")} ${page.seen}`);
  await page.fill("[data-testid=search-input]", "replication lag");
  assert.ok((await eventually(() => results(page).count(), (c) => c > 0)) > 0, "results offline");
  await ctx.setOffline(false);
  await ctx.close();
});
