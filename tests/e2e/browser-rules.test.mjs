// The browser-rules widget, driven as a reader would: the server runs a request whose answer
// the browser hides, an API that echoes Origin leaks it, a preflight without cookies, a
// forged form stopped by SameSite=Lax and let through by None, cookies that expire or whose
// Path does not cover the call, a shared link, and every
// scenario stepped with no task over 50 ms.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useSite } from "./harness.mjs";
import { WORKLOADS, quietest } from "./workloads.mjs";

const site = useSite();
const PAGE = "/apis/browser";
const W = "[data-widget=browser-rules]";
const open = (path) => site.open(path, { ready: `${W} [data-testid=rules-script]` });
const narration = (page) => page.textContent(`${W} [data-narration]`);
const script = (page) => page.textContent(`${W} [data-testid=rules-script]`);
const server = (page) => page.textContent(`${W} [data-testid=rules-server]`);

async function toEnd(page) {
  await page.focus(W);
  await page.keyboard.press("End");
  await page.waitForFunction((w) => { const m = document.querySelector(`${w} [data-testid=step-count]`).textContent.match(/^Step (\d+) of (\d+)$/); return m && m[1] === m[2]; }, W);
}

async function choose(page, testid, value) {
  await page.evaluate((w) => { const d = document.querySelector(`${w} details.setup`); if (d) d.open = true; }, W);
  await page.selectOption(`${W} [data-testid=${testid}]`, value);
}

test("the server runs the attacker's request; the browser hides the answer, unless the API echoes Origin", async () => {
  const page = await open(PAGE);
  await page.selectOption(`${W} [data-testid=rules-preset]`, "hidden");
  assert.match(await narration(page), /^A script on https:\/\/evil\.example calls fetch\("https:\/\/api\.shop\.example\/api\/users\/2\/orders"/);
  await toEnd(page);
  assert.match(await server(page), /GET \/api\/users\/2\/orders from https:\/\/evil\.example: 200 OK/);
  assert.match(await script(page), /TypeError: Failed to fetch \(the answer was hidden\)/);
  await choose(page, "rules-allow", "reflect");
  await toEnd(page);
  assert.match(await script(page), /200 OK and its body/);
  assert.equal(await page.inputValue(`${W} [data-testid=rules-preset]`), "custom");
  // The shared link reopens the same scenario and step.
  await page.waitForFunction(() => /browser-rules\.allow=reflect/.test(location.search));
  const again = await open(page.url().slice(site.origin.length));
  assert.equal(await narration(again), await narration(page));
  assert.deepEqual(page.seen, []);
  await again.context().close();
  await page.context().close();
});

test("a JSON order gets a preflight without cookies, then goes with them", async () => {
  const page = await open(`${PAGE}?browser-rules.method=POST&browser-rules.path=/api/orders&browser-rules.type=json&browser-rules.creds=include`);
  assert.equal(await page.inputValue(`${W} [data-testid=rules-preset]`), "preflight");
  await page.focus(W);
  let said = "";
  for (let i = 0; i < 10 && !/^A preflight first/.test(said); i++) {
    await page.keyboard.press("ArrowRight");
    said = await narration(page);
  }
  assert.match(said, /because it sets content-type beyond the few headers a form could send/);
  const pre = await page.textContent(`${W} [data-testid=rules-wire]`);
  assert.match(pre, /^OPTIONS \/api\/orders HTTP\/1\.1/);
  assert.doesNotMatch(pre, /Cookie/);
  await toEnd(page);
  assert.match(await server(page), /POST \/api\/orders from https:\/\/www\.shop\.example: 201 Created/);
  await page.context().close();
});

test("a forged form: SameSite=Lax keeps the cookie home, None lets the order through", async () => {
  const page = await open(`${PAGE}?browser-rules.from=evil&browser-rules.via=form&browser-rules.method=POST&browser-rules.path=/api/orders`);
  await toEnd(page);
  assert.match(await server(page), /401 Unauthorized/);
  assert.doesNotMatch(await server(page), /order was placed/);
  await choose(page, "rules-samesite", "none");
  await toEnd(page);
  assert.match(await server(page), /201 Created, and the shop changed \(an order was placed\)/);
  assert.match(await page.textContent(`${W} [data-testid=rules-cookie]`), /SameSite=None/);
  await page.context().close();
});

test("an hour's cookie is gone two hours later, a session cookie when the browser closes, and Path scopes it", async () => {
  const page = await open(PAGE);
  await page.selectOption(`${W} [data-testid=rules-preset]`, "expired");
  assert.equal(await page.textContent(`${W} [data-testid=rules-cookie]`), "Set-Cookie: session=tok_ben; Path=/; Max-Age=3600; Secure; HttpOnly; SameSite=Lax");
  await page.focus(W);
  await page.keyboard.press("ArrowRight");
  assert.match(await narration(page), /^Cookies, two hours after Ben signed in, at Tue, 01 Dec 2026 11:00:00 GMT: session expired, so the browser deleted it\.$/);
  await toEnd(page);
  assert.match(await server(page), /GET \/api\/users\/2\/orders from https:\/\/www\.shop\.example: 401/);
  await choose(page, "rules-when", "30m");
  await toEnd(page);
  assert.match(await server(page), /: 200 OK/);
  await choose(page, "rules-maxage", "session");
  await choose(page, "rules-when", "reopened");
  await toEnd(page);
  assert.match(await server(page), /: 401/);
  await page.selectOption(`${W} [data-testid=rules-preset]`, "path");
  await page.focus(W);
  await page.keyboard.press("ArrowRight");
  assert.match(await narration(page), /session has Path=\/api\/users, which does not cover \/api\/orders/);
  assert.deepEqual(page.seen, []);
  await page.context().close();
});

test("bad settings in the URL fall back with a notice", async () => {
  const page = await open(`${PAGE}?browser-rules.method=%3Cscript%3E&browser-rules.samesite=sometimes`);
  assert.match(await page.textContent(`${W} [data-testid=url-notice]`), /method|samesite/);
  assert.deepEqual(page.seen, []);
  await page.context().close();
});

test("every scenario stepped to its end and back, with no task over 50 ms", async () => {
  const tasks = await quietest(site.browser, site.origin, WORKLOADS.find((x) => x.widget === "browser-rules"));
  assert.deepEqual(tasks.map((t) => Math.round(t.duration)), [], "long tasks (ms)");
});
