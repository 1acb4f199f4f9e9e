// The benchmark's static server: dist/ on a free port, cross-origin isolated
// (COOP + COEP), so performance.now() in the page is precise to ~5 µs instead
// of 100 µs. Besides dist/ it serves, under /__bench/:
//   peers.js         the peers' bundle (bench/peers/, built with esbuild)
//   peer.html        a blank page that loads it
//   history/<name>   export files the script made, to fetch in the page
const http = require("node:http");
const fs = require("node:fs");
const path = require("node:path");

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
};

const PEER_PAGE = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Kiroku benchmark peers</title>
<script src="/__bench/peers.js"></script></head><body><p>Peers of the Kiroku benchmark.</p></body></html>`;

/** Starts the server; resolves to {port, origin, files, close()}. `files` maps /__bench/ paths to bodies. */
function serve({ root, isolated = true }) {
  const files = new Map([["peer.html", { type: TYPES[".html"], body: PEER_PAGE }]]);
  const server = http.createServer((request, response) => {
    const headers = isolated ? { "cross-origin-opener-policy": "same-origin", "cross-origin-embedder-policy": "require-corp" } : {};
    headers["cache-control"] = "no-store";
    const pathname = decodeURIComponent(new URL(request.url, "http://x").pathname);
    if (pathname.startsWith("/__bench/")) {
      const file = files.get(pathname.slice("/__bench/".length));
      if (!file) return void response.writeHead(404, headers).end("not found");
      return void response.writeHead(200, { ...headers, "content-type": file.type }).end(file.body);
    }
    const relative = path.normalize(pathname).replace(/^(\.\.[/\\])+/, "");
    const file = path.join(root, relative.endsWith("/") ? path.join(relative, "index.html") : relative);
    fs.readFile(file, (error, body) => {
      if (error) return void response.writeHead(404, headers).end("not found");
      response.writeHead(200, { ...headers, "content-type": TYPES[path.extname(file)] ?? "application/octet-stream" }).end(body);
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      resolve({ port, origin: `http://127.0.0.1:${port}`, files, close: () => new Promise((done) => server.close(done)) });
    });
  });
}

module.exports = { serve, TYPES };
