// The transactions widget, driven as a reader would: crash a transfer at every step and
// watch recovery, step back exactly, share the moment, give bad input, and run the
// anomaly presets at two isolation levels. Then a check that no interaction runs long.
import { test } from "node:test";
import assert from "node:assert/strict";
import { eventually, useSite } from "./harness.mjs";

const site = useSite();
const PAGE = "/databases/transactions";
const CRASH = "[data-widget=transaction-rollback][data-instance=crash]";
const SESS = "[data-widget=transaction-rollback][data-instance=sessions]";
const open = (path, sel = CRASH, opts) => site.open(path, { ready: `${sel} [data-testid=txn-rows]`, ...opts });
const narration = (p, w) => p.textContent(`${w} [data-narration]`);
const verdict = (p, w) => p.textContent(`${w} [data-testid=txn-verdict]`);
/** Every step's narration, from the transcript (opened if it is closed). */
async function transcript(p, w) {
  if (!(await p.locator(`${w} details.transcript`).evaluate((d) => d.open))) await p.click(`${w} details.transcript summary`);
  await p.waitForSelector(`${w} [data-testid=transcript] li`);
  return (await p.locator(`${w} [data-testid=transcript] li`).allTextContents()).join("\n");
}
/** The widget rebuilds its run after every change and opens it at step 0: wait for that. */
async function atStart(p, w) {
  await p.waitForFunction((sel) => /^Step 0 of /.test(document.querySelector(sel)?.textContent ?? ""), `${w} [data-testid=step-count]`);
}
async function toEnd(p, w) {
  await atStart(p, w);
  await p.focus(w);
  await p.keyboard.press("End");
  await p.waitForFunction((sel) => {
    const m = (document.querySelector(`${sel} [data-testid=step-count]`)?.textContent ?? "").match(/^Step (\d+) of (\d+)$/);
    return m && m[1] === m[2] && m[1] !== "0" && document.querySelector(`${sel} [data-testid=txn-verdict]`);
  }, w);
}

test("a transfer crashed before its commit is durable is undone; after, it is kept", async () => {
  const page = await open(PAGE);
  const crashes = await page.locator(`${CRASH} [data-testid=txn-crash] option`).count();
  assert.equal(crashes, 8, "never, before step 1, and after each of the 6 steps");
  for (const [at, expect] of [["1", /left no trace/], ["5", /left no trace/], ["6", /happened in full/]]) {
    await page.selectOption(`${CRASH} [data-testid=txn-crash]`, at);
    await toEnd(page, CRASH);
    assert.match(await verdict(page, CRASH), /^Money is conserved/);
    assert.match(await verdict(page, CRASH), expect, `crash after ${at}`);
    const rows = await page.locator(`${CRASH} tr[data-row] td:nth-child(4)`).allTextContents();
    assert.equal(rows.map(Number).reduce((a, b) => a + b, 0), 750, "the data file holds 750 in all");
  }
  // After the commit, recovery has to redo the credit that never reached the data file.
  assert.match(await eventually(() => transcript(page, CRASH), /Redo record/), /Redo record \d+: accounts\/B = 300/);
  // Without a transaction, a crash between the statements loses money.
  await page.selectOption(`${CRASH} [data-testid=txn-story]`, "transfer-no-tx");
  await page.selectOption(`${CRASH} [data-testid=txn-crash]`, "2");
  await toEnd(page, CRASH);
  assert.match(await verdict(page, CRASH), /100 has vanished/);
  assert.deepEqual(page.seen, []);
  await page.context().close();
});

