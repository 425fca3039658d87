// The replication widget, driven as a reader would: a stale read found by stepping, every
// routing compared on the same users, a routing shared in the URL, a failover that loses
// confirmed writes only when commits are asynchronous, bad input, and 100,000 operations
// simulated with no task over 50 ms.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useSite } from "./harness.mjs";
import { WORKLOADS, quietest } from "./workloads.mjs";

const site = useSite();
const PAGE = "/scaling/replicas";
const W = "[data-instance=replication]";
const FAIL = "[data-instance=failover]";
const ready = (w) => `${w} [data-testid=repl-routings]`;
const open = (path, w = W) => site.open(path, { ready: ready(w) });
const narration = (page, w = W) => page.textContent(`${w} [data-narration]`);
const num = (text) => parseInt(text.replace(/,/g, ""), 10);
const routing = (page, w, reads, what) => page.textContent(`${w} [data-testid=repl-routings] [data-reads=${reads}] [data-testid=repl-${what}]`);

async function press(page, w, key, times = 1) {
  await page.focus(w);
  for (let i = 0; i < times; i++) await page.keyboard.press(key);
}

/** Steps forward until the narration matches `re`, at most `limit` steps; returns it. */
async function stepUntil(page, w, re, limit = 40) {
  let said = await narration(page, w);
  for (let i = 0; i < limit && !re.test(said); i++) {
    await press(page, w, "ArrowRight");
    said = await narration(page, w);
  }
  return said;
}

test("stepping finds a stale read, and the tables compare every routing on the same users", async () => {
  const page = await open(PAGE);
  assert.match(await narration(page), /^40 users make 5,000 operations between them: each saves their profile, then reads it back 3 times/);
  assert.equal(await page.locator(`${W} .repl-row[data-node]`).count(), 3, "a primary and two replicas");
  await press(page, W, "ArrowRight");
  assert.match(await narration(page), /^You save version 1 of your profile\. The primary, db1, writes it as log entry \d+ and confirms it after 1\.0 ms, before any replica has it\.$/);
  assert.equal(await page.textContent(`${W} [data-testid=repl-verdict]`), "saved");
  const said = await stepUntil(page, W, /A stale read/);
  assert.match(said, /^You read your profile from db[23] \(a replica\), which has only applied the log up to entry \d+: you see version \d+, not the version \d+ you were told was saved\./);
  // The picture agrees: the verdict, the database that answered, its old version of your profile.
  assert.equal(await page.getAttribute(`${W} [data-testid=repl-verdict]`, "data-bad"), "true");
  assert.equal(await page.locator(`${W} .repl-row.focus[data-role=replica] .repl-yours.stale`).count(), 1);
  assert.match(await page.textContent(`${W} .repl-row.focus [data-testid=repl-row-said]`), /older than you saved$/);

  const stale = async (reads) => num(await routing(page, W, reads, "stale"));
  assert.ok((await stale("any")) > 300, `any replica: many stale (${await routing(page, W, "any", "stale")})`);
  assert.ok((await stale("sticky")) > 300);
  assert.equal(await routing(page, W, "lsn", "stale"), "0 (0.0 %)");
  assert.equal(await routing(page, W, "primary", "stale"), "0 (0.0 %)");
  assert.equal(await routing(page, W, "sticky", "back"), "0", "sticky reads never go back in time");
  assert.ok(num(await routing(page, W, "any", "back")) > 0);
  assert.equal(await routing(page, W, "primary", "on-primary"), "100.0 %");
  await press(page, W, "End");
  assert.match(await narration(page), /^Done at [\d.]+ s: [\d,]+ reads, [\d,]+ of them stale \([\d.]+ %\)/);
  assert.deepEqual(page.seen, []);
  await page.context().close();
});

