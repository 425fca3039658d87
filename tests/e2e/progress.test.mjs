// Picking up where you left off: the place and the chapters marked as read survive a reload,
// show in the contents and as "continue" on the landing page; progress exports to a file,
// imports from it, resets; a malformed file or a corrupted store changes nothing else.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { eventually, useSite } from "./harness.mjs";

const site = useSite();
const stored = (p) => p.evaluate(() => localStorage.getItem("techbasics.progress"));

test("reading place and read chapters persist across reloads and show on the landing page", async () => {
  const ctx = await site.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await site.open("/web/client-server", { context: ctx });
  // Marking the chapter read scrolls to its end; then the reader goes back up to a section.
  await page.click("[data-testid=mark-done]");
  assert.equal(await page.getAttribute("[data-testid=mark-done]", "aria-pressed"), "true");
  assert.ok(await page.locator('#toc a[href="/web/client-server"][data-done]').count(), "the contents show it read");
  await eventually(() => stored(page), /check-yourself/);
  await page.evaluate(() => document.getElementById("requests-and-responses").scrollIntoView());
  await eventually(() => stored(page), /requests-and-responses/);

  await page.goto(site.origin + "/");
  await page.waitForSelector("[data-testid=continue]:not([hidden])");
  assert.equal(await page.textContent("[data-testid=continue] a"), "Clients and servers › Requests and responses");
  assert.equal(await page.getAttribute("[data-testid=continue] a", "href"), "/web/client-server#requests-and-responses");
  assert.match(await page.textContent("[data-testid=progress-summary]"), /^1 of \d+ chapters marked as read/);
  assert.match(await page.textContent('#toc a[href="/web/client-server"]'), /\(read\)/, "screen readers hear it too");

  await page.reload();
  await page.waitForSelector("[data-testid=continue]:not([hidden])");
  await page.click("[data-testid=continue] a");
  await page.waitForURL(/#requests-and-responses$/);
  assert.equal(await page.getAttribute("[data-testid=mark-done]", "aria-pressed"), "true", "still read after reloads");
  assert.deepEqual(page.seen, []);
  await ctx.close();
});

test("progress exports to a file, resets, and imports back; a malformed file changes nothing", async () => {
  const ctx = await site.browser.newContext({ acceptDownloads: true });
  const page = await site.open("/web/client-server", { context: ctx });
  await page.click("[data-testid=mark-done]");
  await page.goto(site.origin + "/apis/json");
  await page.click("[data-testid=mark-done]");
  await page.goto(site.origin + "/");
  await page.waitForSelector("[data-testid=progress-panel]:not([hidden])");
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("[data-testid=progress-export]")]);
  assert.equal(download.suggestedFilename(), "techbasics-progress.json");
  const file = await download.path();
  const json = JSON.parse(await readFile(file, "utf8"));
  assert.deepEqual(json.done, ["apis/json", "web/client-server"]);
  assert.equal(json.last.chapter, "apis/json");

  // Reset asks first.
  await page.click("[data-testid=progress-reset]");
  assert.match(await page.textContent("[data-testid=progress-message]"), /again/);
  assert.ok(await stored(page), "one press erases nothing");
  await page.click("[data-testid=progress-reset]");
  assert.equal(await stored(page), null);
  assert.match(await page.textContent("[data-testid=progress-summary]"), /No chapters/);
  assert.ok(await page.locator("[data-testid=continue]").isHidden());

  await page.setInputFiles("[data-testid=progress-import]", file);
  assert.match(await eventually(() => page.textContent("[data-testid=progress-message]"), /Imported/), /Imported: 2 chapters/);
  assert.match(await page.textContent("[data-testid=progress-summary]"), /^2 of/);
  const before = await stored(page);

  for (const [name, body, why] of [
    ["broken.json", '{"format": "techbasics-progress", "version": 1, "done": [', /not valid JSON/],
    ["wrong.json", '{"format": "techbasics-progress", "version": 1, "done": "everything"}', /list of chapter names/],
    ["other.json", '{"hello": "world"}', /"format"/],
    ["evil.json", '{"format": "techbasics-progress", "version": 1, "done": ["<img src=x onerror=alert(1)>"]}', /not a chapter name/],
  ]) {
    await page.setInputFiles("[data-testid=progress-import]", { name, mimeType: "application/json", buffer: Buffer.from(body) });
    const msg = await eventually(() => page.textContent("[data-testid=progress-message]"), why);
    assert.match(msg, why, name);
    assert.match(msg, /unchanged/);
    assert.equal(await page.getAttribute("[data-testid=progress-message]", "class"), "progress-message error");
    assert.equal(await stored(page), before, `${name}: the existing progress is intact`);
  }
  assert.match(await page.textContent("[data-testid=progress-summary]"), /^2 of/);
  assert.deepEqual(page.seen, []);
  await ctx.close();
});

test("a corrupted progress store is dropped without a crash", async () => {
  for (const bad of ["{not json", '{"format":"techbasics-progress","version":1,"done":[1,2]}', '"a string"', "null"]) {
    const ctx = await site.browser.newContext();
    const page = await site.open("/", {
      context: ctx,
      init: `localStorage.setItem("techbasics.progress", ${JSON.stringify(bad)})`,
    });
    await page.waitForSelector("[data-testid=progress-panel]:not([hidden])");
    assert.match(await page.textContent("[data-testid=progress-summary]"), /No chapters/, bad);
    assert.ok(await page.locator("[data-testid=continue]").isHidden());
    assert.deepEqual(page.seen, [], bad);
    await ctx.close();
  }
});