test("stepping back is exact, and a shared link reopens the same moment", async () => {
  const page = await open(PAGE);
  await page.selectOption(`${CRASH} [data-testid=txn-crash]`, "4");
  await atStart(page, CRASH);
  await page.focus(CRASH);
  for (let i = 0; i < 6; i++) await page.keyboard.press("ArrowRight");
  const said = await narration(page, CRASH);
  const table = await page.locator(`${CRASH} [data-testid=txn-rows]`).innerText();
  const log = await page.locator(`${CRASH} [data-testid=txn-log]`).innerText();
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("ArrowLeft");
  await page.keyboard.press("ArrowLeft");
  assert.equal(await narration(page, CRASH), said);
  assert.equal(await page.locator(`${CRASH} [data-testid=txn-rows]`).innerText(), table);
  assert.equal(await page.locator(`${CRASH} [data-testid=txn-log]`).innerText(), log);
  await page.waitForFunction(() => location.search.includes("crash.crash=4") && location.search.includes("crash.step=6"));
  const again = await open(page.url().slice(site.origin.length));
  assert.equal(await narration(again, CRASH), said);
  assert.equal(await again.locator(`${CRASH} [data-testid=txn-rows]`).innerText(), table);
  await again.context().close();
  await page.context().close();
});

test("bad input gets a clear message; a missing account runs and is refused as a database would", async () => {
  const page = await open(PAGE);
  const msg = `${CRASH} [data-testid=txn-message]`;
  const apply = async (field, value) => {
    await page.fill(`${CRASH} [data-testid=${field}]`, value);
    await page.click(`${CRASH} [data-testid=txn-apply]`);
  };
  await apply("txn-amount", "-50");
  assert.match(await eventually(() => page.textContent(msg), /^Amount: -50/), /^Amount: -50 is not allowed/);
  await apply("txn-amount", "lots");
  assert.match(await eventually(() => page.textContent(msg), /lots/), /^Amount: “lots” is not a whole number/);
  await apply("txn-amount", "100");
  await apply("txn-to", "A");
  assert.match(await eventually(() => page.textContent(msg), /two different/), /a transfer needs two different accounts/);
  await apply("txn-to", "<img src=x onerror=alert(1)>");
  assert.match(await eventually(() => page.textContent(msg), /^To:/), /^To: an account is one capital letter/);
  assert.equal(await page.locator(`${CRASH} img`).count(), 0, "input never becomes markup");
  await apply("txn-to", "Z");
  assert.equal(await eventually(() => page.textContent(msg), /^$/), "");
  await toEnd(page, CRASH);
  assert.match(await verdict(page, CRASH), /left no trace/);
  assert.match(await eventually(() => transcript(page, CRASH), /UPDATE 0/), /UPDATE 0: accounts has no row Z/);
  await apply("txn-amount", "600");
  await toEnd(page, CRASH);
  assert.match(await eventually(() => transcript(page, CRASH), /check constraint/), /violates check constraint "accounts_balance_check"/);
  assert.deepEqual(page.seen, []);
  await page.context().close();
});

test("each anomaly happens at the level that allows it and is prevented at the next", async () => {
  const page = await open(PAGE, SESS);
  const cases = [
    ["lost-update", "rc", /^Lost update happened at read committed/, "rr", /could not serialize access due to concurrent update/],
    ["write-skew", "rr", /^Write skew happened at repeatable read/, "s", /could not serialize access due to read\/write dependencies/],
    ["read-only", "rr", /^Read-only anomaly happened at repeatable read/, "s", /no order of the three fits what each saw/],
    ["dirty-read", "ru", /^Dirty read happened at read uncommitted/, "rc", /^No dirty read at read committed/],
    ["deadlock", "rc", /^Deadlock detected/, "s", /^Deadlock detected/],
  ];
  for (const [anomaly, weak, happened, strong, prevented] of cases) {
    await page.selectOption(`${SESS} [data-testid=txn-anomaly]`, anomaly);
    await page.selectOption(`${SESS} [data-testid=txn-level]`, weak);
    await toEnd(page, SESS);
    assert.match(await verdict(page, SESS), happened, anomaly);
    await page.selectOption(`${SESS} [data-testid=txn-level]`, strong);
    await toEnd(page, SESS);
    // The transcript redraws a moment after the run it shows is replaced.
    const all = await eventually(async () => (await verdict(page, SESS)) + "\n" + (await transcript(page, SESS)), prevented);
    assert.match(all, prevented, `${anomaly} at ${strong}`);
  }
  // A reader's own order: run the lost update one session after the other, and nothing is lost.
  await page.selectOption(`${SESS} [data-testid=txn-anomaly]`, "lost-update");
  await page.selectOption(`${SESS} [data-testid=txn-level]`, "rc");
  await page.fill(`${SESS} [data-testid=txn-order]`, "11112222");
  await page.press(`${SESS} [data-testid=txn-order]`, "Enter");
  await toEnd(page, SESS);
  assert.match(await verdict(page, SESS), /^No lost update at read committed/);
  await page.fill(`${SESS} [data-testid=txn-order]`, "12x");
  await page.press(`${SESS} [data-testid=txn-order]`, "Enter");
  assert.match(await eventually(() => page.textContent(`${SESS} [data-testid=txn-message]`), /^Interleaving/), /^Interleaving: write which session runs each step/);
  assert.deepEqual(page.seen, []);
  await page.context().close();
});

