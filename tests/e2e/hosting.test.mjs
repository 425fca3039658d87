// The site as a static host serves it: under the Content-Security-Policy the build ships,
// offline through the service worker, replaced atomically by a new deploy, and embedded in
// another site's page.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { startServer } from "./server.mjs";
import { launch } from "./browser.mjs";
import { WIDGETS } from "./widgets.mjs";

// The policy exactly as dist/_headers ships it.
const CSP = readFileSync("dist/_headers", "utf8").match(/Content-Security-Policy: (.*)/)[1];
const PAGES = ["/", "/web/visiting-a-site", "/apis/json", "/databases/indexes", "/databases/transactions", "/integrations/resilience", "/scaling/growth", "/deployment/domains-and-pipelines", "/end-to-end/one-order", "/reference/glossary", "/embed/dns-lookup/", "/embed/transaction-rollback/"];

let browser, server, origin;
const override = {};
before(async () => {
  server = await startServer({ root: "dist", headers: { "content-security-policy": CSP }, override });
  origin = `http://127.0.0.1:${server.address().port}`;
  browser = await launch();
});
after(async () => {
  await browser?.close();
  server?.close();
});

async function open(ctx, path, ready = "main") {
  const page = await ctx.newPage();
  const seen = [];
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") seen.push(m.text());
  });
  page.on("pageerror", (e) => seen.push(`uncaught: ${e.message}`));
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener("securitypolicyviolation", (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.goto(origin + path);
  await page.waitForSelector(ready);
  page.seen = seen;
  return page;
}

test("every page works under the shipped Content-Security-Policy, with no violation", async () => {
  assert.match(CSP, /script-src 'self' 'wasm-unsafe-eval'/);
  assert.doesNotMatch(CSP, /'unsafe-inline'|'unsafe-eval'/);
  const ctx = await browser.newContext();
  for (const path of PAGES) {
    const textOnly = path === "/" || path === "/reference/glossary";
    const page = await open(ctx, path, textOnly ? "main h1" : "[data-mount] [data-widget]");
    assert.deepEqual(await page.evaluate(() => window.__violations), [], path);
    assert.deepEqual(page.seen, [], path);
    await page.close();
  }
  await ctx.close();
});

test("after one visit the whole guide reads offline, widgets included", async () => {
  const ctx = await browser.newContext();
  const page = await open(ctx, "/web/client-server", "main h1");
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  await ctx.setOffline(true);
  await page.goto(origin + "/databases/indexes");
  await page.waitForSelector("[data-mount] [data-widget=btree-index]");
  assert.match(await page.textContent("main h1"), /\w/);
  await page.goto(origin + "/no/such-page");
  assert.equal(await page.textContent("main h1"), "Page not found");
  await ctx.setOffline(false);
  await ctx.close();
});

test("a new deploy installs whole in the background and takes over only when the reader reloads", async () => {
  const ctx = await browser.newContext();
  const page = await open(ctx, "/apis/json", "main h1");
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  const before = await page.evaluate(() => caches.keys());
  assert.equal(before.length, 1);
  // Deploy: the same files under a new version.
  const sw = readFileSync("dist/sw.js", "utf8");
  override["/sw.js"] = sw.replace(/const VERSION = "[0-9a-f]+";/, 'const VERSION = "feedfacefeedface";');
  try {
    await page.evaluate(async () => (await navigator.serviceWorker.getRegistration()).update());
    await page.waitForSelector("[data-testid=update-banner]");
    // Until the reader accepts, the old version still serves every request.
    assert.deepEqual((await page.evaluate(() => caches.keys())).sort(), [before[0], "techbasics-feedfacefeedface"].sort());
    await Promise.all([page.waitForEvent("load"), page.click("[data-testid=update-banner] button")]);
    await page.waitForFunction(async () => (await caches.keys()).length === 1);
    assert.deepEqual(await page.evaluate(() => caches.keys()), ["techbasics-feedfacefeedface"]);
    await page.waitForSelector("[data-mount] [data-widget]");
  } finally {
    delete override["/sw.js"];
    await ctx.close();
  }
});

test("a widget's Share button gives a link and an iframe that reopen the same moment, and the iframe sizes itself", async () => {
  const ctx = await browser.newContext();
  const page = await open(ctx, "/integrations/resilience?retry.strategy=exponential&retry.step=5", "[data-widget=retry-backoff] [data-testid=retry-summary]");
  const W = "[data-widget=retry-backoff]";
  const said = await page.textContent(`${W} [data-narration]`);
  await page.click(`${W} [data-testid=share]`);
  assert.equal(await page.inputValue(`${W} [data-testid=share-link]`), page.url());
  const snippet = await page.inputValue(`${W} [data-testid=share-snippet]`);
  const src = snippet.match(/src="([^"]+)"/)[1];
  assert.ok(src.startsWith(`${origin}/embed/retry-backoff/?`), src);
  assert.match(src, /retry-backoff\.strategy=exponential/);
  assert.match(src, /retry-backoff\.step=5/);
  // A blogger's page on another origin, with the snippet pasted in a sandboxed frame.
  const host = createServer((req, res) => {
    // At /late, the frame alone: the test adds the helper script once the frame has settled.
    const body = req.url.includes("late") ? snippet.replace(/<script[^>]*><\/script>/, "") : snippet;
    res.writeHead(200, { "content-type": "text/html" }).end(`<!doctype html><title>blog</title><h1>My post</h1>${body.replace("<iframe ", '<iframe sandbox="allow-scripts allow-same-origin allow-popups" ')}`);
  });
  await new Promise((ok) => host.listen(0, "127.0.0.1", ok));
  try {
    const blog = await ctx.newPage();
    await blog.goto(`http://127.0.0.1:${host.address().port}/`);
    const frame = blog.frameLocator("iframe[data-techbasics]");
    await frame.locator(`${W} [data-testid=retry-summary]`).waitFor();
    assert.equal(await frame.locator(`${W} [data-narration]`).textContent(), said);
    assert.equal(await frame.locator("#toc").count(), 0, "the embed has no shell");
    // The frame reports its content height and the helper script sizes the iframe to it.
    const inner = blog.frames().find((f) => f.url().includes("/embed/retry-backoff/"));
    let outer = 0, content = -1;
    for (let i = 0; i < 50 && outer !== content; i++) {
      await blog.waitForTimeout(200);
      content = await inner.evaluate(() => document.documentElement.scrollHeight);
      outer = await blog.evaluate(() => parseInt(document.querySelector("iframe").style.height, 10) || 0);
    }
    assert.equal(outer, Math.min(5000, content), "the iframe is as tall as its content");
    assert.ok(outer > 640, "taller than the snippet's starting height");
    // The helper is async: when it runs only after the frame has settled (a slow script, a
    // busy page), it must still size the frame, by asking it to report again.
    const late = await ctx.newPage();
    await late.goto(`http://127.0.0.1:${host.address().port}/late`);
    const frame2 = late.frameLocator("iframe[data-techbasics]");
    await frame2.locator(`${W} [data-testid=retry-summary]`).waitFor();
    await late.waitForTimeout(500);
    const before = await late.evaluate(() => document.querySelector("iframe").style.height);
    await late.evaluate((src) => { const s = document.createElement("script"); s.src = src; document.body.append(s); }, snippet.match(/<script src="([^"]+)"/)[1]);
    let sized = 0;
    for (let i = 0; i < 50 && sized !== content; i++) {
      await late.waitForTimeout(100);
      sized = await late.evaluate(() => parseInt(document.querySelector("iframe").style.height, 10) || 0);
    }
    assert.equal(sized, Math.min(5000, content), `a late helper sizes the frame too (it was ${before || "unset"})`);
  } finally {
    host.close();
    await ctx.close();
  }
});

