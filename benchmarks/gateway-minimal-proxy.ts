/**
 * Reference point for the gateway benchmark: the least a Node.js proxy can do — read the body, send it
 * to the upstream over an undici pool, send the answer back (streams piped as they come). No parsing,
 * no validation, no routing, keys, traces, metrics or logs. What it costs is the floor any Node
 * gateway on this machine pays for the second HTTP hop.
 *   npx tsx benchmarks/gateway-minimal-proxy.ts --upstream http://127.0.0.1:PORT   (prints `READY <url>`)
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Pool } from "undici";

const upstreamIndex = process.argv.indexOf("--upstream");
const upstream = process.argv[upstreamIndex + 1];
if (upstreamIndex < 0 || upstream === undefined) throw new Error("usage: gateway-minimal-proxy.ts --upstream URL");
const pool = new Pool(upstream, { keepAliveTimeout: 60_000 });

const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on("data", (chunk: Buffer) => chunks.push(chunk));
  request.on("end", () => {
    pool
      .request({ path: request.url ?? "/", method: "POST", headers: { "content-type": "application/json" }, body: Buffer.concat(chunks) })
      .then(async (answer) => {
        response.writeHead(answer.statusCode, { "content-type": String(answer.headers["content-type"] ?? "application/json") });
        for await (const chunk of answer.body) response.write(chunk);
        response.end();
      })
      .catch(() => response.destroy());
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => process.stdout.write(`READY http://127.0.0.1:${(server.address() as AddressInfo).port}\n`));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