test("no interaction with the widget runs a task over 50 ms", async () => {
  // One full pass: 12 crash runs and 6 session runs on a fresh page; its long tasks (ms).
  async function pass({ calibrate = false, rate = 1, stories = ["transfer", "transfer-no-tx", "order", "order-no-tx"], anomalies = ["write-skew", "deadlock", "phantom"] } = {}) {
    const page = await open(PAGE, CRASH, {
      init: () => {
        window.__longTasks = [];
        new PerformanceObserver((list) => {
          for (const e of list.getEntries()) window.__longTasks.push(e.duration);
        }).observe({ type: "longtask", buffered: true });
      },
    });
    if (calibrate) {
      // Calibration: a deliberate 80 ms task must be seen, or this test could never fail.
      await page.evaluate(() => setTimeout(() => { const end = performance.now() + 80; while (performance.now() < end); }, 0));
      await page.waitForFunction(() => window.__longTasks.some((d) => d >= 60), null, { timeout: 5000 });
    }
    if (rate !== 1) await (await page.context().newCDPSession(page)).send("Emulation.setCPUThrottlingRate", { rate });
    await page.evaluate(() => { window.__longTasks = []; });
    for (const story of stories) {
      await page.selectOption(`${CRASH} [data-testid=txn-story]`, story);
      const n = await page.locator(`${CRASH} [data-testid=txn-crash] option`).count();
      for (const index of [1, 3, n - 1]) {
        await page.selectOption(`${CRASH} [data-testid=txn-crash]`, { index });
        await toEnd(page, CRASH);
      }
    }
    for (const anomaly of anomalies) {
      await page.selectOption(`${SESS} [data-testid=txn-anomaly]`, anomaly);
      for (const level of ["ru", "s"]) {
        await page.selectOption(`${SESS} [data-testid=txn-level]`, level);
        await toEnd(page, SESS);
      }
    }
    await page.waitForTimeout(300);
    const tasks = await page.evaluate(() => window.__longTasks);
    await page.context().close();
    return tasks;
  }
  // As workloads.mjs's quietest: the widget is deterministic, so work that is really too long
  // shows on every pass; a lone slow task on a busy machine (54 ms once in CI) does not three
  // times over. The best of up to three passes must have no task over 50 ms.
  let worst = Infinity;
  for (let i = 0; i < 3 && worst > 50; i++) {
    worst = Math.min(worst, Math.max(0, ...(await pass({ calibrate: i === 0 }))));
  }
  console.log(`# transactions widget: worst task ${worst.toFixed(0)} ms over 12 crash runs and 6 session runs (best of up to 3 passes)`);
  assert.ok(worst <= 50, `a task took ${worst} ms on every pass`);
  // Calibration of the retries: on a CPU slowed 6 times, one story's runs alone go over 50 ms.
  const slow = await pass({ rate: 6, stories: ["transfer"], anomalies: [] });
  assert.ok(slow.some((d) => d > 50), `a 6× slower CPU must show a long task (saw ${slow.map(Math.round)})`);
});
