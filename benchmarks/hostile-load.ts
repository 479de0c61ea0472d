/**
 * Hostile load (issue 15): a gateway with API keys (SQLite store, the real `serve` path, plain gateway)
 * in its own process, an attacker process holding `--slow` slow connections (half trickle their
 * headers, half send valid headers and trickle the body) and sending `--keyless` requests without a
 * key, while a normal client (this process) measures its p99 against the idle p99 measured just
 * before. Also measures the gateway's peak RSS during the attack, the store's growth (SQLite file after
 * a TRUNCATE checkpoint, so WAL size does not blur it), and the deep-JSON refusal cost before/after the
 * depth pre-scan. Loopback only; every loop is bounded in count and time.
 *
 * The flood is paced at `--flood-rate` requests per second (default 785, the rate of the issue's
 * reproduction); `--flood-rate 0` sends as fast as 32 connections can (closed loop, saturating the cores).
 *
 * `--server bare` runs the same scenario against the ceiling instead of Switchyard: a bare Node HTTP
 * server with the gateway's read timeouts that answers a keyless request with a prebuilt 401 and
 * forwards a keyed one to the upstream over an undici pool (no parsing, keys, store or logs) — what any
 * Node gateway sharing these cores with the attacker can at best achieve.
 *
 * `--server both` runs Switchyard and the bare ceiling in one invocation under the identical attack
 * (alternating which goes first), `--flood-rates 785,0` runs each server at each flood rate, and the
 * summary table puts them side by side with the server's CPU per keyless request (the load-robust
 * figure). `--pin` puts the server on CPU 0 and everything else (this process: normal client and
 * upstream; the attacker) on CPU 1 with `taskset`, so the attack cannot take the server's core.
 *
 *   node --import tsx benchmarks/hostile-load.ts [--slow 3000] [--keyless 30000] [--normal 2000] [--flood-rate 785 | --flood-rates 785,0]
 *     [--server switchyard|bare|both] [--pin]
 */
