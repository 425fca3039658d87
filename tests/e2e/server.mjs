// A small static server for the built site, for tests and previews. It serves dist/ on
// 127.0.0.1 with correct content types and no rewrite rules, as a plain static host would:
// a directory serves its index.html, and a path with no file gets 404.html with status 404.
// It never serves outside dist/. Like a CDN it compresses text and wasm with brotli when the
// client accepts it, and lets hashed files be cached for a year.
import { createServer } from "node:http";
import { brotliCompressSync, constants } from "node:zlib";
import { readFile, stat } from "node:fs/promises";
import { readdirSync, readFileSync } from "node:fs";
import { extname, join, normalize, resolve } from "node:path";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".xml": "application/xml",
  ".txt": "text/plain; charset=utf-8",
};

const COMPRESS = new Set([".html", ".js", ".css", ".wasm", ".json", ".svg", ".xml", ".txt"]);
const HASHED = /-[0-9a-f]{16}(_bg)?\.(js|wasm|css|svg|txt)$/;
const packed = new Map();

/** The body as sent: brotli-compressed (and remembered) when the client takes it. */
function encode(req, path, body, headers) {
  if (!COMPRESS.has(extname(path)) || !/\bbr\b/.test(req.headers["accept-encoding"] ?? "")) return body;
  const key = `${path}:${body.length}`;
  if (!packed.has(key)) packed.set(key, brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
  headers["content-encoding"] = "br";
  return packed.get(key);
}

/** `headers` go on every response (a test adds a Content-Security-Policy); `override` maps a
 * path to a body served instead of the file (a test simulates a new deploy of sw.js); `slow`
 * delays some files. */
export function startServer({ root = "dist", port = 0, base = "/", headers = {}, override = {}, slow = null, precompress = false } = {}) {
  const dir = resolve(root);
  // Compress everything up front, as a CDN serves it, so no request waits on the compressor.
  if (precompress) {
    const walk = (d) => readdirSync(d, { withFileTypes: true }).forEach((e) => (e.isDirectory() ? walk(join(d, e.name)) : encode({ headers: { "accept-encoding": "br" } }, join(d, e.name), readFileSync(join(d, e.name)), {})));
    walk(dir);
  }
  const server = createServer(async (req, res) => {
    try {
      let path = decodeURIComponent(new URL(req.url, "http://x").pathname);
      // `slow: { pattern, ms }` delays matching files, as a slow network would.
      if (slow && slow.pattern.test(path)) await new Promise((ok) => setTimeout(ok, slow.ms));
      if (override[path] !== undefined) {
        res.writeHead(200, { ...headers, "content-type": TYPES[extname(path)] ?? "text/plain", "cache-control": "no-cache" }).end(override[path]);
        return;
      }
      if (!path.startsWith(base)) {
        res.writeHead(404, { "content-type": "text/plain" }).end("not under the base path");
        return;
      }
      path = "/" + path.slice(base.length);
      const file = normalize(join(dir, path));
      if (!file.startsWith(dir)) {
        res.writeHead(403).end();
        return;
      }
      let target = file;
      const info = await stat(file).catch(() => null);
      if (info?.isDirectory()) target = join(file, "index.html");
      let body = await readFile(target).catch(() => null);
      if (body === null) {
        const page = await readFile(join(dir, "404.html")).catch(() => null);
        res.writeHead(404, { ...headers, "content-type": page ? TYPES[".html"] : "text/plain" }).end(page ?? "not found");
        return;
      }
      const out = { ...headers, "content-type": TYPES[extname(target)] ?? "application/octet-stream", "cache-control": HASHED.test(target) ? "public, max-age=31536000, immutable" : "no-cache", vary: "accept-encoding" };
      body = encode(req, target, body, out);
      res.writeHead(200, out);
      res.end(body);
    } catch (e) {
      res.writeHead(500).end(String(e));
    }
  });
  return new Promise((ok) => server.listen(port, "127.0.0.1", () => ok(server)));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const port = Number(process.env.PORT ?? 8080);
  const server = await startServer({ port, base: process.env.BASE ?? "/" });
  console.log(`Serving dist/ at http://127.0.0.1:${server.address().port}${process.env.BASE ?? "/"}`);
}