test("each embed announces an oEmbed response whose iframe opens that widget", async () => {
  assert.ok(WIDGETS.length >= 5);
  for (const w of WIDGETS) {
    const html = await (await fetch(`${origin}/${w.embed}`)).text();
    const link = html.match(/<link rel="alternate" type="application\/json\+oembed" href="([^"]+)"/);
    assert.ok(link, `${w.id}: a discovery link`);
    assert.equal(new URL(link[1]).pathname, `/${w.oembed}`);
    const res = await fetch(`${origin}/${w.oembed}`);
    assert.equal(res.status, 200);
    const o = await res.json();
    assert.equal(o.version, "1.0");
    assert.equal(o.type, "rich");
    assert.ok(o.width > 0 && o.height > 0, `${w.id}: a size`);
    assert.match(o.html, new RegExp(`<iframe src="[^"]*/${w.embed}" title="${w.title.replace(/[()]/g, ".")} \\(techbasics\\)"`), o.html);
  }
});

test("an embed takes its theme from the address and touches no storage", async () => {
  const ctx = await browser.newContext();
  await ctx.addInitScript(() => {
    if (localStorage) localStorage.setItem("techbasics.theme", "light");
    // Count every later use of storage by the page.
    window.__storage = 0;
    for (const m of ["getItem", "setItem", "removeItem", "clear"]) {
      const f = Storage.prototype[m];
      Storage.prototype[m] = function (...a) { window.__storage++; return f.apply(this, a); };
    }
  });
  const requested = [];
  ctx.on("request", (r) => requested.push(new URL(r.url()).pathname));
  const page = await open(ctx, "/embed/dns-lookup/?theme=dark", "[data-widget=dns-lookup]");
  assert.equal(await page.getAttribute("html", "data-theme"), "dark");
  // An embed has no shell, so it loads none of the shell's code: only its widget's bundle.
  const wasm = requested.filter((p) => p.endsWith(".wasm"));
  assert.deepEqual(wasm.map((p) => p.replace(/-[0-9a-f]{16}_bg\.wasm$/, "")), ["/bundles/dns-lookup"], `wasm requested: ${wasm}`);
  assert.ok(!requested.some((p) => /\/techbasics-[0-9a-f]+\.js$/.test(p)), "no shell script");
  assert.equal(await page.evaluate(() => window.__storage), 0, "no storage read or written");
  assert.equal(await page.evaluate(() => navigator.serviceWorker.controller), null, "embeds register no service worker");
  await ctx.close();
});

