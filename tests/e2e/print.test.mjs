// The whole guide on one page, printed to PDF by headless Chromium: every chapter's title is
// in the PDF (read from its outline, which Chromium builds from the headings), the page count
// is what a book of this length needs, and each widget is there as a storyboard.
import { test } from "node:test";
import assert from "node:assert/strict";
import { inflateSync } from "node:zlib";
import { useSite } from "./harness.mjs";

const site = useSite();

/** Every string in the PDF's objects, including those inside compressed object streams. */
function pdfStrings(buf) {
  const bin = buf.toString("latin1");
  let text = bin;
  const re = /stream\r?\n/g;
  let m;
  while ((m = re.exec(bin))) {
    const start = m.index + m[0].length;
    const end = bin.indexOf("endstream", start);
    if (end < 0) break;
    try {
      text += "\n" + inflateSync(Buffer.from(bin.slice(start, end), "latin1")).toString("latin1");
    } catch {}
  }
  const out = [];
  // Hex strings in UTF-16BE (<FEFF…>), as Chromium writes outline titles, and literal strings.
  for (const h of text.matchAll(/<FEFF([0-9A-Fa-f]+)>/g)) {
    const b = Buffer.from(h[1], "hex");
    let s = "";
    for (let i = 0; i + 1 < b.length; i += 2) s += String.fromCharCode((b[i] << 8) | b[i + 1]);
    out.push(s);
  }
  for (const l of text.matchAll(/\/Title\s*\(((?:\\.|[^\\)])*)\)/g)) out.push(l[1].replace(/\\(.)/g, "$1"));
  return { out, pages: (bin.match(/\/Type\s*\/Page[^s]/g) || []).length };
}

test("the whole guide prints to a PDF with every chapter and every widget's storyboard", async () => {
  const page = await site.open("/print/", { ready: "[data-testid=print-book]" });
  const titles = await page.locator(".print-chapter-title").allTextContents();
  assert.ok(titles.length >= 18, `${titles.length} chapters on the page`);
  const boards = await page.locator(".storyboard").count();
  const mounts = await page.evaluate(async () => {
    // The number of widget placements in the guide, from the chapter pages themselves.
    let n = 0;
    for (const a of document.querySelectorAll("#toc a[href]")) {
      const html = await (await fetch(a.href)).text();
      n += (html.match(/data-mount=/g) || []).length;
    }
    return n;
  });
  assert.equal(boards, mounts, "one storyboard per widget placement");
  assert.ok((await page.locator(".storyboard svg.sb-svg").count()) >= boards * 2, "key frames drawn");
  assert.equal(await page.locator(".print-book .widget-mount").count(), 0, "no live widgets");

  await page.emulateMedia({ media: "print" });
  assert.equal(await page.locator(".site-header").evaluate((e) => getComputedStyle(e).display), "none", "no navigation chrome");
  assert.equal(await page.locator(".print-part").nth(1).evaluate((e) => getComputedStyle(e).breakBefore), "page", "parts start on a new page");
  const ext = page.locator('.print-book a[href^="http"]').first();
  if (await ext.count()) {
    assert.match(await ext.evaluate((a) => getComputedStyle(a, "::after").content), /http/, "link URLs are shown");
  }

  const t0 = Date.now();
  const pdf = await page.pdf({ format: "A4", outline: true, tagged: true, printBackground: true });
  const { out, pages } = pdfStrings(pdf);
  console.log(`print: ${pages} PDF pages, ${(pdf.length / 1024).toFixed(0)} KB, in ${Date.now() - t0} ms`);
  for (const t of titles) assert.ok(out.some((s) => s.includes(t.trim())), `"${t}" is in the PDF`);
  assert.ok(pages >= 60 && pages <= 400, `a plausible page count: ${pages}`);
  assert.deepEqual(page.seen, []);
});

test("a chapter page prints without the shell or the search dialog", async () => {
  const page = await site.open("/databases/indexes");
  await page.emulateMedia({ media: "print" });
  for (const sel of [".site-header", "#toc", ".pager", ".site-footer", "[data-testid=search]"]) {
    assert.equal(await page.locator(sel).evaluate((e) => getComputedStyle(e).display), "none", sel);
  }
  // A live widget cannot print: in its place, a note names the storyboard on /print/.
  const note = page.locator(".widget-print-note").first();
  assert.equal(await note.evaluate((e) => getComputedStyle(e).display), "block", "the note prints");
  const target = (await note.textContent()).match(/\/print\/#(\S+?)\.?,/)?.[1];
  assert.ok(target, await note.textContent());
  await page.emulateMedia({ media: "screen" });
  assert.equal(await note.evaluate((e) => getComputedStyle(e).display), "none", "the note is for paper only");
  const book = await site.open("/print/");
  assert.equal(await book.locator(`[id="${target}"]`).count(), 1, `the storyboard ${target} is on /print/`);
});
