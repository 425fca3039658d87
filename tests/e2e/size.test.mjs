// `make size` must say what to cut when a budget breaks: the biggest files of the page, then
// its wasm by crate and by function. These tests check the wasm reader on a module built here
// byte by byte, then the whole failure path on the real dist/ with a budget lowered to fail.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { parseWasm, breakdown, crateOf, demangleLegacy } from "../../scripts/wasm-breakdown.mjs";

const u8 = (...b) => Buffer.from(b);
const str = (s) => Buffer.concat([u8(s.length), Buffer.from(s)]);
const section = (id, body) => Buffer.concat([u8(id, body.length), body]);

/** One imported function, two defined ones (bodies of 2 and 5 bytes), 3 bytes of data, names. */
function module() {
  const names = Buffer.concat([
    u8(3),
    u8(0), str("env::imported"),
    u8(1), str("core::fmt::write::h0123456789abcdef"),
    u8(2), str("<leptos::View as core::clone::Clone>::clone"),
  ]);
  return Buffer.concat([
    u8(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00),
    section(1, u8(1, 0x60, 0, 0)),
    section(2, Buffer.concat([u8(1), str("m"), str("f"), u8(0, 0)])),
    section(3, u8(2, 0, 0)),
    section(10, u8(2, 2, 0, 0x0b, 5, 0, 1, 1, 1, 0x0b)),
    section(11, u8(1, 2, 3)),
    section(0, Buffer.concat([str("name"), u8(1, names.length), names])),
  ]);
}

test("the wasm reader finds each body's function index, size and name", () => {
  const m = parseWasm(module());
  assert.deepEqual(m.bodies, [{ index: 1, size: 3 }, { index: 2, size: 6 }], "imports come first in the index space");
  assert.equal(m.names.get(2), "<leptos::View as core::clone::Clone>::clone");
  assert.equal(m.data, 3);
  const b = breakdown(module(), { scaleTo: 1200 });
  assert.deepEqual(b.crates.map((c) => [c.crate, c.bytes]), [["leptos", 6], ["core", 3], ["(data: strings and tables)", 3]]);
  assert.equal(b.crates[0].estimate, 600, "shares scale to the shipped size");
  assert.equal(b.functions[0].name, "<leptos::View as core::clone::Clone>::clone");
  assert.throws(() => parseWasm(Buffer.from("not wasm at all")), /not a wasm module/);
  assert.throws(() => parseWasm(module().subarray(0, 30)), /overruns|truncated/);
});

test("crate names come from demangled and mangled paths alike", () => {
  assert.equal(crateOf("_ZN4core3fmt5write17h0123456789abcdefE"), "core");
  assert.equal(crateOf("&mut dyn techbasics::sim::timeline::Machine"), "techbasics");
  assert.equal(crateOf("_ZN53_$LT$T$u20$as$u20$tachys..view..any_view..IntoAny$GT$8into_any17h33b5f41ae0ff0123E"), "tachys");
  assert.equal(crateOf("_RNvMs0_NtCsjqx8TIyZbP9_8dlmalloc8dlmallocINtB5_8DlmallocNtNtB7_3sys6SystemE6mallocCsebHcaeoSrxy_3std"), "dlmalloc");
  assert.equal(demangleLegacy("_ZN10techbasics3sim3txn2Db5write17h16eae11c4989a9f3E"), "techbasics::sim::txn::Db::write");
  assert.equal(crateOf("main"), "(runtime and shims)");
  assert.equal(crateOf(undefined), "(unnamed)");
});

test("a page over budget is named with its biggest files, crates and functions; CSS by section", () => {
  const run = spawnSync(process.execPath, ["scripts/size-report.mjs", "dist"], { env: { ...process.env, BUDGET_FIRST_LOAD_KB: "1" }, encoding: "utf8" });
  assert.equal(run.status, 1, "a broken budget fails");
  assert.match(run.stderr, /Over budget: the first load of .* is [\d.]+ KB brotli; the budget is 1 KB/);
  assert.match(run.stderr, /Biggest contributors: \S+\.wasm [\d.]+ KB/);
  assert.match(run.stderr, /by crate/);
  assert.match(run.stderr, /^ {4}techbasics\s+[\d.]+%\s+[\d.]+ KB$/m, "crates are named with their share");
  assert.match(run.stderr, /biggest functions:\n {4}\S/);
  assert.match(run.stderr, /techbasics-[0-9a-f]+_bg\.wasm: by crate/, "the shell's wasm is broken down too");
  assert.doesNotMatch(run.stderr, /no named build/, "every wasm of the page is found in target/");
  const css = spawnSync(process.execPath, ["scripts/size-report.mjs", "dist"], { env: { ...process.env, BUDGET_CSS_KB: "1" }, encoding: "utf8" });
  assert.equal(css.status, 1, "a broken CSS budget fails");
  assert.match(css.stderr, /by section/);
  assert.match(css.stderr, /^ {4}widget: transaction-rollback — Transactions.*\s[\d.]+$/m, "sections are named by their heading comment");
  const bundle = spawnSync(process.execPath, ["scripts/size-report.mjs", "dist"], { env: { ...process.env, BUDGET_BUNDLE_KB: "110" }, encoding: "utf8" });
  assert.equal(bundle.status, 1, "a widget bundle over its budget fails");
  assert.match(bundle.stderr, /Over budget: the load-balancer bundle is [\d.]+ KB brotli; the budget is 110 KB\./);
  assert.doesNotMatch(bundle.stderr, /the json-inspector bundle/, "a bundle within the budget is not named");
  assert.match(bundle.stderr, /widget-load-balancer\.wasm/, "the failing bundle's wasm is broken down");
  const ok = spawnSync(process.execPath, ["scripts/size-report.mjs", "dist"], { encoding: "utf8" });
  assert.equal(ok.status, 0, ok.stderr);
});
