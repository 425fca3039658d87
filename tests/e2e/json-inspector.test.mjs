// The JSON inspector, the kit's proof widget, in Debian's Chromium: stepping by mouse and by
// keyboard, play and pause, shared URLs, URL state that does not parse, hostile text and the
// transcript. What it checks of the widget frame holds for every widget.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useSite } from "./harness.mjs";

const site = useSite();
const open = (path, opts) => site.open(path, opts);

/** No console problems. */
function clean(page) {
  assert.deepEqual(page.seen, [], `console problems on ${page.url()}`);
}

const stepCount = (page) => page.textContent("[data-widget=json-inspector] [data-testid=step-count]");
const narration = (page) => page.textContent("[data-widget=json-inspector] [data-narration]");

test("the proof widget steps forward and back with the mouse", async () => {
  const page = await open("/apis/json");
  const w = page.locator("[data-widget=json-inspector]");
  assert.match(await w.locator(".badge").textContent(), /Real engine/);
  assert.match(await stepCount(page), /^Step 0 of \d+$/);
  assert.match(await narration(page), /^Ready to read \d+ characters/);
  for (let i = 0; i < 3; i++) await w.locator("[data-action=step-forward]").click();
  assert.match(await stepCount(page), /^Step 3 of/);
  const third = await narration(page);
  assert.match(third, /Line 2, column 9: a number, 1042, at \$\.id\./);
  await w.locator("[data-action=step-forward]").click();
  await w.locator("[data-action=step-back]").click();
  assert.equal(await narration(page), third, "stepping back lands on exactly the earlier state");
  await w.locator("[data-action=reset]").click();
  assert.match(await stepCount(page), /^Step 0 of/);
  assert.equal(await page.getAttribute("[data-widget=json-inspector] [data-narration]", "aria-live"), "polite");
  clean(page);
  await page.context().close();
});

test("the proof widget works from the keyboard alone, with a shortcut overlay", async () => {
  const page = await open("/apis/json");
  await page.focus("[data-widget=json-inspector]");
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("ArrowRight");
  assert.match(await stepCount(page), /^Step 2 of/);
  await page.keyboard.press("ArrowLeft");
  assert.match(await stepCount(page), /^Step 1 of/);
  await page.keyboard.press("End");
  assert.match(await narration(page), /^Done: valid JSON with 2 objects, 3 numbers, 2 strings, 1 boolean, 1 null, 1 array\.$/);
  await page.keyboard.press("Home");
  assert.match(await stepCount(page), /^Step 0 of/);
  assert.ok(await page.isHidden("[data-widget=json-inspector] .help"));
  await page.keyboard.press("?");
  assert.ok(await page.isVisible("[data-widget=json-inspector] .help"));
  await page.keyboard.press("Escape");
  assert.ok(await page.isHidden("[data-widget=json-inspector] .help"));
  assert.equal(page.url(), site.origin + "/apis/json", "arrow keys inside a widget do not change chapter");
  // Tab reaches the controls, and focus is visible on them.
  await page.focus("[data-widget=json-inspector] [data-action=step-forward]");
  const outline = await page.$eval(":focus", (el) => getComputedStyle(el).outlineStyle);
  assert.notEqual(outline, "none");
  await page.keyboard.press("Space");
  assert.match(await stepCount(page), /^Step 1 of/, "Space on a focused button acts once, not twice");
  clean(page);
  await page.context().close();
});

test("play runs to the end and pause stops it", async () => {
  const page = await open("/apis/json");
  const w = page.locator("[data-widget=json-inspector]");
  await w.locator("select").first().selectOption("types");
  await w.locator(".speed select").selectOption("3");
  await w.locator("[data-action=play]").click();
  await page.waitForFunction(() => /^Done:/.test(document.querySelector("[data-widget=json-inspector] [data-narration]").textContent), null, { timeout: 10000 });
  assert.equal(await w.locator("[data-action=play]").count(), 1, "play button returns when the run ends");
  clean(page);
  await page.context().close();
});

test("a shared URL reopens the same step and settings", async () => {
  const page = await open("/apis/json");
  const w = page.locator("[data-widget=json-inspector]");
  await w.locator("select").first().selectOption("user");
  for (let i = 0; i < 5; i++) await w.locator("[data-action=step-forward]").click();
  const said = await narration(page);
  const shared = page.url();
  assert.match(shared, /json-inspector\.preset=user/);
  assert.match(shared, /json-inspector\.step=5/);
  const again = await open(shared.slice(site.origin.length));
  assert.match(await stepCount(again), /^Step 5 of/);
  assert.equal(await narration(again), said);
  clean(page);
  clean(again);
  await page.context().close();
  await again.context().close();
});

test("edited text travels in the URL too", async () => {
  const page = await open("/apis/json");
  await page.fill("[data-testid=json-input]", '{"a": [1, 2,]}');
  assert.match(await narration(page), /^Line 1, column 13: a comma must be followed by another element/);
  const again = await open(page.url().slice(site.origin.length));
  assert.equal(await again.inputValue("[data-testid=json-input]"), '{"a": [1, 2,]}');
  assert.match(await narration(again), /^Line 1, column 13/);
  await page.context().close();
  await again.context().close();
});

test("a malformed URL state falls back to defaults with a visible notice", async () => {
  const page = await open("/apis/json?json-inspector.step=abc&json-inspector.preset=%3Cscript%3E&json-inspector.bogus=1");
  const notice = page.locator("[data-widget=json-inspector] [data-testid=url-notice]");
  assert.ok(await notice.isVisible());
  assert.match(await notice.textContent(), /step/);
  assert.match(await notice.textContent(), /preset/);
  assert.match(await stepCount(page), /^Step 0 of/);
  clean(page);
  await page.context().close();
});

test("hostile input is shown as text, never run", async () => {
  const page = await open("/apis/json");
  await page.evaluate(() => (window.__pwned = false));
  const payload = '"<img src=x onerror=window.__pwned=true><script>window.__pwned=true</script>"';
  await page.fill("[data-testid=json-input]", payload);
  assert.match(await narration(page), /^Done: valid JSON with 1 string/);
  await page.keyboard.press("Home");
  assert.equal(await page.locator("[data-widget=json-inspector] img").count(), 0);
  assert.equal(await page.evaluate(() => window.__pwned), false);
  await page.fill("[data-testid=json-input]", "x".repeat(20001));
  assert.match(await page.textContent("[data-widget=json-inspector] .input-error"), /20001 characters long/);
  clean(page);
  await page.context().close();
});

test("the transcript lists every step as text", async () => {
  const page = await open("/apis/json");
  await page.click("[data-widget=json-inspector] .transcript summary");
  await page.waitForSelector("[data-widget=json-inspector] [data-testid=transcript] li");
  const items = page.locator("[data-widget=json-inspector] [data-testid=transcript] li");
  const last = Number((await stepCount(page)).match(/of (\d+)/)[1]);
  assert.equal(await items.count(), last + 1);
  clean(page);
  await page.context().close();
});