test("text paints before the wasm arrives, and widgets mount with no layout shift", async () => {
  const slow = await startServer({ root: "dist", slow: { pattern: /\.wasm$/, ms: 1500 } });
  const at = `http://127.0.0.1:${slow.address().port}`;
  try {
    for (const width of [1280, 360]) {
      for (const path of ["/web/visiting-a-site", "/databases/indexes", "/integrations/resilience", "/apis/json", "/databases/transactions"]) {
        // A fresh context each time: no cache and no service worker to hand over the wasm early.
        const ctx = await browser.newContext({ viewport: { width, height: 800 } });
        const page = await ctx.newPage();
        await page.addInitScript(() => {
          window.__cls = 0;
          new PerformanceObserver((l) => {
            for (const e of l.getEntries()) if (!e.hadRecentInput) window.__cls += e.value;
          }).observe({ type: "layout-shift", buffered: true });
        });
        await page.goto(at + path, { waitUntil: "domcontentloaded" });
        // The chapter is readable while the wasm is still on its way.
        assert.match(await page.textContent("main h1"), /\w/);
        assert.equal(await page.locator("[data-mount] [data-widget]").count(), 0);
        await page.waitForSelector("[data-mount] [data-widget]", { timeout: 15000 });
        await page.waitForTimeout(2500);
        const cls = await page.evaluate(() => window.__cls);
        assert.ok(cls < 0.1, `${path} at ${width} px: cumulative layout shift ${cls.toFixed(3)}`);
        console.log(`# CLS ${path} at ${width} px: ${cls.toFixed(4)}`);
        if (path === "/apis/json") {
          // Calibration: a deliberate shift must register, or this test could never fail.
          await page.evaluate(() => {
            const d = document.createElement("div");
            d.style.height = "300px";
            document.querySelector("main").prepend(d);
          });
          await page.waitForFunction(() => window.__cls > 0.05);
        }
        await ctx.close();
      }
    }
  } finally {
    slow.close();
  }
});
