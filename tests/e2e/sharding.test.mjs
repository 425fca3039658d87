// The sharding widget, driven as a reader would: follow the sample keys through a node
// joining, compare the four schemes on every key, make a middle node leave, share the
// moment, give bad input, and a check that 100,000 keys never make a long task.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useSite } from "./harness.mjs";
import { WORKLOADS, quietest } from "./workloads.mjs";

const site = useSite();
const PAGE = "/scaling/sharding";
const W = "[data-widget=sharding]";
const open = (path) => site.open(path, { ready: `${W} [data-testid=shard-totals] [data-scheme=rendezvous]` });
const share = async (page, scheme) => parseFloat(await page.textContent(`${W} [data-scheme=${scheme}] [data-testid=shard-share]`));
const narration = (page) => page.textContent(`${W} [data-narration]`);
async function toEnd(page) {
  await page.focus(W);
  await page.keyboard.press("End");
  await page.waitForFunction((w) => { const m = document.querySelector(`${w} [data-testid=step-count]`).textContent.match(/^Step (\d+) of (\d+)$/); return m && m[1] === m[2]; }, W);
}

test("a tenth node joining: modulo moves nine keys in ten, the consistent schemes one in ten", async () => {
  const page = await open(PAGE);
  assert.match(await narration(page), /^10,000 keys on 9 nodes by Hash ring/);
  const modulo = await share(page, "modulo");
  assert.ok(modulo > 88 && modulo < 92, `modulo moved ${modulo} %`);
  for (const s of ["ring", "jump", "rendezvous"]) {
    const f = await share(page, s);
    assert.ok(f > 8 && f < 12, `${s} moved ${f} %`);
  }
  // Step by step: a sample key placed, then the change, then the keys again.
  await page.focus(W);
  await page.keyboard.press("ArrowRight");
  assert.match(await narration(page), /^user:1 goes to node [A-I]: (the next point on the ring after|no point lies after) 0x[0-9a-f]{16}/);
  await toEnd(page);
  assert.match(await narration(page), /of 12 sample keys moved; the least any scheme can move is about 1 in 10/);
  // Every moved sample key went to the new node, J.
  const moved = await page.$$eval(`${W} [data-testid=shard-sample] tr.moved td:last-child`, (tds) => tds.map((t) => t.textContent));
  assert.ok(moved.every((t) => t.startsWith("J")), moved.join(", "));
  assert.deepEqual(page.seen, []);
  await page.context().close();
});

test("a middle node leaving: the ring and rendezvous move its keys only, jump hash renumbers", async () => {
  const page = await open(PAGE);
  await page.selectOption(`${W} [data-testid=shard-change]`, "remove");
  await page.fill(`${W} [data-testid=shard-leave]`, "3");
  await page.click(`${W} [data-testid=shard-apply]`);
  await page.waitForFunction((w) => (document.querySelector(`${w} [data-testid=shard-sample] thead th:nth-child(4)`)?.textContent ?? "").includes("C leaves"), W);
  await page.waitForSelector(`${W} [data-testid=shard-totals] [data-scheme=rendezvous]`);
  for (const s of ["ring", "rendezvous"]) {
    const f = await share(page, s);
    assert.ok(f > 8 && f < 15, `${s} moved ${f} %`);
  }
  assert.ok((await share(page, "jump")) > 40, "jump hash renumbers every node after the one that left");
  // The shared link reopens the same cluster and step.
  await page.focus(W);
  for (let i = 0; i < 4; i++) await page.keyboard.press("ArrowRight");
  await page.waitForFunction(() => /sharding\.change=remove/.test(location.search) && /sharding\.step=4/.test(location.search));
  const said = await narration(page);
  const again = await open(page.url().slice(site.origin.length));
  assert.equal(await narration(again), said);
  assert.equal(await again.inputValue(`${W} [data-testid=shard-leave]`), "3");
  await again.context().close();
  await page.context().close();
});

test("bad settings get a clear inline message and change nothing", async () => {
  const page = await open(PAGE);
  const before = await narration(page);
  for (const [field, value, says] of [["shard-nodes", "lots", /Nodes: “lots” is not a whole number/], ["shard-nodes", "40", /Nodes: choose from 1 to 32/], ["shard-keys", "0", /Keys: choose from 1 to 100,000/]]) {
    await page.fill(`${W} [data-testid=${field}]`, value);
    await page.press(`${W} [data-testid=${field}]`, "Enter");
    await page.waitForFunction((w) => document.querySelector(`${w} [data-testid=shard-message]`).textContent.length > 0, W);
    assert.match(await page.textContent(`${W} [data-testid=shard-message]`), says);
    assert.equal(await narration(page), before, "nothing changed");
    await page.fill(`${W} [data-testid=${field}]`, field === "shard-nodes" ? "9" : "10000");
  }
  const hostile = await open(`${PAGE}?sharding.nodes=%3Cscript%3E&sharding.scheme=nope`);
  assert.match(await hostile.textContent(`${W} [data-testid=url-notice]`), /nodes/);
  assert.deepEqual(hostile.seen, []);
  await hostile.context().close();
  await page.context().close();
});

test("100,000 keys under four schemes, then the stepper to its end, with no task over 50 ms", async () => {
  const tasks = await quietest(site.browser, site.origin, WORKLOADS.find((x) => x.widget === "sharding"));
  assert.deepEqual(tasks.map((t) => Math.round(t.duration)), [], "long tasks (ms)");
});
