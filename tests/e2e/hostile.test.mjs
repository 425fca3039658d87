// Hostile input in every widget's text fields and in URL state: script tags, event-handler
// attributes, javascript: URLs, a 100,000-character string, control characters and an RTL
// override. Nothing may execute, nothing may panic, and each gets a visible message.
import { test } from "node:test";
import assert from "node:assert/strict";
import { eventually, useSite } from "./harness.mjs";

const site = useSite();
const PAYLOADS = [
  "<script>alert(1)</script>",
  '"><img src=x onerror=alert(1)>',
  "javascript:alert(1)",
  "x".repeat(100_000),
  "a\u0000b\u0007c\u001b",
  "\u202Eevil\u202C",
];

/** Watches for anything a payload could make run: a dialog, or an element it smuggled in. */
function guard(page) {
  const fired = [];
  page.on("dialog", (d) => {
    fired.push(d.message());
    d.dismiss();
  });
  return async () => {
    const smuggled = await page.evaluate(() => document.querySelectorAll("main img[src=x], main script:not([src])").length);
    return { fired, smuggled };
  };
}

const FIELDS = [
  { name: "B-tree key", path: "/databases/indexes", w: "[data-widget=btree-index][data-instance=btree-index]", input: "[data-testid=btree-key]", submit: (p, w) => p.press(`${w} [data-testid=btree-key]`, "Enter"), message: ".btree-ops .input-error" },
  { name: "DNS name", path: "/web/visiting-a-site", w: "[data-widget=dns-lookup][data-instance=dns]", input: "[data-testid=dns-name]", submit: (p, w) => p.click(`${w} [data-testid=dns-lookup]`), message: "[data-testid=dns-message]" },
  { name: "retry base", path: "/integrations/resilience", w: "[data-widget=retry-backoff][data-instance=retry]", input: "[data-field=base]", submit: (p, w) => p.press(`${w} [data-field=base]`, "Tab"), message: "[data-testid=retry-message]" },
  { name: "transfer account", path: "/databases/transactions", w: "[data-widget=transaction-rollback][data-instance=crash]", input: "[data-testid=txn-to]", submit: (p, w) => p.click(`${w} [data-testid=txn-apply]`), message: "[data-testid=txn-message]" },
  { name: "JSON text", path: "/apis/json", w: "[data-widget=json-inspector]", input: "[data-testid=json-input]", submit: async () => {}, message: "[data-narration]" },
];

for (const f of FIELDS) {
  test(`hostile text in the ${f.name} field shows a message and runs nothing`, async () => {
    const page = await site.open(f.path, { ready: `${f.w} ${f.input}` });
    const check = guard(page);
    for (const payload of PAYLOADS) {
      const before = await page.textContent(`${f.w} ${f.message}`);
      await page.fill(`${f.w} ${f.input}`, payload);
      await f.submit(page, f.w);
      const said = await eventually(() => page.textContent(`${f.w} ${f.message}`), (t) => t.trim() !== "" && (f.name !== "JSON text" || t !== before));
      assert.ok(said.trim().length > 0, `${f.name}: no message for ${JSON.stringify(payload.slice(0, 30))}`);
      assert.ok(said.length < 2_000, `${f.name}: the message quotes at most a clipped part of the input`);
    }
    const { fired, smuggled } = await check();
    assert.deepEqual(fired, [], "no dialog opened");
    assert.equal(smuggled, 0, "no element was smuggled into the page");
    assert.deepEqual(page.seen, [], "no console error, no panic");
    await page.context().close();
  });
}

test("hostile values in URL state become notices, never markup or a panic", async () => {
  const cases = [
    ["/databases/indexes?btree-index.keys=" + encodeURIComponent('<img src=x onerror=alert(1)>'), "[data-widget=btree-index][data-instance=btree-index]"],
    ["/web/visiting-a-site?dns.ops=" + encodeURIComponent("<script>alert(1)</script>"), "[data-widget=dns-lookup][data-instance=dns]"],
    ["/databases/transactions?crash.from=" + encodeURIComponent("<b>x</b>") + "&crash.amount=" + "9".repeat(5000), "[data-widget=transaction-rollback][data-instance=crash]"],
    ["/integrations/resilience?retry.base=" + encodeURIComponent("javascript:alert(1)") + "&retry.clients=%E2%80%AE12", "[data-widget=retry-backoff][data-instance=retry]"],
    ["/apis/json?json-inspector.input=" + encodeURIComponent("<script>alert(1)</script>"), "[data-widget=json-inspector]"],
  ];
  for (const [path, w] of cases) {
    const page = await site.open(path, { ready: `${w} [data-narration]` });
    const check = guard(page);
    if (!path.startsWith("/apis/json")) {
      const notice = await eventually(() => page.locator(`${w} [data-testid=url-notice]`).textContent().catch(() => ""), (t) => t.trim() !== "");
      assert.ok(notice.trim().length > 0, `${path}: a notice names the bad setting`);
    }
    const { fired, smuggled } = await check();
    assert.deepEqual(fired, [], path);
    assert.equal(smuggled, 0, path);
    assert.deepEqual(page.seen, [], path);
    await page.context().close();
  }
});
