// A small static server for the built site, for tests and previews. It serves dist/ on
// 127.0.0.1 with correct content types and no rewrite rules, as a plain static host would:
// a directory serves its index.html, and a path with no file gets 404.html with status 404.
// It never serves outside dist/.
import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
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

/** `headers` go on every response (a test adds a Content-Security-Policy); `override` maps a
 * path to a body served instead of the file (a test simulates a new deploy of sw.js); `slow`
 * delays some files. */
export function startServer({ root = "dist", port = 0, base = "/", headers = {}, override = {}, slow = null } = {}) {
  const dir = resolve(root);
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
      res.writeHead(200, { ...headers, "content-type": TYPES[extname(target)] ?? "application/octet-stream", "cache-control": "no-cache" });
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