import { execFileSync, fork, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { connect, type Socket } from "node:net";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { Pool } from "undici";
import { stringify } from "yaml";
import { parseJsonBody } from "../src/gateway/read-json-body.js";
import { quantile } from "./gateway-load.js";

const self = fileURLToPath(import.meta.url);
const argument = (name: string, fallback: number) => {
  const index = process.argv.indexOf(`--${name}`);
  return index < 0 ? fallback : Number(process.argv[index + 1]);
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const chatBody = JSON.stringify({ model: "m", messages: [{ role: "user", content: "hello there" }], max_tokens: 8 });

// ─── role: server ─────────────────────────────────────────────────────────────────────────────────
async function runServer(): Promise<void> {
  const { startGatewayFromConfig } = await import("../src/gateway/start-gateway-from-config.js");
  const silent = { info() {}, warn() {}, error() {} };
  const gateway = await startGatewayFromConfig({ configPath: String(process.env.HOSTILE_CONFIG), port: 0, logger: silent });
  const { key } = await gateway.services.keys.create({ name: "normal" });
  process.send?.({ url: gateway.url, key });
  process.on("message", (message: { type?: string }) => {
    if (message.type === "flush") void gateway.services.flush().then(() => process.send?.({ flushed: true }));
    if (message.type === "stop") void gateway.shutdown(0).then(() => process.exit(0));
  });
}

// ─── role: bare server (the ceiling) ──────────────────────────────────────────────────────────────
async function runBareServer(): Promise<void> {
  const upstream = new Pool(String(process.env.HOSTILE_UPSTREAM), { connections: 64, keepAliveTimeout: 60_000 });
  const key = "sy-bare-normal-key";
  const refusal = Buffer.from(JSON.stringify({ error: { message: "Missing API key", type: "authentication_error", param: null, code: "unauthorized" } }));
  const server = createServer({ keepAliveTimeout: 65_000, headersTimeout: 10_000, requestTimeout: 60_000, connectionsCheckingInterval: 1_000 }, (request, response) => {
    if (request.headers.authorization !== `Bearer ${key}`) {
      response.writeHead(401, { "content-type": "application/json", "content-length": String(refusal.length) });
      response.end(refusal);
      return;
    }
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      upstream
        .request({ path: "/v1/chat/completions", method: "POST", headers: { "content-type": "application/json" }, body: Buffer.concat(chunks) })
        .then(async (answer) => {
          const text = await answer.body.text();
          response.writeHead(answer.statusCode, { "content-type": "application/json", "content-length": String(Buffer.byteLength(text)) });
          response.end(text);
        })
        .catch(() => response.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  process.send?.({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, key });
  process.on("message", (message: { type?: string }) => {
    if (message.type === "flush") process.send?.({ flushed: true });
    if (message.type === "stop") process.exit(0);
  });
}

// ─── role: attacker ───────────────────────────────────────────────────────────────────────────────
async function runAttacker(): Promise<void> {
  const url = new URL(String(process.env.HOSTILE_URL));
  const key = String(process.env.HOSTILE_KEY);
  const slow = Number(process.env.HOSTILE_SLOW);
  const keyless = Number(process.env.HOSTILE_KEYLESS);
  const floodRate = Number(process.env.HOSTILE_FLOOD_RATE);
  const deadline = Date.now() + 400_000;
  let stopping = false;
  const sockets = new Set<Socket>();
  let slowOpened = 0;
  let slowClosedByServer = 0;
  // One slow client: connects, sends part of a request, then one byte a second until the server drops it; reconnects until the end.
  const slowClient = (bodyTrickler: boolean) => {
    if (stopping || Date.now() > deadline) return;
    const socket = connect(Number(url.port), url.hostname);
    slowOpened++;
    sockets.add(socket);
    let timer: NodeJS.Timeout | undefined;
    socket.on("connect", () => {
      socket.write(
        bodyTrickler
          ? `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${key}\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n{"model":"m","messages":[`
          : "POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\n",
      );
      timer = setInterval(() => socket.writable && socket.write(bodyTrickler ? " " : "x"), 1_000);
    });
    socket.on("data", () => undefined);
    socket.on("error", () => undefined);
    socket.on("close", () => {
      clearInterval(timer);
      sockets.delete(socket);
      if (!stopping) {
        slowClosedByServer++;
        setTimeout(() => slowClient(bodyTrickler), 100);
      }
    });
  };
  for (let index = 0; index < slow; index++) {
    slowClient(index % 2 === 1);
    if (index % 100 === 99) await sleep(10);
  }
  // The orchestrator measures the normal client against the slow clients alone first, then says "flood".
  process.send?.({ slowOpen: sockets.size });
  await new Promise<void>((resolve) => process.once("message", () => resolve()));
  // The keyless flood: 32 keep-alive connections, each request answered before the next.
  const pool = new Pool(url.origin, { connections: 32, pipelining: 1 });
  const statuses = new Map<number, number>();
  let sent = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (sent < keyless && Date.now() < deadline) {
        const index = sent++;
        // Paced: request i starts no earlier than i / rate seconds after the flood began.
        if (floodRate > 0) {
          const wait = started + (index * 1000) / floodRate - Date.now();
          if (wait > 0) await sleep(wait);
        }
        try {
          const response = await pool.request({ path: "/v1/chat/completions", method: "POST", headers: { "content-type": "application/json" }, body: chatBody });
          await response.body.dump();
          statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
        } catch {
          statuses.set(0, (statuses.get(0) ?? 0) + 1);
        }
      }
    }),
  );
  const floodMs = Date.now() - started;
  process.send?.({ floodDone: true, floodMs, statuses: Object.fromEntries(statuses), openSlow: sockets.size });
  await new Promise<void>((resolve) => process.once("message", () => resolve()));
  stopping = true;
  for (const socket of sockets) socket.destroy();
  await pool.close();
  process.send?.({ slowOpened, slowClosedByServer });
  process.exit(0);
}

// ─── role: orchestrator ───────────────────────────────────────────────────────────────────────────
/** Resident memory of a process now (MB), from /proc. */
function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

function storeBytes(path: string): { bytes: number; traces: number; keylessTraces: number } {
  const db = new Database(path);
  try {
    db.pragma("wal_checkpoint(TRUNCATE)");
    const traces = (db.prepare("SELECT COUNT(*) AS n FROM traces").get() as { n: number }).n;
    const keylessTraces = (db.prepare("SELECT COUNT(*) AS n FROM traces WHERE key_id IS NULL").get() as { n: number }).n;
    let wal = 0;
    try {
      wal = statSync(`${path}-wal`).size;
    } catch {
      wal = 0;
    }
    return { bytes: statSync(path).size + wal, traces, keylessTraces };
  } finally {
    db.close();
  }
}

/** `count` requests from `concurrency` keep-alive connections with the normal key; latencies in ms. */
async function normalClient(url: string, key: string, count: number, concurrency: number): Promise<{ latencies: number[]; errors: number; errorKinds: Record<string, number> }> {
  const pool = new Pool(url, { connections: concurrency, pipelining: 1 });
  const latencies: number[] = [];
  let errors = 0;
  const errorKinds: Record<string, number> = {};
  const failed = (kind: string) => {
    errors++;
    errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
  };
  let issued = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (issued < count) {
        issued++;
        const started = performance.now();
        try {
          const response = await pool.request({ path: "/v1/chat/completions", method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${key}` }, body: chatBody });
          await response.body.dump();
          if (response.statusCode !== 200) failed(String(response.statusCode));
          else latencies.push(performance.now() - started);
        } catch (error) {
          failed((error as { code?: string }).code ?? "error");
        }
      }
    }),
  );
  await pool.close();
  return { latencies: latencies.sort((a, b) => a - b), errors, errorKinds };
}

/** The depth walk the gateway used before the pre-scan (after JSON.parse), for the before/after figure. */
function depthExceedsAfterParse(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (depth > limit) return true;
    const children = Array.isArray(node) ? node : Object.values(node as object);
    for (const child of children) if (child !== null && typeof child === "object") stack.push([child, depth + 1]);
  }
  return false;
}

function deepJsonFigures(): { beforeMs: number; afterUs: number; bytes: number } {
  const levels = 520_000;
  const text = `{"x": ${"[".repeat(levels)}${"]".repeat(levels)}}`;
  const bytes = new TextEncoder().encode(text);
  const before: number[] = [];
  const after: number[] = [];
  for (let run = 0; run < 5; run++) {
    let started = performance.now();
    try {
      depthExceedsAfterParse(JSON.parse(text), 64);
    } catch {
      // V8 may refuse it itself past its stack; the time until then is what it cost.
    }
    before.push(performance.now() - started);
    started = performance.now();
    try {
      parseJsonBody(bytes, { maxDepth: 64 });
    } catch {
      // refused: the point
    }
    after.push(performance.now() - started);
  }
  before.sort((a, b) => a - b);
  after.sort((a, b) => a - b);
  return { beforeMs: before[2] as number, afterUs: (after[2] as number) * 1000, bytes: bytes.length };
}

function once<T>(child: ChildProcess, predicate: (message: T) => boolean): Promise<T> {
  return new Promise((resolve) => {
    const listener = (message: T) => {
      if (predicate(message)) {
        child.off("message", listener);
        resolve(message);
      }
    };
    child.on("message", listener);
  });
}

/** CPU time (user + system) a process has used, in ms (Linux /proc; clock ticks of 10 ms). */
function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /, "").split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Pins a process (all its threads) to one CPU (`taskset`); false when that is not possible here. */
function pin(pid: number, cpu: number): boolean {
  try {
    execFileSync("taskset", ["-a", "-p", "-c", String(cpu), String(pid)], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

interface ScenarioFigures {
  server: "switchyard" | "bare";
  floodRate: number;
  idle: { p50: number; p99: number };
  slowOnly: { p50: number; p99: number };
  attacked: { p50: number; p99: number };
  achievedRate: number;
  errors: string;
  rssIdle: number;
  rssPeak: number;
  attackStoreKiB: number;
  keylessTraces: number;
  cpuUsPerKeyless: number;
  normalCpuUs: number;
}

/** One run of the scenario against one server: idle, slow clients only, slow clients + the keyless flood. */
async function runScenario(options: { bare: boolean; floodRate: number; slow: number; keyless: number; normal: number; upstreamPort: number; pinned: boolean }): Promise<ScenarioFigures> {
  const { bare, floodRate, slow, keyless, normal, upstreamPort, pinned } = options;
  const directory = mkdtempSync(join(tmpdir(), "switchyard-hostile-load-"));
  const storePath = join(directory, "store.db");
  const configPath = join(directory, "switchyard.yaml");
  writeFileSync(configPath, stringify({ store: { path: storePath }, logging: { requests: false }, upstreams: [{ name: "u", baseUrl: `http://127.0.0.1:${upstreamPort}/v1` }], targets: [{ id: "m", inputUsdPerMTok: 1, outputUsdPerMTok: 2 }] }));

  const server = fork(self, ["--role", bare ? "bare-server" : "server"], { execArgv: ["--import", "tsx"], env: { ...process.env, HOSTILE_CONFIG: configPath, HOSTILE_UPSTREAM: `http://127.0.0.1:${upstreamPort}` }, stdio: ["ignore", "ignore", "inherit", "ipc"] });
  const name = bare ? "bare Node HTTP server (prebuilt 401, keyed requests forwarded): the ceiling" : "Switchyard (serve's path)";
  console.log(`\n#### ${name}, flood ${floodRate > 0 ? `paced at ${floodRate}/s` : "flat out (closed loop)"}; load average at start ${loadavg().map((value) => value.toFixed(1)).join(" ")}`);
  const storeOf = (path: string) => (bare ? { bytes: 0, traces: 0, keylessTraces: 0 } : storeBytes(path));
  const { url, key } = await once<{ url: string; key: string }>(server, (message) => "url" in message);
  if (pinned) pin(server.pid as number, 0);
  const flush = async () => {
    server.send({ type: "flush" });
    await once(server, (message: { flushed?: boolean }) => message.flushed === true);
  };

  await normalClient(url, key, 300, 4); // warm-up
  await flush();
  const beforeIdle = storeOf(storePath);
  const cpuBeforeIdle = cpuMsOf(server.pid as number);
  const idle = await normalClient(url, key, normal, 4);
  const normalCpuUs = (1000 * (cpuMsOf(server.pid as number) - cpuBeforeIdle)) / normal;
  await flush();
  const afterIdle = storeOf(storePath);
  const idleRss = rssMb(server.pid as number);

  const attacker = fork(self, ["--role", "attacker"], {
    execArgv: ["--import", "tsx"],
    env: { ...process.env, HOSTILE_URL: url, HOSTILE_KEY: key, HOSTILE_SLOW: String(slow), HOSTILE_KEYLESS: String(keyless), HOSTILE_FLOOD_RATE: String(floodRate) },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  if (pinned) pin(attacker.pid as number, 1);
  let peakRss = idleRss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMb(server.pid as number))), 100);
  const slowOpen = await once<{ slowOpen: number }>(attacker, (message) => "slowOpen" in message);
  await sleep(1_500); // let the last slow clients send their first bytes
  const slowOnly = await normalClient(url, key, normal, 4);
  const floodDone = once<{ floodMs: number; statuses: Record<string, number>; openSlow: number }>(attacker, (message) => "floodDone" in message);
  const cpuBeforeFlood = cpuMsOf(server.pid as number);
  attacker.send({ type: "flood" });
  const attacked = await normalClient(url, key, normal, 4);
  const flood = await floodDone;
  const floodCpuMs = cpuMsOf(server.pid as number) - cpuBeforeFlood;
  attacker.send({ type: "stop" });
  const slowStats = await once<{ slowOpened: number; slowClosedByServer: number }>(attacker, (message) => "slowOpened" in message);
  clearInterval(sampler);
  await flush();
  const afterAttack = storeOf(storePath);

  const p99Idle = quantile(idle.latencies, 0.99);
  const p99Attack = quantile(attacked.latencies, 0.99);
  const idleGrowth = afterIdle.bytes - beforeIdle.bytes;
  const attackGrowth = afterAttack.bytes - afterIdle.bytes;
  const achievedRate = keyless / (flood.floodMs / 1000);
  // The flood phase's server CPU less the normal client's requests at their idle cost (slow clients' timers included).
  const cpuUsPerKeyless = (1000 * floodCpuMs - normal * normalCpuUs) / keyless;
  console.log(`attack: ${slow} slow connections (half trickling headers, half a body; ${slowStats.slowOpened} opened in all, ${slowStats.slowClosedByServer} cut by the server's timeouts), ${keyless} keyless requests (${floodRate > 0 ? `paced at ${floodRate}/s` : "closed loop"}) in ${(flood.floodMs / 1000).toFixed(1)} s (${Math.round(achievedRate)}/s; statuses ${JSON.stringify(flood.statuses)}), ${flood.openSlow} slow connections still open at the flood's end`);
  console.log("");
  console.log("| measure | idle | under attack | bar |");
  console.log("|---|---|---|---|");
  const p99Slow = quantile(slowOnly.latencies, 0.99);
  console.log(`| normal client p50 / p99 (ms, ${normal} requests, 4 connections) | ${quantile(idle.latencies, 0.5).toFixed(2)} / ${p99Idle.toFixed(2)} | ${slowOpen.slowOpen} slow clients only: ${quantile(slowOnly.latencies, 0.5).toFixed(2)} / ${p99Slow.toFixed(2)} (${(p99Slow / p99Idle).toFixed(2)}× idle); slow clients + keyless flood: ${quantile(attacked.latencies, 0.5).toFixed(2)} / ${p99Attack.toFixed(2)} (${(p99Attack / p99Idle).toFixed(2)}× idle) | p99 ≤ 2× idle |`);
  const kinds = (run: { errorKinds: Record<string, number> }) => (Object.keys(run.errorKinds).length === 0 ? "" : ` ${JSON.stringify(run.errorKinds)}`);
  const errors = `${idle.errors}${kinds(idle)} / ${slowOnly.errors}${kinds(slowOnly)} / ${attacked.errors}${kinds(attacked)}`;
  console.log(`| normal client errors (idle / slow only / flood) | ${errors} | | 0 |`);
  console.log(`| server CPU | ${normalCpuUs.toFixed(0)} µs per normal request | ${cpuUsPerKeyless.toFixed(0)} µs per keyless request (flood phase, normal requests at their idle cost taken out; slow clients' upkeep included) | – |`);
  console.log(`| server RSS (MB) | ${idleRss.toFixed(0)} | peak ${peakRss.toFixed(0)} | ≤ 300 |`);
  if (!bare) {
    console.log(`| store growth (SQLite + WAL after a TRUNCATE checkpoint) | ${(idleGrowth / 1024).toFixed(0)} KiB for ${normal} normal requests | ${(attackGrowth / 1024).toFixed(0)} KiB (2 × ${normal} normal requests included) | attack's share ≤ 1 MB |`);
    console.log(`| traces stored | +${afterIdle.traces - beforeIdle.traces} | +${afterAttack.traces - afterIdle.traces} (of which without a key: ${afterAttack.keylessTraces - afterIdle.keylessTraces}) | no keyless trace |`);
  }
  console.log(`load average at the end ${loadavg().map((value) => value.toFixed(1)).join(" ")}`);
  server.send({ type: "stop" });
  await new Promise((resolve) => server.once("exit", resolve));
  return {
    server: bare ? "bare" : "switchyard",
    floodRate,
    idle: { p50: quantile(idle.latencies, 0.5), p99: p99Idle },
    slowOnly: { p50: quantile(slowOnly.latencies, 0.5), p99: p99Slow },
    attacked: { p50: quantile(attacked.latencies, 0.5), p99: p99Attack },
    achievedRate,
    errors,
    rssIdle: idleRss,
    rssPeak: peakRss,
    // The normal client's own traces are the idle phase's growth per request, twice (two measured phases).
    attackStoreKiB: (attackGrowth - 2 * idleGrowth) / 1024,
    keylessTraces: afterAttack.keylessTraces - afterIdle.keylessTraces,
    cpuUsPerKeyless,
    normalCpuUs,
  };
}

async function orchestrate(): Promise<void> {
  const slow = argument("slow", 3_000);
  const keyless = argument("keyless", 30_000);
  const normal = argument("normal", 2_000);
  const ratesIndex = process.argv.indexOf("--flood-rates");
  const floodRates = ratesIndex >= 0 ? String(process.argv[ratesIndex + 1]).split(",").map(Number) : [argument("flood-rate", 785)];
  const serverIndex = process.argv.indexOf("--server");
  const serverChoice = serverIndex >= 0 ? String(process.argv[serverIndex + 1]) : "switchyard";
  const servers = serverChoice === "both" ? [false, true] : [serverChoice === "bare"];
  const pinned = process.argv.includes("--pin");
  const depth = deepJsonFigures();
  console.log(`deep JSON (${(depth.bytes / 1e6).toFixed(2)} MB, nested 520,000 deep): JSON.parse + depth walk ${depth.beforeMs.toFixed(1)} ms; depth pre-scan ${depth.afterUs.toFixed(1)} µs (median of 5)`);
  if (pinned && !pin(process.pid, 1)) throw new Error("--pin needs `taskset` (util-linux) and 2 CPUs");
  if (pinned) console.log("pinned: the server on CPU 0; this process (normal client, upstream) and the attacker on CPU 1");

  const upstream = createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ id: "x", object: "chat.completion", created: 1, model: "m", choices: [{ index: 0, message: { role: "assistant", content: "hi" }, finish_reason: "stop" }], usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } }));
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
  const upstreamPort = (upstream.address() as { port: number }).port;

  const figures: ScenarioFigures[] = [];
  // Servers alternate (which goes first flips per flood rate), so a shared machine's drift spreads over both.
  for (const [index, floodRate] of floodRates.entries()) {
    for (const bare of index % 2 === 0 ? servers : [...servers].reverse()) {
      figures.push(await runScenario({ bare, floodRate, slow, keyless, normal, upstreamPort, pinned }));
    }
  }
  upstream.close();

  console.log(`\n### Summary: ${slow} slow clients, ${keyless} keyless requests, ${normal} normal requests per phase${pinned ? "; server pinned to CPU 0, everyone else on CPU 1" : "; no pinning (all processes share both CPUs)"}\n`);
  console.log("| server | flood (achieved/s) | normal p50 / p99 idle (ms) | slow clients only: p99 (× idle) | + keyless flood: p50 / p99 (× idle) | server CPU µs per keyless request (slow clients' upkeep included) | RSS idle → peak (MB) | attack's store growth | keyless traces | normal errors (idle / slow / flood) |");
  console.log("|---|---|---|---|---|---|---|---|---|---|");
  for (const figure of figures) {
    const flood = `${figure.floodRate > 0 ? `paced ${figure.floodRate}/s` : "flat out"} (${Math.round(figure.achievedRate)}/s)`;
    const store = figure.server === "bare" ? "—" : `${figure.attackStoreKiB.toFixed(0)} KiB`;
    const traces = figure.server === "bare" ? "—" : String(figure.keylessTraces);
    console.log(
      `| ${figure.server === "bare" ? "bare Node (ceiling)" : "Switchyard"} | ${flood} | ${figure.idle.p50.toFixed(2)} / ${figure.idle.p99.toFixed(2)} | ${figure.slowOnly.p99.toFixed(2)} (${(figure.slowOnly.p99 / figure.idle.p99).toFixed(2)}×) | ${figure.attacked.p50.toFixed(2)} / ${figure.attacked.p99.toFixed(2)} (**${(figure.attacked.p99 / figure.idle.p99).toFixed(2)}×**) | ${figure.cpuUsPerKeyless.toFixed(0)} | ${figure.rssIdle.toFixed(0)} → ${figure.rssPeak.toFixed(0)} | ${store} | ${traces} | ${figure.errors} |`,
    );
  }
  console.log(`\nbars: others' p99 ≤ 2× idle; RSS ≤ 300 MB; attack's store growth ≤ 1 MB. Load average at the end ${loadavg().map((value) => value.toFixed(1)).join(" ")}`);
}

const role = process.argv.includes("--role") ? process.argv[process.argv.indexOf("--role") + 1] : "orchestrator";
if (role === "server") await runServer();
else if (role === "bare-server") await runBareServer();
else if (role === "attacker") await runAttacker();
else await orchestrate();
