// The DNS lookup, driven as a reader would: a cold lookup stepped hop by hop and back, a
// shared link, a warm lookup answered by the browser's cache, the clock run past the TTLs,
// the bytes of a message, and names that are not valid.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { eventually, useSite } from "./harness.mjs";

const site = useSite();
const W = "[data-widget=dns-lookup][data-instance=dns]";
const PAGE = "/web/visiting-a-site";
const open = (path, opts) => site.open(path, { ready: `${W} [data-narration]`, ...opts });
const narration = (p, w = W) => p.textContent(`${w} [data-narration]`);
const steps = (p) => p.textContent(`${W} [data-testid=step-count]`);
const stepNumbers = async (p) => (await steps(p)).match(/Step (\d+) of (\d+)/).slice(1).map(Number);

test("a cold lookup goes root, TLD, authoritative; steps back exactly; a shared link reopens it", async () => {
  const page = await open(PAGE);
  await page.focus(W);
  const said = [];
  const [, last] = await stepNumbers(page);
  for (let i = 0; i < last; i++) {
    await page.keyboard.press("ArrowRight");
    said.push(await narration(page));
  }
  const order = ["a.root-servers.net", "a.gtld-servers.net", "ns1.example.com"].map((h) => said.findIndex((s) => s.includes(`asks the`) && s.includes(h)));
  assert.ok(order.every((i) => i >= 0) && order[0] < order[1] && order[1] < order[2], `hops in order: ${order}`);
  assert.match(said.at(-1), /Result: A 192\.0\.2\.10, through the recursive resolver/);
  assert.match(await page.textContent(`${W} [data-cache="browser"]`), /www\.example\.com\. CNAME example\.com\.; example\.com\. A 192\.0\.2\.10 · 60 s left/);
  // Back five and forward five is the same moment, bytes included.
  for (let i = 0; i < 7; i++) await page.keyboard.press("ArrowLeft");
  const here = await narration(page);
  const hex = await page.textContent(`${W} [data-testid=dns-hex]`);
  assert.ok(hex.length > 40);
  for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowRight");
  for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowLeft");
  assert.equal(await narration(page), here);
  assert.equal(await page.textContent(`${W} [data-testid=dns-hex]`), hex);
  const again = await open(page.url().slice(site.origin.length));
  assert.equal(await steps(again), await steps(page));
  assert.equal(await narration(again), here);
  assert.deepEqual(page.seen, []);
  await page.context().close();
  await again.context().close();
});

test("a warm lookup is answered by the browser's cache; after the TTL it asks again", async () => {
  const page = await open(PAGE);
  await page.click(`${W} [data-testid=dns-lookup]`);
  await page.focus(W);
  await page.keyboard.press("End");
  assert.match(await narration(page), /already has www\.example\.com\. A in its own cache/);
  assert.match(await narration(page), /from the browser's cache, in 0 ms/);
  await page.click(`${W} [data-advance="3600"]`);
  assert.match(await narration(page), /clock moves on 1 h/);
  await page.click(`${W} [data-testid=dns-lookup]`);
  await page.focus(W);
  await page.keyboard.press("End");
  assert.match(await narration(page), /through the recursive resolver/);
  await page.click(`${W} details.dns-trace summary`);
  const trace = await eventually(() => page.evaluate((sel) => document.querySelector(sel).textContent, `${W} [data-testid=dns-trace]`), /ns1/);
  assert.match(trace, /ns1\.example\.com/);
  assert.match(page.url(), /dns\.ops=lookup%3Awww\.example\.com%2FA%3Blookup%3Awww\.example\.com%2FA%3Badvance%3A3600/);
  assert.deepEqual(page.seen, []);
  await page.context().close();
});

test("focusing a decoded field lights up its bytes", async () => {
  const page = await open(PAGE);
  await page.focus(W);
  for (let i = 0; i < 6; i++) await page.keyboard.press("ArrowRight");
  await page.waitForSelector(`${W} [data-testid=dns-fields] li[data-field]`);
  await page.focus(`${W} [data-testid=dns-fields] li[data-field="7"]`);
  assert.match(await page.getAttribute(`${W} [data-testid=dns-hex] [data-span="7"]`, "class"), /hot/);
  assert.doesNotMatch(await page.getAttribute(`${W} [data-testid=dns-hex] [data-span="0"]`, "class"), /hot/);
  await page.context().close();
});

test("invalid names get a clear inline message and add nothing", async () => {
  const page = await open(PAGE);
  const before = await steps(page);
  let dialogs = 0;
  page.on("dialog", (d) => { dialogs++; d.dismiss(); });
  const cases = [
    ["", /Type a name/],
    ["a..b", /empty label/],
    [`${"a".repeat(64)}.com`, /at most 63/],
    [Array(30).fill("abcdefghi").join("."), /at most 253/],
    ["bad-.example.com", /hyphen/],
    ["<img src=x onerror=alert(1)>", /“<” is not allowed/],
    ["exa mple.com", /U\+0020/],
  ];
  for (const [name, expected] of cases) {
    await page.fill(`${W} [data-testid=dns-name]`, name);
    await page.press(`${W} [data-testid=dns-name]`, "Enter");
    assert.match(await page.textContent(`${W} [data-testid=dns-message]`), expected, name);
    assert.equal(await steps(page), before);
  }
  assert.equal(dialogs, 0);
  assert.equal(await page.locator(`${W} img`).count(), 0);
  assert.deepEqual(page.seen, []);
  await page.context().close();
});

test("the records session in part 5 shows MX, TXT, NXDOMAIN and NODATA", async () => {
  const R = "[data-widget=dns-lookup][data-instance=records]";
  const page = await site.open("/deployment/domains-and-pipelines", { ready: `${R} [data-narration]` });
  await page.focus(R);
  const said = [];
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press("ArrowRight");
    said.push(await narration(page, R));
  }
  const all = said.join("\n");
  assert.match(all, /Result: MX 10 mail\.example\.com\./);
  assert.match(all, /Result: TXT "v=spf1 mx -all"/);
  assert.match(all, /Result: NXDOMAIN for nope\.example\.com\./);
  assert.match(all, /mail\.example\.com\. has no AAAA record \(NODATA\)/);
  assert.deepEqual(page.seen, []);
  await page.context().close();
});

