/**
 * The machine's ceiling for `serve --workers N` (issue 17): a bare node:http server with no Switchyard in it,
 * run as one process or as a node:cluster of N workers on one port (the same round-robin hand-out as
 * `serve --workers`), so `benchmarks/scale-out-redis.ts --only ceiling` can compare Switchyard's 2-worker
 * scaling with what this machine allows at all when the load generator, the upstream and redis-server share
 * its cores.
 *
 *   npx tsx benchmarks/bare-cluster-server.ts --workers 2 [--upstream http://127.0.0.1:P] [--redis redis://127.0.0.1:P]
 *     prints `READY http://127.0.0.1:PORT pids PRIMARY,WORKER,…` once every worker listens
 *
 * Without `--upstream` every POST is answered with a fixed chat completion (no hop: the bare HTTP ceiling).
 * With it, the request body is parsed and forwarded to `<upstream>/v1/chat/completions` over an undici pool
 * (as Switchyard's upstream client), the answer parsed and returned; with `--redis` too, each request makes
 * the same three sequential Redis round trips as Switchyard's keyed path (rate-limit admit and budget reserve
 * before the upstream call, settle after), each a small Lua script — the same hops, without the gateway.
 */
import cluster from "node:cluster";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { Redis } from "ioredis";
import { Pool } from "undici";

const option = (name: string): string | undefined => {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
};
const workers = Number(option("--workers") ?? "1");
const upstreamUrl = option("--upstream");
const redisUrl = option("--redis");

const fixed = JSON.stringify({
  id: "chatcmpl-bench",
  object: "chat.completion",
  created: 1_700_000_000,
  model: "bench",
  choices: [{ index: 0, message: { role: "assistant", content: "The answer is 4. Two plus two equals four.", refusal: null }, logprobs: null, finish_reason: "stop" }],
  usage: { prompt_tokens: 12, completion_tokens: 11, total_tokens: 23 },
  system_fingerprint: null,
});

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.once("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.once("error", reject);
  });
}

interface Hops {
  admit(member: string): Promise<unknown>;
  reserve(member: string): Promise<unknown>;
  settle(member: string): Promise<unknown>;
}

function startServer(): void {
  const pool = upstreamUrl === undefined ? undefined : new Pool(upstreamUrl, { connections: 64, pipelining: 1, keepAliveTimeout: 60_000 });
  let hops: Hops | undefined;
  if (redisUrl !== undefined) {
    const redis = new Redis(redisUrl);
    // Small scripts of the same shape as the coordination's (a TIME read, a write or two under one hash tag).
    redis.defineCommand("bareAdmit", { numberOfKeys: 1, lua: "local t = redis.call('TIME') redis.call('ZADD', KEYS[1], t[1], ARGV[1]) redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', t[1] - 60) return {0, 0}" });
    redis.defineCommand("bareReserve", { numberOfKeys: 1, lua: "redis.call('TIME') redis.call('HINCRBY', KEYS[1], 'reserved', 1) redis.call('HSET', KEYS[1], 'r:' .. ARGV[1], 1) return {1, 0, 0}" });
    redis.defineCommand("bareSettle", { numberOfKeys: 1, lua: "redis.call('HDEL', KEYS[1], 'r:' .. ARGV[1]) redis.call('HINCRBY', KEYS[1], 'reserved', -1) return {0, 0}" });
    const scripted = redis as unknown as Record<"bareAdmit" | "bareReserve" | "bareSettle", (key: string, member: string) => Promise<unknown>>;
    hops = {
      admit: (member) => scripted.bareAdmit("bare:{rl}", member),
      reserve: (member) => scripted.bareReserve("bare:{budget}", member),
      settle: (member) => scripted.bareSettle("bare:{budget}", member),
    };
  }
  let counter = 0;
  const server = createServer((request, response) => {
    void (async () => {
      const text = await readBody(request);
      if (pool === undefined) {
        response.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(fixed) });
        response.end(fixed);
        return;
      }
      const body = JSON.parse(text) as { model?: string };
      const member = `${process.pid}:${(counter++).toString(36)}`;
      await hops?.admit(member);
      await hops?.reserve(member);
      const answer = await pool.request({ path: "/v1/chat/completions", method: "POST", headers: { "content-type": "application/json", authorization: "Bearer upstream" }, body: JSON.stringify(body) });
      const payload = await answer.body.text();
      const parsed = JSON.parse(payload) as { usage?: { total_tokens?: number } };
      await hops?.settle(member);
      response.writeHead(answer.statusCode, { "content-type": "application/json", "content-length": Buffer.byteLength(payload), "x-tokens": String(parsed.usage?.total_tokens ?? 0) });
      response.end(payload);
    })().catch((error: unknown) => {
      response.writeHead(500, { "content-type": "text/plain" });
      response.end(error instanceof Error ? error.message : String(error));
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(Number(process.env.BARE_PORT ?? "0"), "127.0.0.1", () => {
    const port = (server.address() as AddressInfo).port;
    if (cluster.isWorker) process.send?.({ type: "bare:listening", port });
    else process.stdout.write(`READY http://127.0.0.1:${port} pids ${process.pid}\n`);
  });
  process.on("SIGTERM", () => server.close(() => process.exit(0)));
}

if (workers > 1 && cluster.isPrimary) {
  // Workers listen on port 0 through the primary: node:cluster gives all of them the same port.
  const forked = Array.from({ length: workers }, () => cluster.fork());
  let listening = 0;
  for (const worker of forked) {
    worker.on("message", (message: { type?: string; port?: number }) => {
      if (message?.type !== "bare:listening") return;
      listening++;
      if (listening === workers) process.stdout.write(`READY http://127.0.0.1:${message.port} pids ${[process.pid, ...forked.map((entry) => entry.process.pid)].join(",")}\n`);
    });
  }
  process.on("SIGTERM", () => {
    for (const worker of forked) worker.process.kill("SIGTERM");
    process.exit(0);
  });
} else {
  startServer();
}
