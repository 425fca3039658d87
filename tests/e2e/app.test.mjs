// End-to-end tests of the built site (dist/) in Debian's Chromium. Every page is checked
// for console errors and warnings; the proof widget is driven by mouse and by keyboard.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useSite } from "./harness.mjs";

const site = useSite();
const open = (path, opts) => site.open(path, opts);

/** No console problems; on the 404 page, the browser's own note of the 404 status is expected. */
function clean(page) {
  const notFound = /\/no\/such-page$/.test(page.url());
  const seen = page.seen.filter((m) => !(notFound && /status of 404/.test(m)));
  assert.deepEqual(seen, [], `console problems on ${page.url()}`);
}

async function chapterLinks() {
  const page = await open("/");
  const links = await page.$$eval("#toc a", (as) => as.map((a) => ({ href: a.getAttribute("href"), title: a.textContent.trim() })));
  clean(page);
  await page.context().close();
  return links;
}

test("the landing page presents the whole guide", async () => {
  const page = await open("/");
  assert.equal(await page.textContent("main h1"), "How web applications work");
  assert.equal(await page.locator(".part-card").count(), 8, "seven parts and the reference part");
  assert.match(await page.textContent(".landing .meta"), /^ ?7 parts · 23 chapters/);
  // A still of a widget, drawn by its engine at build time, links to the live one.
  assert.ok((await page.locator("[data-testid=landing-still] svg.still text").count()) >= 5, "the still draws the tree's keys");
  assert.match(await page.getAttribute("[data-testid=landing-still] a", "href"), /\/databases\/indexes#btree-index$/);
  await page.click("[data-testid=start-reading]");
  await page.waitForURL(/\/web\/client-server$/);
  clean(page);
  await page.context().close();
});

test("every route renders its chapter title, with no console errors", async () => {
  const links = await chapterLinks();
  assert.ok(links.length >= 7, `expected chapters, got ${links.length}`);
  const ctx = await site.browser.newContext();
  for (const { href, title } of links) {
    const page = await open(href, { context: ctx });
    assert.equal((await page.textContent("main h1")).trim(), title, href);
    assert.match(await page.title(), new RegExp(title.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
    assert.equal(await page.getAttribute(`#toc a[href="${href}"]`, "aria-current"), "page");
    clean(page);
    await page.close();
  }
  await ctx.close();
});

test("an unknown route gets a real 404: the status, and a page that says so", async () => {
  const page = await open("/no/such-page");
  const res = await page.request.get(site.origin + "/no/such-page");
  assert.equal(res.status(), 404);
  assert.equal(await page.textContent("main h1"), "Page not found");
  assert.match(await page.title(), /Page not found/);
  clean(page);
  await page.context().close();
});

test("previous/next links and arrow keys move between chapters", async () => {
  const page = await open("/apis/json");
  await page.locator("main h1").click();
  await page.keyboard.press("ArrowRight");
  await page.waitForURL(/\/apis\/requests$/);
  await page.waitForSelector("main h1:text('One API call, start to finish')");
  await page.keyboard.press("ArrowLeft");
  await page.waitForURL(/\/apis\/json$/);
  await page.click("a[data-nav=prev]");
  await page.waitForURL(/\/apis\/what-is-an-api$/);
  clean(page);
  await page.context().close();
});

test("a deep link to a heading scrolls to it", async () => {
  const page = await open("/apis/json#common-mistakes");
  await page.waitForFunction(() => {
    const r = document.getElementById("common-mistakes")?.getBoundingClientRect();
    return r && r.top >= 0 && r.top < window.innerHeight;
  }, null, { timeout: 5000 });
  clean(page);
  await page.context().close();
});

test("the theme choice persists across visits", async () => {
  const ctx = await site.browser.newContext({ colorScheme: "light" });
  const page = await open("/", { context: ctx });
  assert.equal(await page.getAttribute("html", "data-theme"), null);
  await page.selectOption("[data-testid=theme]", "dark");
  assert.equal(await page.getAttribute("html", "data-theme"), "dark");
  const bg = await page.$eval("body", (b) => getComputedStyle(b).backgroundColor);
  assert.equal(bg, "rgb(20, 22, 26)");
  await page.reload();
  await page.waitForSelector("main h1");
  assert.equal(await page.getAttribute("html", "data-theme"), "dark");
  assert.equal(await page.inputValue("[data-testid=theme]"), "dark");
  // A corrupted stored value is ignored, never a crash.
  await page.evaluate(() => localStorage.setItem("techbasics.theme", '{"not":"a theme"'));
  await page.reload();
  await page.waitForSelector("main h1");
  assert.equal(await page.getAttribute("html", "data-theme"), null);
  clean(page);
  await ctx.close();
});

test("the layout holds at 360 px wide", async () => {
  for (const path of ["/", "/apis/json", "/databases/indexes", "/web/visiting-a-site", "/no/such-page"]) {
    const page = await open(path, { width: 360, height: 740 });
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 360, `${path} is ${width} px wide at a 360 px viewport`);
    assert.ok(await page.isHidden("#toc"), "the contents are behind a button on phones");
    await page.click(".menu-toggle");
    assert.ok(await page.isVisible("#toc"));
    clean(page);
    await page.context().close();
  }
});

test("with reduced motion, transitions snap", async () => {
  const ctx = await site.browser.newContext({ reducedMotion: "reduce" });
  const page = await open("/apis/json", { context: ctx });
  const d = await page.$eval(".progress-bar", (el) => getComputedStyle(el).transitionDuration);
  assert.equal(d, "0s");
  await ctx.close();
});

test("opening a page leaves its address alone; only the reader's changes are written", async () => {
  const page = await open("/databases/indexes#full-scans-and-b-tree-lookups");
  await page.waitForSelector("[data-widget=btree-index]");
  await page.waitForTimeout(200);
  assert.equal(page.url(), site.origin + "/databases/indexes#full-scans-and-b-tree-lookups");
  await page.click("[data-instance=btree-index] [data-action=step-forward]");
  assert.match(page.url(), /\?.*btree-index\.step=1.*#full-scans-and-b-tree-lookups$/, "the hash survives");
  clean(page);
  await page.context().close();
});

test("every route is a real prerendered file that reads with JavaScript off", async () => {
  const ctx = await site.browser.newContext({ javaScriptEnabled: false });
  const page = await ctx.newPage();
  const res = await page.goto(site.origin + "/databases/indexes#full-scans-and-b-tree-lookups");
  assert.equal(res.status(), 200);
  const current = await page.textContent("#toc a[aria-current=page]");
  assert.equal(await page.textContent("main h1"), current, "the contents mark this chapter");
  assert.match(await page.title(), new RegExp(`^${current} · techbasics$`));
  assert.ok((await page.getAttribute("meta[name=description]", "content")).length > 20);
  assert.ok((await page.getAttribute("meta[property='og:title']", "content")).startsWith(current));
  assert.ok((await page.locator("main .prose h2").count()) >= 2, "the chapter's sections are in the file");
  assert.ok(await page.isVisible("#full-scans-and-b-tree-lookups"));
  assert.match(await page.textContent("[data-mount]"), /needs JavaScript/);
  await ctx.close();
});

test("with JavaScript on, each widget replaces its placeholder", async () => {
  const page = await open("/databases/indexes", { ready: "[data-mount] [data-widget]" });
  const mounts = await page.locator("[data-mount]").count();
  assert.ok(mounts >= 2);
  assert.equal(await page.locator("[data-mount] > [data-widget]").count(), mounts);
  assert.equal(await page.locator(".widget-fallback").count(), 0);
  clean(page);
  await page.context().close();
});

test("a chapter's diagrams, glossary links and self-check work, with the keyboard too", async () => {
  const page = await open("/web/visiting-a-site");
  assert.match(await page.textContent("main .meta"), /^\d+ min read · \d+ words$/);
  const svg = page.locator("figure#figure-tls13 svg[role=img]");
  assert.equal(await svg.count(), 1);
  assert.match(await page.textContent("figure#figure-tls13 title"), /TLS 1\.3/);
  const box = await svg.boundingBox();
  assert.ok(box.width > 300 && box.height > 200, "the diagram is drawn at a readable size");

  const answer = page.locator("ol.self-check li").first().locator(".a");
  assert.equal(await answer.isVisible(), false, "answers start hidden");
  await page.locator("ol.self-check summary").first().focus();
  await page.keyboard.press("Enter");
  assert.equal(await answer.isVisible(), true);
  await answer.locator("p.see a").click();
  await page.waitForURL(/\/web\/visiting-a-site#finding-the-server-dns$/);

  const term = page.locator("main a.term", { hasText: "stub resolver" }).first();
  const tip = page.locator("#tip-stub-resolver");
  assert.equal(await term.getAttribute("aria-describedby"), "tip-stub-resolver");
  assert.equal(await tip.isVisible(), false);
  await term.hover();
  assert.equal(await tip.isVisible(), true, "the definition shows on hover");
  assert.match(await tip.textContent(), /^stub resolver: The small DNS client/);
  await page.keyboard.press("Escape");
  assert.equal(await tip.isVisible(), false, "Escape hides it");
  await term.click();
  await page.waitForURL(/\/reference\/glossary#stub-resolver$/);
  assert.match(await page.textContent("#stub-resolver + p"), /forwards lookups to a recursive resolver/);
  clean(page);
  await page.context().close();
});

test("a widget that panics is replaced by a notice, and the rest of the page keeps working", async () => {
  const page = await open("/apis/json?techbasics-test-panic=json-inspector", { ready: "[data-testid=widget-crash]" });
  const box = page.locator("[data-mount=json-inspector] [data-testid=widget-crash]");
  assert.match(await box.textContent(), /This widget hit a bug and stopped/);
  assert.equal(await box.getAttribute("role"), "alert");
  assert.match(await box.locator("a").getAttribute("href"), /\/apis\/json\?techbasics-test-panic=json-inspector$/);
  assert.equal(await page.locator("[data-mount] [data-widget]").count(), 0, "the widget is gone");
  assert.ok((await page.locator("main .prose h2").count()) >= 2, "the text is all there");
  assert.ok(page.seen.some((m) => /a test asked the json-inspector widget to panic/.test(m)), "the panic is logged");
  assert.ok(page.seen.every((m) => /panic|RuntimeError|unreachable/i.test(m)), page.seen.join("\n"));
  // The shell runs in its own bundle and still works.
  await page.selectOption("[data-testid=theme]", "dark");
  assert.equal(await page.getAttribute("html", "data-theme"), "dark");
  await page.click("a[data-nav=next]");
  await page.waitForURL(/\/apis\/requests$/);
  await page.context().close();
});

test("a widget's bundle starts only when the widget nears the screen", async () => {
  const ctx = await site.browser.newLazyContext({ viewport: { width: 360, height: 640 } });
  const page = await ctx.newPage();
  await page.goto(site.origin + "/databases/transactions");
  await page.waitForLoadState("load");
  await page.waitForTimeout(500);
  assert.equal(await page.locator("link[data-bundle-wasm][data-started]").count(), 0, "nothing started while the widget is far below");
  assert.equal(await page.locator("[data-mount] [data-widget]").count(), 0);
  await page.locator("[data-mount]").first().scrollIntoViewIfNeeded();
  await page.waitForSelector("[data-mount] [data-widget]");
  assert.equal(await page.locator("link[data-bundle-wasm][data-started]").count(), 1);
  await ctx.close();
});