/** A tiny DNS-over-HTTPS responder on 127.0.0.1 (plain HTTP, which the widget allows only to
 * this machine). It answers any question with one A record, encoding the reply by hand. */
function startDoh() {
  const seen = [];
  const cors = { "access-control-allow-origin": "*", "access-control-allow-headers": "content-type, accept", "access-control-allow-methods": "POST" };
  const server = createServer((req, res) => {
    if (req.method === "OPTIONS") return res.writeHead(204, cors).end();
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const q = Buffer.concat(chunks);
      seen.push({ method: req.method, type: req.headers["content-type"], accept: req.headers.accept, bytes: q });
      let i = 12;
      while (q[i] !== 0) i += q[i] + 1;
      const question = q.subarray(12, i + 5);
      const header = Buffer.from([q[0], q[1], 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0]);
      const answer = Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 42, 0, 4, 192, 0, 2, 99]);
      res.writeHead(200, { ...cors, "content-type": "application/dns-message" }).end(Buffer.concat([header, question, answer]));
    });
  });
  return new Promise((ok) => server.listen(0, "127.0.0.1", () => ok({ server, seen })));
}

test("live mode sends nothing until asked, then decodes a real DoH reply with the same decoder", async () => {
  const { server, seen } = await startDoh();
  const url = `http://127.0.0.1:${server.address().port}/dns-query`;
  const page = await open(PAGE);
  await page.click(`${W} [data-testid=dns-live] summary`);
  await page.fill(`${W} [data-testid=dns-doh-url]`, "http://resolver.example/dns-query");
  await page.click(`${W} [data-testid=dns-doh-send]`);
  assert.match(await page.textContent(`${W} [data-testid=dns-doh-result]`), /needs https/);
  assert.equal(seen.length, 0, "a refused URL sends nothing");
  await page.fill(`${W} [data-testid=dns-doh-url]`, url);
  await page.click(`${W} [data-testid=dns-doh-send]`);
  await page.waitForSelector(`${W} [data-testid=dns-doh-result] li`);
  const lines = await page.locator(`${W} [data-testid=dns-doh-result] li`).allTextContents();
  assert.match(lines[0], /NOERROR · 1 answer · recursion available/);
  assert.equal(lines[1], "www.example.com. 42 IN A 192.0.2.99");
  assert.equal(seen.length, 1);
  assert.equal(seen[0].method, "POST");
  assert.equal(seen[0].type, "application/dns-message");
  assert.equal(seen[0].accept, "application/dns-message");
  const q = seen[0].bytes;
  assert.equal(q.readUInt16BE(0), 0, "ID 0, as RFC 8484 recommends");
  assert.equal(q[2] & 0x01, 1, "recursion desired");
  assert.ok(q.includes(Buffer.from([3, 119, 119, 119, 7, 101, 120, 97, 109, 112, 108, 101, 3, 99, 111, 109, 0])), "the question names www.example.com");
  // The only request to another origin is the one the reader asked for.
  const outside = page.seen.filter((m) => m.startsWith("outside request"));
  assert.ok(outside.length >= 1 && outside.every((m) => m.includes(`127.0.0.1:${server.address().port}`)));
  assert.deepEqual(page.seen.filter((m) => !m.startsWith("outside request")), []);
  await page.context().close();
  server.close();
});
