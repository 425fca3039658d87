// Shared set-up for the browser tests: serve dist/ on 127.0.0.1, launch Chromium, and open
// pages that record every console error or warning, uncaught exception and request to
// another origin, so a test can assert the page stayed clean.
import { before, after } from "node:test";
import { startServer } from "./server.mjs";
import { launch } from "./browser.mjs";

export function useSite() {
  const site = { origin: "", browser: null };
  let server;
  before(async () => {
    server = await startServer({ root: "dist" });
    site.origin = `http://127.0.0.1:${server.address().port}`;
    site.browser = await launch();
  });
  after(async () => {
    await site.browser?.close();
    server?.close();
  });

  /** Opens `path` in a fresh page (or in `context`), once `ready` is on screen. */
  site.open = async (path, { width = 1280, height = 900, context, ready = "main h1", init } = {}) => {
    const ctx = context ?? (await site.browser.newContext({ viewport: { width, height } }));
    const page = await ctx.newPage();
    const seen = [];
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") seen.push(`${m.type()}: ${m.text()}`);
    });
    page.on("pageerror", (e) => seen.push(`uncaught: ${e.message}`));
    page.on("request", (r) => {
      if (!r.url().startsWith(site.origin) && !r.url().startsWith("data:")) seen.push(`outside request: ${r.url()}`);
    });
    page.seen = seen;
    if (init) await page.addInitScript(init);
    await page.goto(site.origin + path);
    await page.waitForSelector(ready);
    return page;
  };
  return site;
}

/**
 * Polls `read` until its value passes `ok` (a RegExp or a predicate), for views that update a
 * moment after an event; returns the last value read either way, for the caller to assert.
 */
export async function eventually(read, ok) {
  const pass = ok instanceof RegExp ? (v) => ok.test(v) : ok;
  let v = "";
  for (let i = 0; i < 60; i++) {
    v = await read();
    if (pass(v)) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  return v;
}
