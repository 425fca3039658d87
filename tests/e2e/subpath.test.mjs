// The site built for a sub-path (`make dist BASE=/guide/`), served under /guide/ by a host
// with no rewrite rules: every link, asset, widget and the 404 page must stay under it.
// Runs from `make test-subpath`, which builds dist-sub/; skipped when that build is absent.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "./server.mjs";
import { launch } from "./browser.mjs";

const DIST = process.env.SUBPATH_DIST;
let browser, server, origin;
before(async () => {
  if (!DIST) return;
  server = await startServer({ root: DIST, base: "/guide/" });
  origin = `http://127.0.0.1:${server.address().port}`;
  browser = await launch();
});
after(async () => {
  await browser?.close();
  server?.close();
});

test("under /guide/, links, assets, widgets and the 404 page all work", { skip: !DIST && "run by make test-subpath" }, async () => {
  const page = await (await browser.newContext()).newPage();
  const problems = [];
  page.on("console", (m) => {
    if ((m.type() === "error" || m.type() === "warning") && !/status of 404/.test(m.text())) problems.push(m.text());
  });
  page.on("pageerror", (e) => problems.push(e.message));
  page.on("request", (r) => {
    if (!r.url().startsWith(`${origin}/guide/`)) problems.push(`outside the base: ${r.url()}`);
  });
  await page.goto(`${origin}/guide/`);
  await page.waitForSelector("main h1");
  const hrefs = await page.$$eval("a[href^='/']", (as) => as.map((a) => a.getAttribute("href")));
  assert.ok(hrefs.length > 10);
  assert.deepEqual(hrefs.filter((h) => !h.startsWith("/guide/")), [], "every site link stays under the base");
  await Promise.all([page.waitForURL(/\/guide\/web\/client-server$/), page.click("[data-testid=start-reading]")]);
  await page.goto(`${origin}/guide/databases/indexes`);
  await page.waitForSelector("[data-mount] [data-widget=btree-index]");
  await page.focus("[data-widget=btree-index]");
  await page.keyboard.press("ArrowRight");
  assert.match(page.url(), /^http:\/\/127\.0\.0\.1:\d+\/guide\/databases\/indexes\?/, "widget state is written under the base");
  // The wasm is the same for every base: the embed snippet takes its base from the page.
  await page.click("[data-widget=btree-index] [data-testid=share]");
  const snippet = await page.inputValue("[data-widget=btree-index] [data-testid=share-snippet]");
  assert.match(snippet, new RegExp(`<iframe src="${origin}/guide/embed/btree-index/\\?`), snippet);
  assert.match(snippet, new RegExp(`<script src="${origin}/guide/embed\\.js"`), snippet);
  const res = await page.goto(`${origin}/guide/no/such-page`);
  assert.equal(res.status(), 404);
  assert.equal(await page.textContent("main h1"), "Page not found");
  assert.notEqual(await page.evaluate(() => getComputedStyle(document.body).fontFamily), "", "the stylesheet loaded");
  await page.goto(`${origin}/guide/embed/json-inspector/`);
  await page.waitForSelector("[data-widget=json-inspector]");
  assert.deepEqual(problems, []);
  await page.close();
});
