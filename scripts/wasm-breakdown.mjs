// What a wasm file is made of: the size of each function's body, named from the module's
// `name` section and grouped by the crate its (demangled) path starts with, plus the data
// segments. `make size` prints this for the biggest wasm of a page over budget, so the
// failure says which crates and functions to look at, not only which file.
//
// The shipped wasm has been through wasm-opt, which drops the names, so the breakdown reads
// the same bin as cargo left it (target/wasm32-unknown-unknown/release/BIN.wasm) and scales
// each share to the shipped file's brotli size: an estimate, labelled as one.
import { readFileSync, existsSync } from "node:fs";

/** Reads an unsigned LEB128 at `pos`; returns [value, next position]. */
function leb(buf, pos) {
  let result = 0;
  let shift = 0;
  for (;;) {
    const b = buf[pos++];
    if (b === undefined) throw new Error("truncated LEB128");
    result += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if ((b & 0x80) === 0) return [result, pos];
  }
}

function str(buf, pos) {
  const [len, p] = leb(buf, pos);
  return [buf.subarray(p, p + len).toString("utf8"), p + len];
}

/** Skips a `limits` (table or memory): a flags byte, a minimum and an optional maximum. */
function limits(buf, pos) {
  const flags = buf[pos++];
  [, pos] = leb(buf, pos);
  if (flags & 1) [, pos] = leb(buf, pos);
  return pos;
}

/**
 * Parses the sections a size breakdown needs. Returns `{ bodies: [{ index, size }],
 * names: Map(index → name), data, sections: [{ id, name, size }] }`, where a body's index is
 * its function index (imported functions come first in that index space).
 */
export function parseWasm(buf) {
  if (buf.readUInt32LE(0) !== 0x6d736100) throw new Error("not a wasm module");
  let pos = 8;
  let imported = 0;
  const bodies = [];
  const names = new Map();
  const sections = [];
  let data = 0;
  while (pos < buf.length) {
    const id = buf[pos++];
    let size;
    [size, pos] = leb(buf, pos);
    const end = pos + size;
    if (end > buf.length) throw new Error(`section ${id} overruns the file`);
    let name = ["custom", "type", "import", "function", "table", "memory", "global", "export", "start", "element", "code", "data", "data count", "tag"][id] ?? `section ${id}`;
    if (id === 2) {
      let n;
      [n, pos] = leb(buf, pos);
      for (let i = 0; i < n; i++) {
        [, pos] = str(buf, pos);
        [, pos] = str(buf, pos);
        const kind = buf[pos++];
        if (kind === 0) { [, pos] = leb(buf, pos); imported++; }
        else if (kind === 1) pos = limits(buf, pos + 1);
        else if (kind === 2) pos = limits(buf, pos);
        else if (kind === 3) pos += 2;
        else if (kind === 4) [, pos] = leb(buf, pos + 1);
        else throw new Error(`unknown import kind ${kind}`);
      }
    } else if (id === 10) {
      let n;
      [n, pos] = leb(buf, pos);
      for (let i = 0; i < n; i++) {
        const [len, p] = leb(buf, pos);
        bodies.push({ index: imported + i, size: p - pos + len });
        pos = p + len;
      }
    } else if (id === 11) {
      data = size;
    } else if (id === 0) {
      let custom;
      [custom, pos] = str(buf, pos);
      name = `custom "${custom}"`;
      if (custom === "name") {
        while (pos < end) {
          const sub = buf[pos++];
          let len;
          [len, pos] = leb(buf, pos);
          if (sub === 1) {
            let n;
            let p = pos;
            [n, p] = leb(buf, p);
            for (let i = 0; i < n; i++) {
              let idx;
              let fname;
              [idx, p] = leb(buf, p);
              [fname, p] = str(buf, p);
              names.set(idx, fname);
            }
          }
          pos += len;
        }
      }
    }
    sections.push({ id, name, size });
    pos = end;
  }
  return { bodies, names, data, sections };
}

/** The legacy-mangled Rust symbol (`_ZN4core3fmt5write17h…E`) as a path, or null. */
export function demangleLegacy(sym) {
  if (!/^_?_ZN\d/.test(sym)) return null;
  const parts = [];
  let pos = sym.indexOf("ZN") + 2;
  for (let m; (m = /^(\d+)/.exec(sym.slice(pos))); ) {
    pos += m[1].length;
    parts.push(sym.slice(pos, pos + Number(m[1])));
    pos += Number(m[1]);
  }
  if (/^h[0-9a-f]{16}$/.test(parts.at(-1) ?? "")) parts.pop();
  const codes = { SP: "@", BP: "*", RF: "&", LT: "<", GT: ">", LP: "(", RP: ")", C: "," };
  const unescape = (seg) =>
    seg
      .replace(/^_(?=\$)/, "")
      .replace(/\$(SP|BP|RF|LT|GT|LP|RP|C|u[0-9a-f]+)\$/g, (_, c) => codes[c] ?? String.fromCodePoint(parseInt(c.slice(1), 16)))
      .replace(/\.\./g, "::");
  return parts.map(unescape).join("::");
}