test("a chosen routing and step are shared in the URL and reopen exactly", async () => {
  const page = await open(PAGE);
  await page.check(`${W} [data-testid=repl-reads-lsn]`);
  await page.waitForFunction(() => /replication\.reads=lsn/.test(location.search));
  // The new runs have arrived (until then the picture still shows the old ones).
  await page.waitForFunction((w) => /Reads go to: a replica that has your write\./.test(document.querySelector(`${w} [data-narration]`).textContent), W);
  await page.waitForSelector(`${W} [data-testid=repl-routings] tr.chosen[data-reads=lsn]`);
  await press(page, W, "ArrowRight", 6);
  await page.waitForFunction(() => /replication\.step=6/.test(location.search));
  const said = await narration(page);
  const again = await open(page.url().slice(site.origin.length));
  await again.waitForFunction(([w, s]) => document.querySelector(`${w} [data-narration]`).textContent === s, [W, said]);
  assert.ok(await again.isChecked(`${W} [data-testid=repl-reads-lsn]`), "the radio reopens checked");
  await again.context().close();
  await page.context().close();
});

test("a failover loses confirmed writes under asynchronous commits and none under synchronous", async () => {
  const page = await open(PAGE, FAIL);
  const said = await stepUntil(page, FAIL, /crashes at/, 60);
  assert.match(said, /^The primary, db1, crashes at [\d.]+ s\. \w+ of its log entries had reached no replica yet\./);
  assert.equal(await page.locator(`${FAIL} .repl-row[data-role=down]`).count(), 1);
  assert.equal(await page.textContent(`${FAIL} [data-testid=repl-verdict]`), "primary down");
  const promoted = await stepUntil(page, FAIL, /becomes the primary/, 5);
  assert.match(promoted, /^2 s later, db[23], the replica furthest along \(entry [\d,]+\), becomes the primary\./);
  assert.equal(await page.locator(`${FAIL} .repl-row[data-role=primary]`).count(), 1);
  const lost = async (commit) => num(await page.textContent(`${FAIL} [data-testid=repl-commits] [data-commit=${commit}] [data-testid=repl-lost]`));
  assert.ok((await lost("async")) > 0, "asynchronous commits lose some confirmed writes");
  assert.equal(await lost("sync"), 0);
  assert.deepEqual(page.seen, []);
  await page.context().close();
});

test("bad settings get a clear inline message and change nothing", async () => {
  const page = await open(PAGE);
  const before = await narration(page);
  for (const [field, value, says] of [["repl-replicas", "lots", /Replicas: “lots” is not a whole number/], ["repl-replicas", "9", /Replicas: choose from 1 to 5/], ["repl-ops", "0", /Operations: choose from 1 to 100,000/], ["repl-lag", "20000", /Replication lag: choose from 1 to 10,000 ms/]]) {
    await page.fill(`${W} [data-testid=${field}]`, value);
    await page.press(`${W} [data-testid=${field}]`, "Enter");
    await page.waitForFunction((w) => document.querySelector(`${w} [data-testid=repl-message]`).textContent.length > 0, W);
    assert.match(await page.textContent(`${W} [data-testid=repl-message]`), says);
    assert.equal(await narration(page), before, "nothing changed");
    await page.fill(`${W} [data-testid=${field}]`, { "repl-replicas": "2", "repl-ops": "5000", "repl-lag": "200" }[field]);
  }
  await page.fill(`${W} [data-testid=repl-replicas]`, "1");
  await page.check(`${W} [data-testid=repl-crash]`);
  await page.waitForFunction((w) => /A crash needs at least 2 replicas/.test(document.querySelector(`${w} [data-testid=repl-message]`).textContent), W);
  const hostile = await open(`${PAGE}?replication.replicas=%3Cscript%3E&replication.reads=nope`);
  assert.match(await hostile.textContent(`${W} [data-testid=url-notice]`), /replicas/);
  assert.deepEqual(hostile.seen, []);
  await hostile.context().close();
  await page.context().close();
});

test("100,000 operations under every routing, then the stepper to its end, with no task over 50 ms", async () => {
  const tasks = await quietest(site.browser, site.origin, WORKLOADS.find((x) => x.widget === "replication"));
  assert.deepEqual(tasks.map((t) => Math.round(t.duration)), [], "long tasks (ms)");
});