/** The crate of a v0-mangled Rust symbol (`_RNvNtCs…_4core3fmt5write`): its first crate root. */
function v0Crate(sym) {
  if (!sym.startsWith("_R")) return null;
  const m = /C(?:s[0-9A-Za-z]*_)?(\d+)_?/.exec(sym.slice(2));
  return m ? sym.slice(2 + m.index + m[0].length, 2 + m.index + m[0].length + Number(m[1])) : null;
}

/**
 * The crate a function name belongs to: the first segment of its Rust path, looking inside
 * `<T as Trait>` and `&`/`dyn` prefixes. Names that are not Rust paths (the allocator,
 * compiler builtins, wasm-bindgen's shims) go to "(runtime and shims)".
 */
export function crateOf(name) {
  if (!name) return "(unnamed)";
  const v0 = v0Crate(name);
  if (v0) return v0;
  const path = demangleLegacy(name) ?? name;
  // `<T as tachys::view::Render>::build`: a generic type's code belongs to the trait's crate.
  const generic = /^<[A-Za-z_]\w* as ([A-Za-z_]\w*)::/.exec(path);
  if (generic) return generic[1];
  const s = path.replace(/^(<|&|mut |dyn |\*const |\*mut |\[)+/, "");
  const m = /^([A-Za-z_][A-Za-z0-9_]*)::/.exec(s);
  return m ? m[1] : "(runtime and shims)";
}

/**
 * Code size by crate and the biggest functions of one wasm file, each with its share of all
 * code and data. `scaleTo` (bytes) turns shares into estimated bytes of the shipped file.
 */
export function breakdown(buf, { top = 8, scaleTo } = {}) {
  const { bodies, names, data } = parseWasm(buf);
  const scale = (n) => (scaleTo ? (n / total) * scaleTo : n);
  const byCrate = new Map();
  // wasm-bindgen runs its `__wbindgen_describe_*` functions at build time and drops them.
  const shipped = bodies.filter((b) => !(names.get(b.index) ?? "").startsWith("__wbindgen_describe"));
  const total = shipped.reduce((a, b) => a + b.size, 0) + data;
  for (const b of shipped) {
    const c = crateOf(names.get(b.index));
    byCrate.set(c, (byCrate.get(c) ?? 0) + b.size);
  }
  if (data) byCrate.set("(data: strings and tables)", data);
  const crates = [...byCrate].map(([crate, bytes]) => ({ crate, bytes, share: bytes / total, estimate: scale(bytes) })).sort((a, b) => b.bytes - a.bytes);
  const functions = shipped
    .map((b) => ({ name: demangleLegacy(names.get(b.index) ?? "") ?? names.get(b.index) ?? `function ${b.index}`, bytes: b.size, share: b.size / total, estimate: scale(b.size) }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, top);
  return { total, named: names.size, crates: crates.slice(0, top), functions };
}

/** The unoptimised, still named wasm cargo built for a shipped file, or null. */
export function namedSourceFor(shippedFile, targetDir = "target/wasm32-unknown-unknown/release") {
  const base = shippedFile.split("/").pop();
  // Trunk's shell (techbasics-HASH_bg.wasm) and scripts/bundles.sh's bundles (ID-HASH_bg.wasm).
  const m = /^(.*)-[0-9a-f]{1,16}_bg\.wasm$/.exec(base);
  if (!m) return null;
  for (const bin of [m[1], `widget-${m[1]}`, `lazy-${m[1]}`]) {
    const p = `${targetDir}/${bin}.wasm`;
    if (existsSync(p)) return p;
  }
  return null;
}

/** Lines describing `shippedFile` (its brotli size `brotli`), for a failure message. */
export function explain(shippedFile, brotli, { top = 8 } = {}) {
  const src = namedSourceFor(shippedFile);
  if (!src) return [`  (no named build of ${shippedFile} in target/ to break down)`];
  const b = breakdown(readFileSync(src), { top, scaleTo: brotli });
  const pct = (x) => `${(x * 100).toFixed(1).padStart(5)}%`;
  const kb = (n) => `${(n / 1024).toFixed(1).padStart(6)} KB`;
  const out = [`  ${shippedFile}: by crate (share of ${src}, ~ brotli KB of the shipped file)`];
  for (const c of b.crates) out.push(`    ${c.crate.padEnd(32)} ${pct(c.share)} ${kb(c.estimate)}`);
  out.push(`  biggest functions:`);
  for (const f of b.functions) out.push(`    ${f.name.slice(0, 90).padEnd(90)} ${pct(f.share)} ${kb(f.estimate)}`);
  return out;
}
